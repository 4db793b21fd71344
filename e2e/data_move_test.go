package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Matomo 3 keeps each user's API token in user.token_auth; Matomo 4.0 moves
// it into rows of a new table, user_token_auth, one a user, and drops the
// column. A data_migration with from and insert declares the move.
const (
	matomo3 = `schema "app" {}
table "user" {
  schema = schema.app
  column "login" {
    type = varchar(100)
  }
  column "token_auth" {
    type    = varchar(255)
    default = ""
  }
  primary_key {
    columns = [column.login]
  }
}
`
	matomo4Tables = `schema "app" {}
table "user" {
  schema = schema.app
  column "login" {
    type = varchar(100)
  }
  primary_key {
    columns = [column.login]
  }
}
table "user_token_auth" {
  schema = schema.app
  column "idusertokenauth" {
    type           = bigint
    unsigned       = true
    auto_increment = true
  }
  column "login" {
    type = varchar(100)
  }
  column "description" {
    type = varchar(100)
  }
  column "password" {
    type = varchar(191)
  }
  primary_key {
    columns = [column.idusertokenauth]
  }
  index "uniq_password" {
    unique  = true
    columns = [column.password]
  }
}
`
	matomoMove = `data_migration "token_auth" {
  table   = "user_token_auth"
  from    = "user"
  insert  = "login = login, password = token_auth, description = 'migrated'"
  pending = "token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)"
}
`
)

// The move runs in migrate as INSERT ... SELECT batches over user's key:
// killed (kill -9) in a batch, it resumes after the last committed one and
// inserts no row twice. Users the old release creates after migrate keep
// contract's gate closed until migrate runs again; then contract passes,
// each user with a token has exactly one row, and the column goes.
func TestDataMigrationMovesAColumnIntoRowsOfANewTable(t *testing.T) {
	t.Parallel()
	p := plannedProject(t, "mariadb 10.11", [2]string{"m3", matomo3}, [2]string{"m4", matomo4Tables + matomoMove})
	p.must("db", "sync", "m3")
	// 600 users, every tenth without a token (nothing to move).
	p.exec("INSERT INTO user (login, token_auth) SELECT CONCAT('u', LPAD(seq, 4, '0')), IF(seq % 10 = 0, '', MD5(seq)) FROM seq_1_to_600")
	p.must("db", "expand")

	dry := p.must("db", "migrate", "--batch-size", "50", "--dry-run")
	opContains(t, dry, "540 rows pending", "INSERT INTO `user_token_auth` (`login`,`password`,`description`) SELECT `login`,`token_auth`,'migrated' FROM `user` WHERE (`token_auth` != '' AND NOT EXISTS (SELECT 1 FROM `user_token_auth` AS `t` WHERE `t`.`login` = `user`.`login`)) AND `login` > ? AND `login` <= ?")
	if got := p.query("SELECT COUNT(*) FROM user_token_auth"); got != "0" {
		t.Fatalf("a dry run inserted %s rows", got)
	}

	// An m3 transaction holds user u0301: the batch that reads it waits
	// (the batches before it committed), and migrate is killed there.
	_, release := p.lockRows("SELECT * FROM user WHERE login = 'u0301' FOR UPDATE")
	run := p.start("db", "migrate", "--batch-size", "50")
	for !exited(run.cmd) && p.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST l ON l.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND l.DB = ? AND l.INFO LIKE 'INSERT INTO `user_token_auth`%'", p.DB.Name) == "0" && !strings.Contains(run.out.String(), "Error 1205") {
		time.Sleep(200 * time.Millisecond) // InnoDB makes INNODB_TRX again only once it was not read for 0.1 s
	}
	if exited(run.cmd) {
		t.Fatalf("migrate ended before the held row: %s", run.wait(t))
	}
	_ = run.cmd.Process.Kill()
	run.wait(t)
	release()
	done := p.query("SELECT COUNT(*) FROM user_token_auth")
	if done == "0" || done == "540" {
		t.Fatalf("after kill -9 in a batch, %s rows inserted: want the committed batches' alone", done)
	}
	if got := p.query("SELECT COUNT(*) FROM user_token_auth WHERE login >= 'u0301'"); got != "0" {
		t.Fatalf("the killed batch left %s rows", got)
	}
	r := p.must("db", "migrate", "--batch-size", "50")
	opContains(t, r, "resuming", "version: m4_expand01, m3_contract01")
	duplicates := "SELECT COUNT(*) - COUNT(DISTINCT login) FROM user_token_auth"
	if got := p.query("SELECT COUNT(*) FROM user_token_auth"); got != "540" {
		t.Fatalf("after the resumed migrate, %s rows in user_token_auth, want 540\n%s", got, r)
	}
	if got := p.query(duplicates); got != "0" {
		t.Fatalf("%s users have two rows after the resume", got)
	}

	// A rollback now loses nothing: every row of user_token_auth is one
	// migrate inserts again from user.token_auth, which stays. A row only
	// m4 code wrote is counted, and copied out alone.
	if r := p.run("db", "rollback", "--dry-run"); r.Code != 0 || strings.Contains(r.Stderr, "refused") {
		t.Fatalf("a rollback with only migrated rows in user_token_auth: %s", r)
	}
	p.exec("INSERT INTO user_token_auth (login, description, password) VALUES ('u0001', 'made by m4', 'tok-new')")
	r = p.run("db", "rollback", "--dry-run")
	if r.Code != 1 {
		t.Fatalf("a rollback dropping a token only m4 wrote must be refused: %s", r)
	}
	opContains(t, r, "table user_token_auth: 1 row(s)", "FROM `user_token_auth` WHERE NOT (EXISTS (SELECT 1 FROM `user` WHERE CAST(`user_token_auth`.`login` AS BINARY) <=> CAST((`login`) AS BINARY)")
	p.exec("DELETE FROM user_token_auth WHERE password = 'tok-new'")

	// m3 still serves: it creates users, with tokens, after migrate.
	p.exec("INSERT INTO user (login, token_auth) VALUES ('late1', 'tok-late1'), ('late2', 'tok-late2'), ('late3', '')")
	r = p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract with two users not moved must be refused: %s", r)
	}
	opContains(t, r, "m4_contract01 refused: 1 of 1 gate closed", "gate data-migration: 2 rows", "nothing was changed")
	// The commands it names work on this run's database (its --env), as
	// every rerun does: `emcee db contract` alone works on $EMCEE_ENV's.
	opContains(t, r, "next: run `emcee db migrate --env test` to finish the backfill", "then rerun `emcee db contract --env test`")
	r = p.must("db", "migrate")
	opContains(t, r, "m4_migrate01 is applied, but user has 2 rows pending again", "migrate of m4 caught up")
	if r := p.must("db", "migrate"); !strings.Contains(r.Stdout, "migrate of m4 is complete: nothing to migrate") {
		t.Errorf("a second catch-up has nothing to do: %s", r)
	}
	want := p.query("SELECT COUNT(*) FROM user WHERE token_auth <> ''")
	if got := p.query("SELECT COUNT(*) FROM user_token_auth"); got != want || want != "542" {
		t.Fatalf("user_token_auth has %s rows, users with a token %s (want 542)", got, want)
	}
	if got := p.query("SELECT COUNT(*) FROM user AS u JOIN user_token_auth AS t ON t.login = u.login AND t.password = u.token_auth"); got != want {
		t.Fatalf("%s of %s users have their token in user_token_auth", got, want)
	}
	p.must("db", "contract")
	if got := p.query(duplicates); got != "0" {
		t.Fatalf("%s users have two rows", got)
	}
	if strings.Contains(p.columns("user"), "token_auth") {
		t.Fatalf("contract left user.token_auth: %s", p.columns("user"))
	}
	p.must("db", "diff")
}

// The same release declared as SQL: the move goes in its declarations
// file, planned as from HCL; a pending predicate that does not read the new
// table is refused there, at its position.
func TestDataMigrationMoveInASQLRelease(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t,
		[2]string{"m3", "CREATE TABLE `user` (`login` varchar(100) NOT NULL, `token_auth` varchar(255) NOT NULL DEFAULT '', PRIMARY KEY (`login`));\n"},
		[2]string{"m4", "CREATE TABLE `user` (`login` varchar(100) NOT NULL, PRIMARY KEY (`login`));\n" +
			"CREATE TABLE `user_token_auth` (`idusertokenauth` bigint unsigned NOT NULL AUTO_INCREMENT, `login` varchar(100) NOT NULL, `description` varchar(100) NOT NULL, `password` varchar(191) NOT NULL, PRIMARY KEY (`idusertokenauth`), UNIQUE KEY `uniq_password` (`password`));\n"})
	decl := filepath.Join(p.Dir, "schema", "m4.emcee.hcl")
	opWrite(t, decl, []byte(strings.Replace(matomoMove, "token_auth <> '' AND NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)", "token_auth <> ''", 1)))
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("a pending predicate that does not read the new table planned: %s", r)
	}
	opContains(t, r, "schema/m4.emcee.hcl:5:14: pending of data_migration \"token_auth\": it does not read `user_token_auth`, the table the rows go into", "would insert it again")
	opWrite(t, decl, []byte(matomoMove))
	p.must("plan")
	// The drop of token_auth is not data left unguarded: review and lint
	// say its values move first.
	opContains(t, p.must("review", "m4"), "changes: insert rows into user_token_auth from the rows of user",
		"column user.token_auth: varchar(255) NOT NULL DEFAULT ''\n      dropped at plans/m4/m4_contract01.sql:9 (rule drop-column)\n      moved first: data_migration \"token_auth\" inserts its values into rows of user_token_auth; its gate runs before the drop")
	opContains(t, p.must("lint"), "user.token_auth moves into rows of user_token_auth (data_migration \"token_auth\" at schema/m4.emcee.hcl:1:1, whose gate runs before the drop)")
	p.must("db", "sync", "m3")
	p.exec("INSERT INTO user (login, token_auth) VALUES ('anonymous', ''), ('admin', 'tok-admin'), ('ro', 'tok-ro')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT login, password, description FROM user_token_auth ORDER BY login"); got != "admin tok-admin migrated\nro tok-ro migrated" {
		t.Fatalf("user_token_auth:\n%s", got)
	}
}
