schema "app" {}

table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(100)
  }
  column "is_public" {
    type    = bool
    default = false
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
