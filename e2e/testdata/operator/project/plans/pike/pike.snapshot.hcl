# Release pike of the operator fixture: images.is_public is replaced by
# images.visibility (the Glance ocata change), and image_members is new.
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
  column "created_at" {
    null    = false
    type    = datetime
    default = sql("CURRENT_TIMESTAMP")
  }
  column "visibility" {
    null    = false
    type    = enum("private", "public", "shared", "community")
    default = "shared"
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
table "image_members" {
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
  column "member" {
    null = false
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_image_members_image" {
    columns = [column.image_id]
  }
}
schema "app" {
}
