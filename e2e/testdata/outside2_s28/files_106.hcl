# Kanboard 106, trimmed: RENAME TABLE files TO task_has_files, which renames
# the foreign key files_ibfk_1 to task_has_files_ibfk_1 (what
# `emcee init --from` reads from a database Kanboard upgraded).
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

table "task_has_files" {
  schema       = schema.kanboard
  charset      = "utf8mb3"
  collate      = "utf8mb3_general_ci"
  renamed_from = "files"
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
  foreign_key "task_has_files_ibfk_1" {
    columns     = [column.task_id]
    ref_columns = [table.tasks.column.id]
    on_delete   = CASCADE
  }
  index "files_task_idx" {
    columns = [column.task_id]
  }
}
