# The operator walkthrough (docs/operators.md) runs here:
#   emcee db expand --env local
# plans/ is generated from schema/ by `emcee plan`, run in this directory;
# e2e/operator_example_test.go checks it is current (`emcee plan --check`).
env "local" {
  url = "mysql://root@127.0.0.1:3306/glance"
}

emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
}
