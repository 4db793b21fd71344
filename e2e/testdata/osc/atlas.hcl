env "local" {
  url = "mysql://root@127.0.0.1:3306/emcee_osc"
}

emcee {
  target   = "mariadb 10.11"
  releases = ["v1", "v2"]
  osc      = "pt-osc"
}
