/*
 * test_approval.c — the approval document (Contract 2) and its checks: parsing of each kind,
 * every malformed form (ACD_EINPUT naming the field), the rules (ACD_EREFUSED: facility,
 * validity window, selectors, agreement_party, revocation), approval_load with real Ed25519 key
 * files and signatures in the contract's order of checks, revocation files, and the helpers the
 * sensor shares (domain_matches, ip_net_parse, ip_net_contains).
 *
 * Documents are written with single quotes for readability; doc() turns them into JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approval.h"
#include "keyfile.h"
#include "testutil.h"

#define SEC(s) ((acd_time)(s)*ACD_USEC)

/* 2026-10-01T00:00:00Z, 2026-10-15T12:00:00Z, 2026-10-31T23:59:59Z, 2026-12-31T23:59:59Z,
 * 2027-03-31T23:59:59Z. */
#define T_OCT1      SEC(1790812800)
#define NOW         SEC(1792065600)
#define T_OCT31_END SEC(1793491199)
#define T_DEC31_END SEC(1798761599)
#define T_MAR31_END SEC(1806537599)

static const char FF[] =
        "{'id':'APR-2026-0001','kind':'foreign-foreign','facility':'tokyo-1',"
        "'valid_from':'2026-10-01T00:00:00Z','valid_until':'2026-12-31T23:59:59Z',"
        "'selectors':[{'id':'S1','type':'ip','value':'198.51.100.0/24'},"
        "{'id':'S2','type':'domain','value':'Example-Bad.NET.'},"
        "{'id':'S3','type':'content','value':'7C2f62696e2f7368','label':'cmd:shell-dropper'}]}";

static const char FD[] = "{'id':'APR-2026-0002','kind':'foreign-domestic','facility':'tokyo-1',"
                         "'valid_from':'2026-10-01T09:00:00+09:00',"
                         "'valid_until':'2026-10-31T23:59:59.5Z',"
                         "'selectors':[{'id':'S1','type':'ip','value':'2001:db8:bad::/48'},"
                         "{'id':'S2','type':'ip','value':'203.0.113.9'}]}";

static const char AG[] = "{'id':'APR-2026-0003','kind':'agreement','facility':'tokyo-1',"
                         "'valid_from':'2026-10-01T00:00:00Z','valid_until':'2027-03-31T23:59:59Z',"
                         "'selectors':[{'id':'S1','type':'domain','value':'c2.example'}],"
                         "'agreement_party':{'operator':'OP-0001',"
                         "'prefixes':['133.5.0.0/16','2001:db8:1::/48']}}";

/* ---- helpers ---- */

/* The document with ' turned into ", in a fresh static buffer (two alternate). */
static const char *doc(const char *single_quoted)
{
	static char bufs[2][8192];
	static int which;
	char *b = bufs[which ^= 1];
	size_t n = strlen(single_quoted);
	assert_true(n < sizeof bufs[0]);
	for (size_t i = 0; i <= n; i++)
		b[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
	return b;
}

/* `base` (single-quoted) with the first `from` replaced by `to`, as JSON. */
static const char *subst(const char *base, const char *from, const char *to)
{
	static char buf[8192];
	const char *at = strstr(base, from);
	if (!at)
		fail_msg("'%s' not in the base document", from);
	size_t pre = (size_t)(at - base);
	assert_true(pre + strlen(to) + strlen(at + strlen(from)) < sizeof buf);
	memcpy(buf, base, pre);
	strcpy(buf + pre, to);
	strcat(buf, at + strlen(from));
	return doc(buf);
}

static enum acd_status parse_json(const char *json, struct approval *a, struct acd_error *e)
{
	return approval_parse((const uint8_t *)json, strlen(json), a, e);
}

static void parse_ok(const char *json, struct approval *a)
{
	struct acd_error e = {0};
	enum acd_status st = parse_json(json, a, &e);
	if (st != ACD_OK)
		fail_msg("parse failed: %s\n%s", e.msg, json);
}

/* Asserts ACD_EINPUT with a message that contains `needle`, and that nothing is left. */
static void parse_bad(const char *json, const char *needle)
{
	struct approval a;
	struct acd_error e = {0};
	enum acd_status st = parse_json(json, &a, &e);
	if (st == ACD_OK) {
		approval_free(&a);
		fail_msg("accepted: %s", json);
	}
	assert_int_equal(st, ACD_EINPUT);
	if (!strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'\n%s", e.msg, needle, json);
	assert_null(a.selectors);
	assert_null(a.party_prefixes);
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;
	if (!ipaddr_parse(s, &a))
		fail_msg("bad address in test: %s", s);
	return a;
}

/* ---- parsing valid documents ---- */

static void test_foreign_foreign_document_parses_with_every_selector_type(void **state)
{
	(void)state;
	struct approval a;
	const char *json = doc(FF);
	parse_ok(json, &a);
	assert_string_equal(a.id, "APR-2026-0001");
	assert_int_equal(a.kind, KIND_FOREIGN_FOREIGN);
	assert_string_equal(a.facility, "tokyo-1");
	assert_true(a.valid_from == T_OCT1);
	assert_true(a.valid_until == T_DEC31_END);
	assert_int_equal(a.n_selectors, 3);

	const struct selector *s = &a.selectors[0];
	assert_string_equal(s->id, "S1");
	assert_int_equal(s->type, SEL_IP);
	struct ip_addr want = addr("198.51.100.0");
	assert_int_equal(ipaddr_cmp(&s->net.addr, &want), 0);
	assert_int_equal(s->net.bits, 24);
	assert_string_equal(s->label, "");

	s = &a.selectors[1];
	assert_string_equal(s->id, "S2");
	assert_int_equal(s->type, SEL_DOMAIN);
	assert_string_equal(s->domain, "example-bad.net"); /* lower case, no trailing dot */

	s = &a.selectors[2];
	assert_string_equal(s->id, "S3");
	assert_int_equal(s->type, SEL_CONTENT);
	static const uint8_t bytes[] = {0x7c, 0x2f, 0x62, 0x69,
	                                0x6e, 0x2f, 0x73, 0x68}; /* |/bin/sh */
	assert_int_equal(s->content_len, sizeof bytes);
	assert_memory_equal(s->content, bytes, sizeof bytes);
	assert_string_equal(s->label, "cmd:shell-dropper");

	assert_int_equal(a.n_party_prefixes, 0);
	assert_null(a.party_prefixes);
	assert_string_equal(a.party_operator, "");

	uint8_t digest[32];
	crypto_generichash(digest, sizeof digest, (const uint8_t *)json, strlen(json), NULL, 0);
	assert_memory_equal(a.digest, digest, sizeof digest);
	approval_free(&a);
	assert_null(a.selectors);
	assert_int_equal(a.n_selectors, 0);
	approval_free(&a); /* twice is harmless */
}

static void test_foreign_domestic_document_parses_with_offsets_and_fractions(void **state)
{
	(void)state;
	struct approval a;
	parse_ok(doc(FD), &a);
	assert_string_equal(a.id, "APR-2026-0002");
	assert_int_equal(a.kind, KIND_FOREIGN_DOMESTIC);
	assert_true(a.valid_from == T_OCT1); /* 09:00+09:00 is midnight UTC */
	assert_true(a.valid_until == T_OCT31_END + 500000);
	assert_int_equal(a.n_selectors, 2);
	struct ip_addr want = addr("2001:db8:bad::");
	assert_int_equal(a.selectors[0].net.addr.family, 6);
	assert_int_equal(ipaddr_cmp(&a.selectors[0].net.addr, &want), 0);
	assert_int_equal(a.selectors[0].net.bits, 48);
	want = addr("203.0.113.9");
	assert_int_equal(ipaddr_cmp(&a.selectors[1].net.addr, &want), 0);
	assert_int_equal(a.selectors[1].net.bits, 32); /* a bare address is a host */
	approval_free(&a);
}

static void test_agreement_document_parses_with_its_party(void **state)
{
	(void)state;
	struct approval a;
	parse_ok(doc(AG), &a);
	assert_int_equal(a.kind, KIND_AGREEMENT);
	assert_true(a.valid_until == T_MAR31_END);
	assert_string_equal(a.party_operator, "OP-0001");
	assert_int_equal(a.n_party_prefixes, 2);
	struct ip_addr want = addr("133.5.0.0");
	assert_int_equal(ipaddr_cmp(&a.party_prefixes[0].addr, &want), 0);
	assert_int_equal(a.party_prefixes[0].bits, 16);
	want = addr("2001:db8:1::");
	assert_int_equal(ipaddr_cmp(&a.party_prefixes[1].addr, &want), 0);
	assert_int_equal(a.party_prefixes[1].bits, 48);
	assert_string_equal(a.selectors[0].domain, "c2.example");
	approval_free(&a);
}

static void test_optional_and_boundary_forms_parse(void **state)
{
	(void)state;
	struct approval a;
	/* valid_until equal to valid_from is a window of one instant. */
	parse_ok(subst(FF, "2026-12-31T23:59:59Z", "2026-10-01T00:00:00Z"), &a);
	assert_true(a.valid_from == a.valid_until);
	approval_free(&a);
	/* An empty selector list parses; the rules refuse it. */
	parse_ok(doc("{'id':'X','kind':'foreign-foreign','facility':'f',"
	             "'valid_from':'2026-10-01T00:00:00Z','valid_until':'2026-10-02T00:00:00Z',"
	             "'selectors':[]}"),
	         &a);
	assert_int_equal(a.n_selectors, 0);
	approval_free(&a);
	/* agreement_party: null is the same as absent. */
	parse_ok(subst(FF, "]}", "],'agreement_party':null}"), &a);
	assert_int_equal(a.n_party_prefixes, 0);
	approval_free(&a);
	/* A label of null is absent; unknown members are ignored. */
	parse_ok(subst(FF, "'label':'cmd:shell-dropper'", "'label':null,'note':'x'"), &a);
	assert_string_equal(a.selectors[2].label, "");
	approval_free(&a);
	/* The longest id that fits, 63 characters. */
	char id[80];
	memset(id, 'A', 63);
	id[63] = '\0';
	parse_ok(subst(FF, "APR-2026-0001", id), &a);
	assert_string_equal(a.id, id);
	approval_free(&a);
	/* Content of exactly SELECTOR_CONTENT_MAX bytes, and of one byte. */
	char hex[2 * SELECTOR_CONTENT_MAX + 1];
	for (int i = 0; i < 2 * SELECTOR_CONTENT_MAX; i++)
		hex[i] = "0123456789abcdef"[i % 16];
	hex[2 * SELECTOR_CONTENT_MAX] = '\0';
	parse_ok(subst(FF, "7C2f62696e2f7368", hex), &a);
	assert_int_equal(a.selectors[2].content_len, SELECTOR_CONTENT_MAX);
	assert_int_equal(a.selectors[2].content[0], 0x01);
	assert_int_equal(a.selectors[2].content[SELECTOR_CONTENT_MAX - 1], 0xef);
	approval_free(&a);
	parse_ok(subst(FF, "7C2f62696e2f7368", "00"), &a);
	assert_int_equal(a.selectors[2].content_len, 1);
	assert_int_equal(a.selectors[2].content[0], 0);
	approval_free(&a);
	/* ip selectors: /0 and a v6 host. */
	parse_ok(subst(FF, "198.51.100.0/24", "0.0.0.0/0"), &a);
	assert_int_equal(a.selectors[0].net.bits, 0);
	approval_free(&a);
	parse_ok(subst(FF, "198.51.100.0/24", "2001:db8::1"), &a);
	assert_int_equal(a.selectors[0].net.bits, 128);
	approval_free(&a);
}

/* ---- malformed documents ---- */

static void test_malformed_json_is_an_input_error(void **state)
{
	(void)state;
	parse_bad("", "JSON");
	parse_bad("{", "JSON");
	parse_bad("{\"id\": \"A\",}", "JSON");
	const char *full = doc(FF);
	char cut[4096];
	snprintf(cut, sizeof cut, "%.*s", (int)(strlen(full) - 2), full);
	parse_bad(cut, "JSON");
	parse_bad("[]", "(document)");
	parse_bad("\"approval\"", "approval:");
	parse_bad("null", "approval:");
	/* A NUL character inside a string. */
	parse_bad(subst(FF, "APR-2026-0001", "APR\\u0000X"), "approval:");
	/* Trailing data after the object. */
	char two[8192];
	snprintf(two, sizeof two, "%s {}", full);
	parse_bad(two, "JSON");
}

static void test_duplicate_json_key_is_an_input_error(void **state)
{
	(void)state;
	parse_bad(subst(FF, "'kind'", "'id':'APR-2026-9999','kind'"), "duplicate");
	parse_bad(subst(FF, "'kind'", "'id':'APR-2026-9999','kind'"), "\"id\"");
	parse_bad(subst(FF, "'type':'ip'", "'type':'ip','type':'domain'"), "duplicate");
	parse_bad(subst(AG, "'prefixes'", "'operator':'OP-0002','prefixes'"), "duplicate");
}

struct bad_case {
	const char *base, *from, *to, *field;
};

static void test_each_malformed_field_is_an_input_error_naming_the_field(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
	        /* id */
	        {FF, "'id':'APR-2026-0001',", "", "'id'"},
	        {FF, "'APR-2026-0001'", "7", "'id'"},
	        {FF, "'APR-2026-0001'", "''", "'id'"},
	        {FF, "'APR-2026-0001'",
	         "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'", "'id'"},
	        /* kind */
	        {FF, "'kind':'foreign-foreign',", "", "'kind'"},
	        {FF, "foreign-foreign", "foreign-both", "'kind'"},
	        {FF, "foreign-foreign", "Foreign-Foreign", "'kind'"},
	        {FF, "'foreign-foreign'", "1", "'kind'"},
	        /* facility */
	        {FF, "'facility':'tokyo-1',", "", "'facility'"},
	        {FF, "'tokyo-1'", "['tokyo-1']", "'facility'"},
	        /* times */
	        {FF, "'valid_from':'2026-10-01T00:00:00Z',", "", "'valid_from'"},
	        {FF, "2026-10-01T00:00:00Z", "2026-10-01", "'valid_from'"},
	        {FF, "2026-10-01T00:00:00Z", "2026-10-01 00:00:00Z", "'valid_from'"},
	        {FF, "2026-10-01T00:00:00Z", "2026-02-30T00:00:00Z", "'valid_from'"},
	        {FF, "2026-10-01T00:00:00Z", "2026-10-01T00:00:00", "'valid_from'"},
	        {FF, "'2026-10-01T00:00:00Z'", "1790812800", "'valid_from'"},
	        {FF, "2026-12-31T23:59:59Z", "tomorrow", "'valid_until'"},
	        {FF, "2026-12-31T23:59:59Z", "2026-13-01T00:00:00Z", "'valid_until'"},
	        {FF, "2026-12-31T23:59:59Z", "2026-09-30T23:59:59Z", "'valid_until'"},
	        {FF, "2026-12-31T23:59:59Z", "2026-10-01T08:59:59+09:00", "'valid_until'"},
	        /* selectors */
	        {FF, "'selectors':[", "'selectorz':[", "'selectors'"},
	        {FF, "'selectors':[{'id':'S1','type':'ip','value':'198.51.100.0/24'},",
	         "'selectors':'S1','x':[", "'selectors'"},
	        {FF, "{'id':'S1','type':'ip','value':'198.51.100.0/24'}", "'S1'", "'selectors'"},
	        {FF, "'id':'S1',", "", "'id'"},
	        {FF, "'id':'S1'", "'id':''", "'id'"},
	        {FF, "'type':'ip',", "", "'type'"},
	        {FF, "'type':'ip'", "'type':'regex'", "'selectors.type'"},
	        {FF, "'type':'ip'", "'type':'IP'", "'selectors.type'"},
	        {FF, "'value':'198.51.100.0/24'", "'value':''", "'value'"},
	        {FF, "'value':'198.51.100.0/24'", "'value':24", "'value'"},
	        {FF, "'S2','type':'domain'", "'S1','type':'domain'", "'selectors.id'"},
	        {FF, "'S3','type':'content'", "'S1','type':'content'", "'selectors.id'"},
	        /* content */
	        {FF, "7C2f62696e2f7368", "7c2f62696e2f736", "'selectors.value'"},
	        {FF, "7C2f62696e2f7368", "7c2f62696e2f73zz", "'selectors.value'"},
	        {FF, "7C2f62696e2f7368", "7c 2f", "'selectors.value'"},
	        {FF, "7C2f62696e2f7368", "0x7c2f", "'selectors.value'"},
	        {FF, "'label':'cmd:shell-dropper'", "'label':5", "'label'"},
	        /* ip */
	        {FF, "198.51.100.0/24", "198.51.100.0/33", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "198.51.100.0/", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "198.51.100/24", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "example.net", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "198.51.100.1/24", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "2001:db8::1/64", "'selectors.value'"},
	        {FF, "198.51.100.0/24", "2001:db8::/129", "'selectors.value'"},
	        /* domain */
	        {FF, "Example-Bad.NET.", "bad domain.net", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", "bad..net", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", ".bad.net", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", ".", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", "bad.net..", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", "bad.net/path", "'selectors.value'"},
	        {FF, "Example-Bad.NET.", "*.bad.net", "'selectors.value'"},
	        /* agreement_party */
	        {AG, "133.5.0.0/16", "133.5.0.0/8", "'agreement_party.prefixes'"},
	        {AG, "133.5.0.0/16", "133.5.0.0/33", "'agreement_party.prefixes'"},
	        {AG, "133.5.0.0/16", "japan", "'agreement_party.prefixes'"},
	        {AG, "'133.5.0.0/16'", "16", "'agreement_party.prefixes'"},
	        {AG, "'prefixes':['133.5.0.0/16','2001:db8:1::/48']", "'prefixes':[]",
	         "'agreement_party.prefixes'"},
	        {AG, "'prefixes':['133.5.0.0/16','2001:db8:1::/48']", "'prefixes':'133.5.0.0/16'",
	         "'agreement_party.prefixes'"},
	        {AG, ",'prefixes':['133.5.0.0/16','2001:db8:1::/48']", "",
	         "'agreement_party.prefixes'"},
	        {AG, "'operator':'OP-0001',", "", "'operator'"},
	        {AG, "{'operator':'OP-0001','prefixes':['133.5.0.0/16','2001:db8:1::/48']}",
	         "'OP-0001'", "'agreement_party'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		parse_bad(subst(cases[i].base, cases[i].from, cases[i].to), cases[i].field);
}

static void test_too_long_values_are_input_errors(void **state)
{
	(void)state;
	/* Content one byte over the limit. */
	char hex[2 * SELECTOR_CONTENT_MAX + 3];
	memset(hex, 'a', 2 * SELECTOR_CONTENT_MAX + 2);
	hex[2 * SELECTOR_CONTENT_MAX + 2] = '\0';
	parse_bad(subst(FF, "7C2f62696e2f7368", hex), "'selectors.value'");
	/* Far too long. */
	char *big = malloc(5000);
	assert_non_null(big);
	memset(big, 'b', 4000);
	big[4000] = '\0';
	parse_bad(subst(FF, "7C2f62696e2f7368", big), "value");
	/* A label over SELECTOR_LABEL_MAX - 1 characters. */
	memset(big, 'l', SELECTOR_LABEL_MAX);
	big[SELECTOR_LABEL_MAX] = '\0';
	parse_bad(subst(FF, "cmd:shell-dropper", big), "'label'");
	/* A domain over 253 characters. */
	for (int i = 0; i < 300; i++)
		big[i] = i % 10 == 9 ? '.' : 'd';
	strcpy(big + 300, "net");
	parse_bad(subst(FF, "Example-Bad.NET.", big), "value");
	/* A facility over 127 characters. */
	memset(big, 'f', 128);
	big[128] = '\0';
	parse_bad(subst(FF, "tokyo-1", big), "'facility'");
	free(big);
}

/* ---- rules ---- */

static enum acd_status rules(const char *json, const char *facility, acd_time now,
                             const struct revocations *rev, struct acd_error *e)
{
	struct approval a;
	parse_ok(json, &a);
	enum acd_status st = approval_check_rules(&a, facility, now, rev, e);
	approval_free(&a);
	return st;
}

static void expect_refused(const char *json, const char *facility, acd_time now,
                           const struct revocations *rev, const char *needle)
{
	struct acd_error e = {0};
	assert_int_equal(rules(json, facility, now, rev, &e), ACD_EREFUSED);
	if (needle && !strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void expect_allowed(const char *json, const char *facility, acd_time now,
                           const struct revocations *rev)
{
	struct acd_error e = {0};
	if (rules(json, facility, now, rev, &e) != ACD_OK)
		fail_msg("refused: %s", e.msg);
}

static void test_rules_allow_a_valid_approval_of_each_kind(void **state)
{
	(void)state;
	expect_allowed(doc(FF), "tokyo-1", NOW, NULL);
	expect_allowed(doc(FD), "tokyo-1", NOW, NULL);
	expect_allowed(doc(AG), "tokyo-1", NOW, NULL);
	/* A NULL facility skips that check. */
	expect_allowed(doc(FF), NULL, NOW, NULL);
	struct revocations none = {0};
	expect_allowed(doc(FF), "tokyo-1", NOW, &none);
}

static void test_rules_refuse_the_wrong_facility(void **state)
{
	(void)state;
	expect_refused(doc(FF), "osaka-2", NOW, NULL, "osaka-2");
	expect_refused(doc(FF), "tokyo-10", NOW, NULL, "facility");
	expect_refused(doc(FF), "Tokyo-1", NOW, NULL, "facility");
	expect_refused(doc(FF), "", NOW, NULL, "facility");
}

static void test_rules_refuse_outside_the_validity_window(void **state)
{
	(void)state;
	const char *json = doc(FF);
	expect_refused(json, "tokyo-1", T_OCT1 - 1, NULL, "not valid");
	expect_allowed(json, "tokyo-1", T_OCT1, NULL);
	expect_allowed(json, "tokyo-1", T_DEC31_END, NULL);
	expect_refused(json, "tokyo-1", T_DEC31_END + 1, NULL, "not valid");
	expect_refused(json, "tokyo-1", SEC(0), NULL, NULL);
	expect_refused(json, "tokyo-1", INT64_MAX, NULL, NULL);
	/* A fractional end: valid through 23:59:59.5 and not a microsecond later. */
	json = doc(FD);
	expect_allowed(json, "tokyo-1", T_OCT31_END + 500000, NULL);
	expect_refused(json, "tokyo-1", T_OCT31_END + 500001, NULL, NULL);
}

static void test_rules_refuse_empty_selectors(void **state)
{
	(void)state;
	expect_refused(
	        doc("{'id':'X','kind':'foreign-foreign','facility':'tokyo-1',"
	            "'valid_from':'2026-10-01T00:00:00Z','valid_until':'2026-12-31T00:00:00Z',"
	            "'selectors':[]}"),
	        "tokyo-1", NOW, NULL, "selectors");
}

static void test_rules_refuse_agreement_party_on_the_wrong_kind(void **state)
{
	(void)state;
	/* agreement without a party */
	const char *no_party = subst(AG,
	                             ",'agreement_party':{'operator':'OP-0001',"
	                             "'prefixes':['133.5.0.0/16','2001:db8:1::/48']}",
	                             "");
	expect_refused(no_party, "tokyo-1", NOW, NULL, "agreement_party");
	no_party = subst(AG, "{'operator':'OP-0001','prefixes':['133.5.0.0/16','2001:db8:1::/48']}",
	                 "null");
	expect_refused(no_party, "tokyo-1", NOW, NULL, "agreement_party");
	/* a party on a non-agreement kind */
	static const char party[] =
	        "],'agreement_party':{'operator':'OP-0001','prefixes':['133.5.0.0/16']}}";
	expect_refused(subst(FF, "]}", party), "tokyo-1", NOW, NULL, "agreement_party");
	static const char fd_tail[] = "'203.0.113.9'}]}";
	char fd_party[256];
	snprintf(fd_party, sizeof fd_party, "'203.0.113.9'}%s", party);
	expect_refused(subst(FD, fd_tail, fd_party), "tokyo-1", NOW, NULL, "agreement_party");
}

static void test_rules_refuse_a_revoked_approval_at_or_after_its_time(void **state)
{
	(void)state;
	struct revocation items[] = {
	        {"APR-2026-0001", NOW},
	        {"APR-2026-0002", NOW - 1},
	        {"APR-2026-0003", NOW + 1}, /* in the future: not yet */
	        {"APR-2026-9999", NOW - SEC(86400)},
	};
	struct revocations rev = {items, 4};
	expect_refused(doc(FF), "tokyo-1", NOW, &rev, "revoked");
	expect_refused(doc(FD), "tokyo-1", NOW, &rev, "revoked");
	expect_allowed(doc(AG), "tokyo-1", NOW, &rev);
	expect_refused(doc(AG), "tokyo-1", NOW + 1, &rev, "revoked");
	/* The id must match exactly. */
	struct revocation other[] = {{"APR-2026-000", NOW - 1}, {"apr-2026-0001", NOW - 1}};
	struct revocations rev2 = {other, 2};
	expect_allowed(doc(FF), "tokyo-1", NOW, &rev2);
}

static void test_revocations_lookup_gives_the_earliest_time(void **state)
{
	(void)state;
	struct revocation items[] = {
	        {"A", SEC(300)},
	        {"B", SEC(100)},
	        {"A", SEC(200)},
	        {"A", SEC(250)},
	};
	struct revocations rev = {items, 4};
	assert_true(revocations_lookup(&rev, "A") == SEC(200));
	assert_true(revocations_lookup(&rev, "B") == SEC(100));
	assert_true(revocations_lookup(&rev, "C") == INT64_MAX);
	assert_true(revocations_lookup(NULL, "A") == INT64_MAX);
	struct revocations empty = {0};
	assert_true(revocations_lookup(&empty, "A") == INT64_MAX);
}

/* ---- approval_load with keys and signatures ---- */

static struct {
	char dir[64];
	uint8_t commission_sk[KEY_SECRET_BYTES], office_sk[KEY_SECRET_BYTES],
	        other_sk[KEY_SECRET_BYTES];
	struct approval_keys keys; /* both */
} K;

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char *kpath(const char *name)
{
	static char bufs[4][512];
	static int which;
	char *b = bufs[which = (which + 1) % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", K.dir, name);
	return b;
}

/* Writes NAME and, when sk is not NULL, NAME.sig signed with it over the exact bytes. */
static const char *write_signed(const char *name, const char *json, const uint8_t *sk)
{
	const char *path = kpath(name);
	write_bytes(path, json, strlen(json));
	if (sk) {
		char sig[128], sigpath[600];
		assert_true(sig_sign_b64((const uint8_t *)json, strlen(json), sk, sig, sizeof sig));
		strcat(sig, "\n");
		snprintf(sigpath, sizeof sigpath, "%s.sig", path);
		write_bytes(sigpath, sig, strlen(sig));
	}
	return path;
}

static int setup_keys(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(K.dir, sizeof K.dir, "/tmp/acd-approval-test-XXXXXX");
	if (!mkdtemp(K.dir))
		return -1;
	struct acd_error e;
	static const char *const names[] = {"commission.key", "office.key", "other.key"};
	uint8_t *sks[] = {K.commission_sk, K.office_sk, K.other_sk};
	for (int i = 0; i < 3; i++) {
		if (key_generate(kpath(names[i]), &e) != ACD_OK ||
		    key_read_secret(kpath(names[i]), sks[i], &e) != ACD_OK)
			return -1;
	}
	char pub[600];
	snprintf(pub, sizeof pub, "%s.pub", kpath("commission.key"));
	if (key_read_public(pub, K.keys.commission, &e) != ACD_OK)
		return -1;
	snprintf(pub, sizeof pub, "%s.pub", kpath("office.key"));
	if (key_read_public(pub, K.keys.office, &e) != ACD_OK)
		return -1;
	K.keys.has_commission = K.keys.has_office = true;
	/* The public key files hold the public half of the secret keys. */
	if (memcmp(K.keys.commission, K.commission_sk + 32, 32) != 0 ||
	    memcmp(K.keys.office, K.office_sk + 32, 32) != 0)
		return -1;
	return 0;
}

static int teardown_keys(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", K.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static enum acd_status load(const char *path, const struct approval_keys *keys,
                            const struct revocations *rev, struct approval *out,
                            struct acd_error *e)
{
	return approval_load(path, keys, "tokyo-1", NOW, rev, out, e);
}

static void expect_load(const char *path, const struct approval_keys *keys, enum acd_status want,
                        const char *needle)
{
	struct approval a;
	struct acd_error e = {0};
	enum acd_status st = load(path, keys, NULL, &a, &e);
	if (st == ACD_OK)
		approval_free(&a);
	if (st != want)
		fail_msg("%s: status %d, want %d: %s", path, st, want, e.msg);
	if (needle && !strstr(e.msg, needle))
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_load_accepts_each_kind_signed_by_the_right_key(void **state)
{
	(void)state;
	struct approval a;
	struct acd_error e = {0};
	const char *json = doc(FF);
	const char *path = write_signed("ff.json", json, K.commission_sk);
	if (load(path, &K.keys, NULL, &a, &e) != ACD_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(a.id, "APR-2026-0001");
	assert_int_equal(a.n_selectors, 3);
	uint8_t digest[32];
	crypto_generichash(digest, sizeof digest, (const uint8_t *)json, strlen(json), NULL, 0);
	assert_memory_equal(a.digest, digest, sizeof digest);
	approval_free(&a);

	expect_load(write_signed("fd.json", doc(FD), K.commission_sk), &K.keys, ACD_OK, NULL);
	expect_load(write_signed("ag.json", doc(AG), K.office_sk), &K.keys, ACD_OK, NULL);

	/* Only the key that is needed has to be given. */
	struct approval_keys only_c = {.has_commission = true};
	memcpy(only_c.commission, K.keys.commission, KEY_PUBLIC_BYTES);
	expect_load(kpath("ff.json"), &only_c, ACD_OK, NULL);
	struct approval_keys only_o = {.has_office = true};
	memcpy(only_o.office, K.keys.office, KEY_PUBLIC_BYTES);
	expect_load(kpath("ag.json"), &only_o, ACD_OK, NULL);
}

static void test_load_refuses_a_kind_signed_by_the_other_key(void **state)
{
	(void)state;
	expect_load(write_signed("ag-by-commission.json", doc(AG), K.commission_sk), &K.keys,
	            ACD_EREFUSED, "office");
	expect_load(write_signed("ff-by-office.json", doc(FF), K.office_sk), &K.keys, ACD_EREFUSED,
	            "commission");
	expect_load(write_signed("fd-by-office.json", doc(FD), K.office_sk), &K.keys, ACD_EREFUSED,
	            "commission");
	/* A key that is not given does not count. */
	struct approval_keys only_o = {.has_office = true};
	memcpy(only_o.office, K.keys.office, KEY_PUBLIC_BYTES);
	expect_load(write_signed("ff2.json", doc(FF), K.commission_sk), &only_o, ACD_EREFUSED,
	            "signature");
}

static void test_load_refuses_a_tampered_document(void **state)
{
	(void)state;
	const char *json = doc(FF);
	const char *path = write_signed("tampered.json", json, K.commission_sk);
	expect_load(path, &K.keys, ACD_OK, NULL);
	/* One byte changed after signing; the document is still well-formed. */
	char changed[4096];
	strcpy(changed, json);
	char *s1 = strstr(changed, "\"S1\"");
	assert_non_null(s1);
	s1[2] = '9';
	write_bytes(path, changed, strlen(changed));
	expect_load(path, &K.keys, ACD_EREFUSED, "signature");
	/* One byte appended. */
	strcpy(changed, json);
	strcat(changed, "\n");
	write_bytes(path, changed, strlen(changed));
	expect_load(path, &K.keys, ACD_EREFUSED, "signature");
	/* One byte removed. */
	write_bytes(path, json, strlen(json) - 1);
	expect_load(path, &K.keys, ACD_EREFUSED, "signature");
}

static void test_load_refuses_a_missing_or_bad_signature_file(void **state)
{
	(void)state;
	const char *json = doc(FF);
	expect_load(write_signed("nosig.json", json, NULL), &K.keys, ACD_EREFUSED, "signature");

	const char *path = write_signed("garbage.json", json, NULL);
	char sigpath[600];
	snprintf(sigpath, sizeof sigpath, "%s.sig", path);
	static const char *const garbage[] = {
	        "",
	        "\n",
	        "not a signature at all\n",
	        "AAAA\n", /* base64, but 3 bytes */
	        /* 63 bytes of base64 */
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	        "AA\n",
	        /* 64 zero bytes: the right length, not a valid signature */
	        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	        "AAAAA"
	        "=\n",
	};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		write_bytes(sigpath, garbage[i], strlen(garbage[i]));
		expect_load(path, &K.keys, ACD_EREFUSED, "signature");
	}
	/* A good signature by a key nobody configured. */
	expect_load(write_signed("otherkey.json", json, K.other_sk), &K.keys, ACD_EREFUSED,
	            "signature");
	/* A .sig that is a directory. */
	path = write_signed("sigdir.json", json, NULL);
	snprintf(sigpath, sizeof sigpath, "%s.sig", path);
	assert_int_equal(mkdir(sigpath, 0700), 0);
	expect_load(path, &K.keys, ACD_EREFUSED, "signature");
	/* A good signature of another document. */
	path = write_signed("swapped.json", doc(FD), NULL);
	snprintf(sigpath, sizeof sigpath, "%s.sig", path);
	write_signed("ff-for-swap.json", doc(FF), K.commission_sk);
	char ffsig[600];
	snprintf(ffsig, sizeof ffsig, "%s.sig", kpath("ff-for-swap.json"));
	assert_int_equal(rename(ffsig, sigpath), 0);
	expect_load(path, &K.keys, ACD_EREFUSED, "signature");
}

static void test_load_refuses_everything_without_keys(void **state)
{
	(void)state;
	struct approval_keys none = {0};
	expect_load(write_signed("nokeys-ff.json", doc(FF), K.commission_sk), &none, ACD_EREFUSED,
	            "no key");
	expect_load(write_signed("nokeys-ag.json", doc(AG), K.office_sk), &none, ACD_EREFUSED,
	            "signature");
}

static void test_load_checks_signature_then_form_then_rules(void **state)
{
	(void)state;
	/* Malformed and unsigned: refused (3), not malformed (2). */
	expect_load(write_signed("bad-unsigned.json", "{not json", NULL), &K.keys, ACD_EREFUSED,
	            "signature");
	expect_load(write_signed("bad-wrongkey.json", "{not json", K.other_sk), &K.keys,
	            ACD_EREFUSED, "signature");
	const char *no_kind = subst(FF, "'kind':'foreign-foreign',", "");
	expect_load(write_signed("nokind-unsigned.json", no_kind, NULL), &K.keys, ACD_EREFUSED,
	            "signature");
	/* Malformed but signed: malformed (2), the message naming the file and the field. */
	const char *path = write_signed("nokind-signed.json", no_kind, K.commission_sk);
	struct approval a;
	struct acd_error e = {0};
	assert_int_equal(load(path, &K.keys, NULL, &a, &e), ACD_EINPUT);
	if (!strstr(e.msg, path) || !strstr(e.msg, "'kind'"))
		fail_msg("message '%s' should name %s and 'kind'", e.msg, path);
	expect_load(write_signed("notjson-signed.json", "{not json", K.office_sk), &K.keys,
	            ACD_EINPUT, "JSON");
	/* Well-formed and signed, but against the rules: refused (3). */
	expect_load(write_signed("expired.json",
	                         subst(FF, "2026-12-31T23:59:59Z", "2026-10-02T00:00:00Z"),
	                         K.commission_sk),
	            &K.keys, ACD_EREFUSED, "not valid");
	expect_load(write_signed("osaka.json", subst(FF, "tokyo-1", "osaka-2"), K.commission_sk),
	            &K.keys, ACD_EREFUSED, "osaka-2");
	expect_load(write_signed("nosel.json",
	                         doc("{'id':'X','kind':'foreign-foreign','facility':'tokyo-1',"
	                             "'valid_from':'2026-10-01T00:00:00Z',"
	                             "'valid_until':'2026-12-31T00:00:00Z','selectors':[]}"),
	                         K.commission_sk),
	            &K.keys, ACD_EREFUSED, "selectors");
	/* The kind/key check comes before the rules: an agreement signed by the commission for
	 * another facility is refused for its key. */
	expect_load(write_signed("ag-osaka.json", subst(AG, "tokyo-1", "osaka-2"), K.commission_sk),
	            &K.keys, ACD_EREFUSED, "office");
}

static void test_load_of_a_missing_approval_file_is_an_input_error(void **state)
{
	(void)state;
	expect_load(kpath("does-not-exist.json"), &K.keys, ACD_EINPUT, "does-not-exist.json");
}

static void test_load_works_without_an_error_struct(void **state)
{
	(void)state;
	struct approval a;
	const char *path = write_signed("noerr-ff.json", doc(FF), K.commission_sk);
	assert_int_equal(approval_load(path, &K.keys, "tokyo-1", NOW, NULL, &a, NULL), ACD_OK);
	approval_free(&a);
	path = write_signed("noerr-bad.json", subst(FF, "'kind':'foreign-foreign',", ""),
	                    K.commission_sk);
	assert_int_equal(approval_load(path, &K.keys, "tokyo-1", NOW, NULL, &a, NULL), ACD_EINPUT);
	path = write_signed("noerr-unsigned.json", doc(FF), NULL);
	assert_int_equal(approval_load(path, &K.keys, "tokyo-1", NOW, NULL, &a, NULL),
	                 ACD_EREFUSED);
}

static void test_load_refuses_a_revoked_approval(void **state)
{
	(void)state;
	const char *path = write_signed("rev-ff.json", doc(FF), K.commission_sk);
	struct revocation items[] = {{"APR-2026-0001", NOW - 1}};
	struct revocations rev = {items, 1};
	struct approval a;
	struct acd_error e = {0};
	assert_int_equal(load(path, &K.keys, &rev, &a, &e), ACD_EREFUSED);
	assert_non_null(strstr(e.msg, "revoked"));
	items[0].at = NOW + SEC(60);
	assert_int_equal(load(path, &K.keys, &rev, &a, &e), ACD_OK);
	approval_free(&a);
}

/* ---- revocation files ---- */

static int warn_count;
static char warn_last[1024];

static void on_warn(const char *msg)
{
	warn_count++;
	snprintf(warn_last, sizeof warn_last, "%s", msg);
}

static const char *revdir(const char *name)
{
	static char d[512];
	snprintf(d, sizeof d, "%s", kpath(name));
	assert_int_equal(mkdir(d, 0700), 0);
	return d;
}

static void write_in(const char *dir, const char *name, const char *json, const uint8_t *sk)
{
	char rel[256];
	snprintf(rel, sizeof rel, "%s/%s", dir + strlen(K.dir) + 1, name);
	write_signed(rel, json, sk);
}

static void test_revocations_load_reads_signed_files_and_skips_bad_ones(void **state)
{
	(void)state;
	const char *dir = revdir("rev1");
	write_in(dir, "REVOKE-APR-2026-0001.json",
	         doc("{'revokes':'APR-2026-0001','at':'2026-10-10T00:00:00Z'}"), K.commission_sk);
	write_in(dir, "REVOKE-APR-2026-0003.json",
	         doc("{'revokes':'APR-2026-0003','at':'2026-10-20T09:00:00+09:00'}"), K.office_sk);
	/* A bad signature: skipped with a warning. */
	write_in(dir, "REVOKE-APR-2026-0002.json",
	         doc("{'revokes':'APR-2026-0002','at':'2026-10-10T00:00:00Z'}"), K.other_sk);
	/* Signed but malformed: skipped with a warning. */
	write_in(dir, "REVOKE-APR-2026-0004.json", doc("{'revokes':'APR-2026-0004'}"),
	         K.commission_sk);
	write_in(dir, "REVOKE-APR-2026-0005.json",
	         doc("{'revokes':'APR-2026-0005','at':'yesterday'}"), K.commission_sk);
	/* No signature: skipped with a warning. */
	write_in(dir, "REVOKE-APR-2026-0006.json",
	         doc("{'revokes':'APR-2026-0006','at':'2026-10-10T00:00:00Z'}"), NULL);
	/* Other names are ignored, even when signed. */
	write_in(dir, "APR-2026-0007.json",
	         doc("{'revokes':'APR-2026-0007','at':'2026-10-10T00:00:00Z'}"), K.commission_sk);
	write_in(dir, "revoke-APR-2026-0008.json",
	         doc("{'revokes':'APR-2026-0008','at':'2026-10-10T00:00:00Z'}"), K.commission_sk);
	write_in(dir, "REVOKE-APR-2026-0009.json.bak",
	         doc("{'revokes':'APR-2026-0009','at':'2026-10-10T00:00:00Z'}"), K.commission_sk);
	write_in(dir, "REVOKE-.json",
	         doc("{'revokes':'APR-2026-0010','at':'2026-10-10T00:00:00Z'}"), K.commission_sk);
	write_in(dir, "notes.txt", "REVOKE everything", NULL);

	warn_count = 0;
	struct revocations rev;
	struct acd_error e = {0};
	assert_int_equal(revocations_load(dir, &K.keys, &rev, on_warn, &e), ACD_OK);
	assert_int_equal(rev.n, 2);
	assert_int_equal(warn_count, 4);
	acd_time oct10 = T_OCT1 + SEC(9 * 86400), oct20 = T_OCT1 + SEC(19 * 86400);
	assert_true(revocations_lookup(&rev, "APR-2026-0001") == oct10);
	assert_true(revocations_lookup(&rev, "APR-2026-0003") == oct20);
	static const char *const absent[] = {"APR-2026-0002", "APR-2026-0004", "APR-2026-0005",
	                                     "APR-2026-0006", "APR-2026-0007", "APR-2026-0008",
	                                     "APR-2026-0009", "APR-2026-0010"};
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		assert_true(revocations_lookup(&rev, absent[i]) == INT64_MAX);
	revocations_free(&rev);
	assert_null(rev.items);
	assert_int_equal(rev.n, 0);

	/* The warning callback may be NULL. */
	assert_int_equal(revocations_load(dir, &K.keys, &rev, NULL, &e), ACD_OK);
	assert_int_equal(rev.n, 2);
	revocations_free(&rev);
}

static void test_revocations_warning_names_the_file(void **state)
{
	(void)state;
	const char *dir = revdir("rev2");
	write_in(dir, "REVOKE-X.json", doc("{'revokes':'X','at':'2026-10-10T00:00:00Z'}"),
	         K.other_sk);
	warn_count = 0;
	struct revocations rev;
	struct acd_error e = {0};
	assert_int_equal(revocations_load(dir, &K.keys, &rev, on_warn, &e), ACD_OK);
	assert_int_equal(rev.n, 0);
	assert_int_equal(warn_count, 1);
	assert_non_null(strstr(warn_last, "REVOKE-X.json"));
	revocations_free(&rev);
}

static void test_revocations_of_one_id_take_the_earliest_time(void **state)
{
	(void)state;
	const char *dir = revdir("rev3");
	write_in(dir, "REVOKE-A.json", doc("{'revokes':'A','at':'2026-10-20T00:00:00Z'}"),
	         K.commission_sk);
	write_in(dir, "REVOKE-A-again.json", doc("{'revokes':'A','at':'2026-10-05T00:00:00Z'}"),
	         K.commission_sk);
	write_in(dir, "REVOKE-A-late.json", doc("{'revokes':'A','at':'2026-11-05T00:00:00Z'}"),
	         K.office_sk);
	struct revocations rev;
	struct acd_error e = {0};
	assert_int_equal(revocations_load(dir, &K.keys, &rev, on_warn, &e), ACD_OK);
	assert_int_equal(rev.n, 3);
	assert_true(revocations_lookup(&rev, "A") == T_OCT1 + SEC(4 * 86400));
	revocations_free(&rev);
}

static void test_revocations_from_a_missing_or_empty_directory(void **state)
{
	(void)state;
	struct revocations rev;
	struct acd_error e = {0};
	assert_int_equal(revocations_load(kpath("no-such-dir"), &K.keys, &rev, on_warn, &e),
	                 ACD_EINPUT);
	assert_non_null(strstr(e.msg, "no-such-dir"));
	assert_int_equal(rev.n, 0);
	const char *dir = revdir("rev-empty");
	assert_int_equal(revocations_load(dir, &K.keys, &rev, on_warn, &e), ACD_OK);
	assert_int_equal(rev.n, 0);
	revocations_free(&rev);
}

static void test_loaded_revocation_refuses_a_loaded_approval(void **state)
{
	(void)state;
	const char *dir = revdir("rev4");
	write_in(dir, "REVOKE-APR-2026-0003.json",
	         doc("{'revokes':'APR-2026-0003','at':'2026-10-15T12:00:00Z'}"), K.office_sk);
	struct revocations rev;
	struct acd_error e = {0};
	assert_int_equal(revocations_load(dir, &K.keys, &rev, on_warn, &e), ACD_OK);
	const char *path = write_signed("rev-ag.json", doc(AG), K.office_sk);
	struct approval a;
	assert_int_equal(approval_load(path, &K.keys, "tokyo-1", NOW - 1, &rev, &a, &e), ACD_OK);
	approval_free(&a);
	assert_int_equal(approval_load(path, &K.keys, "tokyo-1", NOW, &rev, &a, &e), ACD_EREFUSED);
	assert_non_null(strstr(e.msg, "revoked"));
	revocations_free(&rev);
}

/* ---- helpers the sensor shares ---- */

static void test_domain_matches_the_name_and_its_subdomains_only(void **state)
{
	(void)state;
	assert_true(domain_matches("example.net", "example.net"));
	assert_true(domain_matches("www.example.net", "example.net"));
	assert_true(domain_matches("a.b.c.example.net", "example.net"));
	assert_true(domain_matches("x.net", "net"));
	assert_false(domain_matches("badexample.net", "example.net"));
	assert_false(domain_matches("example.net.evil", "example.net"));
	assert_false(domain_matches("example.com", "example.net"));
	assert_false(domain_matches("net", "example.net"));
	assert_false(domain_matches("", "example.net"));
	assert_false(domain_matches("xample.net", "example.net"));
	/* Both sides are expected in lower case without a trailing dot (the parsers and the
	 * approval loader normalise them); the helper itself compares bytes. */
	assert_false(domain_matches("WWW.EXAMPLE.NET", "example.net"));
	assert_false(domain_matches("example.net.", "example.net"));
	/* A selector written in mixed case with a trailing dot matches after normalising. */
	struct approval a;
	parse_ok(doc(FF), &a);
	assert_true(domain_matches("example-bad.net", a.selectors[1].domain));
	assert_true(domain_matches("cdn.example-bad.net", a.selectors[1].domain));
	assert_false(domain_matches("notexample-bad.net", a.selectors[1].domain));
	approval_free(&a);
}

static struct ip_net net(const char *s)
{
	struct ip_net n;
	if (!ip_net_parse(s, &n))
		fail_msg("bad net in test: %s", s);
	return n;
}

static bool contains(const char *cidr, const char *a)
{
	struct ip_net n = net(cidr);
	struct ip_addr x = addr(a);
	return ip_net_contains(&n, &x);
}

static void test_ip_net_contains_for_v4_v6_and_zero_length(void **state)
{
	(void)state;
	assert_true(contains("198.51.100.0/24", "198.51.100.0"));
	assert_true(contains("198.51.100.0/24", "198.51.100.255"));
	assert_false(contains("198.51.100.0/24", "198.51.99.255"));
	assert_false(contains("198.51.100.0/24", "198.51.101.0"));
	assert_true(contains("10.16.0.0/12", "10.31.255.255"));
	assert_false(contains("10.16.0.0/12", "10.32.0.0"));
	assert_false(contains("10.16.0.0/12", "10.15.255.255"));
	assert_true(contains("203.0.113.9", "203.0.113.9"));
	assert_false(contains("203.0.113.9", "203.0.113.8"));
	assert_true(contains("0.0.0.0/0", "0.0.0.0"));
	assert_true(contains("0.0.0.0/0", "255.255.255.255"));
	assert_false(contains("0.0.0.0/0", "::"));
	assert_false(contains("0.0.0.0/0", "::ffff:1.2.3.4"));

	assert_true(contains("2001:db8:bad::/48", "2001:db8:bad::"));
	assert_true(contains("2001:db8:bad::/48", "2001:db8:bad:ffff:ffff:ffff:ffff:ffff"));
	assert_false(contains("2001:db8:bad::/48", "2001:db8:bae::"));
	assert_true(contains("2001:db8::/127", "2001:db8::1"));
	assert_false(contains("2001:db8::/127", "2001:db8::2"));
	assert_true(contains("2001:db8::5", "2001:db8::5"));
	assert_false(contains("2001:db8::5", "2001:db8::4"));
	assert_true(contains("::/0", "::"));
	assert_true(contains("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(contains("::/0", "0.0.0.0"));
}

static void test_ip_net_parse_rejects_what_it_cannot_mean_exactly(void **state)
{
	(void)state;
	struct ip_net n;
	n = net("203.0.113.0/24");
	assert_int_equal(n.bits, 24);
	n = net("203.0.113.7");
	assert_int_equal(n.bits, 32);
	n = net("2001:db8::");
	assert_int_equal(n.bits, 128);
	n = net("::/0");
	assert_int_equal(n.bits, 0);
	static const char *const bad[] = {
	        "",
	        "/24",
	        "203.0.113.0/",
	        "203.0.113.0/33",
	        "203.0.113.1/24",
	        "203.0.113.0/2x",
	        "203.0.113.0/-1",
	        "203.0.113",
	        "203.0.113.0/24/24",
	        "2001:db8::1/64",
	        "2001:db8::/129",
	        "::/1000",
	        "example.net",
	        "203.0.113.0 /24",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ip_net_parse(bad[i], &n))
			fail_msg("accepted '%s'", bad[i]);
	char longs[200];
	memset(longs, '1', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	assert_false(ip_net_parse(longs, &n));
}

static void test_kind_names_round_trip(void **state)
{
	(void)state;
	static const enum approval_kind kinds[] = {KIND_FOREIGN_FOREIGN, KIND_FOREIGN_DOMESTIC,
	                                           KIND_AGREEMENT};
	for (int i = 0; i < 3; i++) {
		enum approval_kind k;
		assert_true(approval_kind_parse(approval_kind_name(kinds[i]), &k));
		assert_int_equal(k, kinds[i]);
	}
	assert_string_equal(approval_kind_name(KIND_FOREIGN_DOMESTIC), "foreign-domestic");
	enum approval_kind k;
	assert_false(approval_kind_parse("", &k));
	assert_false(approval_kind_parse("agreement ", &k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_foreign_foreign_document_parses_with_every_selector_type),
	        cmocka_unit_test(test_foreign_domestic_document_parses_with_offsets_and_fractions),
	        cmocka_unit_test(test_agreement_document_parses_with_its_party),
	        cmocka_unit_test(test_optional_and_boundary_forms_parse),
	        cmocka_unit_test(test_malformed_json_is_an_input_error),
	        cmocka_unit_test(test_duplicate_json_key_is_an_input_error),
	        cmocka_unit_test(test_each_malformed_field_is_an_input_error_naming_the_field),
	        cmocka_unit_test(test_too_long_values_are_input_errors),
	        cmocka_unit_test(test_rules_allow_a_valid_approval_of_each_kind),
	        cmocka_unit_test(test_rules_refuse_the_wrong_facility),
	        cmocka_unit_test(test_rules_refuse_outside_the_validity_window),
	        cmocka_unit_test(test_rules_refuse_empty_selectors),
	        cmocka_unit_test(test_rules_refuse_agreement_party_on_the_wrong_kind),
	        cmocka_unit_test(test_rules_refuse_a_revoked_approval_at_or_after_its_time),
	        cmocka_unit_test(test_revocations_lookup_gives_the_earliest_time),
	        cmocka_unit_test(test_load_accepts_each_kind_signed_by_the_right_key),
	        cmocka_unit_test(test_load_refuses_a_kind_signed_by_the_other_key),
	        cmocka_unit_test(test_load_refuses_a_tampered_document),
	        cmocka_unit_test(test_load_refuses_a_missing_or_bad_signature_file),
	        cmocka_unit_test(test_load_refuses_everything_without_keys),
	        cmocka_unit_test(test_load_checks_signature_then_form_then_rules),
	        cmocka_unit_test(test_load_of_a_missing_approval_file_is_an_input_error),
	        cmocka_unit_test(test_load_works_without_an_error_struct),
	        cmocka_unit_test(test_load_refuses_a_revoked_approval),
	        cmocka_unit_test(test_revocations_load_reads_signed_files_and_skips_bad_ones),
	        cmocka_unit_test(test_revocations_warning_names_the_file),
	        cmocka_unit_test(test_revocations_of_one_id_take_the_earliest_time),
	        cmocka_unit_test(test_revocations_from_a_missing_or_empty_directory),
	        cmocka_unit_test(test_loaded_revocation_refuses_a_loaded_approval),
	        cmocka_unit_test(test_domain_matches_the_name_and_its_subdomains_only),
	        cmocka_unit_test(test_ip_net_contains_for_v4_v6_and_zero_length),
	        cmocka_unit_test(test_ip_net_parse_rejects_what_it_cannot_mean_exactly),
	        cmocka_unit_test(test_kind_names_round_trip),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
