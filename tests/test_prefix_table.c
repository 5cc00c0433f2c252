/*
 * test_prefix_table.c — the domestic prefix table (Contract 1): parsing of CIDR, `domestic`,
 * `foreign` and RIR delegated-statistics lines, errors naming FILE:LINE, the non-global ranges
 * that count as domestic by default, `foreign` exceptions, merging of overlapping and adjacent
 * ranges, the edges of the address space, and a property test that compares the compiled
 * table with a brute-force classification over thousands of random addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_table.h"
#include "testutil.h"

/* ---- helpers ---- */

/* Parses `text` (country NULL = "JP"), asserting success. */
static struct prefix_table *parse_cc(const char *text, const char *country)
{
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	enum acd_status st = prefix_table_parse(text, strlen(text), "t.txt", country, &t, &e);
	if (st != ACD_OK)
		print_error("unexpected error: %s\n", e.msg);
	assert_int_equal(st, ACD_OK);
	assert_non_null(t);
	return t;
}

static struct prefix_table *parse(const char *text)
{
	return parse_cc(text, NULL);
}

/* Asserts that `text` fails with ACD_EINPUT and that the message contains every needle. */
static void expect_error(const char *text, const char *needle1, const char *needle2)
{
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	enum acd_status st = prefix_table_parse(text, strlen(text), "t.txt", NULL, &t, &e);
	if (st == ACD_OK) {
		print_error("accepted: %s\n", text);
		prefix_table_free(t);
	}
	assert_int_equal(st, ACD_EINPUT);
	assert_null(t);
	if (needle1 && !strstr(e.msg, needle1))
		fail_msg("message '%s' lacks '%s' (input: %s)", e.msg, needle1, text);
	if (needle2 && !strstr(e.msg, needle2))
		fail_msg("message '%s' lacks '%s' (input: %s)", e.msg, needle2, text);
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;
	if (!ipaddr_parse(s, &a))
		fail_msg("bad address in test: %s", s);
	return a;
}

static bool dom(const struct prefix_table *t, const char *s)
{
	struct ip_addr a = addr(s);
	return prefix_table_is_domestic(t, &a);
}

#define assert_domestic(t, s)                                                                      \
	do {                                                                                       \
		if (!dom(t, s))                                                                    \
			fail_msg("%s should be domestic", s);                                      \
	} while (0)
#define assert_foreign(t, s)                                                                       \
	do {                                                                                       \
		if (dom(t, s))                                                                     \
			fail_msg("%s should be foreign", s);                                       \
	} while (0)

static struct prefix_table_summary summary(const struct prefix_table *t)
{
	struct prefix_table_summary s;
	prefix_table_summary(t, &s);
	return s;
}

/* ---- plain lines ---- */

static void test_plain_cidr_lines_are_domestic(void **state)
{
	(void)state;
	struct prefix_table *t = parse("133.0.0.0/8\n2001:db8:1::/48\n");
	assert_domestic(t, "133.0.0.0");
	assert_domestic(t, "133.128.7.9");
	assert_domestic(t, "133.255.255.255");
	assert_foreign(t, "132.255.255.255");
	assert_foreign(t, "134.0.0.0");
	assert_domestic(t, "2001:db8:1::");
	assert_domestic(t, "2001:db8:1:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "2001:db8:0:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "2001:db8:2::");
	assert_foreign(t, "8.8.8.8");
	assert_foreign(t, "2001:4860:4860::8888");
	assert_int_equal(summary(t).cidr_lines, 2);
	assert_int_equal(summary(t).foreign_lines, 0);
	prefix_table_free(t);
}

static void test_domestic_keyword_means_the_same_as_a_plain_cidr(void **state)
{
	(void)state;
	struct prefix_table *t = parse("domestic 133.0.0.0/8\ndomestic\t2001:db8:1::/48\n"
	                               "  domestic   203.0.113.0/24  \n");
	assert_domestic(t, "133.1.2.3");
	assert_domestic(t, "2001:db8:1::42");
	assert_domestic(t, "203.0.113.255");
	assert_foreign(t, "203.0.114.0");
	assert_foreign(t, "2001:db8:2::");
	prefix_table_free(t);
}

static void test_comments_blank_lines_and_crlf_are_skipped(void **state)
{
	(void)state;
	struct prefix_table *t = parse("# header line\n"
	                               "\n"
	                               "   \t  \n"
	                               "133.0.0.0/8   # Japan, trailing comment\n"
	                               "\t# indented comment 1.0.0.0/8\n"
	                               "#203.0.113.0/24\n"
	                               "198.51.100.0/24\r\n"
	                               "\r\n");
	assert_domestic(t, "133.0.0.1");
	assert_domestic(t, "198.51.100.1");
	assert_foreign(t, "1.0.0.1");
	assert_foreign(t, "203.0.113.1");
	assert_int_equal(summary(t).cidr_lines, 2);
	prefix_table_free(t);
}

static void test_empty_input_is_valid(void **state)
{
	(void)state;
	struct prefix_table *t = parse("");
	assert_foreign(t, "133.0.0.1");
	assert_domestic(t, "10.1.2.3");
	prefix_table_free(t);
	t = parse("# only a comment");
	assert_foreign(t, "133.0.0.1");
	prefix_table_free(t);
}

static void test_last_line_without_newline_counts(void **state)
{
	(void)state;
	struct prefix_table *t = parse("1.0.0.0/8\n133.0.0.0/8");
	assert_domestic(t, "133.0.0.1");
	prefix_table_free(t);
	expect_error("1.0.0.0/8\n133.0.0.1/8", "t.txt:2:", NULL);
}

static void test_bare_address_is_a_host_route(void **state)
{
	(void)state;
	struct prefix_table *t = parse("198.51.100.7\n2001:db8::5\ndomestic 203.0.113.9\n");
	assert_domestic(t, "198.51.100.7");
	assert_foreign(t, "198.51.100.6");
	assert_foreign(t, "198.51.100.8");
	assert_domestic(t, "2001:db8::5");
	assert_foreign(t, "2001:db8::4");
	assert_foreign(t, "2001:db8::6");
	assert_domestic(t, "203.0.113.9");
	assert_foreign(t, "203.0.113.10");
	prefix_table_free(t);
}

/* ---- errors ---- */

static void test_host_bits_set_is_an_error_naming_file_and_line(void **state)
{
	(void)state;
	expect_error("133.0.0.0/8\n# comment\n133.1.0.0/8\n", "t.txt:3:", "host bits");
	expect_error("2001:db8:1::/48\n2001:db8:1::1/48\n", "t.txt:2:", "host bits");
	expect_error("foreign 10.0.0.1/24\n", "t.txt:1:", "host bits");
	expect_error("1.0.0.0/0\n", "t.txt:1:", "host bits");
	expect_error("::1/0\n", "t.txt:1:", "host bits");

	/* Through prefix_table_load the file's own path is named. */
	const char *path =
	        tu_write_temp("hostbits.txt", "133.0.0.0/8\n\n10.0.0.0/8\n10.0.0.1/31\n");
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	assert_int_equal(prefix_table_load(path, NULL, &t, &e), ACD_EINPUT);
	assert_null(t);
	char want[300];
	snprintf(want, sizeof want, "%s:4:", path);
	if (!strstr(e.msg, want))
		fail_msg("message '%s' lacks '%s'", e.msg, want);
}

static void test_bad_prefix_length_is_an_error(void **state)
{
	(void)state;
	expect_error("133.0.0.0/33\n", "t.txt:1:", "prefix length");
	expect_error("1.0.0.0/8\n133.0.0.0/\n", "t.txt:2:", "prefix length");
	expect_error("133.0.0.0/-8\n", "t.txt:1:", "prefix length");
	expect_error("133.0.0.0/8x\n", "t.txt:1:", "prefix length");
	expect_error("133.0.0.0/+8\n", "t.txt:1:", "prefix length");
	expect_error("133.0.0.0/99999999999999999999999\n", "t.txt:1:", "prefix length");
	expect_error("2001:db8::/129\n", "t.txt:1:", "prefix length");
	expect_error("2001:db8::/ 32\n", "t.txt:1:", NULL);
}

static void test_garbage_line_is_an_error_with_its_line_number(void **state)
{
	(void)state;
	expect_error("133.0.0.0/8\n\n# c\nhello world\n10.0.0.0/8\n", "t.txt:4:", NULL);
	expect_error("133.0.0.0/8 extra\n", "t.txt:1:", "unexpected text");
	expect_error("1.0.0.0/8\n1.0.0.0/8 2.0.0.0/8\n", "t.txt:2:", NULL);
	expect_error("133.0.0\n", "t.txt:1:", "not an IP address");
	expect_error("133.0.0.256/32\n", "t.txt:1:", NULL);
	expect_error("2001:db8:::1\n", "t.txt:1:", NULL);
	expect_error("domestic\n", "t.txt:1:", NULL);
	expect_error("foreign\n", "t.txt:1:", NULL);
	expect_error("foreign nothing\n", "t.txt:1:", NULL);
	expect_error("Domestic 133.0.0.0/8\n", "t.txt:1:", NULL);
	expect_error("domestic133.0.0.0/8\n", "t.txt:1:", NULL);
	expect_error("1.0.0.0/8\n2.0.0.0/8\n3.0.0.0/8\n4.0.0.0/8\n5.0.0.0/8\n6.0.0.0/8\n7.0.0.0/8\n"
	             "8.0.0.0/8\n9.0.0.0/8\nbogus\n",
	             "t.txt:10:", NULL);
}

static void test_overlong_line_and_nul_byte_are_errors(void **state)
{
	(void)state;
	char *text = malloc(3000);
	assert_non_null(text);
	strcpy(text, "133.0.0.0/8\n#");
	size_t n = strlen(text);
	memset(text + n, 'x', 2000);
	strcpy(text + n + 2000, "\n");
	expect_error(text, "t.txt:2:", "too long");
	free(text);

	static const char nul[] = "133.0.0.0/8\n10.0.0.0/8\0junk\n";
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	assert_int_equal(prefix_table_parse(nul, sizeof nul - 1, "t.txt", NULL, &t, &e),
	                 ACD_EINPUT);
	assert_null(t);
	assert_non_null(strstr(e.msg, "t.txt:2:"));
}

static void test_missing_file_is_an_input_error(void **state)
{
	(void)state;
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	assert_int_equal(prefix_table_load("/nonexistent/acd/prefixes.txt", NULL, &t, &e),
	                 ACD_EINPUT);
	assert_null(t);
	assert_non_null(strstr(e.msg, "/nonexistent/acd/prefixes.txt"));
}

static void test_load_reads_the_file(void **state)
{
	(void)state;
	const char *path =
	        tu_write_temp("good.txt", "# test\n133.0.0.0/8\n"
	                                  "apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n");
	struct prefix_table *t = NULL;
	struct acd_error e = {0};
	assert_int_equal(prefix_table_load(path, NULL, &t, &e), ACD_OK);
	assert_domestic(t, "133.0.0.1");
	assert_domestic(t, "1.0.16.1");
	prefix_table_free(t);
}

/* ---- RIR delegated statistics ---- */

static void test_rir_allocated_and_assigned_lines_count(void **state)
{
	(void)state;
	struct prefix_table *t =
	        parse("apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n"
	              "apnic|JP|ipv4|1.1.64.0|256|20110412|assigned\n"
	              "apnic|JP|ipv4|1.0.64.0|16384|20110412|allocated|A92D9378\n");
	assert_foreign(t, "1.0.15.255");
	assert_domestic(t, "1.0.16.0");
	assert_domestic(t, "1.0.31.255");
	assert_foreign(t, "1.0.32.0");
	assert_domestic(t, "1.1.64.0");
	assert_domestic(t, "1.1.64.255");
	assert_foreign(t, "1.1.65.0");
	assert_domestic(t, "1.0.64.0");
	assert_domestic(t, "1.0.127.255");
	assert_foreign(t, "1.0.128.0");
	struct prefix_table_summary s = summary(t);
	assert_int_equal(s.rir_lines, 3);
	assert_int_equal(s.rir_skipped, 0);
	assert_int_equal(s.cidr_lines, 0);
	prefix_table_free(t);
}

static void test_rir_available_and_reserved_lines_are_skipped(void **state)
{
	(void)state;
	struct prefix_table *t = parse("apnic|JP|ipv4|1.0.16.0|4096|20110412|available\n"
	                               "apnic|JP|ipv4|1.0.32.0|4096|20110412|reserved\n"
	                               "apnic||ipv4|1.0.48.0|4096||available\n"
	                               "apnic|JP|ipv6|2001:200::|35|19990813|reserved\n");
	assert_foreign(t, "1.0.16.0");
	assert_foreign(t, "1.0.32.0");
	assert_foreign(t, "1.0.48.0");
	assert_foreign(t, "2001:200::1");
	assert_int_equal(summary(t).rir_lines, 0);
	assert_int_equal(summary(t).rir_skipped, 4);
	prefix_table_free(t);
}

static void test_rir_lines_of_another_country_are_skipped(void **state)
{
	(void)state;
	struct prefix_table *t = parse("apnic|KR|ipv4|1.11.0.0|65536|20100712|allocated\n"
	                               "apnic|CN|ipv6|2001:250::|31|20000426|allocated\n"
	                               "apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n");
	assert_foreign(t, "1.11.0.1");
	assert_foreign(t, "2001:250::1");
	assert_domestic(t, "1.0.16.1");
	assert_int_equal(summary(t).rir_lines, 1);
	assert_int_equal(summary(t).rir_skipped, 2);
	prefix_table_free(t);
}

static void test_rir_country_option_selects_the_lines(void **state)
{
	(void)state;
	const char *text = "apnic|KR|ipv4|1.11.0.0|65536|20100712|allocated\n"
	                   "apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n"
	                   "apnic|KR|ipv6|2001:220::|32|19990927|allocated\n";
	struct prefix_table *t = parse_cc(text, "KR");
	assert_domestic(t, "1.11.0.0");
	assert_domestic(t, "1.11.255.255");
	assert_foreign(t, "1.12.0.0");
	assert_foreign(t, "1.0.16.1");
	assert_domestic(t, "2001:220::1");
	assert_int_equal(summary(t).rir_lines, 2);
	prefix_table_free(t);

	t = parse_cc(text, "JP"); /* the default, spelled out */
	assert_foreign(t, "1.11.0.0");
	assert_domestic(t, "1.0.16.1");
	prefix_table_free(t);

	t = parse_cc(text, "US");
	assert_foreign(t, "1.11.0.0");
	assert_foreign(t, "1.0.16.1");
	assert_int_equal(summary(t).rir_skipped, 3);
	prefix_table_free(t);
}

static void test_rir_ipv6_line_count_is_a_prefix_length(void **state)
{
	(void)state;
	struct prefix_table *t = parse("apnic|JP|ipv6|2001:200::|35|19990813|allocated\n"
	                               "apnic|JP|ipv6|2400:2000::|20|20020125|assigned\n");
	assert_foreign(t, "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_domestic(t, "2001:200::");
	assert_domestic(t, "2001:200:1fff:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "2001:200:2000::");
	assert_domestic(t, "2400:2000::");
	assert_domestic(t, "2400:2fff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "2400:3000::");
	prefix_table_free(t);
	expect_error("apnic|JP|ipv6|2001:200::1|35|19990813|allocated\n", "t.txt:1:", "host bits");
}

static void test_rir_version_summary_and_asn_lines_are_skipped(void **state)
{
	(void)state;
	struct prefix_table *t = parse("# delegated-apnic-extended-latest\n"
	                               "2|apnic|20230101|69412|19830613|20221230|+1000\n"
	                               "2.3|apnic|20230101|69412|19830613|20221230|+1000\n"
	                               "apnic|*|asn|*|12345|summary\n"
	                               "apnic|*|ipv4|*|123|summary\n"
	                               "apnic|*|ipv6|*|456|summary\n"
	                               "apnic|JP|asn|173|1|20020801|allocated\n"
	                               "apnic|JP|asn|2500|12|20020801|assigned|A91D1A6E\n"
	                               "apnic|JP|ipv4|1.0.16.0|4096|20110412|allocated\n");
	assert_domestic(t, "1.0.16.0");
	assert_foreign(t, "0.0.0.173");
	struct prefix_table_summary s = summary(t);
	assert_int_equal(s.rir_lines, 1);
	assert_int_equal(s.rir_skipped, 2); /* the asn lines */
	prefix_table_free(t);
}

static void test_rir_non_power_of_two_count_covers_exactly_that_many(void **state)
{
	(void)state;
	struct prefix_table *t = parse("apnic|JP|ipv4|1.0.16.0|768|20110412|allocated\n");
	assert_foreign(t, "1.0.15.255");
	assert_domestic(t, "1.0.16.0"); /* first */
	assert_domestic(t, "1.0.17.128");
	assert_domestic(t, "1.0.18.255"); /* last = first + 767 */
	assert_foreign(t, "1.0.19.0");    /* one past the last */
	prefix_table_free(t);

	/* An unaligned start and a range that crosses a /16 boundary. */
	t = parse("apnic|JP|ipv4|1.0.255.128|1000|20110412|assigned\n");
	assert_foreign(t, "1.0.255.127");
	assert_domestic(t, "1.0.255.128");
	assert_domestic(t, "1.0.255.255");
	assert_domestic(t, "1.1.0.0");
	assert_domestic(t, "1.1.3.103"); /* 128 + 999 = 1127 = 4 * 256 + 103 */
	assert_foreign(t, "1.1.3.104");
	prefix_table_free(t);

	/* A count of one. */
	t = parse("apnic|JP|ipv4|203.0.113.77|1|20110412|assigned\n");
	assert_foreign(t, "203.0.113.76");
	assert_domestic(t, "203.0.113.77");
	assert_foreign(t, "203.0.113.78");
	prefix_table_free(t);
}

static void test_rir_range_may_end_at_the_top_but_not_run_past_it(void **state)
{
	(void)state;
	struct prefix_table *t = parse("foreign 255.255.255.255/32\n"
	                               "apnic|JP|ipv4|254.255.255.0|256|20110412|assigned\n");
	assert_domestic(t, "254.255.255.255");
	assert_foreign(t, "255.0.0.0");
	prefix_table_free(t);
	t = parse("x|JP|ipv4|255.255.255.0|256|20110412|assigned\n");
	assert_domestic(t, "255.255.255.0");
	assert_domestic(t, "255.255.255.254");
	assert_foreign(t, "255.255.254.255");
	prefix_table_free(t);
	expect_error("x|JP|ipv4|255.255.255.0|257|20110412|assigned\n", "t.txt:1:", "past");
	t = parse("x|JP|ipv4|0.0.0.0|4294967296|20110412|assigned\n");
	assert_domestic(t, "8.8.8.8");
	assert_domestic(t, "255.255.255.255");
	prefix_table_free(t);
	expect_error("x|JP|ipv4|0.0.0.0|4294967297|20110412|assigned\n", "t.txt:1:", "count");
}

static void test_rir_malformed_lines_are_errors(void **state)
{
	(void)state;
	expect_error("133.0.0.0/8\napnic|JP|ipv4|1.0.16.0|4096\n", "t.txt:2:", "fields");
	expect_error("apnic|JP|ipx|1.0.16.0|4096|20110412|allocated\n", "t.txt:1:", "type");
	expect_error("apnic|JP|ipv4|1.0.16|4096|20110412|allocated\n", "t.txt:1:", "address");
	expect_error("apnic|JP|ipv4|2001:200::|4096|20110412|allocated\n", "t.txt:1:", "address");
	expect_error("apnic|JP|ipv6|1.0.16.0|24|20110412|allocated\n", "t.txt:1:", "address");
	expect_error("apnic|JP|ipv4|1.0.16.0|0|20110412|allocated\n", "t.txt:1:", "count");
	expect_error("apnic|JP|ipv4|1.0.16.0|4k|20110412|allocated\n", "t.txt:1:", "count");
	expect_error("apnic|JP|ipv4|1.0.16.0|-1|20110412|allocated\n", "t.txt:1:", "count");
	expect_error("apnic|JP|ipv4|1.0.16.0||20110412|allocated\n", "t.txt:1:", "count");
	expect_error("apnic|JP|ipv6|2001:200::|129|19990813|allocated\n", "t.txt:1:", "prefix");
	expect_error("apnic|JP|ipv6|2001:200::|x|19990813|allocated\n", "t.txt:1:", "prefix");
}

/* ---- non-global ranges and foreign exceptions ---- */

static void test_nonglobal_ranges_are_domestic_by_default(void **state)
{
	(void)state;
	struct prefix_table *t = parse("");
	static const char *const inside[] = {
	        "10.0.0.0",
	        "10.255.255.255",
	        "172.16.0.0",
	        "172.31.255.255",
	        "192.168.0.0",
	        "192.168.255.255",
	        "100.64.0.0",
	        "100.127.255.255",
	        "127.0.0.0",
	        "127.0.0.1",
	        "127.255.255.255",
	        "169.254.0.0",
	        "169.254.255.255",
	        "224.0.0.0",
	        "239.255.255.255",
	        "255.255.255.255",
	        "::1",
	        "fc00::",
	        "fd12:3456::1",
	        "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "fe80::",
	        "fe80::1",
	        "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "ff00::",
	        "ff02::1",
	        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	static const char *const outside[] = {
	        "9.255.255.255",
	        "11.0.0.0",
	        "172.15.255.255",
	        "172.32.0.0",
	        "192.167.255.255",
	        "192.169.0.0",
	        "100.63.255.255",
	        "100.128.0.0",
	        "126.255.255.255",
	        "128.0.0.0",
	        "169.253.255.255",
	        "169.255.0.0",
	        "223.255.255.255",
	        "240.0.0.0",
	        "255.255.255.254",
	        "8.8.8.8",
	        "::2",
	        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "fe00::",
	        "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "fec0::",
	        "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "2001:4860:4860::8888",
	        "::ffff:10.0.0.1", /* an IPv4-mapped IPv6 address is an IPv6 address */
	};
	for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
		assert_domestic(t, inside[i]);
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
		assert_foreign(t, outside[i]);
	prefix_table_free(t);
}

/* Beyond the contract's list, the loader also counts the unspecified addresses 0.0.0.0 and ::
 * as non-global, so a DHCP or DAD packet from them is never foreign-domestic by accident. */
static void test_unspecified_addresses_count_as_nonglobal(void **state)
{
	(void)state;
	struct prefix_table *t = parse("");
	assert_domestic(t, "0.0.0.0");
	assert_foreign(t, "0.0.0.1");
	assert_domestic(t, "::");
	prefix_table_free(t);
	t = parse("foreign 0.0.0.0/32\nforeign ::/128\n");
	assert_foreign(t, "0.0.0.0");
	assert_foreign(t, "::");
	assert_domestic(t, "::1");
	prefix_table_free(t);
}

static void test_foreign_line_covering_a_nonglobal_range_makes_it_foreign(void **state)
{
	(void)state;
	struct prefix_table *t = parse("foreign 10.0.0.0/8\n"
	                               "foreign fc00::/7\n"
	                               "foreign 255.255.255.255\n"
	                               "foreign ::1\n"
	                               "foreign 224.0.0.0/3\n" /* larger than 224/4 */
	                               "foreign 192.168.1.0/24\n");
	assert_foreign(t, "10.0.0.0");
	assert_foreign(t, "10.255.255.255");
	assert_foreign(t, "fc00::1");
	assert_foreign(t, "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "255.255.255.255");
	assert_foreign(t, "::1");
	assert_foreign(t, "224.0.0.1");
	assert_foreign(t, "239.255.255.255");
	/* The rest of 192.168/16 stays domestic, with exact edges. */
	assert_domestic(t, "192.168.0.255");
	assert_foreign(t, "192.168.1.0");
	assert_foreign(t, "192.168.1.255");
	assert_domestic(t, "192.168.2.0");
	/* Ranges not named stay domestic. */
	assert_domestic(t, "172.16.0.1");
	assert_domestic(t, "fe80::1");
	assert_domestic(t, "127.0.0.1");
	assert_int_equal(summary(t).foreign_lines, 6);
	prefix_table_free(t);
}

static void test_foreign_exception_inside_a_domestic_range_has_exact_edges(void **state)
{
	(void)state;
	/* The foreign line comes first: order in the file does not matter. */
	struct prefix_table *t = parse("foreign 133.5.0.0/16\n"
	                               "133.0.0.0/8\n"
	                               "foreign 133.0.0.0/24\n"     /* at the start */
	                               "foreign 133.255.255.0/24\n" /* at the end */
	                               "foreign 133.7.0.0/16\n"     /* two adjacent ones */
	                               "foreign 133.8.0.0/16\n"
	                               "foreign 203.0.113.0/24\n" /* covers nothing */
	                               "2001:db8:1::/48\n"
	                               "foreign 2001:db8:1:5::/64\n");
	assert_foreign(t, "133.0.0.0");
	assert_foreign(t, "133.0.0.255");
	assert_domestic(t, "133.0.1.0");
	assert_domestic(t, "133.4.255.255");
	assert_foreign(t, "133.5.0.0");
	assert_foreign(t, "133.5.255.255");
	assert_domestic(t, "133.6.0.0");
	assert_domestic(t, "133.6.255.255");
	assert_foreign(t, "133.7.0.0");
	assert_foreign(t, "133.8.255.255");
	assert_domestic(t, "133.9.0.0");
	assert_domestic(t, "133.255.254.255");
	assert_foreign(t, "133.255.255.0");
	assert_foreign(t, "133.255.255.255");
	assert_foreign(t, "203.0.113.1");
	assert_domestic(t, "2001:db8:1:4:ffff:ffff:ffff:ffff");
	assert_foreign(t, "2001:db8:1:5::");
	assert_foreign(t, "2001:db8:1:5:ffff:ffff:ffff:ffff");
	assert_domestic(t, "2001:db8:1:6::");
	assert_int_equal(summary(t).foreign_lines, 7);
	assert_int_equal(summary(t).cidr_lines, 2);
	prefix_table_free(t);
}

static void test_foreign_exception_larger_than_the_domestic_range_removes_it(void **state)
{
	(void)state;
	struct prefix_table *t = parse("133.5.0.0/16\nforeign 133.0.0.0/8\n"
	                               "2001:db8:1::/48\nforeign 2001:db8::/32\n"
	                               "2001:db8:ff00::/40\n"); /* another range the same exception
	                                                           covers */
	assert_foreign(t, "133.5.0.1");
	assert_foreign(t, "2001:db8:1::1");
	assert_foreign(t, "2001:db8:ff00::1");
	prefix_table_free(t);
}

static void test_foreign_lines_are_listed_for_the_log(void **state)
{
	(void)state;
	struct prefix_table *t =
	        parse("133.0.0.0/8\nforeign 133.5.0.0/16\nforeign 2001:db8::/32\n");
	char buf[128];
	assert_true(prefix_table_foreign_line(t, 0, buf, sizeof buf));
	assert_non_null(strstr(buf, "133.5.0.0"));
	assert_non_null(strstr(buf, "133.5.255.255"));
	assert_true(prefix_table_foreign_line(t, 1, buf, sizeof buf));
	assert_non_null(strstr(buf, "2001:db8::"));
	assert_false(prefix_table_foreign_line(t, 2, buf, sizeof buf));
	prefix_table_free(t);
}

/* ---- merging and the edges of the address space ---- */

static void test_overlapping_and_adjacent_ranges_merge(void **state)
{
	(void)state;
	struct prefix_table *base = parse("");
	struct prefix_table_summary b = summary(base);
	prefix_table_free(base);

	struct prefix_table *t = parse("1.0.0.0/24\n1.0.1.0/24\n");
	assert_int_equal(summary(t).v4_intervals, b.v4_intervals + 1);
	assert_domestic(t, "1.0.0.255");
	assert_domestic(t, "1.0.1.0");
	assert_foreign(t, "1.0.2.0");
	prefix_table_free(t);

	t = parse("1.0.0.0/16\n1.0.5.0/24\n1.0.0.128/25\n1.0.255.255\n1.1.0.0\n"
	          "apnic|JP|ipv4|1.1.0.1|255|20110412|allocated\n");
	assert_int_equal(summary(t).v4_intervals, b.v4_intervals + 1);
	assert_domestic(t, "1.1.0.255");
	assert_foreign(t, "1.1.1.0");
	prefix_table_free(t);

	/* 11.0.0.0/8 touches the non-global 10.0.0.0/8: one interval. */
	t = parse("11.0.0.0/8\n");
	assert_int_equal(summary(t).v4_intervals, b.v4_intervals);
	prefix_table_free(t);

	/* Two separate ranges stay two. */
	t = parse("1.0.0.0/24\n1.0.2.0/24\n");
	assert_int_equal(summary(t).v4_intervals, b.v4_intervals + 2);
	assert_foreign(t, "1.0.1.0");
	prefix_table_free(t);

	t = parse("2001:db8::/33\n2001:db8:8000::/33\n2001:db8:1234::/48\n");
	assert_int_equal(summary(t).v6_intervals, b.v6_intervals + 1);
	assert_domestic(t, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
	assert_domestic(t, "2001:db8:8000::");
	prefix_table_free(t);

	/* A duplicate line is harmless. */
	t = parse("133.0.0.0/8\n133.0.0.0/8\n");
	assert_int_equal(summary(t).v4_intervals, b.v4_intervals + 1);
	prefix_table_free(t);
}

static void test_zero_length_prefixes_cover_everything(void **state)
{
	(void)state;
	struct prefix_table *t = parse("0.0.0.0/0\n::/0\n");
	assert_domestic(t, "0.0.0.0");
	assert_domestic(t, "8.8.8.8");
	assert_domestic(t, "255.255.255.255");
	assert_domestic(t, "::");
	assert_domestic(t, "2001:4860:4860::8888");
	assert_domestic(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_int_equal(summary(t).v4_intervals, 1);
	assert_int_equal(summary(t).v6_intervals, 1);
	prefix_table_free(t);

	t = parse("foreign 0.0.0.0/0\nforeign ::/0\n133.0.0.0/8\n2001:db8::/32\n");
	assert_foreign(t, "0.0.0.0");
	assert_foreign(t, "10.0.0.1");
	assert_foreign(t, "133.0.0.1");
	assert_foreign(t, "255.255.255.255");
	assert_foreign(t, "::1");
	assert_foreign(t, "2001:db8::1");
	assert_int_equal(summary(t).v4_intervals, 0);
	assert_int_equal(summary(t).v6_intervals, 0);
	prefix_table_free(t);

	/* IPv4 /0 says nothing about IPv6 and the other way round. */
	t = parse("0.0.0.0/0\n");
	assert_foreign(t, "2001:db8::1");
	prefix_table_free(t);
	t = parse("::/0\n");
	assert_foreign(t, "8.8.8.8");
	prefix_table_free(t);
}

static void test_boundaries_at_the_ends_of_the_address_space(void **state)
{
	(void)state;
	struct prefix_table *t = parse("0.0.0.0/8\n");
	assert_domestic(t, "0.0.0.0");
	assert_domestic(t, "0.0.0.1");
	assert_domestic(t, "0.255.255.255");
	assert_foreign(t, "1.0.0.0");
	prefix_table_free(t);

	t = parse("255.0.0.0/8\nforeign 255.255.255.255/32\n");
	assert_foreign(t, "254.255.255.255");
	assert_domestic(t, "255.0.0.0");
	assert_domestic(t, "255.255.255.254");
	assert_foreign(t, "255.255.255.255");
	prefix_table_free(t);

	t = parse("0.0.0.0/0\nforeign 0.0.0.0/32\nforeign 255.255.255.0/24\n");
	assert_foreign(t, "0.0.0.0");
	assert_domestic(t, "0.0.0.1");
	assert_domestic(t, "255.255.254.255");
	assert_foreign(t, "255.255.255.0");
	assert_foreign(t, "255.255.255.255");
	prefix_table_free(t);

	t = parse("::/16\n");
	assert_domestic(t, "::");
	assert_domestic(t, "0:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_foreign(t, "1::");
	prefix_table_free(t);

	t = parse("::/0\nforeign ::/128\nforeign ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n");
	assert_foreign(t, "::");
	assert_domestic(t, "::1");
	assert_domestic(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_foreign(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	prefix_table_free(t);

	/* What a foreign exception leaves of ff00::/8 still ends at the very top. */
	t = parse("foreign ffff:ffff:ffff:ffff:ffff:ffff:ffff:0/113\n");
	assert_domestic(t, "ffff:ffff:ffff:ffff:ffff:ffff:fffe:ffff");
	assert_foreign(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:0");
	assert_foreign(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:7fff");
	assert_domestic(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:8000");
	assert_domestic(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	prefix_table_free(t);
}

static void test_address_without_family_is_not_domestic(void **state)
{
	(void)state;
	struct prefix_table *t = parse("0.0.0.0/0\n::/0\n");
	struct ip_addr none = {0};
	assert_false(prefix_table_is_domestic(t, &none));
	prefix_table_free(t);
}

/* ---- property test ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same sequence on every platform. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct ref_entry {
	bool foreign;
	uint8_t family;
	uint64_t lo4, hi4;   /* IPv4 interval */
	struct ip_addr net6; /* IPv6 prefix */
	unsigned bits6;
};

/* Clustered so that random entries overlap, touch and nest. */
static uint32_t rnd_v4_base(void)
{
	static const uint32_t clusters[] = {0x00000000u, 0x01000000u, 0x0a000000u, 0x85000000u,
	                                    0xc0a80000u, 0xcb007100u, 0xe0000000u, 0xffff0000u};
	uint32_t c = clusters[rnd_below(8)];
	return c + (uint32_t)(rnd() & (rnd_below(2) ? 0xffffu : 0x00ffffffu));
}

static void rnd_v6_base(uint8_t b[16])
{
	static const uint8_t clusters[][2] = {{0x00, 0x00}, {0x20, 0x01}, {0xfc, 0x00},
	                                      {0xfe, 0x80}, {0xff, 0x02}, {0xff, 0xff}};
	unsigned c = rnd_below(6);
	memset(b, 0, 16);
	b[0] = clusters[c][0];
	b[1] = clusters[c][1];
	unsigned spread = 2 + rnd_below(14); /* how many further bytes vary */
	for (unsigned i = 2; i < 16; i++)
		b[i] = i < 2 + spread ? (uint8_t)(rnd() & (rnd_below(4) ? 0x03 : 0xff)) : 0;
	if (rnd_below(3) == 0)
		b[15] = (uint8_t)rnd();
}

static void mask6(uint8_t b[16], unsigned bits)
{
	for (unsigned i = bits; i < 128; i++)
		b[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

static bool ref_contains(const struct ref_entry *e, const struct ip_addr *a)
{
	if (e->family != a->family)
		return false;
	if (a->family == 4) {
		uint64_t v = (uint64_t)a->b[0] << 24 | a->b[1] << 16 | a->b[2] << 8 | a->b[3];
		return v >= e->lo4 && v <= e->hi4;
	}
	return ipaddr_prefix_eq(&e->net6, a, e->bits6);
}

/* The non-global ranges (plus the unspecified addresses) as reference entries. */
static size_t ref_nonglobal(struct ref_entry *out)
{
	static const char *const list[] = {
	        "10.0.0.0/8",  "172.16.0.0/12",  "192.168.0.0/16", "100.64.0.0/10",
	        "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4",    "255.255.255.255/32",
	        "0.0.0.0/32",  "::/128",         "::1/128",        "fc00::/7",
	        "fe80::/10",   "ff00::/8",
	};
	size_t n = sizeof list / sizeof list[0];
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s", list[i]);
		char *slash = strchr(buf, '/');
		*slash = '\0';
		unsigned bits = (unsigned)atoi(slash + 1);
		struct ip_addr a = addr(buf);
		out[i] = (struct ref_entry){.foreign = false, .family = a.family};
		if (a.family == 4) {
			uint64_t v = (uint64_t)a.b[0] << 24 | a.b[1] << 16 | a.b[2] << 8 | a.b[3];
			uint64_t size = 1ull << (32 - bits);
			out[i].lo4 = v;
			out[i].hi4 = v + size - 1;
		} else {
			out[i].net6 = a;
			out[i].bits6 = bits;
		}
	}
	return n;
}

static bool ref_domestic(const struct ref_entry *e, size_t n, const struct ip_addr *a)
{
	bool in = false;
	for (size_t i = 0; i < n; i++)
		if (ref_contains(&e[i], a)) {
			if (e[i].foreign)
				return false;
			in = true;
		}
	return in;
}

static void set4(struct ip_addr *a, uint64_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	ipaddr_set4(a, b);
}

/* Adds one (signed) to a 128-bit big-endian address, wrapping. */
static void step6(uint8_t b[16], int delta)
{
	if (delta == 0)
		return;
	for (int i = 15; i >= 0; i--) {
		if (delta > 0) {
			if (++b[i] != 0)
				return;
		} else {
			if (b[i]-- != 0)
				return;
		}
	}
}

static void check_one(const struct prefix_table *t, const struct ref_entry *e, size_t n,
                      const struct ip_addr *a, const char *text, size_t *checked)
{
	bool want = ref_domestic(e, n, a), got = prefix_table_is_domestic(t, a);
	if (want != got) {
		char s[IPADDR_STRLEN];
		ipaddr_format(a, s, sizeof s);
		fail_msg("%s: table says %s, reference says %s\ntable:\n%s", s,
		         got ? "domestic" : "foreign", want ? "domestic" : "foreign", text);
	}
	(*checked)++;
}

static void test_random_tables_agree_with_a_brute_force_reference(void **state)
{
	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	enum { ROUNDS = 40, MAX_ENTRIES = 60, RANDOM_ADDRS = 2000 };
	size_t checked = 0;
	char *text = malloc(MAX_ENTRIES * 120);
	struct ref_entry *ref = calloc(MAX_ENTRIES + 32, sizeof *ref);
	assert_non_null(text);
	assert_non_null(ref);
	for (int round = 0; round < ROUNDS; round++) {
		size_t n = ref_nonglobal(ref), len = 0;
		unsigned entries = 1 + rnd_below(MAX_ENTRIES);
		text[0] = '\0';
		for (unsigned k = 0; k < entries; k++) {
			struct ref_entry *r = &ref[n++];
			r->foreign = rnd_below(3) == 0;
			const char *kw =
			        r->foreign ? "foreign " : (rnd_below(2) ? "domestic " : "");
			unsigned form = rnd_below(10);
			/* Some entries sit on the edge of an earlier one, one address either side.
			 */
			const struct ref_entry *near =
			        n > 14 && rnd_below(3) == 0 ? &ref[14 + rnd_below((unsigned)n - 14)]
			                                    : NULL;
			if (form < 5) { /* IPv4 CIDR */
				unsigned bits =
				        rnd_below(8) == 0 ? rnd_below(33) : 8 + rnd_below(25);
				uint32_t v = rnd_v4_base();
				if (near && near->family == 4) {
					int64_t edge[6] = {
					        (int64_t)near->lo4 - 1, (int64_t)near->lo4,
					        (int64_t)near->lo4 + 1, (int64_t)near->hi4 - 1,
					        (int64_t)near->hi4,     (int64_t)near->hi4 + 1};
					v = (uint32_t)edge[rnd_below(6)];
					bits = 26 + rnd_below(7);
				}
				uint64_t size = 1ull << (32 - bits);
				v = (uint32_t)(v & ~(size - 1));
				r->family = 4;
				r->lo4 = v;
				r->hi4 = v + size - 1;
				len += (size_t)sprintf(text + len, "%s%u.%u.%u.%u/%u\n", kw,
				                       v >> 24, (v >> 16) & 255, (v >> 8) & 255,
				                       v & 255, bits);
			} else if (form < 7 && !r->foreign) { /* RIR IPv4 line, any count */
				uint32_t v = rnd_v4_base();
				uint64_t count = 1 + rnd_below(rnd_below(2) ? 300 : 200000);
				if (near && near->family == 4) {
					int64_t edge[4] = {
					        (int64_t)near->lo4 - 1, (int64_t)near->lo4 + 1,
					        (int64_t)near->hi4 - 1, (int64_t)near->hi4 + 1};
					v = (uint32_t)edge[rnd_below(4)];
					count = 1 + rnd_below(3);
				}
				if (v + count - 1 > 0xffffffffull)
					count = 0x100000000ull - v;
				r->family = 4;
				r->lo4 = v;
				r->hi4 = v + count - 1;
				len += (size_t)sprintf(
				        text + len, "apnic|JP|ipv4|%u.%u.%u.%u|%llu|20110412|%s\n",
				        v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255,
				        (unsigned long long)count,
				        rnd_below(2) ? "allocated" : "assigned");
			} else { /* IPv6 CIDR, sometimes as an RIR line */
				unsigned bits =
				        rnd_below(8) == 0 ? rnd_below(129) : 8 + rnd_below(121);
				uint8_t b[16];
				rnd_v6_base(b);
				if (near && near->family == 6) {
					memcpy(b, near->net6.b, 16);
					if (rnd_below(2))
						for (unsigned bit = near->bits6; bit < 128; bit++)
							b[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
					step6(b, (int)rnd_below(3) - 1);
					bits = rnd_below(2) ? 128 : 120 + rnd_below(9);
				}
				mask6(b, bits);
				r->family = 6;
				ipaddr_set6(&r->net6, b);
				r->bits6 = bits;
				char s[IPADDR_STRLEN];
				ipaddr_format(&r->net6, s, sizeof s);
				if (!r->foreign && rnd_below(3) == 0)
					len += (size_t)sprintf(
					        text + len,
					        "apnic|JP|ipv6|%s|%u|20110412|allocated\n", s,
					        bits);
				else
					len += (size_t)sprintf(text + len, "%s%s/%u\n", kw, s,
					                       bits);
			}
		}
		struct prefix_table *t = parse(text);

		/* The edges of every entry, one step either side. */
		for (size_t i = 0; i < n; i++) {
			struct ip_addr a;
			if (ref[i].family == 4) {
				int64_t pts[4] = {(int64_t)ref[i].lo4 - 1, (int64_t)ref[i].lo4,
				                  (int64_t)ref[i].hi4, (int64_t)ref[i].hi4 + 1};
				for (int p = 0; p < 4; p++) {
					if (pts[p] < 0 || pts[p] > 0xffffffffll)
						continue;
					set4(&a, (uint64_t)pts[p]);
					check_one(t, ref, n, &a, text, &checked);
				}
			} else {
				uint8_t lo[16], hi[16];
				memcpy(lo, ref[i].net6.b, 16);
				memcpy(hi, ref[i].net6.b, 16);
				for (unsigned bit = ref[i].bits6; bit < 128; bit++)
					hi[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
				check_one(t, ref, n, &ref[i].net6, text, &checked);
				ipaddr_set6(&a, hi);
				check_one(t, ref, n, &a, text, &checked);
				step6(lo, -1);
				ipaddr_set6(&a, lo);
				check_one(t, ref, n, &a, text, &checked);
				step6(hi, +1);
				ipaddr_set6(&a, hi);
				check_one(t, ref, n, &a, text, &checked);
			}
		}
		/* Random addresses, from the same clusters and from anywhere. */
		for (int i = 0; i < RANDOM_ADDRS; i++) {
			struct ip_addr a;
			switch (rnd_below(4)) {
			case 0:
				set4(&a, rnd_v4_base());
				break;
			case 1:
				set4(&a, (uint32_t)rnd());
				break;
			case 2: {
				uint8_t b[16];
				rnd_v6_base(b);
				ipaddr_set6(&a, b);
				break;
			}
			default: {
				uint8_t b[16];
				uint64_t x = rnd(), y = rnd();
				memcpy(b, &x, 8);
				memcpy(b + 8, &y, 8);
				ipaddr_set6(&a, b);
				break;
			}
			}
			check_one(t, ref, n, &a, text, &checked);
		}
		prefix_table_free(t);
	}
	free(text);
	free(ref);
	print_message("property test: %zu addresses checked over %d tables\n", checked, ROUNDS);
	assert_true(checked > 50000);
}

/* The same comparison in a tiny window of the address space (a /24 and a /120, at the bottom,
 * in the middle and at the top), where random entries overlap, nest and touch all the time and
 * every address of the window and one either side is checked. */
static void test_dense_random_tables_agree_with_a_reference_on_every_address(void **state)
{
	(void)state;
	rng_state = 0x243f6a8885a308d3ULL;
	static const uint32_t win4[] = {0x00000000u, 0x85000000u, 0xffffff00u};
	static const uint8_t win6[][16] = {
	        {0},
	        {0x20, 0x01, 0x0d, 0xb8},
	        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	         0xff, 0x00},
	};
	enum { ROUNDS = 150, MAX_ENTRIES = 24 };
	size_t checked = 0;
	char *text = malloc(MAX_ENTRIES * 120);
	struct ref_entry *ref = calloc(MAX_ENTRIES + 32, sizeof *ref);
	assert_non_null(text);
	assert_non_null(ref);
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t w4 = win4[rnd_below(3)];
		const uint8_t *w6 = win6[rnd_below(3)];
		size_t n = ref_nonglobal(ref), len = 0;
		unsigned entries = 1 + rnd_below(MAX_ENTRIES);
		text[0] = '\0';
		for (unsigned k = 0; k < entries; k++) {
			struct ref_entry *r = &ref[n++];
			r->foreign = rnd_below(3) == 0;
			const char *kw = r->foreign ? "foreign " : "";
			unsigned form = rnd_below(3);
			if (form == 0) {
				unsigned bits = 24 + rnd_below(9);
				uint32_t v = w4 | rnd_below(256);
				uint64_t size = 1ull << (32 - bits);
				v = (uint32_t)(v & ~(size - 1));
				r->family = 4;
				r->lo4 = v;
				r->hi4 = v + size - 1;
				len += (size_t)sprintf(text + len, "%s%u.%u.%u.%u/%u\n", kw,
				                       v >> 24, (v >> 16) & 255, (v >> 8) & 255,
				                       v & 255, bits);
			} else if (form == 1 && !r->foreign) {
				uint32_t v = w4 | rnd_below(256);
				uint64_t count = 1 + rnd_below(40);
				if (v + count - 1 > 0xffffffffull)
					count = 0x100000000ull - v;
				r->family = 4;
				r->lo4 = v;
				r->hi4 = v + count - 1;
				len += (size_t)sprintf(
				        text + len,
				        "apnic|JP|ipv4|%u.%u.%u.%u|%llu|20110412|allocated\n",
				        v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255,
				        (unsigned long long)count);
			} else {
				unsigned bits = 120 + rnd_below(9);
				uint8_t b[16];
				memcpy(b, w6, 16);
				b[15] = (uint8_t)rnd();
				mask6(b, bits);
				r->family = 6;
				ipaddr_set6(&r->net6, b);
				r->bits6 = bits;
				char a6[IPADDR_STRLEN];
				ipaddr_format(&r->net6, a6, sizeof a6);
				len += (size_t)sprintf(text + len, "%s%s/%u\n", kw, a6, bits);
			}
		}
		struct prefix_table *t = parse(text);
		for (int64_t i = -1; i <= 256; i++) {
			struct ip_addr a;
			int64_t v = (int64_t)w4 + i;
			if (v >= 0 && v <= 0xffffffffll) {
				set4(&a, (uint64_t)v);
				check_one(t, ref, n, &a, text, &checked);
			}
			uint8_t b[16];
			memcpy(b, w6, 16);
			if (i < 0)
				step6(b, -1);
			else
				b[15] = (uint8_t)i;
			if (i == 256) {
				b[15] = 0xff;
				step6(b, +1);
			}
			ipaddr_set6(&a, b);
			check_one(t, ref, n, &a, text, &checked);
		}
		prefix_table_free(t);
	}
	free(text);
	free(ref);
	print_message("dense property test: %zu addresses checked over %d tables\n", checked,
	              ROUNDS);
	assert_true(checked > 50000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_plain_cidr_lines_are_domestic),
	        cmocka_unit_test(test_domestic_keyword_means_the_same_as_a_plain_cidr),
	        cmocka_unit_test(test_comments_blank_lines_and_crlf_are_skipped),
	        cmocka_unit_test(test_empty_input_is_valid),
	        cmocka_unit_test(test_last_line_without_newline_counts),
	        cmocka_unit_test(test_bare_address_is_a_host_route),
	        cmocka_unit_test(test_host_bits_set_is_an_error_naming_file_and_line),
	        cmocka_unit_test(test_bad_prefix_length_is_an_error),
	        cmocka_unit_test(test_garbage_line_is_an_error_with_its_line_number),
	        cmocka_unit_test(test_overlong_line_and_nul_byte_are_errors),
	        cmocka_unit_test(test_missing_file_is_an_input_error),
	        cmocka_unit_test(test_load_reads_the_file),
	        cmocka_unit_test(test_rir_allocated_and_assigned_lines_count),
	        cmocka_unit_test(test_rir_available_and_reserved_lines_are_skipped),
	        cmocka_unit_test(test_rir_lines_of_another_country_are_skipped),
	        cmocka_unit_test(test_rir_country_option_selects_the_lines),
	        cmocka_unit_test(test_rir_ipv6_line_count_is_a_prefix_length),
	        cmocka_unit_test(test_rir_version_summary_and_asn_lines_are_skipped),
	        cmocka_unit_test(test_rir_non_power_of_two_count_covers_exactly_that_many),
	        cmocka_unit_test(test_rir_range_may_end_at_the_top_but_not_run_past_it),
	        cmocka_unit_test(test_rir_malformed_lines_are_errors),
	        cmocka_unit_test(test_nonglobal_ranges_are_domestic_by_default),
	        cmocka_unit_test(test_unspecified_addresses_count_as_nonglobal),
	        cmocka_unit_test(test_foreign_line_covering_a_nonglobal_range_makes_it_foreign),
	        cmocka_unit_test(test_foreign_exception_inside_a_domestic_range_has_exact_edges),
	        cmocka_unit_test(test_foreign_exception_larger_than_the_domestic_range_removes_it),
	        cmocka_unit_test(test_foreign_lines_are_listed_for_the_log),
	        cmocka_unit_test(test_overlapping_and_adjacent_ranges_merge),
	        cmocka_unit_test(test_zero_length_prefixes_cover_everything),
	        cmocka_unit_test(test_boundaries_at_the_ends_of_the_address_space),
	        cmocka_unit_test(test_address_without_family_is_not_domestic),
	        cmocka_unit_test(test_random_tables_agree_with_a_brute_force_reference),
	        cmocka_unit_test(test_dense_random_tables_agree_with_a_reference_on_every_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
