package e2e

import (
	"strings"
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

// Drupal 7.16's aggregator_feed (modules/aggregator/aggregator.install),
// its url a varchar(255) under the unique index url.
const drupalAggregatorFeed716 = `
table "aggregator_feed" {
  schema = schema.app
  column "fid" {
    type           = int
    auto_increment = true
  }
  column "title" {
    type    = varchar(255)
    default = ""
  }
  column "url" {
    type    = varchar(255)
    default = ""
  }
  column "refresh" {
    type    = int
    default = 0
  }
  primary_key {
    columns = [column.fid]
  }
  index "title" {
    unique  = true
    columns = [column.title]
  }
  index "url" {
    unique  = true
    columns = [column.url]
  }
}
`

// Drupal 7.17 (aggregator_update_7003) makes aggregator_feed.url a text
// and its index url a plain one on its first 255 characters. emcee
// refused it: the unique url of 7.16, kept until contract, would be too
// long on a text, "Split it over two releases: first the index on a prefix
// short enough for the new type", which MariaDB cannot take (a prefix of
// 255 on a varchar(255) is the whole column). Expand now keys url on its
// first 255 characters in the ALTER that makes the column a text: every
// url 7.16 writes fits, so the index keys them, and keeps them apart, as
// before; contract gives it 7.17's definition, and the rollback, narrowing
// the column back, the whole column again.
func TestOutsideS32DrupalKeptIndexKeysAPrefixOfTheColumnExpandRetypes(t *testing.T) {
	t.Parallel()
	after := replaceOnce(replaceOnce(drupalAggregatorFeed716, `  column "url" {
    type    = varchar(255)
    default = ""
  }`, `  column "url" {
    type       = text
    allow_copy = true
  }`), `  index "url" {
    unique  = true
    columns = [column.url]
  }`, `  index "url" {
    on {
      column = column.url
      prefix = 255
    }
  }`)
	long := "https://feeds.example.org/" + strings.Repeat("a", 274)
	ruleCase{
		before:    drupalAggregatorFeed716,
		after:     after,
		rules:     []string{"tighten-column", "index-uniqueness"},
		seed:      []string{"INSERT INTO aggregator_feed (title, url) VALUES ('Planet', 'https://planet.example.org/rss.xml'), ('News', 'https://news.example.org/rss.xml')"},
		oldWrites: []string{"INSERT INTO aggregator_feed (title, url) VALUES ('Blog', 'https://blog.example.org/rss.xml')"},
		newWrites: []string{"INSERT INTO aggregator_feed (title, url) VALUES ('Forum', 'https://forum.example.org/rss.xml') ON DUPLICATE KEY UPDATE refresh = refresh + 1"},
		checks: map[string]string{
			"SELECT title FROM aggregator_feed ORDER BY fid": "Planet;News;Blog;Forum",
			"SELECT NON_UNIQUE, SUB_PART FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'aggregator_feed' AND INDEX_NAME = 'url'": "1|255",
		},
		// Two feeds whose urls share their first 255 characters: 7.17's
		// index is no longer unique.
		afterContract:    []string{"INSERT INTO aggregator_feed (title, url) VALUES ('Long 1', '" + long + "1'), ('Long 2', '" + long + "2')"},
		oldAfterRollback: []string{"INSERT INTO aggregator_feed (title, url) VALUES ('Wiki', 'https://wiki.example.org/rss.xml')"},
	}.run(t)
}
