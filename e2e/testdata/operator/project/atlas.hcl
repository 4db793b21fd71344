# The operator walkthrough (docs/operators.md) runs here:
#   emcee db expand --env local
env "local" {
  url = "mysql://root@127.0.0.1:3306/glance"
}

emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
}
