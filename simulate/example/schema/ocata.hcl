schema "glance" {}

table "images" {
  schema = schema.glance
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  column "size" {
    type = bigint
    null = true
  }
  column "status" {
    type    = enum("queued", "active", "deleted")
    default = "queued"
  }
  column "created_at" {
    type = datetime
  }
  column "is_public" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_is_public" {
    columns = [column.is_public]
  }
}
