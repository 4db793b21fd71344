package e2e

import (
	"testing"
)

// Drupal 7's openid_association (modules/openid/openid.install) as 7.44
// has it, keyed on assoc_handle, with idp_endpoint_uri NULL.
const drupalOpenIDAssociation744 = `
table "openid_association" {
  schema = schema.app
  column "idp_endpoint_uri" {
    type = varchar(255)
    null = true
  }
  column "assoc_handle" {
    type = varchar(255)
  }
  column "assoc_type" {
    type = varchar(32)
    null = true
  }
  column "created" {
    type    = int
    default = 0
  }
  column "expires_in" {
    type    = int
    default = 0
  }
  primary_key {
    columns = [column.assoc_handle]
  }
}
`

// Drupal 7.50 (openid_update_7000) keys openid_association on
// idp_endpoint_uri, now NOT NULL, and keeps assoc_handle unique. emcee
// refused it ("column idp_endpoint_uri is NULL in the previous release
// ... make it NOT NULL in one release and move the key in the next"),
// though contract, where the key moves, comes after the previous release
// is gone: it tightens the column behind its gate, then moves the key. A
// NULL the previous release wrote closes the gate; once it is gone,
// contract goes through.
func TestOutsideS32DrupalKeyMovesToAColumnTheReleaseMakesNotNull(t *testing.T) {
	t.Parallel()
	after := replaceOnce(replaceOnce(drupalOpenIDAssociation744, `  column "idp_endpoint_uri" {
    type = varchar(255)
    null = true
  }`, `  column "idp_endpoint_uri" {
    type = varchar(255)
  }`), `  primary_key {
    columns = [column.assoc_handle]
  }`, `  primary_key {
    columns = [column.idp_endpoint_uri]
  }
  index "assoc_handle" {
    unique  = true
    columns = [column.assoc_handle]
  }`)
	ruleCase{
		before:     drupalOpenIDAssociation744,
		after:      after,
		rules:      []string{"replace-primary-key", "tighten-column", "add-unique-index"},
		seed:       []string{"INSERT INTO openid_association (idp_endpoint_uri, assoc_handle, assoc_type) VALUES ('https://a.example/server', '{HMAC-SHA1}{1}', 'HMAC-SHA1'), ('https://b.example/server', '{HMAC-SHA1}{2}', 'HMAC-SHA1')"},
		oldWrites:  []string{"INSERT INTO openid_association (idp_endpoint_uri, assoc_handle) VALUES ('https://c.example/server', '{HMAC-SHA1}{3}')"},
		newWrites:  []string{"INSERT INTO openid_association (idp_endpoint_uri, assoc_handle) VALUES ('https://d.example/server', '{HMAC-SHA256}{4}')"},
		gateBlocks: []string{"INSERT INTO openid_association (assoc_handle) VALUES ('{HMAC-SHA1}{5}')"},
		fix:        []string{"DELETE FROM openid_association WHERE idp_endpoint_uri IS NULL"},
		checks: map[string]string{
			"SELECT idp_endpoint_uri, assoc_handle FROM openid_association ORDER BY idp_endpoint_uri":                                                                              "https://a.example/server|{HMAC-SHA1}{1};https://b.example/server|{HMAC-SHA1}{2};https://c.example/server|{HMAC-SHA1}{3};https://d.example/server|{HMAC-SHA256}{4}",
			"SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'openid_association' AND INDEX_NAME = 'PRIMARY'": "idp_endpoint_uri",
			"SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'openid_association' AND COLUMN_NAME = 'idp_endpoint_uri'":        "NO",
		},
	}.run(t)
}
