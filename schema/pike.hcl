# pike: images get an owner (nullable, indexed), names may be longer, and
# images can be tagged.
schema "glance" {}

table "images" {
  schema = schema.glance
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(255)
  }
  column "status" {
    type = varchar(30)
  }
  column "is_public" {
    type    = bool
    default = false
  }
  column "owner" {
    type = varchar(255)
    null = true
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
  index "ix_images_owner" {
    columns = [column.owner]
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

table "image_tags" {
  schema = schema.glance
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.image_id, column.tag]
  }
  foreign_key "fk_image_tags_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
