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
  column "visibility" {
    type    = enum("private", "public", "shared", "community")
    default = "shared"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_visibility" {
    columns = [column.visibility]
  }
}
