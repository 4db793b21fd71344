# ocata: the first release of the operator fixture (docs/operators.md):
# images and their properties.
schema "app" {}

table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(100)
  }
  column "is_public" {
    type    = bool
    default = false
  }
  column "created_at" {
    type    = datetime
    default = sql("CURRENT_TIMESTAMP")
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_name" {
    columns = [column.name]
  }
}

table "image_properties" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "image_id" {
    type = bigint
  }
  column "name" {
    type = varchar(255)
  }
  column "value" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_image_properties_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
