package e2e

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// MyBB's tables as install/resources/mysql_db_tables.php of mybb/mybb
// declares them at the tag mybb_1618 (1.6.18), changed as the upgrade
// scripts change them: install/resources/upgrade30.php (1.6.14-1.6.18 ->
// 1.8.0, at mybb_1800) and upgrade31.php to upgrade36.php (1.8.0 -> 1.8.8,
// at mybb_1808). Only the tables those scripts touch, and of those mostly
// the columns they touch and the keys; the table prefix mybb_.
//
// Where emcee asks for another way than the script's (kept in
// TestOutsideS37MyBBRefusals): upgrade30's IP conversion MODIFYs regip,
// ipaddress, ip, ... varchar -> varbinary(16) in place after rewriting each
// value with my_inet_pton, and its optimize step MODIFYs polls.numvotes text
// -> int unsigned. emcee replaces each with a column under another name in
// 1.8.0 (<name>_bin, numvotes_int), the sync triggers converting between the
// two while 1.6's code writes the old one, and 1.8.8 renames it back.
var mybbReleases = []string{"1_6_18", "1_8_0", "1_8_8"}

func mybbSince(v, rel string) bool {
	return slices.Index(mybbReleases, v) >= slices.Index(mybbReleases, rel)
}

// mybbZero is MyBB's `<type> NOT NULL default '0'`, mybbStr its string
// columns NOT NULL with the empty string as default.
func mybbZero(name, typ string, attrs ...string) string {
	return hcol(name, typ, append(attrs, "default = 0")...)
}

func mybbStr(name, typ string, attrs ...string) string {
	return hcol(name, typ, append(attrs, `default = ""`)...)
}

// mybbU is `int unsigned NOT NULL default '0'`.
func mybbU(name string, attrs ...string) string {
	return mybbZero(name, "int", append(attrs, "unsigned = true")...)
}

// mybbFlag is an int(1) upgrade30_dbchanges_optimize3 MODIFYs to tinyint(1).
func mybbFlag(v, name string) string {
	if !mybbSince(v, "1_8_0") {
		return mybbZero(name, "int")
	}
	return mybbZero(name, "tinyint(1)", hin(v, "1_8_0", "allow_copy = true"))
}

// mybbTime is a bigint(30) timestamp upgrade30_dbchanges_optimize4 MODIFYs
// to int unsigned.
func mybbTime(v, name string) string {
	if !mybbSince(v, "1_8_0") {
		return mybbZero(name, "bigint")
	}
	return mybbU(name, hin(v, "1_8_0", "allow_copy = true"))
}

// mybbIPName is the column holding an IP address in release v: 1.8.0's
// replacement under its own name until 1.8.8 renames it back.
func mybbIPName(v, name string) string {
	if v == "1_8_0" {
		return name + "_bin"
	}
	return name
}

// mybbIP is an IP address column: varchar in 1.6, varbinary(16) from 1.8.0
// (upgrade30_dbchanges_ip). my_inet_pton is INET6_ATON; an address it cannot
// read, which upgrade30 leaves as it is and cuts to 16 bytes, is empty here.
func mybbIP(v, name, oldType string) string {
	switch {
	case !mybbSince(v, "1_8_0"):
		return mybbStr(name, oldType)
	case v == "1_8_0":
		return mybbStr(name+"_bin", "varbinary(16)", "replaces {\n      column   = \""+name+"\"\n      forward  = \"IFNULL(INET6_ATON("+name+"), '')\"\n      backward = \"IFNULL(INET6_NTOA("+name+"_bin), '')\"\n    }")
	default:
		return mybbStr(name, "varbinary(16)", hin(v, "1_8_8", `renamed_from = "`+name+`_bin"`))
	}
}

func mybbUsers(v string) string {
	cols := []string{
		hcol("uid", "int", "unsigned = true", "auto_increment = true"),
		mybbStr("username", "varchar(120)"), mybbStr("password", "varchar(120)"), mybbStr("email", "varchar(220)"),
	}
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, mybbZero("postnum", "int"))
	} else { // upgrade35
		cols = append(cols, mybbU("postnum", hin(v, "1_8_8", "allow_copy = true")))
	}
	switch { // upgrade30_dbchanges2, counted in upgrade30_threadcount
	case v == "1_8_0":
		cols = append(cols, mybbZero("threadnum", "int"))
	case mybbSince(v, "1_8_8"):
		cols = append(cols, mybbU("threadnum", hin(v, "1_8_8", "allow_copy = true")))
	}
	cols = append(cols, mybbZero("usergroup", "smallint", "unsigned = true"), mybbTime(v, "regdate"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbStr("msn", "varchar(75)"))
	} else { // upgrade30_dbchanges6: msn dropped, skype and google added
		cols = append(cols, mybbStr("skype", "varchar(75)"), mybbStr("google", "varchar(75)"))
	}
	cols = append(cols, mybbStr("birthday", "varchar(15)"), mybbFlag(v, "allownotices"), mybbFlag(v, "pmnotify"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges6
		cols = append(cols,
			hcol("buddyrequestspm", "tinyint(1)", "default = 1"), mybbZero("buddyrequestsauto", "tinyint(1)"),
			hcol("showimages", "tinyint(1)", "default = 1"), hcol("showvideos", "tinyint(1)", "default = 1"),
			mybbZero("sourceeditor", "tinyint(1)"))
	}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbStr("timezone", "varchar(4)"), mybbZero("reputation", "bigint"))
	} else { // upgrade30_dbchanges_optimize1
		cols = append(cols, mybbStr("timezone", "varchar(5)"), mybbZero("reputation", "int", hin(v, "1_8_0", "allow_copy = true")))
	}
	cols = append(cols, mybbIP(v, "regip", "varchar(50)"), mybbIP(v, "lastip", "varchar(50)"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("longregip", "int"), mybbZero("longlastip", "int"))
	}
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, hcol("loginattempts", "tinyint", "default = 1"))
	} else { // upgrade35
		cols = append(cols, hcol("loginattempts", "smallint", "unsigned = true", "default = 1", hin(v, "1_8_8", "allow_copy = true")))
	}
	cols = append(cols, hpk("uid"), hindex("username", true, "username"), hindex("usergroup", false, "usergroup"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, hindex("birthday", false, "birthday"), hindex("longregip", false, "longregip"), hindex("longlastip", false, "longlastip"))
	} else { // upgrade30_dbchanges_ip tasks 7 and 8
		cols = append(cols, hindex("regip", false, mybbIPName(v, "regip")), hindex("lastip", false, mybbIPName(v, "lastip")))
	}
	return htable("mybb_users", cols...)
}

func mybbPosts(v string) string {
	cols := []string{
		hcol("pid", "int", "unsigned = true", "auto_increment = true"), mybbU("tid"), mybbU("uid"),
		mybbTime(v, "dateline"), hcol("message", "text"),
		mybbIP(v, "ipaddress", "varchar(30)"),
	}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("longipaddress", "int"))
	}
	cols = append(cols, mybbFlag(v, "visible"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("edittime", "int"), mybbStr("posthash", "varchar(32)"))
	} else { // optimize4; editreason upgrade30_dbchanges2; posthash dropped
		cols = append(cols, mybbU("edittime", hin(v, "1_8_0", "allow_copy = true")), mybbStr("editreason", "varchar(150)"))
	}
	cols = append(cols, hpk("pid"), hindex("tid", false, "tid", "uid"), hindex("uid", false, "uid"),
		hindex("visible", false, "visible"), hindex("dateline", false, "dateline"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, hindex("longipaddress", false, "longipaddress"))
	} else { // upgrade30_dbchanges (tiddate), upgrade30_dbchanges_ip task 6
		cols = append(cols, hindex("ipaddress", false, mybbIPName(v, "ipaddress")), hindex("tiddate", false, "tid", "dateline"))
	}
	return htable("mybb_posts", cols...)
}

func mybbThreads(v string) string {
	cols := []string{
		hcol("tid", "int", "unsigned = true", "auto_increment = true"), mybbZero("fid", "smallint", "unsigned = true"),
		mybbStr("subject", "varchar(120)"), mybbU("uid"), mybbTime(v, "dateline"),
	}
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, mybbZero("views", "int"), mybbZero("replies", "int"))
	} else { // upgrade35
		cols = append(cols, mybbU("views", hin(v, "1_8_8", "allow_copy = true")), mybbU("replies", hin(v, "1_8_8", "allow_copy = true")))
	}
	cols = append(cols, mybbFlag(v, "sticky"), mybbFlag(v, "visible"), mybbU("unapprovedposts"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges2
		cols = append(cols, mybbU("deletedposts"))
	}
	return htable("mybb_threads", append(cols, hpk("tid"), hindex("fid", false, "fid", "visible", "sticky"), hindex("uid", false, "uid"))...)
}

func mybbForums(v string) string {
	cols := []string{
		hcol("fid", "smallint", "unsigned = true", "auto_increment = true"),
		mybbStr("name", "varchar(120)"), mybbFlag(v, "active"),
	}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("lastposttid", "int"), hcol("status", "int", "default = 1"))
	} else { // optimize1; status dropped in upgrade30_dbchanges
		cols = append(cols, mybbU("lastposttid", hin(v, "1_8_0", "allow_copy = true")))
	}
	cols = append(cols, mybbFlag(v, "usepostcounts"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges2
		cols = append(cols, mybbZero("usethreadcounts", "tinyint(1)"), mybbZero("requireprefix", "tinyint(1)"))
	}
	cols = append(cols, mybbU("unapprovedposts"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges
		cols = append(cols, mybbU("deletedthreads"), mybbU("deletedposts"))
	}
	return htable("mybb_forums", append(cols, hpk("fid"))...)
}

// mybbReportedContent: upgrade30_dbchanges5 renames reportedposts'
// pid, tid and fid to id, id2 and id3 and the table to reportedcontent; the
// fid index keeps its name on id3. upgrade36 adds reasonid.
func mybbReportedContent(v string) string {
	if !mybbSince(v, "1_8_0") {
		return htable("mybb_reportedposts",
			hcol("rid", "int", "unsigned = true", "auto_increment = true"), mybbU("pid"), mybbU("tid"), mybbU("fid"), mybbU("uid"),
			mybbZero("reportstatus", "int"), mybbStr("reason", "varchar(250)"), mybbZero("dateline", "bigint"),
			hpk("rid"), hindex("fid", false, "fid"), hindex("dateline", false, "dateline"))
	}
	r := func(old string) string { return hin(v, "1_8_0", `renamed_from = "`+old+`"`) }
	cols := []string{
		hin(v, "1_8_0", "  renamed_from = \"mybb_reportedposts\"\n"),
		hcol("rid", "int", "unsigned = true", "auto_increment = true"), mybbU("id", r("pid")), mybbU("id2", r("tid")), mybbU("id3", r("fid")), mybbU("uid"),
		mybbFlag(v, "reportstatus"),
	}
	if mybbSince(v, "1_8_8") {
		cols = append(cols, mybbZero("reasonid", "smallint", "unsigned = true"))
	}
	cols = append(cols, mybbStr("reason", "varchar(250)"),
		mybbStr("type", "varchar(50)"), mybbU("reports"), hcol("reporters", "text", hfill(v, "1_8_0")),
		mybbTime(v, "dateline"), mybbU("lastreport"),
		hpk("rid"), hindex("fid", false, "id3"), hindex("reportstatus", false, "reportstatus"))
	return htable("mybb_reportedcontent", cols...)
}

func mybbReportReasons() string {
	return htable("mybb_reportreasons",
		hcol("rid", "int", "unsigned = true", "auto_increment = true"), mybbStr("title", "varchar(250)"), mybbStr("appliesto", "varchar(250)"),
		mybbZero("extra", "tinyint(1)"), mybbZero("disporder", "smallint", "unsigned = true"), hpk("rid"))
}

// mybbProfileFields: upgrade30_dbchanges turns hidden into profile, its
// meaning inverted (UPDATE hidden 1 -> 2, 0 -> 1, 2 -> 0, then CHANGE hidden
// profile). editable stays: the script drops it only if
// field_exists('editable`'), a name no column has.
func mybbProfileFields(v string) string {
	cols := []string{
		hcol("fid", "smallint", "unsigned = true", "auto_increment = true"),
		mybbStr("name", "varchar(100)"), mybbFlag(v, "required"), mybbZero("editable", "int"),
	}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("hidden", "int"), mybbZero("postnum", "bigint"))
	} else {
		cols = append(cols,
			mybbZero("profile", "tinyint(1)", hin(v, "1_8_0", "replaces {\n      column   = \"hidden\"\n      forward  = \"hidden = 0\"\n      backward = \"profile = 0\"\n    }")),
			mybbZero("postnum", "smallint", "unsigned = true", hin(v, "1_8_0", "allow_copy = true")),
			hcol("regex", "text", hfill(v, "1_8_0")), mybbZero("registration", "tinyint(1)"), mybbZero("postbit", "tinyint(1)"),
			hcol("viewableby", "text", hfill(v, "1_8_0")), hcol("editableby", "text", hfill(v, "1_8_0")),
			mybbZero("allowhtml", "tinyint(1)"))
	}
	return htable("mybb_profilefields", append(cols, hpk("fid"))...)
}

func mybbThreadRatings(v string) string {
	rating := mybbZero("rating", "smallint", "unsigned = true")
	if mybbSince(v, "1_8_8") { // upgrade35: tinyint(1) unsigned, which Atlas would read as bool (emcee asks for tinyint)
		rating = mybbZero("rating", "tinyint", "unsigned = true", hin(v, "1_8_8", "allow_copy = true"))
	}
	return htable("mybb_threadratings",
		hcol("rid", "int", "unsigned = true", "auto_increment = true"), mybbU("tid"), mybbU("uid"), rating, mybbIP(v, "ipaddress", "varchar(30)"),
		hpk("rid"), hindex("tid", false, "tid", "uid"))
}

func mybbSessions(v string) string {
	cols := []string{mybbStr("sid", "varchar(32)"), mybbU("uid"), mybbIP(v, "ip", "varchar(40)"), mybbTime(v, "time"), mybbStr("location", "varchar(150)")}
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, mybbStr("useragent", "varchar(100)"))
	} else { // upgrade35
		cols = append(cols, mybbStr("useragent", "varchar(200)"))
	}
	cols = append(cols, mybbFlag(v, "anonymous"))
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, mybbZero("location1", "int"), mybbZero("location2", "int"))
	} else { // upgrade35
		cols = append(cols, mybbU("location1", hin(v, "1_8_8", "allow_copy = true")), mybbU("location2", hin(v, "1_8_8", "allow_copy = true")))
	}
	cols = append(cols, hpk("sid"))
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, hindex("location1", false, "location1"), hindex("location2", false, "location2"))
	} else { // upgrade30_dbchanges_optimize2
		cols = append(cols, hindex("location", false, "location1", "location2"))
	}
	return htable("mybb_sessions", append(cols, hindex("time", false, "time"), hindex("uid", false, "uid"), hindex("ip", false, mybbIPName(v, "ip")))...)
}

// mybbAdminSessions has neither a primary key nor an index, as MyBB
// declares it.
func mybbAdminSessions(v string) string {
	cols := []string{mybbStr("sid", "varchar(32)"), mybbU("uid"), mybbStr("loginkey", "varchar(50)"), mybbIP(v, "ip", "varchar(40)"),
		mybbTime(v, "dateline"), mybbTime(v, "lastactive"), hcol("data", "text")}
	switch {
	case v == "1_8_0": // upgrade30_dbchanges
		cols = append(cols, mybbStr("useragent", "varchar(100)"))
	case mybbSince(v, "1_8_8"): // upgrade32, upgrade35
		cols = append(cols, mybbStr("useragent", "varchar(200)"), mybbZero("authenticated", "tinyint(1)"))
	}
	return htable("mybb_adminsessions", cols...)
}

func mybbAdminLog(v string) string {
	cols := []string{mybbU("uid"), mybbIP(v, "ipaddress", "varchar(50)"), mybbTime(v, "dateline"),
		mybbStr("module", "varchar(50)"), mybbStr("action", "varchar(50)"), hcol("data", "text"),
		hindex("module", false, "module", "action")}
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges_optimize2
		cols = append(cols, hindex("uid", false, "uid"))
	}
	return htable("mybb_adminlog", cols...)
}

func mybbMailLogs(v string) string {
	cols := []string{hcol("mid", "int", "unsigned = true", "auto_increment = true"), mybbStr("subject", "varchar(200)"), mybbTime(v, "dateline")}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, mybbZero("touid", "bigint"))
	} else {
		cols = append(cols, mybbU("touid", hin(v, "1_8_0", "allow_copy = true")))
	}
	cols = append(cols, mybbIP(v, "ipaddress", "varchar(20)"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges4
		cols = append(cols, mybbZero("type", "tinyint(1)"))
	}
	return htable("mybb_maillogs", append(cols, hpk("mid"))...)
}

func mybbPrivateMessages(v string) string {
	cols := []string{hcol("pmid", "int", "unsigned = true", "auto_increment = true"), mybbU("uid"), mybbU("toid"),
		hcol("folder", "smallint", "unsigned = true", "default = 1"), mybbStr("subject", "varchar(120)"),
		mybbTime(v, "dateline"), mybbFlag(v, "status")}
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges6
		cols = append(cols, mybbStr("ipaddress", "varbinary(16)"))
	}
	return htable("mybb_privatemessages", append(cols, hpk("pmid"), hindex("uid", false, "uid", "folder"), hindex("toid", false, "toid"))...)
}

// mybbSmilies: upgrade30_dbchanges_smilies MODIFYs find to text and merges
// the smilies sharing an image into the first one, its finds one a line.
func mybbSmilies(v string) string {
	find := mybbStr("find", "varchar(120)")
	if mybbSince(v, "1_8_0") {
		find = hcol("find", "text", hin(v, "1_8_0", "allow_copy = true"))
	}
	return htable("mybb_smilies",
		hcol("sid", "smallint", "unsigned = true", "auto_increment = true"),
		mybbStr("name", "varchar(120)"), find, mybbStr("image", "varchar(220)"),
		mybbZero("disporder", "smallint", "unsigned = true"), mybbFlag(v, "showclickable"), hpk("sid"))
}

// mybbPolls: optimize1 MODIFYs numvotes text -> int unsigned, which the
// server converts as CAST does.
func mybbPolls(v string) string {
	cols := []string{hcol("pid", "int", "unsigned = true", "auto_increment = true"), mybbU("tid"), mybbStr("question", "varchar(200)"), mybbTime(v, "dateline"),
		hcol("options", "text"), hcol("votes", "text"), mybbZero("numoptions", "smallint", "unsigned = true")}
	switch v {
	case "1_6_18":
		cols = append(cols, hcol("numvotes", "text"))
	case "1_8_0":
		cols = append(cols, mybbU("numvotes_int", "replaces {\n      column   = \"numvotes\"\n      forward  = \"CAST(numvotes AS UNSIGNED)\"\n      backward = \"CAST(numvotes_int AS CHAR)\"\n    }"))
	default:
		cols = append(cols, mybbU("numvotes", hin(v, "1_8_8", `renamed_from = "numvotes_int"`)))
	}
	cols = append(cols, mybbFlag(v, "closed"))
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges6; tid optimize2
		cols = append(cols, mybbZero("maxoptions", "smallint", "unsigned = true"), hindex("tid", false, "tid"))
	}
	return htable("mybb_polls", append(cols, hpk("pid"))...)
}

func mybbAdminOptions(v string) string {
	cols := []string{mybbZero("uid", "int"), mybbStr("cpstyle", "varchar(50)")}
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges6
		cols = append(cols, mybbStr("cplanguage", "varchar(50)"))
	}
	if !mybbSince(v, "1_8_0") {
		cols = append(cols, hcol("codepress", "int", "default = 1"), mybbU("loginattempts"))
	} else { // optimize3, optimize1
		cols = append(cols, hcol("codepress", "tinyint(1)", "default = 1", hin(v, "1_8_0", "allow_copy = true")),
			mybbZero("loginattempts", "smallint", "unsigned = true", hin(v, "1_8_0", "allow_copy = true")))
	}
	if mybbSince(v, "1_8_8") { // upgrade32
		cols = append(cols, mybbStr("authsecret", "varchar(16)"), mybbStr("recovery_codes", "varchar(177)"))
	}
	return htable("mybb_adminoptions", append(cols, hpk("uid"))...)
}

func mybbTemplateGroups(v string) string {
	cols := []string{hcol("gid", "int", "unsigned = true", "auto_increment = true"), mybbStr("prefix", "varchar(50)"), mybbStr("title", "varchar(100)")}
	if mybbSince(v, "1_8_0") { // upgrade30_dbchanges
		cols = append(cols, mybbZero("isdefault", "tinyint(1)"))
	}
	return htable("mybb_templategroups", append(cols, hpk("gid"))...)
}

func mybbThreadSubscriptions(v string) string {
	cols := []string{hcol("sid", "int", "unsigned = true", "auto_increment = true"), mybbU("uid"), mybbU("tid"), mybbFlag(v, "notification"), mybbTime(v, "dateline")}
	if !mybbSince(v, "1_8_8") { // upgrade35 drops it
		cols = append(cols, mybbStr("subscriptionkey", "varchar(32)"))
	}
	return htable("mybb_threadsubscriptions", append(cols, hpk("sid"), hindex("uid", false, "uid"), hindex("tid", false, "tid", "notification"))...)
}

func mybbAttachTypes(v string) string {
	cols := []string{hcol("atid", "int", "unsigned = true", "auto_increment = true"), mybbStr("name", "varchar(120)"), mybbStr("mimetype", "varchar(120)"), mybbStr("extension", "varchar(10)")}
	if !mybbSince(v, "1_8_8") {
		cols = append(cols, mybbZero("maxsize", "int"))
	} else { // upgrade35
		cols = append(cols, mybbU("maxsize", hin(v, "1_8_8", "allow_copy = true")))
	}
	cols = append(cols, mybbStr("icon", "varchar(100)"))
	if mybbSince(v, "1_8_8") { // upgrade36: TEXT NOT NULL, then UPDATE groups = '-1', forums = '-1'
		cols = append(cols, hcol("enabled", "tinyint(1)", "default = 1"),
			hcol("groups", "text", hin(v, "1_8_8", `fill = "'-1'"`)), hcol("forums", "text", hin(v, "1_8_8", `fill = "'-1'"`)),
			mybbZero("avatarfile", "tinyint(1)"))
	}
	return htable("mybb_attachtypes", append(cols, hpk("atid"))...)
}

func mybbReputation(v string) string {
	rep := mybbZero("reputation", "bigint")
	if mybbSince(v, "1_8_0") { // optimize1
		rep = mybbZero("reputation", "smallint", hin(v, "1_8_0", "allow_copy = true"))
	}
	cols := []string{hcol("rid", "int", "unsigned = true", "auto_increment = true"), mybbU("uid"), mybbU("adduid"), mybbU("pid"), rep, mybbTime(v, "dateline"),
		hcol("comments", "text"), hpk("rid"), hindex("uid", false, "uid")}
	if !mybbSince(v, "1_8_0") { // dropped in optimize2
		cols = append(cols, hindex("pid", false, "pid"), hindex("dateline", false, "dateline"))
	}
	return htable("mybb_reputation", cols...)
}

// mybbNewIn18 is the tables upgrade30_dbchanges5 and 6 create; upgrade35
// gives buddyrequests' columns defaults, uid and touid int.
func mybbNewIn18(v string) string {
	s := htable("mybb_questions",
		hcol("qid", "int", "unsigned = true", "auto_increment = true"), mybbStr("question", "varchar(200)"), mybbStr("answer", "varchar(150)"),
		mybbU("shown"), mybbU("correct"), mybbU("incorrect"), mybbZero("active", "tinyint(1)"), hpk("qid")) +
		htable("mybb_questionsessions", mybbStr("sid", "varchar(32)"), mybbU("qid"), mybbU("dateline"), hpk("sid")) +
		htable("mybb_spamlog",
			hcol("sid", "int", "unsigned = true", "auto_increment = true"), mybbStr("username", "varchar(120)"), mybbStr("email", "varchar(220)"),
			mybbStr("ipaddress", "varbinary(16)"), mybbU("dateline"), hcol("data", "text"), hpk("sid"))
	buddy := []string{hcol("id", "int", "unsigned = true", "auto_increment = true")}
	if v == "1_8_0" {
		buddy = append(buddy, hcol("uid", "bigint", "unsigned = true"), hcol("touid", "bigint", "unsigned = true"), hcol("date", "int", "unsigned = true"))
	} else {
		a := hin(v, "1_8_8", "allow_copy = true")
		buddy = append(buddy, mybbU("uid", a), mybbU("touid", a), mybbU("date"))
	}
	return s + htable("mybb_buddyrequests", append(buddy, hpk("id"), hindex("uid", false, "uid"), hindex("touid", false, "touid"))...)
}

// mybbSmilieFinds is the finds of the later smilies sharing the image of
// the first one that its find lacks, trimmed, each after a newline:
// upgrade30_dbchanges_smilies appends them to the first one's and deletes
// the others.
const mybbSmilieFinds = "FROM mybb_smilies AS d WHERE d.image = mybb_smilies.image AND d.sid > mybb_smilies.sid AND LOCATE(CONCAT('\\n', TRIM(d.find), '\\n'), CONCAT('\\n', mybb_smilies.find, '\\n')) = 0"

const mybbFirstOfImage = "NOT EXISTS (SELECT 1 FROM mybb_smilies AS k WHERE k.image = mybb_smilies.image AND k.sid < mybb_smilies.sid)"

// mybbThreadCount is upgrade30_threadcount's count of a user's visible threads.
const mybbThreadCount = "(SELECT COUNT(*) FROM mybb_threads AS t WHERE t.uid = mybb_users.uid AND t.visible = 1)"

// mybbReasonID is upgrade36's reasonid from the English reason texts MyBB
// 1.8.0 stored (a newline, then the reason's title), those reasons then
// cleared; any other reason is "Other" (1).
const mybbReasonID = "CASE reason WHEN '\\nBreaks Forum Rules' THEN 2 WHEN '\\nInappropriate Content' THEN 3 WHEN '\\nSpam Content' THEN 4 WHEN '\\nWrong Forum' THEN 5 ELSE 1 END"

func mybbReportReasonRow(rid int, title, appliesto string, extra, disporder int) string {
	return "  row {\n    rid       = " + strconv.Itoa(rid) + "\n    title     = \"<lang:" + title + ">\"\n    appliesto = \"" + appliesto + "\"\n    extra     = " + strconv.Itoa(extra) + "\n    disporder = " + strconv.Itoa(disporder) + "\n  }\n"
}

var mybbMigrations = map[string]string{
	"1_8_0": hdiscard("mybb_users", "msn", "longregip", "longlastip") + hdiscard("mybb_posts", "longipaddress", "posthash") +
		hdiscard("mybb_forums", "status") +
		// upgrade30_dbchanges5 (reportedposts' rows are post reports)
		"data_migration \"report_type\" {\n  table   = \"mybb_reportedcontent\"\n  set     = \"type = 'post'\"\n  pending = \"type = ''\"\n}\n" +
		// upgrade30_dbchanges5: the templates groups MyBB ships are default
		"data_migration \"isdefault\" {\n  table   = \"mybb_templategroups\"\n  set     = \"isdefault = 1\"\n  pending = \"gid BETWEEN 1 AND 39 AND isdefault = 0\"\n}\n" +
		"data_migration \"question\" {\n  table = \"mybb_questions\"\n  row {\n    qid      = 1\n    question = \"What does 2 + 2 equal?\"\n    answer   = \"4\\nFour\"\n    active   = 1\n  }\n}\n" +
		"data_migration \"threadnum\" {\n  table   = \"mybb_users\"\n  set     = \"threadnum = " + mybbThreadCount + "\"\n  pending = \"threadnum <> " + mybbThreadCount + "\"\n}\n" +
		"data_migration \"smilies_merge\" {\n  table   = \"mybb_smilies\"\n  set     = \"find = CONCAT(find, (SELECT GROUP_CONCAT(CONCAT('\\n', TRIM(d.find)) ORDER BY d.sid SEPARATOR '') " + mybbSmilieFinds + "))\"\n" +
		"  pending = \"" + mybbFirstOfImage + " AND EXISTS (SELECT 1 " + mybbSmilieFinds + ")\"\n}\n" +
		"data_migration \"smilies_dupes\" {\n  table  = \"mybb_smilies\"\n  delete = \"NOT " + mybbFirstOfImage + "\"\n}\n",
	"1_8_8": "data_migration \"reportreasons\" {\n  table = \"mybb_reportreasons\"\n" +
		mybbReportReasonRow(1, "report_reason_other", "all", 1, 99) + mybbReportReasonRow(2, "report_reason_rules", "all", 0, 1) +
		mybbReportReasonRow(3, "report_reason_bad", "all", 0, 2) + mybbReportReasonRow(4, "report_reason_spam", "all", 0, 3) +
		mybbReportReasonRow(5, "report_reason_wrong", "post", 0, 4) + "}\n" +
		"data_migration \"reasonid\" {\n  table   = \"mybb_reportedcontent\"\n  set     = \"reasonid = " + mybbReasonID + ", reason = IF(" + mybbReasonID + " = 1, reason, '')\"\n  pending = \"reasonid = 0 AND reason <> ''\"\n}\n" +
		"data_migration \"avatarfile\" {\n  table   = \"mybb_attachtypes\"\n  set     = \"avatarfile = 1\"\n  pending = \"atid IN (2, 4, 7, 11) AND avatarfile = 0\"\n}\n",
}

func mybbRelease(v string) string {
	s := "schema \"app\" {}\n" + mybbUsers(v) + mybbPosts(v) + mybbThreads(v) + mybbForums(v) + mybbReportedContent(v) +
		mybbProfileFields(v) + mybbThreadRatings(v) + mybbSessions(v) + mybbAdminSessions(v) + mybbAdminLog(v) +
		mybbMailLogs(v) + mybbPrivateMessages(v) + mybbSmilies(v) + mybbPolls(v) + mybbAdminOptions(v) +
		mybbTemplateGroups(v) + mybbThreadSubscriptions(v) + mybbAttachTypes(v) + mybbReputation(v)
	if mybbSince(v, "1_8_0") {
		s += mybbNewIn18(v)
	}
	if mybbSince(v, "1_8_8") {
		s += mybbReportReasons()
	}
	return s + mybbMigrations[v]
}

func mybbProject(t *testing.T) *opProject {
	var rel [][2]string
	for _, v := range mybbReleases {
		rel = append(rel, [2]string{v, mybbRelease(v)})
	}
	return newSchemaProject(t, rel...)
}

// MyBB 1.6.18 to 1.8.8 over its users, posts, reports, sessions, logs and
// the tables upgrade30 creates: each change in the phase its kind asks for
// (where MyBB closes the board and runs every step in one go), and each
// release applied through expand, migrate and contract while the previous
// release's code writes, leaving the database exactly as declared and
// every value where the next release reads it.
func TestOutsideS37MyBBHistory(t *testing.T) {
	t.Parallel()
	p := mybbProject(t)
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		// 1.6 -> 1.8.0. upgrade30 runs everything with the board closed;
		// here the new columns, tables and indexes come first, the
		// renamed table behind a view under its old name...
		{"1_8_0", "expand", "RENAME TABLE `mybb_reportedposts` TO `mybb_reportedcontent`"},
		{"1_8_0", "expand", "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `mybb_reportedposts` AS SELECT `rid`, `pid`, `tid`, `fid`, `uid`, `reportstatus`, `reason`, `dateline` FROM `mybb_reportedcontent`"},
		{"1_8_0", "expand", "CREATE TABLE `mybb_buddyrequests` (`id` int unsigned NOT NULL AUTO_INCREMENT, `uid` bigint unsigned NOT NULL, `touid` bigint unsigned NOT NULL, `date` int unsigned NOT NULL"},
		{"1_8_0", "expand", "ALTER TABLE `mybb_reportedcontent` ADD COLUMN `id` int unsigned NULL, ADD COLUMN `id2` int unsigned NULL, ADD COLUMN `id3` int unsigned NULL, ADD COLUMN `type` varchar(50) NOT NULL DEFAULT \"\", ADD COLUMN `reports` int unsigned NOT NULL DEFAULT 0, ADD COLUMN `reporters` text NULL, ADD COLUMN `lastreport` int unsigned NOT NULL DEFAULT 0, ALGORITHM=INSTANT"},
		{"1_8_0", "expand", "ALTER TABLE `mybb_users` ADD COLUMN `threadnum` int NOT NULL DEFAULT 0, ADD COLUMN `skype` varchar(75) NOT NULL DEFAULT \"\", ADD COLUMN `google` varchar(75) NOT NULL DEFAULT \"\", ADD COLUMN `buddyrequestspm` bool NOT NULL DEFAULT 1, ADD COLUMN `buddyrequestsauto` bool NOT NULL DEFAULT 0, ADD COLUMN `showimages` bool NOT NULL DEFAULT 1, ADD COLUMN `showvideos` bool NOT NULL DEFAULT 1, ADD COLUMN `sourceeditor` bool NOT NULL DEFAULT 0, ADD COLUMN `regip_bin` varbinary(16) NULL, ADD COLUMN `lastip_bin` varbinary(16) NULL, MODIFY COLUMN `timezone` varchar(5) NOT NULL DEFAULT \"\", ALGORITHM=INSTANT"},
		{"1_8_0", "expand", "ALTER TABLE `mybb_profilefields` ADD COLUMN `profile` bool NULL, ADD COLUMN `regex` text NULL, ADD COLUMN `registration` bool NOT NULL DEFAULT 0, ADD COLUMN `postbit` bool NOT NULL DEFAULT 0, ADD COLUMN `viewableby` text NULL, ADD COLUMN `editableby` text NULL, ADD COLUMN `allowhtml` bool NOT NULL DEFAULT 0, ALGORITHM=INSTANT"},
		{"1_8_0", "expand", "ALTER TABLE `mybb_polls` ADD COLUMN `numvotes_int` int unsigned NULL, ADD COLUMN `maxoptions` smallint unsigned NOT NULL DEFAULT 0, ALTER COLUMN `numvotes` SET DEFAULT '~emcee~', ALGORITHM=INSTANT"},
		{"1_8_0", "expand", "ALTER TABLE `mybb_sessions` ADD INDEX `location` (`location1`, `location2`), ALGORITHM=INPLACE, LOCK=NONE"},
		// ... find made text for both releases (its default goes in
		// contract), and int -> int unsigned widened to bigint while both
		// write it ...
		{"1_8_0", "expand", "ALTER TABLE `mybb_smilies` MODIFY COLUMN `find` text NOT NULL DEFAULT \"\", ALGORITHM=COPY, LOCK=SHARED"},
		{"1_8_0", "expand", "MODIFY COLUMN `lastposttid` bigint NOT NULL DEFAULT 0, ALGORITHM=COPY, LOCK=SHARED"},
		// ... the IP conversion, the counts and the merges in migrate ...
		{"1_8_0", "migrate", "UPDATE `mybb_posts` SET `ipaddress_bin` = (IFNULL(INET6_ATON(`ipaddress`), '')) WHERE (`ipaddress_bin` IS NULL)"},
		{"1_8_0", "migrate", "UPDATE `mybb_adminlog` SET `ipaddress_bin` = (IFNULL(INET6_ATON(`ipaddress`), '')) WHERE (`ipaddress_bin` IS NULL)"},
		{"1_8_0", "migrate", "`type`=CASE WHEN (`type` = '') THEN 'post' ELSE `type` END"},
		{"1_8_0", "migrate", "`threadnum`=CASE WHEN (`threadnum` != (SELECT COUNT(1) FROM `mybb_threads` AS `t` WHERE `t`.`uid` = `mybb_users`.`uid` AND `t`.`visible` = 1))"},
		{"1_8_0", "migrate", "UPDATE `mybb_templategroups` SET `isdefault` = 1 WHERE (`gid` BETWEEN 1 AND 39 AND `isdefault` = 0)"},
		{"1_8_0", "migrate", "INSERT INTO `mybb_questions` (`qid`, `question`, `answer`, `active`) SELECT 1, 'What does 2 + 2 equal?'"},
		{"1_8_0", "migrate", "UPDATE `mybb_smilies` SET `find` = CONCAT(`find`, (SELECT GROUP_CONCAT(CONCAT('\n', TRIM(`d`.`find`))"},
		// ... and what 1.6's code still reads or writes goes in contract:
		// the duplicate smilies, the old columns, indexes and the view,
		// the narrowed types behind their gates.
		{"1_8_0", "contract", "DELETE `mybb_smilies` FROM `mybb_smilies` JOIN (SELECT `sid` FROM `mybb_smilies` WHERE (EXISTS (SELECT 1 FROM `mybb_smilies` AS `k` WHERE `k`.`image` = `mybb_smilies`.`image` AND `k`.`sid` < `mybb_smilies`.`sid`))) AS `emcee_rows` USING (`sid`)"},
		{"1_8_0", "contract", "DROP VIEW"},
		{"1_8_0", "contract", "ALTER TABLE `mybb_reportedcontent` DROP INDEX `fid`, ADD INDEX `fid` (`id3`), DROP INDEX `dateline`, DROP COLUMN `pid`, DROP COLUMN `tid`, DROP COLUMN `fid`"},
		{"1_8_0", "contract", "ALTER TABLE `mybb_sessions` DROP INDEX `location1`, DROP INDEX `location2`, DROP INDEX `ip`, ADD INDEX `ip` (`ip_bin`), DROP COLUMN `ip`"},
		{"1_8_0", "contract", "ALTER TABLE `mybb_users` DROP INDEX `birthday`, DROP INDEX `longregip`, DROP INDEX `longlastip`, DROP COLUMN `msn`, DROP COLUMN `longregip`, DROP COLUMN `longlastip`, DROP COLUMN `regip`, DROP COLUMN `lastip`"},
		{"1_8_0", "contract", "SELECT COUNT(*) FROM `mybb_users` WHERE `reputation` NOT BETWEEN -2147483648 AND 2147483647"},
		{"1_8_0", "contract", "SELECT COUNT(*) FROM `mybb_reputation` WHERE `reputation` NOT BETWEEN -32768 AND 32767"},
		{"1_8_0", "contract", "ALTER TABLE `mybb_smilies` MODIFY COLUMN `find` text NOT NULL, MODIFY COLUMN `showclickable` bool NOT NULL DEFAULT 0, ALGORITHM=COPY, LOCK=SHARED"},
		{"1_8_0", "contract", "ALTER TABLE `mybb_forums` DROP COLUMN `status`, MODIFY COLUMN `active` bool NOT NULL DEFAULT 0, MODIFY COLUMN `lastposttid` int unsigned NOT NULL DEFAULT 0"},
		// 1.8.0 -> 1.8.8: the temporary names go back (renamed), the
		// unsigned and narrower types of upgrade35 behind gates in
		// contract, upgrade36's reasons in migrate.
		{"1_8_8", "expand", "ALTER TABLE `mybb_users` ADD COLUMN `regip` varbinary(16) NULL, ADD COLUMN `lastip` varbinary(16) NULL, MODIFY COLUMN `postnum` bigint NOT NULL DEFAULT 0"},
		{"1_8_8", "expand", "CREATE TABLE `mybb_reportreasons`"},
		{"1_8_8", "expand", "ALTER TABLE `mybb_adminsessions` ADD COLUMN `ip` varbinary(16) NULL, ADD COLUMN `authenticated` bool NOT NULL DEFAULT 0, MODIFY COLUMN `useragent` varchar(200) NOT NULL DEFAULT \"\", ALGORITHM=INSTANT"},
		{"1_8_8", "migrate", "UPDATE `mybb_users` SET `regip`=CASE WHEN (`regip` IS NULL) THEN (COALESCE(`regip_bin`, '')) ELSE `regip` END"},
		{"1_8_8", "migrate", "INSERT INTO `mybb_reportreasons` (`rid`, `title`, `appliesto`, `extra`, `disporder`) SELECT 5, '<lang:report_reason_wrong>', 'post', 0, 4"},
		{"1_8_8", "migrate", "`avatarfile`=CASE WHEN (`atid` IN (2,4,7,11) AND `avatarfile` = 0) THEN 1 ELSE `avatarfile` END"},
		{"1_8_8", "contract", "SELECT COUNT(*) FROM `mybb_threadratings` WHERE `rating` NOT BETWEEN 0 AND 255"},
		{"1_8_8", "contract", "SELECT COUNT(*) FROM `mybb_buddyrequests` WHERE `uid` NOT BETWEEN 0 AND 4294967295"},
		{"1_8_8", "contract", "DROP COLUMN `subscriptionkey`"},
		{"1_8_8", "contract", "DROP COLUMN `regip_bin`"},
	})

	p.must("db", "sync", "1_6_18")
	for _, q := range []string{
		"INSERT INTO mybb_users (uid, username, email, postnum, usergroup, regdate, msn, birthday, timezone, reputation, regip, lastip, longregip, longlastip) VALUES (1, 'admin', 'admin@example.com', 3, 4, 1400000000, 'admin@msn', '1-1-1980', '+1', 12, '192.0.2.1', '2001:db8::1', -1073741311, 0)",
		"INSERT INTO mybb_users (uid, username, email, usergroup, regdate, regip, lastip) VALUES (2, 'bob', 'bob@example.com', 2, 1400000100, '198.51.100.7', 'not an ip')",
		"INSERT INTO mybb_forums (fid, name, active, lastposttid, status, usepostcounts) VALUES (1, 'General', 1, 2, 1, 1)",
		"INSERT INTO mybb_threads (tid, fid, subject, uid, dateline, views, replies, visible) VALUES (1, 1, 'Welcome', 1, 1400000200, 10, 1, 1), (2, 1, 'Hidden', 1, 1400000300, 0, 0, 0), (3, 1, 'Hi', 2, 1400000400, 3, 0, 1)",
		"INSERT INTO mybb_posts (pid, tid, uid, dateline, message, ipaddress, longipaddress, visible, edittime, posthash) VALUES (1, 1, 1, 1400000200, 'Hello', '192.0.2.1', -1073741311, 1, 0, 'h1'), (2, 1, 2, 1400000250, 'Hi', '198.51.100.7', 0, 1, 0, '')",
		"INSERT INTO mybb_reportedposts (rid, pid, tid, fid, uid, reportstatus, reason, dateline) VALUES (1, 2, 1, 1, 1, 0, 'rude', 1400000500)",
		"INSERT INTO mybb_profilefields (fid, name, required, editable, hidden, postnum) VALUES (1, 'Location', 0, 1, 0, 0), (2, 'Bio', 0, 1, 1, 5)",
		"INSERT INTO mybb_threadratings (rid, tid, uid, rating, ipaddress) VALUES (1, 1, 2, 5, '198.51.100.7')",
		"INSERT INTO mybb_sessions (sid, uid, ip, time, location, useragent, location1, location2) VALUES ('s1', 1, '192.0.2.1', 1400000600, '/index.php', 'Firefox', 1, 0)",
		"INSERT INTO mybb_adminsessions (sid, uid, loginkey, ip, dateline, lastactive, data) VALUES ('a1', 1, 'k', '192.0.2.1', 1400000600, 1400000700, '')",
		"INSERT INTO mybb_adminlog (uid, ipaddress, dateline, module, action, data) VALUES (1, '192.0.2.1', 1400000800, 'config-settings', 'change', '')",
		"INSERT INTO mybb_maillogs (mid, subject, dateline, touid, ipaddress) VALUES (1, 'Hi', 1400000900, 2, '192.0.2.1')",
		"INSERT INTO mybb_privatemessages (pmid, uid, toid, subject, dateline, status) VALUES (1, 2, 2, 'Hey', 1400001000, 0)",
		"INSERT INTO mybb_smilies (sid, name, find, image, disporder, showclickable) VALUES (1, 'Smile', ':)', 'images/smilies/smile.png', 1, 1), (2, 'Wink', ';)', 'images/smilies/wink.png', 2, 1), (3, 'Smile', ' :-) ', 'images/smilies/smile.png', 3, 0)",
		"INSERT INTO mybb_polls (pid, tid, question, dateline, options, votes, numoptions, numvotes, closed) VALUES (1, 1, 'Tea?', 1400001100, 'Yes||~|~||No', '3||~|~||1', 2, '4', 0)",
		"INSERT INTO mybb_adminoptions (uid, cpstyle, codepress, loginattempts) VALUES (1, '', 1, 2)",
		"INSERT INTO mybb_templategroups (gid, prefix, title) VALUES (1, 'calendar', '<lang:group_calendar>'), (40, 'custom', 'Custom')",
		"INSERT INTO mybb_threadsubscriptions (sid, uid, tid, notification, dateline, subscriptionkey) VALUES (1, 2, 1, 1, 1400001200, 'abc')",
		"INSERT INTO mybb_attachtypes (atid, name, mimetype, extension, maxsize, icon) VALUES (2, 'GIF Image', 'image/gif', 'gif', 500, 'gif.png'), (3, 'Zip', 'application/zip', 'zip', 1024, 'zip.png')",
		"INSERT INTO mybb_reputation (rid, uid, adduid, pid, reputation, dateline, comments) VALUES (1, 1, 2, 1, 1, 1400001300, 'thanks')",
	} {
		p.exec(q)
	}
	// What the previous release's code writes while the next one rolls out.
	oldWrites := map[string][]string{
		"1_8_0": {
			"INSERT INTO mybb_users (uid, username, email, usergroup, regdate, msn, regip, lastip, longregip, longlastip) VALUES (3, 'cy', 'cy@example.com', 2, 1500000000, 'cy@msn', '203.0.113.9', '203.0.113.9', -822083319, -822083319)",
			"UPDATE mybb_users SET lastip = '192.0.2.55', longlastip = -1073741257 WHERE uid = 1",
			"INSERT INTO mybb_threads (tid, fid, subject, uid, dateline, visible) VALUES (4, 1, 'Later', 2, 1500000100, 1)",
			"INSERT INTO mybb_posts (pid, tid, uid, dateline, message, ipaddress, longipaddress, visible, posthash) VALUES (3, 4, 2, 1500000100, 'Later', '203.0.113.9', -822083319, 1, 'h3')",
			"INSERT INTO mybb_reportedposts (rid, pid, tid, fid, uid, reportstatus, reason, dateline) VALUES (2, 3, 4, 1, 1, 0, '\\nSpam Content', 1500000200)",
			"UPDATE mybb_profilefields SET hidden = 1 WHERE fid = 1",
			"INSERT INTO mybb_sessions (sid, uid, ip, time, location, useragent) VALUES ('s2', 2, '2001:db8::2', 1500000300, '/', 'Chrome')",
			"INSERT INTO mybb_adminlog (uid, ipaddress, dateline, module, action, data) VALUES (1, '192.0.2.55', 1500000400, 'user-users', 'edit', '')",
			"INSERT INTO mybb_smilies (sid, name, find, image, disporder, showclickable) VALUES (4, 'Cool', 'B)', 'images/smilies/cool.png', 4, 1)",
			"UPDATE mybb_polls SET numvotes = '5', votes = '4||~|~||1' WHERE pid = 1",
			"INSERT INTO mybb_forums (fid, name, active, lastposttid, status, usepostcounts) VALUES (2, 'Off-topic', 1, 0, 1, 0)",
		},
		"1_8_8": {
			"INSERT INTO mybb_users (uid, username, email, usergroup, regdate, regip_bin, lastip_bin, threadnum) VALUES (4, 'dee', 'dee@example.com', 2, 1600000000, INET6_ATON('198.51.100.20'), INET6_ATON('198.51.100.20'), 0)",
			"INSERT INTO mybb_posts (pid, tid, uid, dateline, message, ipaddress_bin, visible, editreason) VALUES (4, 4, 4, 1600000100, 'Me too', INET6_ATON('198.51.100.20'), 1, '')",
			"INSERT INTO mybb_reportedcontent (rid, id, id2, id3, uid, reportstatus, reason, type, reporters, dateline) VALUES (3, 4, 4, 1, 1, 0, '\\nWrong Forum', 'post', 'a:0:{}', 1600000200)",
			"INSERT INTO mybb_polls (pid, tid, question, dateline, options, votes, numoptions, numvotes_int) VALUES (2, 4, 'Coffee?', 1600000300, 'Yes||~|~||No', '0||~|~||0', 2, 0)",
			"INSERT INTO mybb_threadsubscriptions (uid, tid, notification, dateline, subscriptionkey) VALUES (4, 4, 0, 1600000400, 'def')",
			"INSERT INTO mybb_attachtypes (atid, name, mimetype, extension, maxsize, icon) VALUES (4, 'JPEG Image', 'image/jpeg', 'jpg', 500, 'image.png')",
			"INSERT INTO mybb_buddyrequests (uid, touid, date) VALUES (4, 1, 1600000500)",
		},
	}
	rollOut(t, p, mybbReleases, oldWrites)
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(uid, ':', IFNULL(INET6_NTOA(regip), '-'), ':', IFNULL(INET6_NTOA(lastip), '-'), ':', threadnum, ':', reputation ORDER BY uid) FROM mybb_users": "1:192.0.2.1:192.0.2.55:1:12,2:198.51.100.7:-:2:0,3:203.0.113.9:203.0.113.9:0:0,4:198.51.100.20:198.51.100.20:0:0",
		"SELECT GROUP_CONCAT(pid, ':', INET6_NTOA(ipaddress) ORDER BY pid) FROM mybb_posts":                                                                                 "1:192.0.2.1,2:198.51.100.7,3:203.0.113.9,4:198.51.100.20",
		"SELECT GROUP_CONCAT(rid, ':', id, ':', id2, ':', id3, ':', type, ':', reasonid, ':', reason ORDER BY rid) FROM mybb_reportedcontent":                               "1:2:1:1:post:1:rude,2:3:4:1:post:4:,3:4:4:1:post:5:",
		"SELECT GROUP_CONCAT(fid, ':', profile ORDER BY fid) FROM mybb_profilefields":                                                                                       "1:0,2:0",
		"SELECT GROUP_CONCAT(sid, ':', INET6_NTOA(ip) ORDER BY sid) FROM mybb_sessions":                                                                                     "s1:192.0.2.1,s2:2001:db8::2",
		"SELECT GROUP_CONCAT(INET6_NTOA(ipaddress) ORDER BY dateline) FROM mybb_adminlog":                                                                                   "192.0.2.1,192.0.2.55",
		"SELECT GROUP_CONCAT(sid, ':', REPLACE(find, '\\n', '|') ORDER BY sid) FROM mybb_smilies":                                                                           "1::)|:-),2:;),4:B)",
		"SELECT GROUP_CONCAT(pid, ':', numvotes ORDER BY pid) FROM mybb_polls":                                                                                              "1:5,2:0",
		"SELECT GROUP_CONCAT(gid, ':', isdefault ORDER BY gid) FROM mybb_templategroups":                                                                                    "1:1,40:0",
		"SELECT GROUP_CONCAT(qid, ':', answer) FROM mybb_questions":                                                                                                         "1:4\nFour",
		"SELECT GROUP_CONCAT(atid, ':', avatarfile, ':', `groups`, ':', forums ORDER BY atid) FROM mybb_attachtypes":                                                        "2:1:-1:-1,3:0:-1:-1,4:1:-1:-1",
		"SELECT GROUP_CONCAT(rid, ':', title ORDER BY rid) FROM mybb_reportreasons":                                                                                         "1:<lang:report_reason_other>,2:<lang:report_reason_rules>,3:<lang:report_reason_bad>,4:<lang:report_reason_spam>,5:<lang:report_reason_wrong>",
		"SELECT GROUP_CONCAT(uid, ':', touid) FROM mybb_buddyrequests":                                                                                                      "4:1",
	})
}

// mybbInTable applies edit to the block of table name only.
func mybbInTable(name string, edit func(string) string) func(string) string {
	return func(s string) string {
		i := strings.Index(s, "table \""+name+"\" {")
		j := i + strings.Index(s[i:], "\n}\n")
		return s[:i] + edit(s[i:j]) + s[j:]
	}
}

// What MyBB's upgrade scripts do as they wrote them, which emcee refuses,
// with the way out the refusal gives (the history above takes it).
func TestOutsideS37MyBBRefusals(t *testing.T) {
	t.Parallel()
	ipInPlace := "  column \"ipaddress\" {\n    type = varbinary(16)\n    default = \"\"\n  }\n"
	for _, c := range []struct {
		name, release string
		edit          func(string) string
		want          []string
	}{
		// upgrade30_dbchanges_ip: MODIFY ipaddress varbinary(16) after
		// rewriting each value.
		{"ip converted in place", "1_8_0", mybbInTable("mybb_threadratings", func(s string) string {
			i, j := strings.Index(s, "  column \"ipaddress_bin\""), strings.Index(s, "  primary_key")
			return s[:i] + ipInPlace + s[j:]
		}), []string{"schema/1_8_0.hcl:", "column mybb_threadratings.ipaddress changes (type): varchar(30) -> varbinary(16) is not a change emcee can check row by row", "declare a new column, under another name, with the replaces block below", "`renamed_from` the new one"}},
		// upgrade30_dbchanges_optimize1: MODIFY numvotes int unsigned.
		{"numvotes text to int in place", "1_8_0", mybbInTable("mybb_polls", func(s string) string {
			i, j := strings.Index(s, "  column \"numvotes_int\""), strings.Index(s, "  column \"closed\"")
			return s[:i] + "  column \"numvotes\" {\n    type = int\n    unsigned = true\n    default = 0\n  }\n" + s[j:]
		}), []string{"column mybb_polls.numvotes changes (type, default): text -> int unsigned is not a change emcee can check row by row"}},
		// upgrade30_dbchanges_smilies merges and deletes in one loop.
		{"smilies merged and deleted by one data_migration", "1_8_0", func(s string) string {
			return strings.Replace(s, "}\ndata_migration \"smilies_dupes\" {\n  table  = \"mybb_smilies\"\n", "", 1)
		}, []string{"schema/1_8_0.hcl:", `data_migration "smilies_merge" has delete and also set`, "keep one form (a second data_migration takes the other)"}},
		// upgrade35: rating tinyint(1) unsigned.
		{"tinyint(1) unsigned", "1_8_8", mybbInTable("mybb_threadratings", func(s string) string {
			return strings.Replace(s, "type = tinyint\n", "type = tinyint(1)\n", 1)
		}), []string{"schema/1_8_8.hcl:", "column mybb_threadratings.rating is tinyint(1) unsigned, which Atlas reads as a bool", "write type = tinyint with unsigned = true"}},
		// upgrade36 compares reason with "\n".$lang->report_reason_...;
		// CHAR(10) for the newline.
		{"CHAR(10) in a data_migration", "1_8_8", func(s string) string {
			return strings.Replace(s, "WHEN '\\nBreaks Forum Rules'", "WHEN CONCAT(CHAR(10), 'Breaks Forum Rules')", 1)
		}, []string{"schema/1_8_8.hcl:", `set of data_migration "reasonid": CHAR(...): emcee cannot write it back`, "write CONVERT(CHAR(...) USING charset)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, releasesUpTo(mybbReleases, mybbRelease, c.release, c.edit)...)
			r := p.plan()
			if r.Code == 0 {
				t.Fatalf("plan of %s as MyBB wrote it: %s", c.release, r)
			}
			opContains(t, r, c.want...)
		})
	}
}

// A smilie sharing an image that 1.6's code adds after migrate merged the
// others is still pending: contract stops before it changes anything, and
// migrate run again appends its find to the first one's; contract then
// deletes it.
func TestOutsideS37MyBBSmilieLate(t *testing.T) {
	t.Parallel()
	p := mybbProject(t)
	p.must("plan")
	p.must("db", "sync", "1_6_18")
	p.exec("INSERT INTO mybb_smilies (sid, name, find, image) VALUES (1, 'Smile', ':)', 'smile.png'), (2, 'Smile', ':-)', 'smile.png')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO mybb_smilies (sid, name, find, image) VALUES (3, 'Smile', ' :smile: ', 'smile.png')")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract over a smilie not merged: %s", r)
	}
	opContains(t, r, "1_8_0_contract01 refused", "gate data-migration: 1 row", `rows data_migration "smilies_merge" has not rewritten yet`)
	if got := p.query("SELECT COUNT(*) FROM mybb_smilies"); got != "3" {
		t.Errorf("the refused contract deleted smilies: %s", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(sid, ':', REPLACE(find, '\\n', '|')) FROM mybb_smilies"); got != "1::)|:-)|:smile:" {
		t.Errorf("smilies: %s", got)
	}
}

// 1.8.0 rolled back after migrate, both releases having written: the
// reporters 1.8.0 wrote are its data, the question its migrate declared is
// not; the reports are back in reportedposts under their old column names, the IPs
// 1.8.0's code wrote as bytes are text again, and a find longer than 1.6's
// varchar(120), which 1.8.0 wrote, stops the rollback until it is cut.
func TestOutsideS37MyBBRollback(t *testing.T) {
	t.Parallel()
	p := mybbProject(t)
	p.must("plan")
	p.must("db", "sync", "1_6_18")
	p.exec("INSERT INTO mybb_users (uid, username, regip, lastip) VALUES (1, 'admin', '192.0.2.1', '192.0.2.1')")
	p.exec("INSERT INTO mybb_reportedposts (rid, pid, tid, fid, uid, reason) VALUES (1, 2, 1, 1, 1, 'rude')")
	p.exec("INSERT INTO mybb_smilies (sid, name, find, image) VALUES (1, 'Smile', ':)', 'smile.png')")
	p.must("db", "expand")
	// 1.6's code, through the view, and 1.8.0's.
	p.exec("INSERT INTO mybb_reportedposts (rid, pid, tid, fid, uid, reason) VALUES (2, 3, 1, 1, 1, 'spam')")
	p.exec("INSERT INTO mybb_reportedcontent (rid, id, id2, id3, uid, reason, type, reporters) VALUES (3, 4, 1, 1, 1, 'off-topic', 'post', 'a:0:{}')")
	p.exec("INSERT INTO mybb_users (uid, username, regip_bin, lastip_bin) VALUES (2, 'bob', INET6_ATON('2001:db8::7'), INET6_ATON('198.51.100.7'))")
	p.exec("UPDATE mybb_smilies SET find = CONCAT(':)\\n', REPEAT('x', 130)) WHERE sid = 1")
	p.must("db", "migrate")
	r := p.run("db", "rollback", "--allow-copy")
	if r.Code == 0 {
		t.Fatalf("rollback over reporters 1.8.0 wrote: %s", r)
	}
	opContains(t, r, "rollback of 1_8_0 refused, nothing was changed", "column mybb_reportedcontent.reporters: 1 row(s) hold a value only the new release wrote")
	// The question migrate inserted is not 1.8.0's data: migrate inserts it
	// again (it was counted as "table mybb_questions: 1 row(s)").
	if strings.Contains(r.Stderr, "mybb_questions") {
		t.Errorf("the rollback counts the declared question as 1.8.0's data: %s", r)
	}
	r = p.run("db", "rollback", "--allow-copy", "--drop-new-data")
	if r.Code == 0 {
		t.Fatalf("rollback over a find longer than varchar(120): %s", r)
	}
	opContains(t, r, "mybb_smilies.find", "1 row")
	p.exec("UPDATE mybb_smilies SET find = ':)' WHERE sid = 1")
	p.must("db", "rollback", "--allow-copy", "--drop-new-data")
	p.must("db", "diff")
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(rid, ':', pid, ':', reason ORDER BY rid) FROM mybb_reportedposts":                                                                                             "1:2:rude,2:3:spam,3:4:off-topic",
		"SELECT GROUP_CONCAT(TABLE_NAME, ':', TABLE_TYPE) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('mybb_reportedposts', 'mybb_reportedcontent')": "mybb_reportedposts:BASE TABLE",
		"SELECT GROUP_CONCAT(uid, ':', regip, ':', lastip ORDER BY uid) FROM mybb_users":                                                                                                   "1:192.0.2.1:192.0.2.1,2:2001:db8::7:198.51.100.7",
	})
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(rid, ':', id, ':', type ORDER BY rid) FROM mybb_reportedcontent": "1:2:post,2:3:post,3:4:post",
		"SELECT GROUP_CONCAT(uid, ':', INET6_NTOA(regip_bin) ORDER BY uid) FROM mybb_users":   "1:192.0.2.1,2:2001:db8::7",
	})
}
