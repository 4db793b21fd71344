schema "app" {}

table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(100)
  }
  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
    }
  }
  column "owner" {
    type = varchar(50)
    null = true
  }
  column "size" {
    type = int
    null = true
  }
  column "slug" {
    type = varchar(100)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_owner" {
    columns = [column.owner]
  }
}
