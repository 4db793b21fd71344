# Kanboard 105, trimmed: a task's attachments, its foreign key named by InnoDB.
schema "kanboard" {
}

table "tasks" {
  schema  = schema.kanboard
  charset = "utf8mb3"
  collate = "utf8mb3_general_ci"
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  column "title" {
    null = false
    type = varchar(255)
  }
  primary_key {
    columns = [column.id]
  }
}

table "files" {
  schema  = schema.kanboard
  charset = "utf8mb3"
  collate = "utf8mb3_general_ci"
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  column "name" {
    null = false
    type = varchar(255)
  }
  column "task_id" {
    null = false
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "files_ibfk_1" {
    columns     = [column.task_id]
    ref_columns = [table.tasks.column.id]
    on_delete   = CASCADE
  }
  index "files_task_idx" {
    columns = [column.task_id]
  }
}
