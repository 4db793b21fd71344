schema "app" {}
table "events" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "hits" {
    type = int
  }
  column "label" {
    type = varchar(40)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
