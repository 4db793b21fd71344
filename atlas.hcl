# Project file. The env blocks are Atlas's own shape (url: the database to
# upgrade, dev: a scratch database, src: the desired schema); `emcee db ...
# --env local` connects with them. The emcee block holds emcee's settings.

env "local" {
  url = "mysql://root@127.0.0.1:3306/emcee_example"
  dev = "mysql://root@127.0.0.1:3306/emcee_dev"
  src = "file://schema"
}

env "prod" {
  url = getenv("EMCEE_URL")
  src = "file://schema"
}

emcee {
  # Server the plans are written for: decides DROP CHECK vs DROP CONSTRAINT
  # and which ALTERs can be INSTANT. "mysql 8.0" or "mariadb 10.11".
  target = "mariadb 10.11"

  # Where schema/<release>.hcl and plans/<release>/ live (relative to this file).
  schema_dir = "schema"
  plans_dir  = "plans"

  # Every release, oldest first. Each needs schema/<release>.hcl.
  releases = ["ocata", "pike", "queens", "rocky", "stein", "train", "ussuri"]

  # Shipped releases: their revisions are frozen, never rewritten or extended.
  released = ["ocata", "pike"]
}
