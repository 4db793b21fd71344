# Release ocata of the operator fixture: what ocata_expand01 creates.
table "images" {
  schema = schema.app
  column "id" {
    null           = false
    type           = bigint
    auto_increment = true
  }
  column "name" {
    null = false
    type = varchar(100)
  }
  column "is_public" {
    null    = false
    type    = bool
    default = false
  }
  column "created_at" {
    null    = false
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
    null           = false
    type           = bigint
    auto_increment = true
  }
  column "image_id" {
    null = false
    type = bigint
  }
  column "name" {
    null = false
    type = varchar(255)
  }
  column "value" {
    null = true
    type = text
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_image_properties_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
schema "app" {
}
