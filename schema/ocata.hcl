# ocata: the first release of the example image service.
schema "glance" {}

table "images" {
  schema = schema.glance
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(100)
  }
  column "status" {
    type = varchar(30)
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
  index "ix_images_status" {
    columns = [column.status]
  }
}

table "image_properties" {
  schema = schema.glance
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
