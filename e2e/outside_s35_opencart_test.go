package e2e

import (
	"slices"
	"strings"
	"testing"
)

// OpenCart's customer-side tables as upload/install/opencart.sql declares
// them at the tags 1.5.6.4 to 3.0.0.0 of opencart/opencart, changed as
// upload/install/model/upgrade.php (to 2.1) and model/upgrade/1000-1009.php
// (from 2.2) change them: the generic diff of 1000.php adds and retypes
// columns, the numbered steps rename, copy and drop. Columns no release
// touches are left out.
var opencartReleases = []string{"1_5_6_4", "2_0_0_0", "2_1_0_1", "2_2_0_0", "2_3_0_2", "3_0_0_0"}

func opencartSince(v, rel string) bool {
	return slices.Index(opencartReleases, v) >= slices.Index(opencartReleases, rel)
}

func opencartSetting(v string) string {
	group, key := hcol("group", "varchar(32)"), hcol("key", "varchar(64)")
	if opencartSince(v, "2_1_0_1") { // 1001.php: CHANGE `group` `code`
		group = hcol("code", "varchar(32)", hin(v, "2_1_0_1", `renamed_from = "group"`))
	}
	if opencartSince(v, "3_0_0_0") { // code and key varchar(128)
		group, key = hcol("code", "varchar(128)", hin(v, "3_0_0_0", "allow_copy = true")), hcol("key", "varchar(128)")
	}
	return htable("oc_setting",
		hcol("setting_id", "int", "auto_increment = true"),
		hcol("store_id", "int", "default = 0"),
		group, key,
		hcol("value", "text"),
		hcol("serialized", "tinyint(1)"),
		hpk("setting_id"))
}

func opencartCustomer(v string) string {
	cols := []string{
		hcol("customer_id", "int", "auto_increment = true"),
		hcol("store_id", "int", "default = 0"),
	}
	if opencartSince(v, "2_3_0_2") {
		cols = append(cols, hcol("language_id", "int", hin(v, "2_3_0_2", `fill = "0"`)))
	}
	cols = append(cols,
		hcol("firstname", "varchar(32)"), hcol("lastname", "varchar(32)"), hcol("email", "varchar(96)"),
		hcol("password", "varchar(40)"), hcol("salt", "varchar(9)"),
		hcol("cart", "text", "null = true"), hcol("wishlist", "text", "null = true"),
		hcol("newsletter", "tinyint(1)", "default = 0"),
		hcol("address_id", "int", "default = 0"),
		hcol("customer_group_id", "int"))
	if opencartSince(v, "2_0_0_0") { // 1001.php
		cols = append(cols, hcol("custom_field", "text", hfill(v, "2_0_0_0")))
	}
	if !opencartSince(v, "2_0_0_0") {
		cols = append(cols, hcol("ip", "varchar(40)", `default = "0"`))
	} else {
		cols = append(cols, hcol("ip", "varchar(40)"))
	}
	cols = append(cols, hcol("status", "tinyint(1)"))
	if !opencartSince(v, "3_0_0_0") {
		cols = append(cols, hcol("approved", "tinyint(1)"))
	}
	if opencartSince(v, "2_0_0_0") { // 1002.php
		cols = append(cols, hcol("safe", "tinyint(1)", hin(v, "2_0_0_0", `fill = "0"`)))
	}
	if !opencartSince(v, "2_1_0_1") {
		cols = append(cols, hcol("token", "varchar(255)"))
	} else { // 1005.php: CHANGE token token text
		cols = append(cols, hcol("token", "text", hin(v, "2_1_0_1", "allow_copy = true")))
	}
	if opencartSince(v, "2_2_0_0") { // 1005.php
		cols = append(cols, hcol("code", "varchar(40)", hfill(v, "2_2_0_0")))
	}
	cols = append(cols, hcol("date_added", "datetime"), hpk("customer_id"))
	return htable("oc_customer", cols...)
}

func opencartCustomerGroup(v string) string {
	cols := []string{hcol("customer_group_id", "int", "auto_increment = true"), hcol("approval", "int")}
	if !opencartSince(v, "2_0_0_0") {
		cols = append(cols, hcol("company_id_display", "int"), hcol("company_id_required", "int"), hcol("tax_id_display", "int"), hcol("tax_id_required", "int"))
	}
	cols = append(cols, hcol("sort_order", "int(3)"), hpk("customer_group_id"))
	return htable("oc_customer_group", cols...)
}

func opencartAddress(v string) string {
	cols := []string{
		hcol("address_id", "int", "auto_increment = true"),
		hcol("customer_id", "int"),
		hcol("firstname", "varchar(32)"), hcol("lastname", "varchar(32)"),
	}
	if !opencartSince(v, "2_0_0_0") {
		cols = append(cols, hcol("company", "varchar(32)"), hcol("company_id", "varchar(32)"), hcol("tax_id", "varchar(32)"))
	} else { // 1001.php: CHANGE company company VARCHAR(40)
		cols = append(cols, hcol("company", "varchar(40)"))
	}
	cols = append(cols, hcol("address_1", "varchar(128)"), hcol("city", "varchar(128)"), hcol("postcode", "varchar(10)"),
		hcol("country_id", "int", "default = 0"), hcol("zone_id", "int", "default = 0"))
	if opencartSince(v, "2_0_0_0") {
		cols = append(cols, hcol("custom_field", "text", hfill(v, "2_0_0_0")))
	}
	cols = append(cols, hpk("address_id"), hindex("customer_id", false, "customer_id"))
	return htable("oc_address", cols...)
}

func opencartCustomField(v string) string {
	cols := []string{hcol("custom_field_id", "int", "auto_increment = true"), hcol("type", "varchar(32)"), hcol("value", "text")}
	if opencartSince(v, "2_2_0_0") {
		cols = append(cols, hcol("validation", "varchar(255)", hfill(v, "2_2_0_0")))
	}
	switch { // 1004.php: location varchar(7), required and position dropped, status added
	case !opencartSince(v, "2_0_0_0"):
		cols = append(cols, hcol("required", "tinyint(1)"), hcol("location", "varchar(32)"), hcol("position", "int(3)"))
	case !opencartSince(v, "3_0_0_0"):
		cols = append(cols, hcol("location", "varchar(7)", hin(v, "2_0_0_0", "allow_copy = true")))
	default:
		cols = append(cols, hcol("location", "varchar(10)"))
	}
	if opencartSince(v, "2_0_0_0") {
		cols = append(cols, hcol("status", "tinyint(1)", hin(v, "2_0_0_0", `fill = "1"`)))
	}
	cols = append(cols, hcol("sort_order", "int(3)"), hpk("custom_field_id"))
	return htable("oc_custom_field", cols...)
}

// opencartAPI is api, new in 2.0.0.0; 1005.php renames username name and
// password key, 1009.php name username again.
func opencartAPI(v string) string {
	cols := []string{hcol("api_id", "int", "auto_increment = true")}
	switch {
	case !opencartSince(v, "2_1_0_1"):
		cols = append(cols, hcol("username", "varchar(64)"), hcol("firstname", "varchar(64)"), hcol("lastname", "varchar(64)"), hcol("password", "text"))
	case !opencartSince(v, "3_0_0_0"):
		cols = append(cols, hcol("name", "varchar(64)", hin(v, "2_1_0_1", `renamed_from = "username"`)), hcol("key", "text", hin(v, "2_1_0_1", `renamed_from = "password"`)))
	default:
		cols = append(cols, hcol("username", "varchar(64)", `renamed_from = "name"`), hcol("key", "text"))
	}
	cols = append(cols, hcol("status", "tinyint(1)"), hcol("date_added", "datetime"), hcol("date_modified", "datetime"), hpk("api_id"))
	return htable("oc_api", cols...)
}

func opencartAffiliate(v string) string {
	company := "varchar(32)"
	if opencartSince(v, "2_0_0_0") { // 1001.php
		company = "varchar(40)"
	}
	return htable("oc_affiliate",
		hcol("affiliate_id", "int", "auto_increment = true"),
		hcol("firstname", "varchar(32)"), hcol("lastname", "varchar(32)"), hcol("email", "varchar(96)"),
		hcol("password", "varchar(40)"), hcol("salt", "varchar(9)"),
		hcol("company", company),
		hcol("code", "varchar(64)"),
		hcol("commission", "decimal(4,2)", "default = 0"),
		hcol("status", "tinyint(1)"), hcol("approved", "tinyint(1)"),
		hcol("date_added", "datetime"),
		hpk("affiliate_id"))
}

func opencartCustomerAffiliate() string {
	return htable("oc_customer_affiliate",
		hcol("customer_id", "int"),
		hcol("company", "varchar(40)"),
		hcol("tracking", "varchar(64)"),
		hcol("commission", "decimal(4,2)", "default = 0"),
		hcol("custom_field", "text"),
		hcol("status", "tinyint(1)"),
		hcol("date_added", "datetime"),
		hpk("customer_id"))
}

func opencartCustomerApproval() string {
	return htable("oc_customer_approval",
		hcol("customer_approval_id", "int", "auto_increment = true"),
		hcol("customer_id", "int"),
		hcol("type", "varchar(9)"),
		hcol("date_added", "datetime"),
		hpk("customer_approval_id"))
}

func opencartOrderHistory(v string) string {
	status := "int(5)"
	if opencartSince(v, "2_1_0_1") { // 1001.php: CHANGE order_status_id order_status_id int(11)
		status = "int(11)"
	}
	return htable("oc_order_history",
		hcol("order_history_id", "int", "auto_increment = true"),
		hcol("order_id", "int"),
		hcol("order_status_id", status),
		hcol("notify", "tinyint(1)", "default = 0"),
		hcol("comment", "text"),
		hcol("date_added", "datetime"),
		hpk("order_history_id"))
}

var opencartMigrations = map[string]string{
	// 1004.php and the generic diff drop these; their data is let go.
	"2_0_0_0": hdiscard("oc_customer_group", "company_id_display", "company_id_required", "tax_id_display", "tax_id_required") +
		hdiscard("oc_address", "company_id", "tax_id") + hdiscard("oc_custom_field", "required", "position"),
	"2_1_0_1": hdiscard("oc_api", "firstname", "lastname"),
	// 1009.php: each affiliate a customer (found by email, or made), its
	// account details in customer_affiliate; affiliate dropped, and with
	// the generic diff customer's approved.
	"3_0_0_0": "data_migration \"affiliate_customers\" {\n  table   = \"oc_customer\"\n  from    = \"oc_affiliate\"\n" +
		"  insert  = \"customer_group_id = 1, store_id = 0, language_id = 0, firstname = firstname, lastname = lastname, email = email, password = password, salt = salt, custom_field = '', ip = '', status = status, safe = 0, token = '', code = '', date_added = date_added\"\n" +
		"  pending = \"NOT EXISTS (SELECT 1 FROM oc_customer AS c WHERE c.email = oc_affiliate.email)\"\n}\n" +
		"data_migration \"customer_affiliates\" {\n  table   = \"oc_customer_affiliate\"\n  from    = \"oc_affiliate\"\n" +
		"  insert  = \"customer_id = (SELECT MIN(c.customer_id) FROM oc_customer AS c WHERE c.email = oc_affiliate.email), company = company, tracking = code, commission = commission, custom_field = '', status = status, date_added = date_added\"\n" +
		"  pending = \"NOT EXISTS (SELECT 1 FROM oc_customer_affiliate AS a JOIN oc_customer AS c ON c.customer_id = a.customer_id WHERE c.email = oc_affiliate.email)\"\n}\n" +
		hdiscard("oc_customer", "approved") + "discard {\n  table = \"oc_affiliate\"\n}\n",
}

func opencartRelease(v string) string {
	s := "schema \"app\" {}\n" + opencartSetting(v) + opencartCustomer(v) + opencartCustomerGroup(v) + opencartAddress(v) + opencartCustomField(v) + opencartOrderHistory(v)
	if opencartSince(v, "2_0_0_0") {
		s += opencartAPI(v)
	}
	if !opencartSince(v, "3_0_0_0") {
		s += opencartAffiliate(v)
	} else {
		s += opencartCustomerAffiliate() + opencartCustomerApproval()
	}
	return s + opencartMigrations[v]
}

// Six OpenCart schemas, 1.5.6.4 to 3.0.0.0, over nine tables of its
// customer side: each change of its upgrade steps in the phase its kind
// asks for (what OpenCart's upgrader runs in one go, the store in
// maintenance), and each release applied through expand, migrate and
// contract while the previous release's code writes, leaving the database
// exactly as declared and every row's data where the next release reads it.
func TestOutsideS35OpencartHistory(t *testing.T) {
	t.Parallel()
	var rel [][2]string
	for _, v := range opencartReleases {
		rel = append(rel, [2]string{v, opencartRelease(v)})
	}
	p := newSchemaProject(t, rel...)
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		// 1.5.6.4-2.0.0.0: columns added NULL in expand, filled in migrate
		// (and by triggers for the old code's inserts), NOT NULL in
		// contract; company widened in place; custom_field.location
		// narrowed (a copy, allowed) in contract, after a count of the
		// values too long for it; the dropped columns given a default
		// in expand (the new code's inserts leave them out) and dropped in
		// contract, with customer.ip's default.
		{"2_0_0_0", "expand", "CREATE TABLE `oc_api`"},
		{"2_0_0_0", "expand", "ALTER TABLE `oc_customer` ADD COLUMN `custom_field` text NULL, ADD COLUMN `safe` bool NULL, ALGORITHM=INSTANT"},
		{"2_0_0_0", "expand", "ALTER TABLE `oc_address` ADD COLUMN `custom_field` text NULL, MODIFY COLUMN `company` varchar(40) NOT NULL, ALTER COLUMN `company_id` SET DEFAULT '', ALTER COLUMN `tax_id` SET DEFAULT '', ALGORITHM=INSTANT"},
		{"2_0_0_0", "expand", "ALTER COLUMN `company_id_display` SET DEFAULT 0"},
		{"2_0_0_0", "migrate", "UPDATE `oc_custom_field` SET `status` = (1) WHERE (`status` IS NULL)"},
		{"2_0_0_0", "contract", "SELECT COUNT(*) FROM `oc_custom_field` WHERE CHAR_LENGTH(`location`) > 7"},
		{"2_0_0_0", "contract", "ALTER TABLE `oc_custom_field` DROP COLUMN `required`, DROP COLUMN `position`, MODIFY COLUMN `location` varchar(7) NOT NULL, MODIFY COLUMN `status` bool NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		{"2_0_0_0", "contract", "ALTER TABLE `oc_customer` MODIFY COLUMN `ip` varchar(40) NOT NULL, MODIFY COLUMN `custom_field` text NOT NULL"},
		{"2_0_0_0", "contract", "ALTER TABLE `oc_customer_group` DROP COLUMN `company_id_display`"},
		// 2.0.0.0-2.1.0.1: setting.group renamed code and api's username
		// name and password key (copied both ways until contract); token
		// text (a copy, allowed) in expand.
		{"2_1_0_1", "expand", "ALTER TABLE `oc_setting` ADD COLUMN `code` varchar(32) NULL"},
		{"2_1_0_1", "expand", "SET `NEW`.`group` = (COALESCE(`NEW`.`code`, ''))"},
		{"2_1_0_1", "expand", "ALTER TABLE `oc_customer` MODIFY COLUMN `token` text NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		{"2_1_0_1", "migrate", "UPDATE `oc_setting` SET `code` = (`group`) WHERE (`code` IS NULL)"},
		{"2_1_0_1", "migrate", "UPDATE `oc_api` SET `name`=CASE WHEN (`name` IS NULL) THEN (`username`) ELSE `name` END, `key`=CASE WHEN (`key` IS NULL) THEN (`password`) ELSE `key` END"},
		{"2_1_0_1", "contract", "ALTER TABLE `oc_setting` DROP COLUMN `group`, MODIFY COLUMN `code` varchar(32) NOT NULL"},
		{"2_1_0_1", "contract", "ALTER TABLE `oc_api` DROP COLUMN `firstname`, DROP COLUMN `lastname`, DROP COLUMN `username`, DROP COLUMN `password`"},
		// 2.1.0.1-2.2.0.0 and 2.2.0.0-2.3.0.2: NOT NULL columns added.
		{"2_2_0_0", "expand", "ALTER TABLE `oc_customer` ADD COLUMN `code` varchar(40) NULL, ALGORITHM=INSTANT"},
		{"2_2_0_0", "contract", "ALTER TABLE `oc_customer` MODIFY COLUMN `code` varchar(40) NOT NULL"},
		{"2_3_0_2", "migrate", "UPDATE `oc_customer` SET `language_id` = (0) WHERE (`language_id` IS NULL)"},
		// 2.3.0.2-3.0.0.0: affiliates moved to customers in migrate,
		// affiliate dropped in contract after the gates; api's name
		// renamed back to username (the name 2.1.0.1 dropped); setting's
		// code widened past 255 bytes (a copy, allowed) and location in
		// place.
		{"3_0_0_0", "expand", "CREATE TABLE `oc_customer_affiliate`"},
		{"3_0_0_0", "expand", "ALTER TABLE `oc_setting` MODIFY COLUMN `code` varchar(128) NOT NULL, MODIFY COLUMN `key` varchar(128) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		{"3_0_0_0", "expand", "ALTER TABLE `oc_custom_field` MODIFY COLUMN `location` varchar(10) NOT NULL, ALGORITHM=INSTANT"},
		{"3_0_0_0", "expand", "ALTER TABLE `oc_api` ADD COLUMN `username` varchar(64) NULL"},
		{"3_0_0_0", "migrate", "INSERT INTO `oc_customer` (`customer_group_id`,"},
		{"3_0_0_0", "migrate", "INSERT INTO `oc_customer_affiliate` (`customer_id`,"},
		{"3_0_0_0", "contract", "SELECT COUNT(*) FROM `oc_affiliate` WHERE (NOT EXISTS (SELECT 1 FROM `oc_customer` AS `c`"},
		// customer_affiliate's rows found through the customer of the
		// affiliate's email, as 1009.php finds them (a join sqlsyntax took
		// for no comparison with the row before).
		{"3_0_0_0", "contract", "SELECT COUNT(*) FROM `oc_affiliate` WHERE (NOT EXISTS (SELECT 1 FROM `oc_customer_affiliate` AS `a` JOIN `oc_customer` AS `c` ON `c`.`customer_id` = `a`.`customer_id` WHERE `c`.`email` = `oc_affiliate`.`email`))"},
		{"3_0_0_0", "contract", "ALTER TABLE `oc_customer` DROP COLUMN `approved`"},
		{"3_0_0_0", "contract", "DROP TABLE `oc_affiliate`"},
	})
	// 1001.php's order_status_id int(5) -> int(11) changes a display
	// width only: nothing to run.
	for _, ph := range []string{"expand", "migrate", "contract"} {
		if got := plannedPhase(p, "2_1_0_1", ph); strings.Contains(got, "oc_order_history") {
			t.Errorf("2_1_0_1 %s changes order_history: %s", ph, got)
		}
	}

	p.must("db", "sync", "1_5_6_4")
	for _, q := range []string{
		"INSERT INTO oc_setting (setting_id, store_id, `group`, `key`, value, serialized) VALUES (1, 0, 'config', 'config_name', 'Shop', 0), (2, 0, 'flat', 'flat_cost', '5.00', 0)",
		"INSERT INTO oc_customer (customer_id, firstname, lastname, email, password, salt, cart, customer_group_id, ip, status, approved, token, date_added) VALUES (1, 'Ann', 'Lee', 'ann@example.com', 'x', 's', 'a:0:{}', 1, '10.0.0.1', 1, 1, '', '2013-05-01 10:00:00')",
		"INSERT INTO oc_customer_group (customer_group_id, approval, company_id_display, company_id_required, tax_id_display, tax_id_required, sort_order) VALUES (1, 0, 1, 0, 1, 0, 1)",
		"INSERT INTO oc_address (address_id, customer_id, firstname, lastname, company, company_id, tax_id, address_1, city, postcode) VALUES (1, 1, 'Ann', 'Lee', 'Lee Ltd', 'C1', 'T1', '1 Road', 'Leeds', 'LS1')",
		"INSERT INTO oc_custom_field (custom_field_id, type, value, required, location, position, sort_order) VALUES (1, 'text', '', 1, 'account', 1, 1)",
		"INSERT INTO oc_order_history (order_history_id, order_id, order_status_id, comment, date_added) VALUES (1, 1, 5, 'paid', '2013-05-02 10:00:00')",
		"INSERT INTO oc_affiliate (affiliate_id, firstname, lastname, email, password, salt, company, code, commission, status, approved, date_added) VALUES (1, 'Ann', 'Lee', 'ann@example.com', 'x', 's', 'Lee Ltd', 'ANN1', 5.00, 1, 1, '2013-05-03 10:00:00')",
	} {
		p.exec(q)
	}
	// What the previous release's code writes while the next one rolls out.
	oldWrites := map[string][]string{
		"2_0_0_0": {"INSERT INTO oc_customer (customer_id, firstname, lastname, email, password, salt, customer_group_id, status, approved, token, date_added) VALUES (2, 'Bob', 'Ng', 'bob@example.com', 'y', 't', 1, 1, 1, '', '2014-01-01 10:00:00')",
			"INSERT INTO oc_address (address_id, customer_id, firstname, lastname, company, company_id, tax_id, address_1, city, postcode) VALUES (2, 2, 'Bob', 'Ng', '', '', '', '2 Road', 'York', 'YO1')",
			"INSERT INTO oc_custom_field (custom_field_id, type, value, required, location, position, sort_order) VALUES (2, 'select', '', 0, 'address', 2, 2)"},
		"2_1_0_1": {"INSERT INTO oc_setting (setting_id, store_id, `group`, `key`, value, serialized) VALUES (3, 0, 'config', 'config_email', 'shop@example.com', 0)",
			"INSERT INTO oc_api (api_id, username, firstname, lastname, password, status, date_added, date_modified) VALUES (1, 'json', 'J', 'S', 'secret', 1, NOW(), NOW())",
			"UPDATE oc_setting SET `group` = 'shipping_flat' WHERE setting_id = 2"},
		"2_2_0_0": {"INSERT INTO oc_customer (customer_id, firstname, lastname, email, password, salt, customer_group_id, custom_field, ip, status, approved, safe, token, date_added) VALUES (3, 'Cy', 'Oh', 'cy@example.com', 'z', 'u', 1, '', '', 1, 0, 0, 'tok', '2015-01-01 10:00:00')"},
		"2_3_0_2": {"INSERT INTO oc_customer (customer_id, firstname, lastname, email, password, salt, customer_group_id, custom_field, ip, status, approved, safe, token, code, date_added) VALUES (4, 'Di', 'Po', 'di@example.com', 'w', 'v', 1, '', '', 1, 1, 0, '', '', '2016-01-01 10:00:00')"},
		"3_0_0_0": {"INSERT INTO oc_affiliate (affiliate_id, firstname, lastname, email, password, salt, company, code, commission, status, approved, date_added) VALUES (2, 'Ed', 'Qu', 'ed@example.com', 'e', 'f', 'Qu plc', 'ED2', 7.50, 1, 1, '2017-01-01 10:00:00')",
			"UPDATE oc_api SET name = 'default' WHERE api_id = 1"},
	}
	rollOut(t, p, opencartReleases, oldWrites)
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(setting_id, ':', code, ':', `key` ORDER BY setting_id) FROM oc_setting":                                                                                      "1:config:config_name,2:shipping_flat:flat_cost,3:config:config_email",
		"SELECT GROUP_CONCAT(customer_id, ':', email, ':', ip, ':', safe, ':', code, ':', language_id, ':', token ORDER BY customer_id) FROM oc_customer":                                 "1:ann@example.com:10.0.0.1:0::0:,2:bob@example.com:0:0::0:,3:cy@example.com::0::0:tok,4:di@example.com::0::0:,5:ed@example.com::0::0:",
		"SELECT GROUP_CONCAT(address_id, ':', company, ':', custom_field ORDER BY address_id) FROM oc_address":                                                                            "1:Lee Ltd:,2::",
		"SELECT GROUP_CONCAT(custom_field_id, ':', location, ':', status, ':', validation ORDER BY custom_field_id) FROM oc_custom_field":                                                 "1:account:1:,2:address:1:",
		"SELECT GROUP_CONCAT(api_id, ':', username, ':', `key`) FROM oc_api":                                                                                                              "1:default:secret",
		"SELECT GROUP_CONCAT(a.customer_id, ':', c.email, ':', a.tracking, ':', a.commission ORDER BY a.customer_id) FROM oc_customer_affiliate a JOIN oc_customer c USING (customer_id)": "1:ann@example.com:ANN1:5.00,5:ed@example.com:ED2:7.50",
		"SELECT GROUP_CONCAT(order_history_id, ':', order_status_id) FROM oc_order_history":                                                                                               "1:5",
	})
}

// What OpenCart's opencart.sql and upgrade steps declare as they wrote
// them, which emcee refuses, with the way out the refusal gives (the
// history above takes it).
func TestOutsideS35OpencartRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, release string
		edit          func(string) string
		want          []string
	}{
		// 1.5.6.4's int(1) flags of customer_group.
		{"int(1) flags", "1_5_6_4", func(s string) string {
			return replaceOnce(s, "  column \"approval\" {\n    type = int\n", "  column \"approval\" {\n    type = int(1)\n")
		}, []string{"schema/1_5_6_4.hcl:", "column oc_customer_group.approval is int(1), which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write type = int"}},
		// 1.5.6.4's DEFAULT '0000-00-00 00:00:00' on customer.date_added
		// (2.0.0.0 drops it).
		{"zero date default", "1_5_6_4", func(s string) string {
			return replaceOnce(s, "  column \"date_added\" {\n    type = datetime\n  }\n  primary_key {\n    columns = [column.customer_id]", "  column \"date_added\" {\n    type = datetime\n    default = \"0000-00-00 00:00:00\"\n  }\n  primary_key {\n    columns = [column.customer_id]")
		}, []string{"schema/1_5_6_4.hcl:", "default of oc_customer.date_added: \"0000-00-00 00:00:00\" is not a datetime the server takes as written; write YYYY-MM-DD HH:MM:SS (no zero month or day)"}},
		// 1004.php's ADD status tinyint(1) NOT NULL.
		{"status added without a value", "2_0_0_0", func(s string) string {
			return replaceOnce(s, "  column \"status\" {\n    type = tinyint(1)\n    fill = \"1\"\n", "  column \"status\" {\n    type = tinyint(1)\n")
		}, []string{"schema/2_0_0_0.hcl:", "oc_custom_field.status is a new NOT NULL column without a default: the previous release's code would fail to insert rows. Add `default = ...` to the column, or `fill = \"<SQL expression>\"`"}},
		// 1004.php's CHANGE location location varchar(7).
		{"location narrowed without allow_copy", "2_0_0_0", func(s string) string {
			return replaceOnce(s, "    type = varchar(7)\n    allow_copy = true\n", "    type = varchar(7)\n")
		}, []string{"schema/2_0_0_0.hcl:", "oc_custom_field.location: tightening the type of oc_custom_field.location makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true`"}},
		// 3.0.0.0's setting.code varchar(128): past 255 bytes in utf8mb4,
		// its length takes two bytes.
		{"code widened past 255 bytes without allow_copy", "3_0_0_0", func(s string) string {
			return replaceOnce(s, "    type = varchar(128)\n    allow_copy = true\n", "    type = varchar(128)\n")
		}, []string{"schema/3_0_0_0.hcl:", "oc_setting.code: this change (type: varchar(32) -> varchar(128)) makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, releasesUpTo(opencartReleases, opencartRelease, c.release, c.edit)...)
			r := p.plan()
			if r.Code == 0 {
				t.Fatalf("plan of %s as OpenCart wrote it: %s", c.release, r)
			}
			opContains(t, r, c.want...)
		})
	}
}

// 1004.php narrows custom_field.location to varchar(7). A value the
// previous release's code writes while 2.0.0.0 rolls out that does not
// fit stops contract before it alters anything, naming the count; once the
// value is shortened, contract runs.
func TestOutsideS35OpencartNarrowedLocation(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"1_5_6_4", opencartRelease("1_5_6_4")}, [2]string{"2_0_0_0", opencartRelease("2_0_0_0")})
	p.must("plan")
	p.must("db", "sync", "1_5_6_4")
	p.must("db", "expand")
	p.exec("INSERT INTO oc_custom_field (custom_field_id, type, value, required, location, position, sort_order) VALUES (1, 'text', '', 1, 'customer', 1, 1)")
	p.must("db", "migrate")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract over a location of 8 characters: %s", r)
	}
	opContains(t, r, "2_0_0_0_contract01 refused, nothing was changed", "gate tighten-column: 1 row", "tightening oc_custom_field.location (type): contract waits until no row would be truncated or rejected",
		"list them: SELECT * FROM `oc_custom_field` WHERE CHAR_LENGTH(`location`) > 7 LIMIT 100", "then rerun `emcee db contract --env test`")
	if got := p.query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'oc_custom_field' AND COLUMN_NAME = 'position'"); got != "1" {
		t.Errorf("the refused contract dropped position: %s", got)
	}
	p.exec("UPDATE oc_custom_field SET location = 'account' WHERE location = 'customer'")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT CONCAT(location, ':', status) FROM oc_custom_field"); got != "account:1" {
		t.Errorf("custom field: %s", got)
	}
}
