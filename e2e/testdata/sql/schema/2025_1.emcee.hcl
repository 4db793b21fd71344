# What the SQL cannot say: visibility takes over from is_public.
table "images" {
  column "visibility" {
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
}
