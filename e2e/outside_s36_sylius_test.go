package e2e

import (
	"slices"
	"strings"
	"testing"
)

// Sylius's tables as app/migrations/Version20161202011555.php (the schema
// of v1.0.0-beta.1 of Sylius/Sylius) creates them, changed by the Doctrine
// migrations each tag adds to app/migrations: beta.2 the 32 from
// Version20161209095131 to Version20170401200415, beta.3
// Version20170518123056 and Version20170711151342, rc.1 (schema of 1.0.0)
// Version20170824124122, 1.1.0 Version20170913125128 to
// Version20180102140039. Tables no migration touches, columns no migration
// touches and the tables only the foreign keys kept here reach are left
// out; the default locale Sylius's migrations read from the container is
// en_US.
var syliusReleases = []string{"1_0_0_beta1", "1_0_0_beta2", "1_0_0_beta3", "1_0_0", "1_1_0"}

func syliusSince(v, rel string) bool {
	return slices.Index(syliusReleases, v) >= slices.Index(syliusReleases, rel)
}

// syfk is a foreign key as Doctrine names and declares it (onDelete "" for
// none, the server's RESTRICT).
func syfk(name, col, ref, onDelete string) string {
	s := "  foreign_key \"" + name + "\" {\n    columns     = [column." + col + "]\n    ref_columns = [table." + ref + ".column.id]\n"
	if onDelete != "" {
		s += "    on_delete   = " + onDelete + "\n"
	}
	return s + "  }\n"
}

func syliusLocale(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("code", "varchar(12)")}
	if !syliusSince(v, "1_0_0_beta2") { // Version20170124221955: DROP enabled
		cols = append(cols, hcol("enabled", "tinyint(1)"))
	}
	cols = append(cols, hcol("created_at", "datetime"), hcol("updated_at", "datetime", "null = true"),
		hpk("id"), hindex("UNIQ_7BA1286477153098", true, "code"))
	return htable("sylius_locale", cols...)
}

func syliusChannel(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("default_locale_id", "int"),
		hcol("code", "varchar(255)"), hcol("name", "varchar(255)"),
		hcol("enabled", "tinyint(1)"),
		hcol("hostname", "varchar(255)", "null = true"),
	}
	if syliusSince(v, "1_0_0_beta2") {
		// Version20161215103325, and ADD ... NOT NULL then UPDATE ... SET
		// = 0 or 1 of Version20170214104908, 20170220150813, 20170401200415.
		cols = append(cols, hcol("contact_email", "varchar(255)", "null = true"),
			hcol("skipping_shipping_step_allowed", "tinyint(1)", hin(v, "1_0_0_beta2", `fill = "0"`)),
			hcol("account_verification_required", "tinyint(1)", hin(v, "1_0_0_beta2", `fill = "1"`)),
			hcol("skipping_payment_step_allowed", "tinyint(1)", hin(v, "1_0_0_beta2", `fill = "0"`)))
	}
	cols = append(cols, hcol("created_at", "datetime"), hcol("updated_at", "datetime", "null = true"),
		hcol("tax_calculation_strategy", "varchar(255)"),
		hpk("id"), hindex("UNIQ_16C8119E77153098", true, "code"), hindex("IDX_16C8119E743BF776", false, "default_locale_id"))
	if syliusSince(v, "1_1_0") { // Version20180102140039
		cols = append(cols, hindex("IDX_16C8119EE551C011", false, "hostname"))
	}
	cols = append(cols, syfk("FK_16C8119E743BF776", "default_locale_id", "sylius_locale", ""))
	return htable("sylius_channel", cols...)
}

func syliusProduct(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("code", "varchar(255)")}
	if !syliusSince(v, "1_0_0_beta2") { // Version20170208102345
		cols = append(cols, hcol("available_on", "datetime", "null = true"), hcol("available_until", "datetime", "null = true"))
	}
	cols = append(cols, hcol("created_at", "datetime"), hcol("enabled", "tinyint(1)"),
		hpk("id"), hindex("UNIQ_677B9B7477153098", true, "code"))
	return htable("sylius_product", cols...)
}

func syliusProductTranslation(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("translatable_id", "int"),
		hcol("name", "varchar(255)"), hcol("slug", "varchar(255)"), hcol("locale", "varchar(255)"),
		hpk("id"), hindex("IDX_105A9082C2AC5D3", false, "translatable_id"),
		hindex("sylius_product_translation_uniq_trans", true, "translatable_id", "locale"),
	}
	if !syliusSince(v, "1_0_0_beta2") { // Version20170215143031: slug unique per locale
		cols = append(cols, hindex("UNIQ_105A908989D9B62", true, "slug"))
	} else {
		cols = append(cols, hindex("UNIQ_105A9084180C698989D9B62", true, "locale", "slug"))
	}
	cols = append(cols, syfk("FK_105A9082C2AC5D3", "translatable_id", "sylius_product", "CASCADE"))
	return htable("sylius_product_translation", cols...)
}

func syliusProductVariant(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("product_id", "int"),
		hcol("code", "varchar(255)"),
	}
	if !syliusSince(v, "1_0_0_beta2") { // Version20161214153137 moves it to the translation
		cols = append(cols, hcol("name", "varchar(255)", "null = true"))
	}
	cols = append(cols, hcol("created_at", "datetime"), hcol("updated_at", "datetime", "null = true"))
	if !syliusSince(v, "1_0_0_beta2") { // Version20170321131352
		cols = append(cols, hcol("available_on", "datetime", "null = true"), hcol("available_until", "datetime", "null = true"))
	}
	if syliusSince(v, "1_0_0_beta2") {
		// Version20161223091334: ADD NOT NULL (0), then each variant
		// numbered from 0 within its product (data_migration below).
		cols = append(cols, hcol("position", "int", hin(v, "1_0_0_beta2", `fill = "0"`)))
	}
	cols = append(cols, hcol("on_hold", "int"), hcol("on_hand", "int"), hcol("tracked", "tinyint(1)"))
	if syliusSince(v, "1_0_0_beta2") { // Version20170117075436, Version20170206141520
		cols = append(cols, hcol("shipping_required", "tinyint(1)", hin(v, "1_0_0_beta2", `fill = "1"`)),
			hcol("version", "int", "default = 1"))
	}
	cols = append(cols, hpk("id"), hindex("UNIQ_A29B52377153098", true, "code"), hindex("IDX_A29B5234584665A", false, "product_id"),
		syfk("FK_A29B5234584665A", "product_id", "sylius_product", "CASCADE"))
	return htable("sylius_product_variant", cols...)
}

// syliusProductVariantTranslation is new in beta.2 (Version20161214153137).
func syliusProductVariantTranslation() string {
	return htable("sylius_product_variant_translation",
		hcol("id", "int", "auto_increment = true"),
		hcol("translatable_id", "int"),
		hcol("name", "varchar(255)", "null = true"),
		hcol("locale", "varchar(255)"),
		hpk("id"), hindex("IDX_8DC18EDC2C2AC5D3", false, "translatable_id"),
		hindex("sylius_product_variant_translation_uniq_trans", true, "translatable_id", "locale"),
		syfk("FK_8DC18EDC2C2AC5D3", "translatable_id", "sylius_product_variant", "CASCADE"))
}

func syliusProductOption(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("code", "varchar(255)")}
	if syliusSince(v, "1_0_0_beta2") { // Version20161221133514: ADD NOT NULL (0), then numbered from 0
		cols = append(cols, hcol("position", "int", hin(v, "1_0_0_beta2", `fill = "0"`)))
	}
	cols = append(cols, hcol("created_at", "datetime"), hpk("id"), hindex("UNIQ_E4C0EBEF77153098", true, "code"))
	return htable("sylius_product_option", cols...)
}

func syliusTaxon(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("parent_id", "int", "null = true"),
		hcol("code", "varchar(255)"),
		hcol("position", "int"),
	}
	if syliusSince(v, "1_0_0_beta2") { // Version20170327135945: created_at NOW() for the rows there
		cols = append(cols, hcol("created_at", "datetime", hin(v, "1_0_0_beta2", `fill = "NOW()"`)), hcol("updated_at", "datetime", "null = true"))
	}
	cols = append(cols, hpk("id"), hindex("UNIQ_CFD811CA77153098", true, "code"), hindex("IDX_CFD811CA727ACA70", false, "parent_id"),
		syfk("FK_CFD811CA727ACA70", "parent_id", "sylius_taxon", "CASCADE"))
	return htable("sylius_taxon", cols...)
}

func syliusProductTaxon(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("product_id", "int"), hcol("taxon_id", "int"), hcol("position", "int"),
		hpk("id"), hindex("IDX_169C6CD94584665A", false, "product_id"), hindex("IDX_169C6CD9DE13F470", false, "taxon_id"),
	}
	if syliusSince(v, "1_0_0_beta2") { // Version20170208103250
		cols = append(cols, hindex("product_taxon_idx", true, "product_id", "taxon_id"))
	}
	cols = append(cols, syfk("FK_169C6CD94584665A", "product_id", "sylius_product", "CASCADE"),
		syfk("FK_169C6CD9DE13F470", "taxon_id", "sylius_taxon", "CASCADE"))
	return htable("sylius_product_taxon", cols...)
}

// syliusChannelPricing: Version20170223071604 replaces channel_id, a
// foreign key to channel, with the channel's code, set from the channel
// for the rows there. A trigger cannot read the channel (emcee refuses a
// subquery in replaces and fill), so channel_code is ” for the rows the
// previous release's code writes until migrate's data_migration sets it,
// and contract waits for none left.
func syliusChannelPricing(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("product_variant_id", "int")}
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hcol("channel_id", "int"))
	} else {
		// allow_copy: channel_id, NOT NULL under its key to channel until
		// contract, is made NULL for the new release's INSERTs, which
		// omit it (a placeholder no channel has would fail them).
		cols = append(cols, hcol("channel_code", "varchar(255)", hfill(v, "1_0_0_beta2"), hin(v, "1_0_0_beta2", "allow_copy = true")))
	}
	cols = append(cols, hcol("price", "int"))
	if syliusSince(v, "1_0_0_beta2") { // Version20170303170201
		cols = append(cols, hcol("original_price", "int", "null = true"))
	}
	cols = append(cols, hpk("id"), hindex("IDX_7801820CA80EF684", false, "product_variant_id"),
		syfk("FK_7801820CA80EF684", "product_variant_id", "sylius_product_variant", "CASCADE"))
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hindex("IDX_7801820C72F5A1AA", false, "channel_id"), syfk("FK_7801820C72F5A1AA", "channel_id", "sylius_channel", "CASCADE"))
	} else { // Version20170208103250 on channel_id, then Version20170223071604 on channel_code
		cols = append(cols, hindex("product_variant_channel_idx", true, "product_variant_id", "channel_code"))
	}
	return htable("sylius_channel_pricing", cols...)
}

// syliusProductImage: Version20170201094058 drops the unique (owner_id,
// code) and renames code type, NULL.
func syliusProductImage(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("owner_id", "int")}
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hcol("code", "varchar(255)"))
	} else {
		cols = append(cols, hcol("type", "varchar(255)", "null = true", hin(v, "1_0_0_beta2", `renamed_from = "code"`)))
	}
	cols = append(cols, hcol("path", "varchar(255)"), hpk("id"), hindex("IDX_88C64B2D7E3C61F9", false, "owner_id"))
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hindex("product_image_code_idx", true, "owner_id", "code"))
	}
	cols = append(cols, syfk("FK_88C64B2D7E3C61F9", "owner_id", "sylius_product", "CASCADE"))
	return htable("sylius_product_image", cols...)
}

func syliusCustomer() string {
	return htable("sylius_customer",
		hcol("id", "int", "auto_increment = true"),
		hcol("email", "varchar(255)"), hcol("email_canonical", "varchar(255)"),
		hcol("first_name", "varchar(255)", "null = true"),
		hcol("created_at", "datetime"),
		hpk("id"), hindex("UNIQ_7E82D5E6E7927C74", true, "email"), hindex("UNIQ_7E82D5E6A0D96FBF", true, "email_canonical"))
}

// syliusProductReview: Version20170214095710 makes author_id NOT NULL and
// its foreign key ON DELETE CASCADE.
func syliusProductReview(v string) string {
	author, fk := hcol("author_id", "int", "null = true"), syfk("FK_C7056A99F675F31B", "author_id", "sylius_customer", "")
	if syliusSince(v, "1_0_0_beta2") { // under its name, as Doctrine writes it (rule modify-foreign-key)
		author, fk = hcol("author_id", "int"), syfk("FK_C7056A99F675F31B", "author_id", "sylius_customer", "CASCADE")
	}
	return htable("sylius_product_review",
		hcol("id", "int", "auto_increment = true"),
		hcol("product_id", "int"), author,
		hcol("title", "varchar(255)"), hcol("rating", "int"),
		hcol("comment", "longtext", "null = true"),
		hcol("status", "varchar(255)"), hcol("created_at", "datetime"),
		hpk("id"), hindex("IDX_C7056A994584665A", false, "product_id"), hindex("IDX_C7056A99F675F31B", false, "author_id"),
		syfk("FK_C7056A994584665A", "product_id", "sylius_product", "CASCADE"),
		fk)
}

// syliusAddressLogEntries is new in beta.2 (Version20161220092422);
// Version20170518123056 renames three of its columns in snake case.
func syliusAddressLogEntries(v string) string {
	loggedAt, objectID, objectClass := hcol("loggedAt", "datetime"), hcol("objectId", "varchar(64)", "null = true"), hcol("objectClass", "varchar(255)")
	if syliusSince(v, "1_0_0_beta3") {
		r := func(old string) string { return hin(v, "1_0_0_beta3", `renamed_from = "`+old+`"`) }
		loggedAt, objectID, objectClass = hcol("logged_at", "datetime", r("loggedAt")), hcol("object_id", "varchar(64)", "null = true", r("objectId")), hcol("object_class", "varchar(255)", r("objectClass"))
	}
	return htable("sylius_address_log_entries",
		hcol("id", "int", "auto_increment = true"),
		hcol("action", "varchar(255)"), loggedAt, objectID, objectClass,
		hcol("version", "int"), hcol("data", "longtext"), hcol("username", "varchar(255)", "null = true"),
		hpk("id"))
}

func syliusOrder(v string) string {
	notes := hcol("notes", "varchar(1000)", "null = true")
	if syliusSince(v, "1_0_0") { // Version20170824124122
		notes = hcol("notes", "longtext", "null = true", hin(v, "1_0_0", "allow_copy = true"))
	}
	return htable("sylius_order",
		hcol("id", "int", "auto_increment = true"),
		hcol("customer_id", "int", "null = true"),
		hcol("number", "varchar(255)", "null = true"),
		notes,
		hcol("state", "varchar(255)"), hcol("locale_code", "varchar(255)"), hcol("created_at", "datetime"),
		hpk("id"), hindex("UNIQ_6196A1F996901F54", true, "number"), hindex("IDX_6196A1F99395C3F3", false, "customer_id"),
		syfk("FK_6196A1F99395C3F3", "customer_id", "sylius_customer", ""))
}

func syliusOrderItem(v string) string {
	cols := []string{
		hcol("id", "int", "auto_increment = true"),
		hcol("order_id", "int"), hcol("variant_id", "int"),
		hcol("quantity", "int"), hcol("unit_price", "int"),
	}
	if syliusSince(v, "1_1_0") { // Version20170913125128
		cols = append(cols, hcol("product_name", "varchar(255)", "null = true"), hcol("variant_name", "varchar(255)", "null = true"))
	}
	cols = append(cols, hpk("id"), hindex("IDX_77B587ED8D9F6D38", false, "order_id"), hindex("IDX_77B587ED3B69A9AF", false, "variant_id"),
		syfk("FK_77B587ED8D9F6D38", "order_id", "sylius_order", "CASCADE"),
		syfk("FK_77B587ED3B69A9AF", "variant_id", "sylius_product_variant", ""))
	return htable("sylius_order_item", cols...)
}

func syliusGatewayConfig() string {
	return htable("sylius_gateway_config",
		hcol("id", "int", "auto_increment = true"),
		hcol("config", "longtext"), hcol("gateway_name", "varchar(255)"), hcol("factory_name", "varchar(255)"),
		hpk("id"))
}

// syliusPaymentMethod: Version20170116215417 drops gateway and adds a
// foreign key to gateway_config, ON DELETE SET NULL.
func syliusPaymentMethod(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("code", "varchar(255)")}
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hcol("gateway", "varchar(255)"))
	} else {
		cols = append(cols, hcol("gateway_config_id", "int", "null = true"))
	}
	cols = append(cols, hcol("is_enabled", "tinyint(1)"), hcol("position", "int"), hcol("created_at", "datetime"),
		hpk("id"), hindex("UNIQ_A75B0B0D77153098", true, "code"))
	if syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hindex("IDX_A75B0B0DF23D6140", false, "gateway_config_id"),
			syfk("FK_A75B0B0DF23D6140", "gateway_config_id", "sylius_gateway_config", "SET_NULL"))
	}
	return htable("sylius_payment_method", cols...)
}

// syliusPayment: Version20170110120125 drops ON DELETE SET NULL from the
// method's key; Version20170120164250 drops credit_card_id, its key and
// credit_card.
func syliusPayment(v string) string {
	cols := []string{hcol("id", "int", "auto_increment = true"), hcol("method_id", "int", "null = true")}
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hcol("credit_card_id", "int", "null = true"))
	}
	cols = append(cols, hcol("currency_code", "varchar(3)"), hcol("amount", "int"), hcol("state", "varchar(255)"), hcol("created_at", "datetime"),
		hpk("id"), hindex("IDX_D9191BD419883967", false, "method_id"))
	if !syliusSince(v, "1_0_0_beta2") {
		cols = append(cols, hindex("IDX_D9191BD47048FD0F", false, "credit_card_id"),
			syfk("FK_D9191BD419883967", "method_id", "sylius_payment_method", "SET_NULL"),
			syfk("FK_D9191BD47048FD0F", "credit_card_id", "sylius_credit_card", "SET_NULL"))
	} else {
		cols = append(cols, syfk("FK_D9191BD419883967_2", "method_id", "sylius_payment_method", ""))
	}
	return htable("sylius_payment", cols...)
}

func syliusCreditCard() string {
	return htable("sylius_credit_card",
		hcol("id", "int", "auto_increment = true"),
		hcol("token", "varchar(255)", "null = true"), hcol("cardholder_name", "varchar(255)", "null = true"),
		hcol("number", "varchar(255)", "null = true"), hcol("created_at", "datetime"),
		hpk("id"))
}

func syliusAdminUser() string {
	return htable("sylius_admin_user",
		hcol("id", "int", "auto_increment = true"),
		hcol("username", "varchar(255)", "null = true"), hcol("email", "varchar(255)", "null = true"), hcol("created_at", "datetime"),
		hpk("id"))
}

// syliusAPIClient and syliusAPIAccessToken: Version20170313125424 renames
// the OAuth tables with an admin_ prefix, and their indexes and foreign
// keys with the names Doctrine derives from the new table names.
func syliusAPIClient(v string) string {
	name, body := "sylius_api_client", []string{}
	if syliusSince(v, "1_0_0_beta2") {
		name = "sylius_admin_api_client"
		body = append(body, hin(v, "1_0_0_beta2", "  renamed_from = \"sylius_api_client\"\n"))
	}
	body = append(body, hcol("id", "int", "auto_increment = true"),
		hcol("random_id", "varchar(255)"), hcol("redirect_uris", "longtext"), hcol("secret", "varchar(255)"), hcol("allowed_grant_types", "longtext"),
		hpk("id"))
	return htable(name, body...)
}

func syliusAPIAccessToken(v string) string {
	name, prefix, body := "sylius_api_access_token", "7D83AA7F", []string{}
	client := "sylius_api_client"
	if syliusSince(v, "1_0_0_beta2") {
		name, prefix, client = "sylius_admin_api_access_token", "2AA4915D", "sylius_admin_api_client"
		body = append(body, hin(v, "1_0_0_beta2", "  renamed_from = \"sylius_api_access_token\"\n"))
	}
	r := func(old string) string { return hin(v, "1_0_0_beta2", `    renamed_from = "`+old+`"`+"\n") }
	body = append(body, hcol("id", "int", "auto_increment = true"),
		hcol("client_id", "int", "null = true"), hcol("user_id", "int", "null = true"),
		hcol("token", "varchar(255)"), hcol("expires_at", "int", "null = true"), hcol("scope", "varchar(255)", "null = true"),
		hpk("id"),
		strings.Replace(hindex("UNIQ_"+prefix+"5F37A13B", true, "token"), "  }\n", r("UNIQ_7D83AA7F5F37A13B")+"  }\n", 1),
		strings.Replace(hindex("IDX_"+prefix+"19EB6921", false, "client_id"), "  }\n", r("IDX_7D83AA7F19EB6921")+"  }\n", 1),
		strings.Replace(hindex("IDX_"+prefix+"A76ED395", false, "user_id"), "  }\n", r("IDX_7D83AA7FA76ED395")+"  }\n", 1),
		syfk("FK_"+prefix+"19EB6921", "client_id", client, ""),
		syfk("FK_"+prefix+"A76ED395", "user_id", "sylius_admin_user", ""))
	return htable(name, body...)
}

// syliusPosition numbers each row from 0 in id order, within rows
// matching on the columns of within, as Version20161221133514 and
// Version20161223091334 do with a user variable (in the server's order).
func syliusPosition(table string, within ...string) string {
	rank := "(SELECT COUNT(*) FROM " + table + " AS o WHERE o.id < " + table + ".id"
	for _, c := range within {
		rank += " AND o." + c + " = " + table + "." + c
	}
	rank += ")"
	return "data_migration \"" + table + "_position\" {\n  table   = \"" + table + "\"\n  set     = \"position = " + rank + "\"\n  pending = \"position <> " + rank + "\"\n}\n"
}

var syliusMigrations = map[string]string{
	// Version20161214153137: each variant's name, where it has one, a
	// translation in the default locale.
	"1_0_0_beta2": "data_migration \"variant_names\" {\n  table   = \"sylius_product_variant_translation\"\n  from    = \"sylius_product_variant\"\n" +
		"  insert  = \"translatable_id = id, name = name, locale = 'en_US'\"\n" +
		"  pending = \"name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sylius_product_variant_translation AS t WHERE t.translatable_id = sylius_product_variant.id AND t.locale = 'en_US')\"\n}\n" +
		syliusPosition("sylius_product_option") + syliusPosition("sylius_product_variant", "product_id") +
		// Version20170223071604's UPDATE ... JOIN sylius_channel.
		"data_migration \"pricing_channel_codes\" {\n  table   = \"sylius_channel_pricing\"\n" +
		"  set     = \"channel_code = (SELECT c.code FROM sylius_channel AS c WHERE c.id = channel_id)\"\n  pending = \"channel_code = ''\"\n}\n" +
		hdiscard("sylius_channel_pricing", "channel_id") +
		hdiscard("sylius_product_variant", "available_on", "available_until") + hdiscard("sylius_product", "available_on", "available_until") +
		hdiscard("sylius_locale", "enabled") + hdiscard("sylius_payment_method", "gateway") + hdiscard("sylius_payment", "credit_card_id") +
		"discard {\n  table = \"sylius_credit_card\"\n}\n",
	// Version20170913125128: each order item's product and variant name,
	// in the order's locale.
	"1_1_0": "data_migration \"order_item_product_names\" {\n  table   = \"sylius_order_item\"\n" +
		"  set     = \"product_name = (SELECT t.name FROM sylius_order AS o JOIN sylius_product_variant AS pv ON pv.id = sylius_order_item.variant_id JOIN sylius_product_translation AS t ON t.translatable_id = pv.product_id WHERE o.id = sylius_order_item.order_id AND t.locale = o.locale_code)\"\n" +
		"  pending = \"product_name IS NULL AND EXISTS (SELECT 1 FROM sylius_order AS o JOIN sylius_product_variant AS pv ON pv.id = sylius_order_item.variant_id JOIN sylius_product_translation AS t ON t.translatable_id = pv.product_id WHERE o.id = sylius_order_item.order_id AND t.locale = o.locale_code)\"\n}\n" +
		"data_migration \"order_item_variant_names\" {\n  table   = \"sylius_order_item\"\n" +
		"  set     = \"variant_name = (SELECT t.name FROM sylius_order AS o JOIN sylius_product_variant_translation AS t ON t.translatable_id = sylius_order_item.variant_id WHERE o.id = sylius_order_item.order_id AND t.locale = o.locale_code)\"\n" +
		"  pending = \"variant_name IS NULL AND EXISTS (SELECT 1 FROM sylius_order AS o JOIN sylius_product_variant_translation AS t ON t.translatable_id = sylius_order_item.variant_id WHERE o.id = sylius_order_item.order_id AND t.locale = o.locale_code AND t.name IS NOT NULL)\"\n}\n",
}

func syliusRelease(v string) string {
	s := "schema \"app\" {}\n" + syliusLocale(v) + syliusChannel(v) + syliusProduct(v) + syliusProductTranslation(v) + syliusProductVariant(v) +
		syliusProductOption(v) + syliusTaxon(v) + syliusProductTaxon(v) + syliusChannelPricing(v) + syliusProductImage(v) + syliusCustomer() +
		syliusProductReview(v) + syliusOrder(v) + syliusOrderItem(v) + syliusGatewayConfig() + syliusPaymentMethod(v) + syliusPayment(v) +
		syliusAdminUser() + syliusAPIClient(v) + syliusAPIAccessToken(v)
	if syliusSince(v, "1_0_0_beta2") {
		s += syliusProductVariantTranslation() + syliusAddressLogEntries(v)
	} else {
		s += syliusCreditCard()
	}
	return s + syliusMigrations[v]
}

// Five Sylius schemas, 1.0.0-beta.1 to 1.1.0, over 23 tables: each change
// of its Doctrine migrations in the phase its kind asks for (what Sylius's
// doctrine:migrations:migrate runs in one go, the shop down), and each
// release applied through expand, migrate and contract while the previous
// release's code writes, leaving the database exactly as declared and each
// row's data where the next release reads it.
func TestOutsideS36SyliusHistory(t *testing.T) {
	t.Parallel()
	var rel [][2]string
	for _, v := range syliusReleases {
		rel = append(rel, [2]string{v, syliusRelease(v)})
	}
	p := newSchemaProject(t, rel...)
	p.must("plan")
	wantPhases(t, p, []phaseCase{
		// beta.1-beta.2: the OAuth tables renamed in expand, a view under
		// each old name for the previous release's code, dropped in
		// contract, where their indexes are renamed and their foreign keys
		// (Doctrine names them after the table) dropped and added behind
		// orphan gates.
		{"1_0_0_beta2", "expand", "RENAME TABLE `sylius_api_access_token` TO `sylius_admin_api_access_token`"},
		{"1_0_0_beta2", "expand", "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `sylius_api_access_token`"},
		{"1_0_0_beta2", "contract", "DROP VIEW IF EXISTS `sylius_api_access_token`"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_admin_api_access_token` DROP FOREIGN KEY `FK_7D83AA7F19EB6921`, DROP FOREIGN KEY `FK_7D83AA7FA76ED395`, RENAME INDEX `UNIQ_7D83AA7F5F37A13B` TO `UNIQ_2AA4915D5F37A13B`"},
		{"1_0_0_beta2", "contract", "SELECT COUNT(*) FROM `sylius_admin_api_access_token` AS child WHERE child.`client_id` IS NOT NULL AND NOT EXISTS"},
		{"1_0_0_beta2", "contract", "ADD CONSTRAINT `FK_2AA4915D19EB6921` FOREIGN KEY (`client_id`) REFERENCES `sylius_admin_api_client` (`id`)"},
		// The variants' names moved into rows of the new translation
		// table in migrate; its key to the variant, which the previous
		// release's updates of a variant's id would break, in contract.
		{"1_0_0_beta2", "expand", "CREATE TABLE `sylius_product_variant_translation`"},
		{"1_0_0_beta2", "migrate", "INSERT INTO `sylius_product_variant_translation` (`translatable_id`,`name`,`locale`) SELECT `id`,`name`,'en_US' FROM `sylius_product_variant`"},
		{"1_0_0_beta2", "contract", "ADD CONSTRAINT `FK_8DC18EDC2C2AC5D3` FOREIGN KEY (`translatable_id`) REFERENCES `sylius_product_variant` (`id`) ON DELETE CASCADE"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_variant` DROP COLUMN `name`, DROP COLUMN `available_on`, DROP COLUMN `available_until`, ALGORITHM=INSTANT"},
		// NOT NULL columns added NULL, filled in migrate (positions
		// numbered, channel codes looked up), NOT NULL in contract.
		{"1_0_0_beta2", "expand", "ALTER TABLE `sylius_channel` ADD COLUMN `contact_email` varchar(255) NULL, ADD COLUMN `skipping_shipping_step_allowed` bool NULL, ADD COLUMN `account_verification_required` bool NULL, ADD COLUMN `skipping_payment_step_allowed` bool NULL, ALGORITHM=INSTANT"},
		{"1_0_0_beta2", "expand", "ALTER TABLE `sylius_product_variant` ADD COLUMN `position` int NULL, ADD COLUMN `shipping_required` bool NULL, ADD COLUMN `version` int NOT NULL DEFAULT 1, ALGORITHM=INSTANT"},
		{"1_0_0_beta2", "expand", "ALTER TABLE `sylius_channel_pricing` ADD COLUMN `channel_code` varchar(255) NULL, ADD COLUMN `original_price` int NULL, MODIFY COLUMN `channel_id` int NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		{"1_0_0_beta2", "migrate", "UPDATE `sylius_taxon` SET `created_at` = (NOW()) WHERE (`created_at` IS NULL)"},
		{"1_0_0_beta2", "migrate", "THEN (SELECT `c`.`code` FROM `sylius_channel` AS `c` WHERE `c`.`id` = `channel_id`)"},
		{"1_0_0_beta2", "migrate", "UPDATE `sylius_product_variant` SET `position` = (SELECT COUNT(1) FROM `sylius_product_variant` AS `o` WHERE `o`.`id` < `sylius_product_variant`.`id` AND `o`.`product_id` = `sylius_product_variant`.`product_id`)"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_channel_pricing` MODIFY COLUMN `channel_code` varchar(255) NOT NULL"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_channel_pricing` DROP FOREIGN KEY `FK_7801820C72F5A1AA`, DROP INDEX `IDX_7801820C72F5A1AA`, DROP COLUMN `channel_id`"},
		// New unique keys behind duplicate gates in contract; slug unique
		// per locale instead of everywhere.
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_channel_pricing` ADD UNIQUE INDEX `product_variant_channel_idx` (`product_variant_id`, `channel_code`)"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_taxon` ADD UNIQUE INDEX `product_taxon_idx` (`product_id`, `taxon_id`)"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_translation` ADD UNIQUE INDEX `UNIQ_105A9084180C698989D9B62` (`locale`, `slug`)"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_translation` DROP INDEX `UNIQ_105A908989D9B62`"},
		// product_image.code renamed type (copied both ways until
		// contract), its unique index dropped.
		{"1_0_0_beta2", "expand", "ALTER TABLE `sylius_product_image` ADD COLUMN `type` varchar(255) NULL, ALTER COLUMN `code` SET DEFAULT '~emcee~', ALGORITHM=INSTANT"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_image` DROP INDEX `product_image_code_idx`, DROP COLUMN `code`"},
		// review.author_id NOT NULL behind a gate and its key, now ON
		// DELETE CASCADE under the name Doctrine derives from table and
		// column (Version20170214095710 drops and adds it): the old key
		// dropped, the new one added in an ALTER of its own behind its
		// orphan gate; payment's key to its method without SET NULL;
		// credit_card dropped after payment's key to it.
		{"1_0_0_beta2", "contract", "SELECT COUNT(*) FROM `sylius_product_review` WHERE `author_id` IS NULL"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_review` MODIFY COLUMN `author_id` int NOT NULL"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_product_review` DROP FOREIGN KEY `FK_C7056A99F675F31B`"},
		{"1_0_0_beta2", "contract", "ADD CONSTRAINT `FK_C7056A99F675F31B` FOREIGN KEY (`author_id`) REFERENCES `sylius_customer` (`id`) ON DELETE CASCADE"},
		{"1_0_0_beta2", "contract", "ALTER TABLE `sylius_payment` DROP FOREIGN KEY `FK_D9191BD419883967`, DROP FOREIGN KEY `FK_D9191BD47048FD0F`, DROP INDEX `IDX_D9191BD47048FD0F`, DROP COLUMN `credit_card_id`"},
		{"1_0_0_beta2", "contract", "DROP TABLE `sylius_credit_card`"},
		{"1_0_0_beta2", "expand", "ALTER TABLE `sylius_payment_method` ADD INDEX `IDX_A75B0B0DF23D6140` (`gateway_config_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		{"1_0_0_beta2", "contract", "ADD CONSTRAINT `FK_A75B0B0DF23D6140` FOREIGN KEY (`gateway_config_id`) REFERENCES `sylius_gateway_config` (`id`) ON DELETE SET NULL"},
		// beta.2-beta.3: three renames of one table.
		{"1_0_0_beta3", "expand", "ALTER TABLE `sylius_address_log_entries` ADD COLUMN `logged_at` datetime NULL, ADD COLUMN `object_id` varchar(64) NULL, ADD COLUMN `object_class` varchar(255) NULL"},
		{"1_0_0_beta3", "contract", "ALTER TABLE `sylius_address_log_entries` DROP COLUMN `loggedAt`, DROP COLUMN `objectId`, DROP COLUMN `objectClass`, MODIFY COLUMN `logged_at` datetime NOT NULL, MODIFY COLUMN `object_class` varchar(255) NOT NULL"},
		// rc.1: notes varchar(1000) -> LONGTEXT, a copy (allowed).
		{"1_0_0", "expand", "ALTER TABLE `sylius_order` MODIFY COLUMN `notes` longtext NULL, ALGORITHM=COPY, LOCK=SHARED"},
		// 1.1.0: the order items' names looked up in migrate.
		{"1_1_0", "expand", "ALTER TABLE `sylius_order_item` ADD COLUMN `product_name` varchar(255) NULL, ADD COLUMN `variant_name` varchar(255) NULL, ALGORITHM=INSTANT"},
		{"1_1_0", "expand", "ALTER TABLE `sylius_channel` ADD INDEX `IDX_16C8119EE551C011` (`hostname`), ALGORITHM=INPLACE, LOCK=NONE"},
		{"1_1_0", "migrate", "UPDATE `sylius_order_item` SET `product_name`=CASE WHEN"},
		{"1_1_0", "contract", "SELECT COUNT(*) FROM `sylius_order_item` WHERE (`variant_name` IS NULL AND EXISTS"},
	})

	p.must("db", "sync", "1_0_0_beta1")
	for _, q := range []string{
		"INSERT INTO sylius_locale (id, code, enabled, created_at) VALUES (1, 'en_US', 1, '2016-12-01 10:00:00')",
		"INSERT INTO sylius_channel (id, default_locale_id, code, name, enabled, hostname, created_at, tax_calculation_strategy) VALUES (1, 1, 'WEB', 'Web', 1, 'shop.example.com', '2016-12-01 10:00:00', 'order_items_based')",
		"INSERT INTO sylius_product (id, code, available_on, created_at, enabled) VALUES (1, 'MUG', '2016-12-01 00:00:00', '2016-12-01 10:00:00', 1), (2, 'CAP', NULL, '2016-12-01 10:00:00', 1)",
		"INSERT INTO sylius_product_translation (id, translatable_id, name, slug, locale) VALUES (1, 1, 'Mug', 'mug', 'en_US'), (2, 2, 'Cap', 'cap', 'en_US'), (3, 1, 'Tasse', 'tasse', 'de_DE')",
		"INSERT INTO sylius_product_variant (id, product_id, code, name, created_at, on_hold, on_hand, tracked) VALUES (1, 1, 'MUG_S', 'Small mug', '2016-12-01 10:00:00', 0, 10, 1), (2, 1, 'MUG_L', NULL, '2016-12-01 10:00:00', 0, 5, 1), (3, 2, 'CAP_ONE', 'One size', '2016-12-01 10:00:00', 0, 7, 0)",
		"INSERT INTO sylius_product_option (id, code, created_at) VALUES (1, 'mug_size', '2016-12-01 10:00:00'), (2, 'cap_color', '2016-12-01 10:00:00')",
		"INSERT INTO sylius_taxon (id, parent_id, code, position) VALUES (1, NULL, 'category', 0), (2, 1, 'mugs', 0)",
		"INSERT INTO sylius_product_taxon (id, product_id, taxon_id, position) VALUES (1, 1, 2, 0)",
		"INSERT INTO sylius_channel_pricing (id, product_variant_id, channel_id, price) VALUES (1, 1, 1, 500), (2, 2, 1, 700), (3, 3, 1, 900)",
		"INSERT INTO sylius_product_image (id, owner_id, code, path) VALUES (1, 1, 'main', 'a/b.jpg')",
		"INSERT INTO sylius_customer (id, email, email_canonical, first_name, created_at) VALUES (1, 'ann@example.com', 'ann@example.com', 'Ann', '2016-12-01 10:00:00')",
		"INSERT INTO sylius_product_review (id, product_id, author_id, title, rating, status, created_at) VALUES (1, 1, 1, 'Nice', 5, 'accepted', '2016-12-02 10:00:00')",
		"INSERT INTO sylius_order (id, customer_id, number, notes, state, locale_code, created_at) VALUES (1, 1, '000001', 'leave at door', 'new', 'en_US', '2016-12-03 10:00:00')",
		"INSERT INTO sylius_order_item (id, order_id, variant_id, quantity, unit_price) VALUES (1, 1, 1, 2, 500), (2, 1, 3, 1, 900)",
		"INSERT INTO sylius_gateway_config (id, config, gateway_name, factory_name) VALUES (1, '[]', 'offline', 'offline')",
		"INSERT INTO sylius_payment_method (id, code, gateway, is_enabled, position, created_at) VALUES (1, 'CASH', 'offline', 1, 0, '2016-12-01 10:00:00')",
		"INSERT INTO sylius_credit_card (id, token, cardholder_name, created_at) VALUES (1, 'tok', 'Ann Lee', '2016-12-01 10:00:00')",
		"INSERT INTO sylius_payment (id, method_id, credit_card_id, currency_code, amount, state, created_at) VALUES (1, 1, 1, 'USD', 1900, 'new', '2016-12-03 10:00:00')",
		"INSERT INTO sylius_admin_user (id, username, email, created_at) VALUES (1, 'admin', 'admin@example.com', '2016-12-01 10:00:00')",
		"INSERT INTO sylius_api_client (id, random_id, redirect_uris, secret, allowed_grant_types) VALUES (1, 'rnd', 'a:0:{}', 'sec', 'a:0:{}')",
		"INSERT INTO sylius_api_access_token (id, client_id, user_id, token) VALUES (1, 1, 1, 'tok1')",
	} {
		p.exec(q)
	}
	// What the previous release's code writes while the next one rolls out.
	oldWrites := map[string][]string{
		"1_0_0_beta2": {"INSERT INTO sylius_product_variant (id, product_id, code, name, created_at, available_on, on_hold, on_hand, tracked) VALUES (4, 2, 'CAP_RED', 'Red cap', '2017-01-01 10:00:00', NULL, 0, 3, 1)",
			"INSERT INTO sylius_channel_pricing (id, product_variant_id, channel_id, price) VALUES (4, 4, 1, 1100)",
			"INSERT INTO sylius_product_option (id, code, created_at) VALUES (3, 'mug_color', '2017-01-01 10:00:00')",
			"INSERT INTO sylius_taxon (id, parent_id, code, position) VALUES (3, 1, 'caps', 1)",
			"INSERT INTO sylius_product_image (id, owner_id, code, path) VALUES (2, 2, 'thumb', 'c.jpg')",
			"UPDATE sylius_product_image SET code = 'main2' WHERE id = 1",
			"INSERT INTO sylius_channel (id, default_locale_id, code, name, enabled, created_at, tax_calculation_strategy) VALUES (2, 1, 'MOBILE', 'Mobile', 1, '2017-01-01 10:00:00', 'order_items_based')",
			"INSERT INTO sylius_locale (id, code, enabled, created_at) VALUES (2, 'de_DE', 1, '2017-01-01 10:00:00')",
			"INSERT INTO sylius_payment_method (id, code, gateway, is_enabled, position, created_at) VALUES (2, 'BANK', 'offline', 1, 1, '2017-01-01 10:00:00')",
			"INSERT INTO sylius_api_access_token (id, client_id, user_id, token) VALUES (2, 1, 1, 'tok2')"},
		"1_0_0_beta3": {"INSERT INTO sylius_address_log_entries (id, action, loggedAt, objectId, objectClass, version, data) VALUES (1, 'create', '2017-05-01 10:00:00', '7', 'Sylius\\\\Address', 1, 'a:0:{}')"},
		"1_0_0": {"INSERT INTO sylius_order (id, customer_id, number, notes, state, locale_code, created_at) VALUES (2, 1, '000002', 'ring twice', 'new', 'en_US', '2017-08-01 10:00:00')",
			"INSERT INTO sylius_order_item (id, order_id, variant_id, quantity, unit_price) VALUES (3, 2, 4, 1, 1100)"},
		"1_1_0": {"INSERT INTO sylius_order_item (id, order_id, variant_id, quantity, unit_price) VALUES (4, 2, 2, 1, 700)"},
	}
	rollOut(t, p, syliusReleases, oldWrites)
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(id, ':', product_variant_id, ':', channel_code, ':', price ORDER BY id) FROM sylius_channel_pricing":                                                 "1:1:WEB:500,2:2:WEB:700,3:3:WEB:900,4:4:WEB:1100",
		"SELECT GROUP_CONCAT(id, ':', position, ':', shipping_required, ':', version ORDER BY id) FROM sylius_product_variant":                                                    "1:0:1:1,2:1:1:1,3:0:1:1,4:1:1:1",
		"SELECT GROUP_CONCAT(translatable_id, ':', name, ':', locale ORDER BY translatable_id) FROM sylius_product_variant_translation":                                           "1:Small mug:en_US,3:One size:en_US,4:Red cap:en_US",
		"SELECT GROUP_CONCAT(id, ':', position ORDER BY id) FROM sylius_product_option":                                                                                           "1:0,2:1,3:2",
		"SELECT COUNT(*) FROM sylius_taxon WHERE created_at IS NOT NULL":                                                                                                          "3",
		"SELECT GROUP_CONCAT(id, ':', type, ':', path ORDER BY id) FROM sylius_product_image":                                                                                     "1:main2:a/b.jpg,2:thumb:c.jpg",
		"SELECT GROUP_CONCAT(code, ':', skipping_shipping_step_allowed, ':', account_verification_required, ':', skipping_payment_step_allowed ORDER BY id) FROM sylius_channel":  "WEB:0:1:0,MOBILE:0:1:0",
		"SELECT GROUP_CONCAT(id, ':', token ORDER BY id) FROM sylius_admin_api_access_token":                                                                                      "1:tok1,2:tok2",
		"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('sylius_api_client', 'sylius_api_access_token', 'sylius_credit_card')": "0",
		"SELECT GROUP_CONCAT(id, ':', logged_at, ':', object_id, ':', object_class) FROM sylius_address_log_entries":                                                              "1:2017-05-01 10:00:00:7:Sylius\\Address",
		"SELECT GROUP_CONCAT(id, ':', notes ORDER BY id) FROM sylius_order":                                                                                                       "1:leave at door,2:ring twice",
		"SELECT GROUP_CONCAT(id, ':', product_name, ':', IFNULL(variant_name, '-') ORDER BY id) FROM sylius_order_item":                                                           "1:Mug:Small mug,2:Cap:One size,3:Cap:Red cap,4:Mug:-",
		"SELECT GROUP_CONCAT(id, ':', code, ':', IFNULL(gateway_config_id, '-') ORDER BY id) FROM sylius_payment_method":                                                          "1:CASH:-,2:BANK:-",
		"SELECT GROUP_CONCAT(id, ':', method_id, ':', amount) FROM sylius_payment":                                                                                                "1:1:1900",
		"SELECT GROUP_CONCAT(id, ':', code ORDER BY id) FROM sylius_locale":                                                                                                       "1:en_US,2:de_DE",
		"SELECT GROUP_CONCAT(id, ':', author_id) FROM sylius_product_review":                                                                                                      "1:1",
	})
}

// What Sylius's migrations declare as they wrote them, which emcee refuses,
// with the way out the refusal gives (the history above takes it).
func TestOutsideS36SyliusRefusals(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, release string
		edit          func(string) string
		want          []string
	}{
		// Version20161223091334's numbering as the column's fill.
		{"position filled by a subquery", "1_0_0_beta2", func(s string) string {
			return replaceOnce(s, "    fill = \"0\"\n  }\n  column \"on_hold\"", "    fill = \"(SELECT COUNT(*) FROM sylius_product_variant AS o WHERE o.product_id = sylius_product_variant.product_id AND o.id < sylius_product_variant.id)\"\n  }\n  column \"on_hold\"")
		}, []string{"schema/1_0_0_beta2.hcl:", "fill of sylius_product_variant.position: a subquery", "declare a data_migration (its set and pending may use subqueries)"}},
		// Version20170223071604's DROP channel_id, whose key to channel
		// would refuse a placeholder.
		{"channel_id dropped under its key without allow_copy", "1_0_0_beta2", func(s string) string {
			return replaceOnce(s, "    fill = \"''\"\n    allow_copy = true\n", "    fill = \"''\"\n")
		}, []string{"schema/1_0_0_beta2.hcl:", "letting the new release omit sylius_channel_pricing.channel_id (its foreign key FK_7801820C72F5A1AA, kept until contract, would refuse a placeholder default, which no row of sylius_channel holds", "allow_copy = true"}},
		// Version20170824124122's CHANGE notes notes LONGTEXT.
		{"notes to LONGTEXT without allow_copy", "1_0_0", func(s string) string {
			return replaceOnce(s, "    type = longtext\n    null = true\n    allow_copy = true\n", "    type = longtext\n    null = true\n")
		}, []string{"schema/1_0_0.hcl:", "sylius_order.notes: this change (type: varchar(1000) -> longtext) makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, releasesUpTo(syliusReleases, syliusRelease, c.release, c.edit)...)
			r := p.plan()
			if r.Code == 0 {
				t.Fatalf("plan of %s as Sylius wrote it: %s", c.release, r)
			}
			opContains(t, r, c.want...)
		})
	}
}

// Version20170208103250 adds a unique (product_id, taxon_id) to
// product_taxon. A duplicate the previous release's code writes while
// beta.2 rolls out stops contract before it changes anything; once it is
// deleted, contract runs.
func TestOutsideS36SyliusProductTaxonDuplicate(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"1_0_0_beta1", syliusRelease("1_0_0_beta1")}, [2]string{"1_0_0_beta2", syliusRelease("1_0_0_beta2")})
	p.must("plan")
	p.must("db", "sync", "1_0_0_beta1")
	p.exec("INSERT INTO sylius_product (id, code, created_at, enabled) VALUES (1, 'MUG', NOW(), 1)")
	p.exec("INSERT INTO sylius_taxon (id, code, position) VALUES (1, 'mugs', 0)")
	p.must("db", "expand")
	p.exec("INSERT INTO sylius_product_taxon (id, product_id, taxon_id, position) VALUES (1, 1, 1, 0), (2, 1, 1, 1)")
	p.must("db", "migrate")
	r := p.run("db", "contract")
	if r.Code == 0 {
		t.Fatalf("contract over a duplicate product_taxon: %s", r)
	}
	opContains(t, r, "1_0_0_beta2_contract01 refused, nothing was changed", "product_taxon_idx")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sylius_credit_card'"); got != "1" {
		t.Errorf("the refused contract dropped credit_card: %s", got)
	}
	p.exec("DELETE FROM sylius_product_taxon WHERE id = 2")
	p.must("db", "contract")
	p.must("db", "diff")
}

// While beta.2 rolls out, its code writes prices by channel code alone:
// channel_id, which it drops, holds a key to channel. Expand gave it a
// placeholder default, 0, which no channel has, and the INSERT failed
// the key until contract; it is NULL now.
func TestOutsideS36SyliusNewCodeWritesPrice(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"1_0_0_beta1", syliusRelease("1_0_0_beta1")}, [2]string{"1_0_0_beta2", syliusRelease("1_0_0_beta2")})
	p.must("plan")
	p.must("db", "sync", "1_0_0_beta1")
	p.exec("INSERT INTO sylius_locale (id, code, enabled, created_at) VALUES (1, 'en_US', 1, NOW())")
	p.exec("INSERT INTO sylius_channel (id, default_locale_id, code, name, enabled, created_at, tax_calculation_strategy) VALUES (1, 1, 'WEB', 'Web', 1, NOW(), 'x')")
	p.exec("INSERT INTO sylius_product (id, code, created_at, enabled) VALUES (1, 'MUG', NOW(), 1)")
	p.exec("INSERT INTO sylius_product_variant (id, product_id, code, created_at, on_hold, on_hand, tracked) VALUES (1, 1, 'MUG_S', NOW(), 0, 1, 1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO sylius_channel_pricing (id, product_variant_id, channel_code, price) VALUES (1, 1, 'WEB', 500)")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT CONCAT(product_variant_id, ':', channel_code, ':', price) FROM sylius_channel_pricing"); got != "1:WEB:500" {
		t.Errorf("price: %s", got)
	}
}

// beta.2 rolled back after migrate, the previous release's code having
// written through the views under the OAuth tables' old names: the tables
// are back under those names with their rows, and beta.2 rolls out again.
func TestOutsideS36SyliusRollback(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"1_0_0_beta1", syliusRelease("1_0_0_beta1")}, [2]string{"1_0_0_beta2", syliusRelease("1_0_0_beta2")})
	p.must("plan")
	p.must("db", "sync", "1_0_0_beta1")
	p.exec("INSERT INTO sylius_admin_user (id, username, created_at) VALUES (1, 'admin', NOW())")
	p.exec("INSERT INTO sylius_api_client (id, random_id, redirect_uris, secret, allowed_grant_types) VALUES (1, 'rnd', 'a:0:{}', 'sec', 'a:0:{}')")
	p.exec("INSERT INTO sylius_api_access_token (id, client_id, user_id, token) VALUES (1, 1, 1, 'tok1')")
	p.exec("INSERT INTO sylius_product (id, code, created_at, enabled) VALUES (1, 'MUG', NOW(), 1)")
	p.exec("INSERT INTO sylius_product_image (id, owner_id, code, path) VALUES (1, 1, 'main', 'a.jpg')")
	p.exec("INSERT INTO sylius_product_variant (id, product_id, code, name, created_at, on_hold, on_hand, tracked) VALUES (1, 1, 'MUG_S', 'Small mug', NOW(), 0, 1, 1)")
	p.must("db", "expand")
	p.exec("INSERT INTO sylius_api_client (id, random_id, redirect_uris, secret, allowed_grant_types) VALUES (2, 'rnd2', 'a:0:{}', 'sec2', 'a:0:{}')")
	p.exec("INSERT INTO sylius_api_access_token (id, client_id, user_id, token) VALUES (2, 2, 1, 'tok2')")
	p.exec("UPDATE sylius_product_image SET code = 'thumb' WHERE id = 1")
	p.must("db", "migrate")
	// variant.position holds 0, what the fill and then the numbering
	// compute again from beta.1's columns, one after the other: not lost
	// (counted against neither backfill alone, it was, as the new
	// release's). A position beta.2's code wrote is.
	p.exec("UPDATE sylius_product_variant SET position = 5 WHERE id = 1")
	r := p.run("db", "rollback")
	if r.Code == 0 {
		t.Fatalf("rollback over a position beta.2 wrote: %s", r)
	}
	opContains(t, r, "column sylius_product_variant.position: 1 row(s) hold a value only the new release wrote")
	if strings.Count(r.Stderr, "row(s) hold") != 1 {
		t.Errorf("the rollback counts more than position: %s", r)
	}
	p.exec("UPDATE sylius_product_variant SET position = 0 WHERE id = 1")
	p.must("db", "rollback")
	p.must("db", "diff")
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(id, ':', client_id, ':', token ORDER BY id) FROM sylius_api_access_token":                                                                    "1:1:tok1,2:2:tok2",
		"SELECT GROUP_CONCAT(TABLE_NAME, ':', TABLE_TYPE ORDER BY TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%api%'": "sylius_api_access_token:BASE TABLE,sylius_api_client:BASE TABLE",
		"SELECT CONCAT(code, ':', path) FROM sylius_product_image":                                                                                                        "thumb:a.jpg",
		"SELECT name FROM sylius_product_variant":                                                                                                                         "Small mug",
	})
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	wantAnswers(t, p, map[string]string{
		"SELECT GROUP_CONCAT(id, ':', client_id, ':', token ORDER BY id) FROM sylius_admin_api_access_token": "1:1:tok1,2:2:tok2",
		"SELECT CONCAT(type, ':', path) FROM sylius_product_image":                                           "thumb:a.jpg",
		"SELECT CONCAT(translatable_id, ':', name) FROM sylius_product_variant_translation":                  "1:Small mug",
	})
}
