# ussuri: slugs become unique (contract checks for duplicates first), images
# without an owner are given to "admin" by a data-only migration, and owner
# becomes required (contract checks that no NULL owner is left).
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
  }
  column "slug" {
    type = varchar(255)
  }
  column "owner" {
    type = varchar(255)
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
  index "ux_images_slug" {
    unique  = true
    columns = [column.slug]
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

data_migration "owner_admin" {
  table   = "images"
  set     = "owner = 'admin'"
  pending = "owner IS NULL"
}
