package e2e

import (
	"slices"
	"strings"
	"testing"
)

// Nextcloud's core tables as the Doctrine migration steps of
// nextcloud/server's core/Migrations declare them (Nextcloud runs them
// with `occ upgrade`, the instance in maintenance mode), one release per
// major version from 12 to 16. Release 12 is the tables as
// Version13000Date20170718121200.php (commit 00e34192) creates them: the
// port of 12's db_structure.xml, which a 12 install already has, its ids
// `integer` (int). Then, each step's file at the commit the index holds:
//
//	13: Version13000Date20170926101637.php (13088b74), a BigIntMigration:
//	    authtoken.id, share.id, parent and file_source, admin_settings.id
//	    and personal_settings.id int -> bigint.
//	14: Version14000Date20180129121024.php (01f0c334) drops admin_sections,
//	    admin_settings, personal_sections and personal_settings;
//	    Version14000Date20180404140050.php (0bfd6217) adds users.uid_lower
//	    (nullable, default '') and its index, and in postSchemaChange sets it
//	    to LOWER(uid) for every user; Version14000Date20180516101403.php
//	    (2f815df0) authtoken.expires; Version14000Date20180518120534.php
//	    (1ab09ec7) authtoken.private_key, public_key, version (NOT NULL,
//	    default 1) and authtoken_uid_index; Version14000Date20180522074438.php
//	    (13d93f5b) twofactor_providers; Version14000Date20180626223656.php
//	    (0cd17fe2) whats_new; Version14000Date20180710092004.php (0157e30a)
//	    share.password_by_talk (boolean, NOT NULL, default 0);
//	    Version14000Date20180712153140.php (01f0c334) share.note.
//	15: Version15000Date20180926101451.php (17fa2c76)
//	    authtoken.password_invalid; Version15000Date20181015062942.php
//	    (2f815df0) share.hide_download; Version15000Date20181029084625.php
//	    (1fa6e0be) share.label.
//	16: Version16000Date20190207141427.php (0157e30a) collres_collections,
//	    collres_resources and collres_accesscache (the last two without a
//	    primary key, each with a unique key); Version16000Date20190212081545.php
//	    (0157e30a) login_flow_v2.
//
// Doctrine's types as its MySQL platform writes them: string varchar(n),
// text longtext (text up to 65535), integer int, boolean tinyint(1);
// length on a smallint is ignored. The tables are whole; core's others
// (filecache, jobs, comments, ...) are left out. The unsigned flags
// Version13000Date20170919121250.php sets are in the port at 00e34192
// already; Version15000Date20180917092725.php, an earlier collres that no
// class map of the index lists, is left out too.
var nextcloudReleases = []string{"12_0_0", "13_0_0", "14_0_0", "15_0_0", "16_0_0"}

func nextcloudSince(v, rel string) bool {
	return slices.Index(nextcloudReleases, v) >= slices.Index(nextcloudReleases, rel)
}

// nextcloudID is a column BigIntMigration widens in 13 (int -> bigint,
// which MariaDB does only by copying the table: allow_copy).
func nextcloudID(v, name string, attrs ...string) string {
	if !nextcloudSince(v, "13_0_0") {
		return hcol(name, "int", attrs...)
	}
	return hcol(name, "bigint", append(attrs, hin(v, "13_0_0", "allow_copy = true"))...)
}

func nextcloudUsers(v string) string {
	cols := []string{
		hcol("uid", "varchar(64)", `default = ""`),
		hcol("displayname", "varchar(64)", "null = true"),
		hcol("password", "varchar(255)", `default = ""`),
	}
	if nextcloudSince(v, "14_0_0") {
		cols = append(cols, hcol("uid_lower", "varchar(64)", "null = true", `default = ""`))
	}
	cols = append(cols, hpk("uid"))
	if nextcloudSince(v, "14_0_0") {
		cols = append(cols, hindex("user_uid_lower", false, "uid_lower"))
	}
	return htable("oc_users", cols...)
}

func nextcloudAuthtoken(v string) string {
	cols := []string{
		nextcloudID(v, "id", "unsigned = true", "auto_increment = true"),
		hcol("uid", "varchar(64)", `default = ""`),
		hcol("login_name", "varchar(64)", `default = ""`),
		hcol("password", "longtext", "null = true"),
		hcol("name", "longtext", `default = ""`),
		hcol("token", "varchar(200)", `default = ""`),
		hcol("type", "smallint", "unsigned = true", "default = 0"),
		hcol("remember", "smallint", "unsigned = true", "default = 0"),
		hcol("last_activity", "int", "unsigned = true", "default = 0"),
		hcol("last_check", "int", "unsigned = true", "default = 0"),
		hcol("scope", "longtext", "null = true"),
	}
	if nextcloudSince(v, "14_0_0") {
		cols = append(cols,
			hcol("expires", "int", "unsigned = true", "null = true"),
			hcol("private_key", "longtext", "null = true"),
			hcol("public_key", "longtext", "null = true"),
			hcol("version", "smallint", "unsigned = true", "default = 1"))
	}
	if nextcloudSince(v, "15_0_0") {
		cols = append(cols, hcol("password_invalid", "bool", "null = true", "default = false"))
	}
	cols = append(cols, hpk("id"), hindex("authtoken_token_index", true, "token"), hindex("authtoken_last_activity_index", false, "last_activity"))
	if nextcloudSince(v, "14_0_0") {
		cols = append(cols, hindex("authtoken_uid_index", false, "uid"))
	}
	return htable("oc_authtoken", cols...)
}

func nextcloudShare(v string) string {
	cols := []string{
		nextcloudID(v, "id", "auto_increment = true"),
		hcol("share_type", "smallint", "default = 0"),
		hcol("share_with", "varchar(255)", "null = true"),
		hcol("password", "varchar(255)", "null = true"),
		hcol("uid_owner", "varchar(64)", `default = ""`),
		hcol("uid_initiator", "varchar(64)", "null = true"),
		nextcloudID(v, "parent", "null = true"),
		hcol("item_type", "varchar(64)", `default = ""`),
		hcol("item_source", "varchar(255)", "null = true"),
		hcol("item_target", "varchar(255)", "null = true"),
		nextcloudID(v, "file_source", "null = true"),
		hcol("file_target", "varchar(512)", "null = true"),
		hcol("permissions", "smallint", "default = 0"),
		hcol("stime", "bigint", "default = 0"),
		hcol("accepted", "smallint", "default = 0"),
		hcol("expiration", "datetime", "null = true"),
		hcol("token", "varchar(32)", "null = true"),
		hcol("mail_send", "smallint", "default = 0"),
		hcol("share_name", "varchar(64)", "null = true"),
	}
	if nextcloudSince(v, "14_0_0") {
		cols = append(cols, hcol("password_by_talk", "bool", "default = false"), hcol("note", "longtext", "null = true"))
	}
	if nextcloudSince(v, "15_0_0") {
		cols = append(cols, hcol("hide_download", "smallint", "null = true", "default = 0"), hcol("label", "varchar(255)", "null = true"))
	}
	cols = append(cols, hpk("id"), hindex("item_share_type_index", false, "item_type", "share_type"),
		hindex("file_source_index", false, "file_source"), hindex("token_index", false, "token"))
	return htable("oc_share", cols...)
}

// nextcloudSettings is admin_settings or personal_settings (kind), with
// its sections table; 14 drops all four.
func nextcloudSettings(v, kind string) string {
	return htable("oc_"+kind+"_sections",
		hcol("id", "varchar(64)"),
		hcol("class", "varchar(255)", `default = ""`),
		hcol("priority", "smallint", "default = 0"),
		hpk("id"), hindex(kind+"_sections_class", true, "class")) +
		htable("oc_"+kind+"_settings",
			nextcloudID(v, "id", "auto_increment = true"),
			hcol("class", "varchar(255)", `default = ""`),
			hcol("section", "varchar(64)", "null = true"),
			hcol("priority", "smallint", "default = 0"),
			hpk("id"), hindex(kind+"_settings_class", true, "class"), hindex(kind+"_settings_section", false, "section"))
}

func nextcloudTwofactorProviders() string {
	return htable("oc_twofactor_providers",
		hcol("provider_id", "varchar(32)"),
		hcol("uid", "varchar(64)"),
		hcol("enabled", "smallint"),
		hpk("provider_id", "uid"))
}

func nextcloudWhatsNew() string {
	return htable("oc_whats_new",
		hcol("id", "int", "unsigned = true", "auto_increment = true"),
		hcol("version", "varchar(64)", `default = "11"`),
		hcol("etag", "varchar(64)", `default = ""`),
		hcol("last_check", "int", "unsigned = true", "default = 0"),
		hcol("data", "longtext", `default = ""`),
		hpk("id"), hindex("version", true, "version"), hindex("version_etag_idx", false, "version", "etag"))
}

func nextcloudCollres() string {
	return htable("oc_collres_collections",
		hcol("id", "bigint", "auto_increment = true"),
		hcol("name", "varchar(64)"),
		hpk("id")) +
		htable("oc_collres_resources",
			hcol("collection_id", "bigint"),
			hcol("resource_type", "varchar(64)"),
			hcol("resource_id", "varchar(64)"),
			hindex("collres_unique_res", true, "collection_id", "resource_type", "resource_id")) +
		htable("oc_collres_accesscache",
			hcol("user_id", "varchar(64)"),
			hcol("collection_id", "bigint", "null = true", "default = 0"),
			hcol("resource_type", "varchar(64)", "null = true", `default = ""`),
			hcol("resource_id", "varchar(64)", "null = true", `default = ""`),
			hcol("access", "smallint", "default = 0"),
			hindex("collres_unique_user", true, "user_id", "collection_id", "resource_type", "resource_id"),
			hindex("collres_user_res", false, "user_id", "resource_type", "resource_id"),
			hindex("collres_user_coll", false, "user_id", "collection_id"))
}

func nextcloudLoginFlowV2() string {
	return htable("oc_login_flow_v2",
		hcol("id", "bigint", "unsigned = true", "auto_increment = true"),
		hcol("timestamp", "bigint", "unsigned = true"),
		hcol("started", "smallint", "unsigned = true", "default = 0"),
		hcol("poll_token", "varchar(255)"),
		hcol("login_token", "varchar(255)"),
		hcol("public_key", "text"),
		hcol("private_key", "text"),
		hcol("client_name", "varchar(255)"),
		hcol("login_name", "varchar(255)", "null = true"),
		hcol("server", "varchar(255)", "null = true"),
		hcol("app_password", "varchar(1024)", "null = true"),
		hpk("id"), hindex("poll_token", true, "poll_token"), hindex("login_token", true, "login_token"), hindex("timestamp", false, "timestamp"))
}

var nextcloudMigrations = map[string]string{
	// Version14000Date20180129121024: the settings tables go with their rows
	// (settings are registered from the apps' info.xml since 14).
	"14_0_0": "discard {\n  table = \"oc_admin_sections\"\n}\ndiscard {\n  table = \"oc_admin_settings\"\n}\n" +
		"discard {\n  table = \"oc_personal_sections\"\n}\ndiscard {\n  table = \"oc_personal_settings\"\n}\n" +
		// Version14000Date20180404140050's postSchemaChange, for the rows
		// it finds and those 13's code inserts while 14 rolls out (which
		// leave uid_lower at its default).
		"data_migration \"uid_lower\" {\n  table   = \"oc_users\"\n  set     = \"uid_lower = LOWER(uid)\"\n  pending = \"uid_lower = '' AND uid <> ''\"\n}\n",
}

func nextcloudRelease(v string) string {
	s := "schema \"app\" {}\n" + nextcloudUsers(v) + nextcloudAuthtoken(v) + nextcloudShare(v)
	if !nextcloudSince(v, "14_0_0") {
		s += nextcloudSettings(v, "admin") + nextcloudSettings(v, "personal")
	} else {
		s += nextcloudTwofactorProviders() + nextcloudWhatsNew()
	}
	if nextcloudSince(v, "16_0_0") {
		s += nextcloudCollres() + nextcloudLoginFlowV2()
	}
	return s + nextcloudMigrations[v]
}

// Five Nextcloud schemas, 12 to 16, over its users, app passwords, shares
// and the tables its steps create and drop: each change in the phase its
// kind asks for (where `occ upgrade` runs them all in one go, the instance
// in maintenance mode), and each release applied through expand, migrate
// and contract while the previous release's code writes, leaving the
// database exactly as declared and every row where the next release reads it.
func TestOutsideS36NextcloudHistory(t *testing.T) {
	t.Parallel()
	var rel [][2]string
	for _, v := range nextcloudReleases {
		rel = append(rel, [2]string{v, nextcloudRelease(v)})
	}
	p := newSchemaProject(t, rel...)
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		// 12-13: BigIntMigration's widenings copy their tables (allowed)
		// in expand, the old code's 32-bit ids fitting the new type.
		{"13_0_0", "expand", "ALTER TABLE `oc_share` MODIFY COLUMN `id` bigint NOT NULL AUTO_INCREMENT, MODIFY COLUMN `parent` bigint NULL, MODIFY COLUMN `file_source` bigint NULL, ALGORITHM=COPY, LOCK=SHARED"},
		{"13_0_0", "expand", "ALTER TABLE `oc_authtoken` MODIFY COLUMN `id` bigint unsigned NOT NULL AUTO_INCREMENT, ALGORITHM=COPY, LOCK=SHARED"},
		{"13_0_0", "expand", "ALTER TABLE `oc_admin_settings` MODIFY COLUMN `id` bigint NOT NULL AUTO_INCREMENT, ALGORITHM=COPY, LOCK=SHARED"},
		// 13-14: new tables, columns and indexes in expand; uid_lower
		// computed in migrate, contract waiting for every row; the
		// settings tables dropped in contract.
		{"14_0_0", "expand", "CREATE TABLE `oc_twofactor_providers`"},
		{"14_0_0", "expand", "CREATE TABLE `oc_whats_new`"},
		{"14_0_0", "expand", "ALTER TABLE `oc_users` ADD COLUMN `uid_lower` varchar(64) NULL DEFAULT \"\", ALGORITHM=INSTANT"},
		{"14_0_0", "expand", "ALTER TABLE `oc_users` ADD INDEX `user_uid_lower` (`uid_lower`), ALGORITHM=INPLACE, LOCK=NONE"},
		{"14_0_0", "expand", "ALTER TABLE `oc_authtoken` ADD COLUMN `expires` int unsigned NULL, ADD COLUMN `private_key` longtext NULL, ADD COLUMN `public_key` longtext NULL, ADD COLUMN `version` smallint unsigned NOT NULL DEFAULT 1, ALGORITHM=INSTANT"},
		{"14_0_0", "expand", "ALTER TABLE `oc_authtoken` ADD INDEX `authtoken_uid_index` (`uid`), ALGORITHM=INPLACE, LOCK=NONE"},
		{"14_0_0", "expand", "ALTER TABLE `oc_share` ADD COLUMN `password_by_talk` bool NOT NULL DEFAULT false, ADD COLUMN `note` longtext NULL, ALGORITHM=INSTANT"},
		{"14_0_0", "migrate", "UPDATE `oc_users` SET `uid_lower` = LOWER(`uid`) WHERE (`uid_lower` = '' AND `uid` != '')"},
		{"14_0_0", "contract", "SELECT COUNT(*) FROM `oc_users` WHERE (`uid_lower` = '' AND `uid` != '')"},
		{"14_0_0", "contract", "DROP TABLE `oc_admin_sections`"},
		{"14_0_0", "contract", "DROP TABLE `oc_personal_settings`"},
		// 14-15 and 15-16: nullable columns and new tables, expand only.
		{"15_0_0", "expand", "ALTER TABLE `oc_authtoken` ADD COLUMN `password_invalid` bool NULL DEFAULT false, ALGORITHM=INSTANT"},
		{"15_0_0", "expand", "ALTER TABLE `oc_share` ADD COLUMN `hide_download` smallint NULL DEFAULT 0, ADD COLUMN `label` varchar(255) NULL, ALGORITHM=INSTANT"},
		{"16_0_0", "expand", "CREATE TABLE `oc_collres_resources` (`collection_id` bigint NOT NULL, `resource_type` varchar(64) NOT NULL, `resource_id` varchar(64) NOT NULL, UNIQUE INDEX `collres_unique_res`"},
		{"16_0_0", "expand", "CREATE TABLE `oc_login_flow_v2`"},
	})
	for _, c := range [][2]string{{"13_0_0", "migrate"}, {"13_0_0", "contract"}, {"15_0_0", "migrate"}, {"15_0_0", "contract"}, {"16_0_0", "migrate"}, {"16_0_0", "contract"}} {
		if got := plannedPhase(p, c[0], c[1]); strings.TrimSpace(got) != "" {
			t.Errorf("%s %s is not empty: %s", c[0], c[1], got)
		}
	}

	p.must("db", "sync", "12_0_0")
	for _, q := range []string{
		"INSERT INTO oc_users (uid, displayname, password) VALUES ('Alice', 'Alice A.', 'h1')",
		"INSERT INTO oc_authtoken (id, uid, login_name, password, name, token, type, remember, last_activity, last_check) VALUES (1, 'Alice', 'Alice', 'p', 'Firefox', 't1', 0, 1, 1500000000, 1500000000)",
		"INSERT INTO oc_share (id, share_type, share_with, uid_owner, uid_initiator, item_type, item_source, file_source, file_target, permissions, stime) VALUES (1, 3, NULL, 'Alice', 'Alice', 'file', '42', 42, '/a.txt', 1, 1500000000)",
		"INSERT INTO oc_admin_sections (id, class, priority) VALUES ('server', 'OC\\\\Settings\\\\Server', 0)",
		"INSERT INTO oc_admin_settings (id, class, section, priority) VALUES (1, 'OC\\\\Settings\\\\Mail', 'server', 10)",
	} {
		p.exec(q)
	}
	// What the previous release's code writes while the next one rolls out.
	oldWrites := map[string][]string{
		"13_0_0": {"INSERT INTO oc_share (share_type, share_with, uid_owner, uid_initiator, parent, item_type, item_source, file_source, file_target, permissions, stime) VALUES (0, 'Bob', 'Alice', 'Alice', 1, 'file', '42', 42, '/a.txt', 1, 1510000000)",
			"INSERT INTO oc_authtoken (uid, login_name, name, token) VALUES ('Alice', 'alice', 'Android', 't2')"},
		"14_0_0": {"INSERT INTO oc_users (uid, displayname, password) VALUES ('Bob', 'Bob B.', 'h2')",
			"INSERT INTO oc_authtoken (uid, login_name, name, token) VALUES ('Bob', 'Bob', 'iOS', 't3')",
			"INSERT INTO oc_share (share_type, uid_owner, item_type, file_source, permissions, stime) VALUES (3, 'Bob', 'folder', 43, 31, 1520000000)",
			"INSERT INTO oc_admin_settings (id, class, section, priority) VALUES (2, 'OC\\\\Settings\\\\Sharing', 'sharing', 20)"},
		"15_0_0": {"INSERT INTO oc_users (uid, displayname, password, uid_lower) VALUES ('Cy', 'Cy C.', 'h3', 'cy')",
			"INSERT INTO oc_share (share_type, uid_owner, item_type, file_source, permissions, stime, password_by_talk, note) VALUES (4, 'Cy', 'file', 44, 1, 1530000000, 1, 'see you')",
			"INSERT INTO oc_twofactor_providers (provider_id, uid, enabled) VALUES ('totp', 'Bob', 1)"},
		"16_0_0": {"UPDATE oc_share SET label = 'Team', hide_download = 1 WHERE id = 1",
			"INSERT INTO oc_authtoken (uid, login_name, name, token, password_invalid) VALUES ('Cy', 'Cy', 'Desktop', 't4', 1)"},
	}
	rollOut(t, p, nextcloudReleases, oldWrites)
	// 16's code, its ids past what int holds.
	p.exec("INSERT INTO oc_share (id, share_type, uid_owner, parent, item_type, file_source, permissions, stime) VALUES (3000000000, 0, 'Cy', 4, 'file', 5000000000, 1, 1560000000)")
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(uid, ':', uid_lower, ':', displayname ORDER BY uid) FROM oc_users":                                                                                                       "Alice:alice:Alice A.,Bob:bob:Bob B.,Cy:cy:Cy C.",
		"SELECT GROUP_CONCAT(id, ':', uid, ':', token, ':', version, ':', password_invalid ORDER BY id) FROM oc_authtoken":                                                                            "1:Alice:t1:1:0,2:Alice:t2:1:0,3:Bob:t3:1:0,4:Cy:t4:1:1",
		"SELECT GROUP_CONCAT(id, ':', IFNULL(parent, '-'), ':', file_source, ':', password_by_talk, ':', IFNULL(note, '-'), ':', hide_download, ':', IFNULL(label, '-') ORDER BY id) FROM oc_share":   "1:-:42:0:-:1:Team,2:1:42:0:-:0:-,3:-:43:0:-:0:-,4:-:44:1:see you:0:-,3000000000:4:5000000000:0:-:0:-",
		"SELECT GROUP_CONCAT(provider_id, ':', uid, ':', enabled) FROM oc_twofactor_providers":                                                                                                        "totp:Bob:1",
		"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('oc_admin_sections', 'oc_admin_settings', 'oc_personal_sections', 'oc_personal_settings')": "0",
	})
}

// What Nextcloud's steps declare as they wrote them, which emcee refuses,
// with the way out the refusal gives (the history above takes it).
func TestOutsideS36NextcloudRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, release string
		edit          func(string) string
		want          []string
	}{
		// BigIntMigration's int -> bigint of share.parent: MariaDB copies the
		// table (Nextcloud leaves filecache's to `occ
		// db:convert-filecache-bigint` for that reason).
		{"bigint without allow_copy", "13_0_0", func(s string) string {
			return replaceOnce(s, "  column \"parent\" {\n    type = bigint\n    null = true\n    allow_copy = true\n", "  column \"parent\" {\n    type = bigint\n    null = true\n")
		}, []string{"schema/13_0_0.hcl:", "oc_share.parent: this change (type: int -> bigint) makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, releasesUpTo(nextcloudReleases, nextcloudRelease, c.release, c.edit)...)
			r := p.plan()
			if r.Code == 0 {
				t.Fatalf("plan of %s as Nextcloud wrote it: %s", c.release, r)
			}
			opContains(t, r, c.want...)
		})
	}
}

// Version14000Date20180404140050 sets uid_lower once, in the upgrade. A
// user 13's code inserts after migrate ran is left at the default: contract
// stops before dropping anything, naming the count, until migrate runs again.
func TestOutsideS36NextcloudUidLowerLate(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"13_0_0", nextcloudRelease("13_0_0")}, [2]string{"14_0_0", nextcloudRelease("14_0_0")})
	p.must("plan")
	p.must("db", "sync", "13_0_0")
	p.exec("INSERT INTO oc_users (uid, password) VALUES ('Alice', 'h1')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO oc_users (uid, password) VALUES ('BOB', 'h2')")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract over a user without uid_lower: %s", r)
	}
	opContains(t, r, "14_0_0_contract01 refused: 1 of 1 gate closed, nothing was changed", "gate data-migration: 1 row",
		"rows data_migration \"uid_lower\" has not rewritten yet", "SELECT * FROM `oc_users` WHERE (`uid_lower` = '' AND `uid` != '') LIMIT 100", "run `emcee db migrate --env test`")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'oc_admin_settings'"); got != "1" {
		t.Errorf("the refused contract dropped admin_settings: %s", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(uid, ':', uid_lower ORDER BY uid) FROM oc_users"); got != "Alice:alice,BOB:bob" {
		t.Errorf("users: %s", got)
	}
}

// 13's code writes a share whose id int cannot hold; the way back to 12
// narrows share.id again, so it stops before changing anything, naming the
// count, until the row is gone.
func TestOutsideS36NextcloudBigIntRollback(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"12_0_0", nextcloudRelease("12_0_0")}, [2]string{"13_0_0", nextcloudRelease("13_0_0")})
	p.must("plan")
	p.must("db", "sync", "12_0_0")
	p.exec("INSERT INTO oc_share (id, uid_owner, item_type, file_source, stime) VALUES (1, 'Alice', 'file', 42, 1500000000)")
	p.must("db", "expand")
	p.exec("INSERT INTO oc_share (id, uid_owner, item_type, file_source, stime) VALUES (3000000000, 'Alice', 'file', 43, 1510000000)")
	r := p.run("db", "rollback", "--allow-copy")
	if r.Code == 0 {
		t.Fatalf("rollback over a share id past int: %s", r)
	}
	opContains(t, r, "rollback refused at 13_0_0_rollback01: 1 of 6 gates closed", "gate widen-column: 1 row",
		"oc_share.id is int again in the previous release", "SELECT * FROM `oc_share` WHERE `id` NOT BETWEEN -2147483648 AND 2147483647 LIMIT 100")
	if got := p.query("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'oc_authtoken' AND COLUMN_NAME = 'id'"); got != "bigint" {
		t.Errorf("the refused rollback narrowed authtoken.id: %s", got)
	}
	p.exec("DELETE FROM oc_share WHERE id = 3000000000")
	p.must("db", "rollback", "--allow-copy")
	if got := p.query("SELECT CONCAT(DATA_TYPE, ':', (SELECT GROUP_CONCAT(id, ':', file_source) FROM oc_share)) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'oc_share' AND COLUMN_NAME = 'id'"); got != "int:1:42" {
		t.Errorf("share after the rollback: %s", got)
	}
}

// Version16000Date20190427105638.php (057ca159) and
// Version16000Date20190428150708.php (0157e30a), dated after 16.0.0: the
// access cache's access, smallint, becomes a boolean, the cache emptied
// first (preSchemaChange). emcee deletes no table's every row (it refuses
// a delete that reads no column, and holds contract on one that keeps no
// row), so the release deletes the rows a boolean does not hold, which
// the cache computes again. The tightening's gate leaves them out: the
// delete runs first after the gates.
func TestOutsideS36NextcloudAccesscache(t *testing.T) {
	t.Parallel()
	from := nextcloudRelease("16_0_0")
	to := replaceOnce(from, "  column \"access\" {\n    type = smallint\n    default = 0\n  }\n", "  column \"access\" {\n    type = bool\n    default = false\n    allow_copy = true\n  }\n") + nextcloudAccesscacheDelete
	p := newSchemaProject(t, [2]string{"16_0_0", from}, [2]string{"16_0_1", to})
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		{"16_0_1", "contract", "SELECT COUNT(*) FROM `oc_collres_accesscache` WHERE (`access` NOT BETWEEN -128 AND 127) AND (`access` NOT IN (0,1)) IS NOT TRUE"},
		{"16_0_1", "contract", "DELETE FROM `oc_collres_accesscache` WHERE (`access` NOT IN (0,1))"},
		{"16_0_1", "contract", "ALTER TABLE `oc_collres_accesscache` MODIFY COLUMN `access` bool NOT NULL DEFAULT false, ALGORITHM=COPY, LOCK=SHARED"},
	})
	nextcloudAccesscacheRollOut(t, p)
}

const nextcloudAccesscacheDelete = "data_migration \"accesscache\" {\n  table  = \"oc_collres_accesscache\"\n  delete = \"access NOT IN (0, 1)\"\n}\n"

// nextcloudAccesscacheRollOut rolls 16_0_1 out over rows of access 1, 300
// and (16.0.0's code, during the roll-out) 2, of which the delete keeps 1.
func nextcloudAccesscacheRollOut(t *testing.T, p *opProject) {
	t.Helper()
	p.must("db", "sync", "16_0_0")
	p.exec("INSERT INTO oc_collres_accesscache (user_id, collection_id, resource_type, resource_id, access) VALUES ('alice', 1, 'file', '42', 1), ('bob', 1, 'file', '42', 300)")
	p.must("db", "expand")
	p.exec("INSERT INTO oc_collres_accesscache (user_id, collection_id, resource_type, resource_id, access) VALUES ('cy', 1, 'file', '43', 2)")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(user_id, ':', access ORDER BY user_id) FROM oc_collres_accesscache"); got != "alice:1" {
		t.Errorf("access cache: %s", got)
	}
}

// The same step, had it kept the smallint and declared a CHECK of its
// values: the check's gate leaves the deleted rows out too.
func TestOutsideS36NextcloudAccesscacheCheck(t *testing.T) {
	t.Parallel()
	from := nextcloudRelease("16_0_0")
	to := replaceOnce(from, "  column \"access\" {\n    type = smallint\n    default = 0\n  }\n", "  column \"access\" {\n    type = smallint\n    default = 0\n    allow_copy = true\n  }\n  check \"ck_access\" {\n    expr = \"access IN (0, 1)\"\n  }\n") + nextcloudAccesscacheDelete
	p := newSchemaProject(t, [2]string{"16_0_0", from}, [2]string{"16_0_1", to})
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		{"16_0_1", "contract", "SELECT COUNT(*) FROM `oc_collres_accesscache` WHERE NOT (`access` IN (0,1)) AND (`access` NOT IN (0,1)) IS NOT TRUE"},
		{"16_0_1", "contract", "ADD CONSTRAINT `ck_access` CHECK"},
	})
	nextcloudAccesscacheRollOut(t, p)
}
