emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
}
