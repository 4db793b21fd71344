# Fixture for e2e/lint_test.go: every plan file of pike's second step is
# hand-made to be wrong (see README.md). Do not run `emcee plan` here.

emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike", "queens"]
}
