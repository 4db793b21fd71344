# stein: images get a checksum (defaulted, so older writers keep working).
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
    type = varchar(60)
  }
  column "size" {
    type     = bigint
    unsigned = true
    null     = true
  }
  column "is_public" {
    type    = bool
    default = false
  }
  column "owner" {
    type = varchar(255)
    null = true
  }
  column "checksum" {
    type    = varchar(64)
    default = ""
  }
  column "created_at" {
    type    = datetime
    default = sql("CURRENT_TIMESTAMP")
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_owner" {
    columns = [column.owner]
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
