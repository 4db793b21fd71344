# A project whose releases are declared as SQL (README.md, "Schema as SQL"):
# 2024_1 is a mysqldump --no-data, 2025_1 what an ORM prints, with emcee's
# declarations beside it in schema/2025_1.emcee.hcl.
env "local" {
  url = "mysql://root@127.0.0.1:3306/emcee_example"
  dev = "mysql://root@127.0.0.1:3306/emcee_dev"
}

emcee {
  target   = "mariadb 10.11"
  releases = ["2024_1", "2025_1"]
}
