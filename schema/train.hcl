# train: visibility replaces is_public (the Glance case: old and new code run
# side by side, triggers translate each write both ways), and images get a
# slug that is required from now on, computed for existing rows.
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
  column "visibility" {
    type    = enum("private", "public", "shared", "community")
    default = "shared"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'shared' END"
      backward = "visibility = 'public'"
    }
  }
  column "slug" {
    type = varchar(255)
    fill = "LOWER(REPLACE(name, ' ', '-'))"
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
