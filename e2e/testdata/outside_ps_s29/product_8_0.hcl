# PrestaShop 8.0's ps_product, trimmed: '410' joins the redirect types, second.
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
    type    = enum("404", "410", "301-product", "302-product", "301-category", "302-category")
    default = "404"
    # a new value among the others: the server reorders by a table copy
    allow_copy = true
  }
  primary_key {
    columns = [column.id_product]
  }
}
