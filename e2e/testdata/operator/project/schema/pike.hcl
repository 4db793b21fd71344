# pike: images.is_public is replaced by images.visibility (the change Glance
# made by hand in its ocata cycle), and image_members is new.
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
  column "visibility" {
    type    = enum("private", "public", "shared", "community")
    default = "shared"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'shared' END"
      backward = "visibility = 'public'"
    }
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

table "image_members" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "image_id" {
    type = bigint
  }
  column "member" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_image_members_image" {
    columns = [column.image_id]
  }
}
