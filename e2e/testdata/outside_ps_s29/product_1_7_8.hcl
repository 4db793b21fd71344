# PrestaShop 1.7.8's ps_product, trimmed to its redirect type.
schema "prestashop" {
}

table "ps_product" {
  schema = schema.prestashop
  column "id_product" {
    null           = false
    type           = int
    unsigned       = true
    auto_increment = true
  }
  column "redirect_type" {
    null    = false
    type    = enum("404", "301-product", "302-product", "301-category", "302-category")
    default = "404"
  }
  primary_key {
    columns = [column.id_product]
  }
}
