# Kanboard 110, trimmed: the unique key is now (user_id, project_id), and
# the foreign key on project_id keeps the index the server gave it.
schema "kanboard" {
}

table "users" {
  schema  = schema.kanboard
  charset = "utf8mb3"
  collate = "utf8mb3_general_ci"
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  primary_key {
    columns = [column.id]
  }
}

table "projects" {
  schema  = schema.kanboard
  charset = "utf8mb3"
  collate = "utf8mb3_general_ci"
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  primary_key {
    columns = [column.id]
  }
}

table "user_has_notifications" {
  schema  = schema.kanboard
  charset = "utf8mb4"
  collate = "utf8mb4_general_ci"
  column "user_id" {
    null = false
    type = int
  }
  column "project_id" {
    null = false
    type = int
  }
  foreign_key "user_has_notifications_ibfk_1" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_delete   = CASCADE
  }
  foreign_key "user_has_notifications_ibfk_2" {
    columns     = [column.project_id]
    ref_columns = [table.projects.column.id]
    on_delete   = CASCADE
  }
  index "user_has_notifications_ibfk_2" {
    columns = [column.project_id]
  }
  index "user_has_notifications_unique_idx" {
    unique  = true
    columns = [column.user_id, column.project_id]
  }
}
