/*
 * test_record_line.c — the strict parser acdd reads every selected-record line with
 * (record_line.h) and the checks on what it reads (record_line_well_formed, record_line_within):
 * a sensor's line read field by field; string escapes, surrogate pairs, UTF-8; duplicate,
 * missing and extra keys; wrong types; integers at and beyond 64 bits; numbers by the JSON
 * grammar; whitespace; NUL bytes; trailing garbage; nesting depth; the buffers reused from line
 * to line. Where jansson (what ingest used before) accepts, the parser accepts; where it
 * refuses, the parser refuses: fuzz_record_line checks that over random input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_check.h"
#include "record_line.h"

/* A line as acd-sensor writes it (Contract 4's example). */
static const char sensor_line[] =
        "{\"type\":\"flow\",\"id\":\"t-1:000000000042\",\"sensor\":\"t-1\","
        "\"approval\":\"APR-FF\",\"selectors\":[\"S1\",\"S3\"],\"direction\":\"foreign-foreign\","
        "\"first\":\"2026-10-09T08:50:00.123456Z\",\"last\":\"2026-10-09T08:50:02.000001Z\","
        "\"proto\":6,\"src\":\"198.51.100.7\",\"sport\":51512,\"dst\":\"203.0.113.3\","
        "\"dport\":443,\"packets\":12,\"bytes\":3456,\"rpackets\":10,\"rbytes\":12000,"
        "\"tcp_flags\":\"APSF\",\"icmp_type\":null,\"icmp_code\":null,\"app\":\"tls\","
        "\"dns_qname\":null,\"tls_sni\":\"c2.example-bad.net\","
        "\"tls_ja3\":\"e7d705a3286e19ea42f587b344ee6865\",\"http_method\":null,"
        "\"http_host\":null,\"http_user_agent\":null,"
        "\"signatures\":[{\"id\":\"S3\",\"label\":\"cmd:shell-dropper\"}]}";

static struct record_line line; /* reused by every test, as ingest reuses it */
static char why[300];

/* `base` with the first `from` replaced by `to` (static storage, two buffers in turn, so
 * that a result may be the next call's base). */
static const char *with_in(const char *base, const char *from, const char *to)
{
	static char bufs[2][8192];
	static int turn;
	char *buf = bufs[turn ^= 1];
	const char *at = strstr(base, from);
	assert_non_null(at);
	snprintf(buf, sizeof bufs[0], "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return buf;
}

/* The sensor's line with the first `from` replaced by `to`. */
static const char *with(const char *from, const char *to)
{
	return with_in(sensor_line, from, to);
}

static bool parse_n(const char *text, size_t len)
{
	why[0] = '\0';
	bool ok = record_line_parse(text, len, &line, why, sizeof why);
	if (!ok)
		assert_true(why[0] != '\0'); /* a refusal always says why */
	return ok;
}

static bool parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* Asserts that `text` is refused as not JSON, the reason containing `needle`. */
static void refused(const char *text, const char *needle)
{
	if (parse(text))
		fail_msg("accepted: %s", text);
	assert_int_equal(line.refusal, RL_NOT_JSON);
	if (needle && !strstr(why, needle))
		fail_msg("reason '%s' lacks '%s' (input: %.200s)", why, needle, text);
}

/* Asserts that `text` parses but is not well formed, the reason being `reason`. */
static void malformed(const char *text, const char *reason)
{
	if (!parse(text))
		fail_msg("refused (%s): %.200s", why, text);
	assert_false(record_line_well_formed(&line, why, sizeof why));
	assert_string_equal(why, reason);
}

static void assert_str(enum record_key k, const char *want)
{
	const char *s = record_line_str(&line, k);
	assert_non_null(s);
	assert_string_equal(s, want);
	assert_int_equal(line.v[k].len, strlen(want));
}

static void test_a_sensor_line_is_read_field_by_field(void **state)
{
	(void)state;
	assert_true(parse(sensor_line));
	assert_true(record_line_well_formed(&line, why, sizeof why));
	assert_int_equal(line.n_keys, RECORD_KEYS);
	assert_str(RK_TYPE, "flow");
	assert_str(RK_ID, "t-1:000000000042");
	assert_str(RK_SENSOR, "t-1");
	assert_str(RK_FIRST, "2026-10-09T08:50:00.123456Z");
	assert_str(RK_TLS_SNI, "c2.example-bad.net");
	assert_int_equal(line.v[RK_PROTO].num, 6);
	assert_int_equal(line.v[RK_RBYTES].num, 12000);
	assert_int_equal(line.v[RK_ICMP_TYPE].kind, RJ_NULL);
	assert_null(record_line_str(&line, RK_HTTP_HOST));
	assert_int_equal(line.n_selectors, 2);
	assert_string_equal(line.selectors[0], "S1");
	assert_string_equal(line.selectors[1], "S3");
	assert_int_equal(line.n_signatures, 1);
	assert_string_equal(line.signature_ids[0], "S3");
}

static void test_escapes_are_decoded(void **state)
{
	(void)state;
	assert_true(parse(with("\"sensor\":\"t-1\"", "\"sensor\":\"\\u0074-\\u0031\"")));
	assert_str(RK_SENSOR, "t-1");
	assert_true(parse(with("\"type\":\"flow\"", "\"\\u0074ype\":\"fl\\u006Fw\"")));
	assert_true(record_line_well_formed(&line, why, sizeof why));
	assert_true(parse(with("APSF", "\\\"\\\\\\/\\b\\f\\n\\r\\t")));
	assert_str(RK_TCP_FLAGS, "\"\\/\b\f\n\r\t");
	assert_true(parse(with("APSF", "\\u00e9\\u65e5\\u007f")));
	assert_str(RK_TCP_FLAGS, "\xc3\xa9\xe6\x97\xa5\x7f");
	refused(with("APSF", "\\x41"), "invalid escape");
	refused(with("APSF", "\\u00G1"), "four hex digits");
	refused(with("APSF", "\\u12"), "four hex digits");
	refused(with("APSF", "\\u0000"), "\\u0000");
}

static void test_surrogate_pairs_join_and_lone_surrogates_are_refused(void **state)
{
	(void)state;
	assert_true(parse(with("APSF", "\\ud83d\\uDE00")));
	assert_str(RK_TCP_FLAGS, "\xf0\x9f\x98\x80");
	assert_true(parse(with("APSF", "\\uDBFF\\uDFFF")));
	assert_str(RK_TCP_FLAGS, "\xf4\x8f\xbf\xbf");
	refused(with("APSF", "\\ud83d"), "high surrogate");
	refused(with("APSF", "\\ud83dx"), "high surrogate");
	refused(with("APSF", "\\ud83d\\n"), "high surrogate");
	refused(with("APSF", "\\ud83d\\u0041"), "high surrogate");
	refused(with("APSF", "\\ud83d\\ud83d"), "high surrogate");
	refused(with("APSF", "\\ude00"), "low surrogate");
}

static void test_raw_utf8_must_be_valid(void **state)
{
	(void)state;
	assert_true(parse(with("APSF", "b\xc3\xbc"
	                               "cher \xe6\x97\xa5 \xf0\x9f\x98\x80")));
	assert_str(RK_TCP_FLAGS, "b\xc3\xbc"
	                         "cher \xe6\x97\xa5 \xf0\x9f\x98\x80");
	static const char *const bad[] = {
	        "\x80",             /* a continuation byte first */
	        "\xc0\xaf",         /* overlong '/' */
	        "\xc1\xbf",         /* overlong */
	        "\xe0\x80\xaf",     /* overlong, 3 bytes */
	        "\xf0\x80\x80\xaf", /* overlong, 4 bytes */
	        "\xed\xa0\x80",     /* a surrogate encoded */
	        "\xf4\x90\x80\x80", /* beyond U+10FFFF */
	        "\xf5\x80\x80\x80", /* no such lead byte */
	        "\xff",             /* never in UTF-8 */
	        "\xc3",             /* cut short by the quote */
	        "\xe6\x97",         /* cut short */
	        "\xc3\x41",         /* not a continuation */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(with("APSF", bad[i]), "UTF-8");
	refused(with("\"tcp_flags\"", "\xc3\xa9\"tcp_flags\""), NULL); /* outside a string */
}

static void test_control_characters_in_strings_are_refused(void **state)
{
	(void)state;
	refused(with("APSF", "A\tB"), "control character 0x09");
	refused(with("APSF", "A\x1f"), "control character 0x1f");
	refused(with("APSF", "A\nB"), "control character 0x0a");
	assert_true(parse(with("APSF", "A\x7f"))); /* DEL is not a control character in JSON */
}

static void test_a_key_twice_is_refused_naming_it(void **state)
{
	(void)state;
	refused(with("\"proto\":6,", "\"proto\":6,\"proto\":6,"), "duplicate key \"proto\"");
	refused(with("\"id\":", "\"\\u0069d\":\"x\",\"id\":"), "duplicate key \"id\"");
	refused(with("\"proto\":6,", "\"x\":1,\"proto\":6,\"x\":2,"), "duplicate key \"x\"");
	refused(with("\"label\":", "\"id\":\"S4\",\"label\":"), "duplicate key \"id\"");
	refused(with("\"label\":", "\"o\":{\"a\":1,\"b\":{\"a\":1},\"a\":2},\"label\":"),
	        "duplicate key \"a\"");
	/* A long key is shown cut, never inside a UTF-8 sequence (the reply must stay UTF-8). */
	char key[200];
	snprintf(key, sizeof key, "\"o\":{\"%059d\xc3\xa9z\":1,\"%059d\xc3\xa9z\":2},\"label\":", 0,
	         0);
	refused(with("\"label\":", key), "duplicate key \"00000");
	assert_null(strstr(why, "\xc3"));
	/* The same key in two objects is no duplicate. */
	assert_true(parse(with("\"label\":", "\"o\":{\"id\":1,\"b\":{\"id\":1}},\"label\":")));
	assert_string_equal(line.signature_ids[0], "S3");
}

static void test_missing_and_extra_keys_are_named(void **state)
{
	(void)state;
	malformed(with("\"app\":\"tls\",", ""), "app: missing or of the wrong type");
	malformed(with("\"type\":\"flow\",", ""), "type: missing or of the wrong type");
	malformed(with("\"proto\":6,", "\"proto\":6,\"extra\":[1,{}],"),
	          "keys beyond Contract 4's");
	malformed(with("\"type\":\"flow\"", "\"type\":\"Flow\""), "type: not \"flow\"");
	malformed("{}", "type: missing or of the wrong type");
	assert_true(parse(with("\"type\":\"flow\"", "\"type\":\"stats\"")));
	assert_string_equal(record_line_str(&line, RK_TYPE), "stats"); /* ingest names it so */
	assert_true(parse("[1, 2]") == false);
	assert_int_equal(line.refusal, RL_NOT_OBJECT);
}

static void test_wrong_types_are_named(void **state)
{
	(void)state;
	malformed(with("\"proto\":6", "\"proto\":\"6\""), "proto: missing or of the wrong type");
	malformed(with("\"proto\":6", "\"proto\":6.0"), "proto: missing or of the wrong type");
	malformed(with("\"proto\":6", "\"proto\":6e0"), "proto: missing or of the wrong type");
	malformed(with("\"proto\":6", "\"proto\":null"), "proto: missing or of the wrong type");
	malformed(with("\"proto\":6", "\"proto\":true"), "proto: missing or of the wrong type");
	malformed(with("\"proto\":6", "\"proto\":[6]"), "proto: missing or of the wrong type");
	malformed(with("\"sport\":51512", "\"sport\":{}"), "sport: missing or of the wrong type");
	malformed(with("\"id\":\"t-1:000000000042\"", "\"id\":42"),
	          "id: missing or of the wrong type");
	malformed(with("\"app\":\"tls\"", "\"app\":false"), "app: missing or of the wrong type");
	malformed(with("[\"S1\",\"S3\"]", "\"S1\""), "selectors: missing or of the wrong type");
	malformed(with("[{\"id\":\"S3\",\"label\":\"cmd:shell-dropper\"}]", "{}"),
	          "signatures: missing or of the wrong type");
	/* null where Contract 4 allows it */
	assert_true(parse(with("\"sport\":51512", "\"sport\":null")));
	assert_true(record_line_well_formed(&line, why, sizeof why));
	/* Elements of the arrays are not typed here: record_line_within judges them. */
	assert_true(parse(with("[\"S1\",\"S3\"]", "[\"S1\",7,{\"a\":[]}]")));
	assert_true(record_line_well_formed(&line, why, sizeof why));
	assert_int_equal(line.n_selectors, 3);
	assert_null(line.selectors[1]);
	assert_null(line.selectors[2]);
	assert_true(parse(with("[{\"id\":\"S3\",", "[1,{\"id\":7},\"S3\",{\"id\":\"S3\",")));
	assert_int_equal(line.n_signatures, 4);
	assert_null(line.signature_ids[0]);
	assert_null(line.signature_ids[1]);
	assert_null(line.signature_ids[2]);
	assert_string_equal(line.signature_ids[3], "S3");
}

static void test_integers_are_int64_and_non_negative(void **state)
{
	(void)state;
	assert_true(parse(with("\"bytes\":3456", "\"bytes\":9223372036854775807")));
	assert_int_equal(line.v[RK_BYTES].num, INT64_MAX);
	assert_true(record_line_well_formed(&line, why, sizeof why));
	refused(with("\"bytes\":3456", "\"bytes\":9223372036854775808"), "64 bits");
	refused(with("\"bytes\":3456", "\"bytes\":99999999999999999999999"), "64 bits");
	refused(with("\"bytes\":3456", "\"bytes\":-9223372036854775809"), "64 bits");
	malformed(with("\"bytes\":3456", "\"bytes\":-9223372036854775808"),
	          "bytes: missing or of the wrong type");
	assert_int_equal(line.v[RK_BYTES].num, INT64_MIN);
	malformed(with("\"bytes\":3456", "\"bytes\":-1"), "bytes: missing or of the wrong type");
	assert_true(parse(with("\"bytes\":3456", "\"bytes\":-0"))); /* jansson reads 0 */
	assert_int_equal(line.v[RK_BYTES].num, 0);
	assert_true(record_line_well_formed(&line, why, sizeof why));
}

static void test_numbers_follow_the_json_grammar(void **state)
{
	(void)state;
	static const char *const bad[] = {"01",  "-",     "1.",  ".5",       "+1",  "1e",   "1e+",
	                                  "0x1", "1.5.2", "--1", "Infinity", "NaN", "1_000"};
	char v[40];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(v, sizeof v, "\"proto\":%s", bad[i]);
		refused(with("\"proto\":6", v), NULL);
	}
	static const char *const reals[] = {"0.5", "-1.25e-3", "1E+2"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(v, sizeof v, "\"proto\":%s", reals[i]);
		assert_true(parse(with("\"proto\":6", v)));
		assert_int_equal(line.v[RK_PROTO].kind, RJ_REAL);
	}
	/* A real overflowing a double is refused (jansson does); one underflowing is not. */
	refused(with("\"label\":", "\"n\":1e309,\"label\":"), "overflow");
	refused(with("\"label\":", "\"n\":-1e400,\"label\":"), "overflow");
	assert_true(parse(with("\"label\":", "\"n\":1e-400,\"label\":")));
}

static void test_whitespace_is_json_whitespace_only(void **state)
{
	(void)state;
	char spaced[2048];
	size_t o = 0;
	/* Space, tab, CR and LF around every token (the line has no escaped quote). */
	bool in_string = false;
	for (const char *p = sensor_line; *p; p++) {
		in_string ^= *p == '"';
		bool token = !in_string && strchr("{}[],:", *p) != NULL;
		char space = " \t\r\n"[o % 4];
		if (token)
			spaced[o++] = space;
		spaced[o++] = *p;
		if (token)
			spaced[o++] = ' ';
	}
	spaced[o] = '\0';
	assert_true(parse(spaced));
	assert_true(record_line_well_formed(&line, why, sizeof why));
	assert_str(RK_TLS_SNI, "c2.example-bad.net");
	refused(with("\"proto\":6", "\"proto\":\f6"), NULL);
	refused(with("\"proto\":6", "\"proto\":\v6"), NULL);
	refused(with("\"proto\":6", "\"proto\":\xc2\xa0"
	                            "6"),
	        NULL);
}

static void test_nul_bytes_and_trailing_garbage_are_refused(void **state)
{
	(void)state;
	char buf[2048];
	size_t n = strlen(sensor_line);
	memcpy(buf, sensor_line, n + 1);
	assert_true(parse_n(buf, n));
	/* A NUL anywhere: after the object, after a number (jansson skips that one), in a
	 * string. */
	static const char *const where[] = {"}", ",\"dst\"", "t-1\""};
	for (size_t i = 0; i < 3; i++) {
		const char *at = strstr(sensor_line, where[i]);
		size_t k = i == 0 ? n : (size_t)(at - sensor_line) + (i == 2 ? 1 : 0);
		memcpy(buf, sensor_line, n);
		memmove(buf + k + 1, buf + k, n - k);
		buf[k] = '\0';
		assert_false(parse_n(buf, n + 1));
		assert_int_equal(line.refusal, RL_NOT_JSON);
		assert_non_null(strstr(why, "NUL"));
	}
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	char buf[2048];
	snprintf(buf, sizeof buf, "%s \r\n\t", sensor_line);
	assert_true(parse(buf));
	static const char *const tails[] = {"x", "}", ",", "{}", "\"\"", "0", "\xef\xbb\xbf"};
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		snprintf(buf, sizeof buf, "%s %s", sensor_line, tails[i]);
		refused(buf, "end of the line");
	}
	refused("", "'{' expected");
	refused("   ", "'{' expected");
	refused("\"flow\"", "'{' expected");
	refused("6", "'{' expected");
	refused(sensor_line + 1, "'{' expected");
	snprintf(buf, sizeof buf, "%.*s", (int)strlen(sensor_line) - 1, sensor_line);
	refused(buf, "the line ends");
}

static void test_nesting_is_limited_to_jansson_depth(void **state)
{
	(void)state;
	static char buf[3 * 4096];
	/* 2048 levels: the deepest jansson reads. */
	memset(buf, '[', 2048);
	memset(buf + 2048, ']', 2048);
	buf[4096] = '\0';
	assert_false(parse(buf));
	assert_int_equal(line.refusal, RL_NOT_OBJECT);
	memset(buf, '[', 2049);
	memset(buf + 2049, ']', 2049);
	buf[4098] = '\0';
	refused(buf, "nested");
	/* Inside a signature: the record (1), signatures (2), the element (3), its value (4),
	 * then n arrays around a 0 at 4 + n. */
	for (int n = 2043; n <= 2045; n++) {
		static char deep[4200];
		int o = sprintf(deep, "\"x\":");
		memset(deep + o, '[', (size_t)n);
		o += n;
		deep[o++] = '0';
		memset(deep + o, ']', (size_t)n);
		o += n;
		strcpy(deep + o, ",\"label\":");
		if (n <= 2044)
			assert_true(parse(with("\"label\":", deep)));
		else
			refused(with("\"label\":", deep), "nested");
	}
}

static void test_buffers_are_reused_from_line_to_line(void **state)
{
	(void)state;
	char big[8192];
	snprintf(big, sizeof big, "%s", with("c2.example-bad.net", ""));
	char *sni = strstr(big, "\"tls_sni\":\"") + strlen("\"tls_sni\":\"");
	memmove(sni + 3000, sni, strlen(sni) + 1);
	memset(sni, 'a', 3000);
	assert_true(parse(big));
	assert_int_equal(line.v[RK_TLS_SNI].len, 3000);
	assert_true(parse(with("[\"S1\",\"S3\"]", "[]")));
	assert_int_equal(line.n_selectors, 0);
	assert_str(RK_TLS_SNI, "c2.example-bad.net");
	assert_true(parse(sensor_line));
	assert_int_equal(line.n_selectors, 2);
}

/* record_line_within, on a foreign-foreign approval with a selector of each type. */
static void test_within_names_what_lies_outside(void **state)
{
	(void)state;
	static const char doc[] =
	        "{\"id\":\"APR-FF\",\"kind\":\"foreign-foreign\",\"facility\":\"t-1\","
	        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
	        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"198.51.100.0/24\"},"
	        "{\"id\":\"S2\",\"type\":\"domain\",\"value\":\"example-bad.net\"},"
	        "{\"id\":\"S3\",\"type\":\"content\",\"value\":\"2f62696e2f7368\",\"label\":\"sh\"}"
	        "]}";
	static const char prefixes[] = "133.0.0.0/8\n";
	struct approval a;
	struct prefix_table *pt;
	struct acd_error e;
	assert_int_equal(approval_parse((const uint8_t *)doc, strlen(doc), &a, &e), ACD_OK);
	assert_int_equal(prefix_table_parse(prefixes, strlen(prefixes), "p", NULL, &pt, &e),
	                 ACD_OK);
	assert_true(parse(sensor_line));
	assert_true(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	/* A domain selector matches an escaped, upper-case name with its trailing dot. */
	assert_true(parse(with("[\"S1\",\"S3\"]", "[\"S2\"]")));
	assert_true(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_true(parse(with_in(with("\"c2.example-bad.net\"", "\"C2.\\u0045xample-BAD.net.\""),
	                          "[\"S1\",\"S3\"]", "[\"S2\"]")));
	assert_str(RK_TLS_SNI, "C2.Example-BAD.net.");
	assert_true(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_true(parse(with_in(with("c2.example-bad.net", "c2.example-bad.org"),
	                          "[\"S1\",\"S3\"]", "[\"S2\"]")));
	assert_false(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_string_equal(why, "selectors[0]: S2 does not match this record");
	assert_true(parse(with("[\"S1\",\"S3\"]", "[\"S1\",7]")));
	assert_false(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_string_equal(why, "selectors[1]: not a selector of APR-FF");
	assert_true(parse(with("{\"id\":\"S3\"", "{\"id\":\"S4\"")));
	assert_false(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_string_equal(why, "selectors[1]: S3 does not match this record");
	assert_true(parse(with("203.0.113.3", "133.1.2.3")));
	assert_false(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_string_equal(why, "direction: the addresses make it foreign-domestic, not "
	                         "foreign-foreign");
	assert_true(parse(with("[\"S1\",\"S3\"]", "[]")));
	assert_false(record_line_within(&line, &a, INT64_MAX, pt, why, sizeof why));
	assert_string_equal(why, "selectors: a selected record names the selectors that matched");
	assert_true(parse(sensor_line));
	assert_false(record_line_within(&line, &a, (acd_time)1791535000 * ACD_USEC, pt, why,
	                                sizeof why));
	assert_string_equal(why, "last: after the approval was revoked");
	approval_free(&a);
	prefix_table_free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_a_sensor_line_is_read_field_by_field),
	        cmocka_unit_test(test_escapes_are_decoded),
	        cmocka_unit_test(test_surrogate_pairs_join_and_lone_surrogates_are_refused),
	        cmocka_unit_test(test_raw_utf8_must_be_valid),
	        cmocka_unit_test(test_control_characters_in_strings_are_refused),
	        cmocka_unit_test(test_a_key_twice_is_refused_naming_it),
	        cmocka_unit_test(test_missing_and_extra_keys_are_named),
	        cmocka_unit_test(test_wrong_types_are_named),
	        cmocka_unit_test(test_integers_are_int64_and_non_negative),
	        cmocka_unit_test(test_numbers_follow_the_json_grammar),
	        cmocka_unit_test(test_whitespace_is_json_whitespace_only),
	        cmocka_unit_test(test_nul_bytes_and_trailing_garbage_are_refused),
	        cmocka_unit_test(test_trailing_garbage),
	        cmocka_unit_test(test_nesting_is_limited_to_jansson_depth),
	        cmocka_unit_test(test_buffers_are_reused_from_line_to_line),
	        cmocka_unit_test(test_within_names_what_lies_outside),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	record_line_free(&line);
	return failed;
}
