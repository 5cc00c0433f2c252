/*
 * test_cpe.c — CPE 2.3 formatted strings as a notification carries them: names from the NVD
 * dictionary parse with their 11 attributes; quoting, wildcards and language tags follow the
 * xsd grammar; every malformed name is refused with the component named; the parser never
 * reads past the given length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpe.h"

static bool parses(const char *s)
{
	struct cpe_name n;
	char why[128];
	/* An exact-size heap copy without NUL, so a read past the end is an ASan error. */
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, s, len);
	bool ok = cpe_parse(copy, len, &n, why, sizeof why);
	free(copy);
	return ok;
}

/* The reason a name is refused. */
static const char *why_not(const char *s)
{
	static char why[128];
	struct cpe_name n;
	assert_false(cpe_parse(s, strlen(s), &n, why, sizeof why));
	return why;
}

static void attr_is(const char *s, int attr, const char *want)
{
	struct cpe_name n;
	char buf[256];
	assert_true(cpe_parse(s, strlen(s), &n, NULL, 0));
	cpe_unquote(s, &n.attr[attr], buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void test_dictionary_names_parse(void **state)
{
	(void)state;
	assert_true(parses("cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:h:cisco:asa_5505:-:*:*:*:*:*:*:*"));
	assert_true(
	        parses("cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*"));
	assert_true(parses("cpe:2.3:*:*:*:*:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:-:-:-:-:-:-:-:-:-:-:-"));
}

static void test_attributes_come_back_unquoted(void **state)
{
	(void)state;
	const char *s = "cpe:2.3:a:foo\\:bar:big\\$money_manager_2010:*:*:*:ja-JP:*:*:*:*";
	attr_is(s, CPE_PART, "a");
	attr_is(s, CPE_VENDOR, "foo:bar");
	attr_is(s, CPE_PRODUCT, "big$money_manager_2010");
	attr_is(s, CPE_LANGUAGE, "ja-JP");
	attr_is(s, CPE_OTHER, "*");
	char small[4];
	struct cpe_name n;
	assert_true(cpe_parse(s, strlen(s), &n, NULL, 0));
	assert_int_equal(cpe_unquote(s, &n.attr[CPE_VENDOR], small, sizeof small), 7);
	assert_string_equal(small, "foo");
}

static void test_wildcards_only_at_the_ends(void **state)
{
	(void)state;
	assert_true(parses("cpe:2.3:a:*soft:word*:??3:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:vendor:product:1.?:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:vendor:a\\*b:*:*:*:*:*:*:*:*"));
	assert_string_equal(why_not("cpe:2.3:a:vendor:pro*duct:*:*:*:*:*:*:*:*"),
	                    "product: ? and * only at the start or end of a value");
	assert_string_equal(why_not("cpe:2.3:a:vendor:**:*:*:*:*:*:*:*:*"),
	                    "product: a wildcard needs a value beside it");
	assert_string_equal(why_not("cpe:2.3:a:vendor:product:?:*:*:*:*:*:*:*"),
	                    "version: a wildcard needs a value beside it");
	assert_false(parses("cpe:2.3:a:vendor:*?x:*:*:*:*:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:vendor:x**:*:*:*:*:*:*:*:*"));
}

static void test_quoting_rules(void **state)
{
	(void)state;
	assert_string_equal(
	        why_not("cpe:2.3:a:vendor:my product:*:*:*:*:*:*:*:*"),
	        "product: characters other than A-Z a-z 0-9 - . _ must be quoted with \\");
	assert_false(parses("cpe:2.3:a:vendor:1\\.0:*:*:*:*:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:vendor:product:1.0\\:*:*:*:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:x\\"));
	assert_false(parses("cpe:2.3:a:ven\xc3\xa9:product:*:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:at\\&t:product\\(x\\):*:*:*:*:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:a\\\\b:c:*:*:*:*:*:*:*:*"));
}

static void test_structure_errors_name_the_component(void **state)
{
	(void)state;
	assert_string_equal(why_not("cpe:/a:microsoft:ie:8"), "cpe: must start with cpe:2.3:");
	assert_string_equal(why_not("CPE:2.3:a:v:p:*:*:*:*:*:*:*:*"),
	                    "cpe: must start with cpe:2.3:");
	assert_string_equal(why_not("cpe:2.3:a:v:p:*:*:*:*:*:*:*"),
	                    "cpe: fewer than 13 components (cpe:2.3: and 11 attributes)");
	assert_string_equal(why_not("cpe:2.3:a:v:p:*:*:*:*:*:*:*:*:*"),
	                    "cpe: more than 13 components");
	assert_string_equal(why_not("cpe:2.3:a:v:p:*:*:*:*:*:*:*:*:"),
	                    "cpe: more than 13 components");
	assert_string_equal(why_not("cpe:2.3:x:v:p:*:*:*:*:*:*:*:*"),
	                    "part: one of a (application), o (OS), h (hardware), * or -");
	assert_string_equal(why_not("cpe:2.3::v:p:*:*:*:*:*:*:*:*"),
	                    "part: one of a (application), o (OS), h (hardware), * or -");
	assert_string_equal(why_not("cpe:2.3:a::p:*:*:*:*:*:*:*:*"),
	                    "vendor: empty (use * for any value, - for none)");
	assert_false(parses(""));
	assert_false(parses("cpe:2.3:"));
}

static void test_language_tags(void **state)
{
	(void)state;
	assert_true(parses("cpe:2.3:a:v:p:*:*:*:en:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:v:p:*:*:*:es-419:*:*:*:*"));
	assert_true(parses("cpe:2.3:a:v:p:*:*:*:ja-jp:*:*:*:*"));
	assert_string_equal(why_not("cpe:2.3:a:v:p:*:*:*:english:*:*:*:*"),
	                    "language: an RFC 5646 tag such as ja or ja-JP");
	assert_false(parses("cpe:2.3:a:v:p:*:*:*:en-:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:v:p:*:*:*:en-1:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:v:p:*:*:*:en-a1:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:v:p:*:*:*:e:*:*:*:*"));
	assert_false(parses("cpe:2.3:a:v:p:*:*:*:en*:*:*:*:*"));
}

static void test_length_limit_and_bounds(void **state)
{
	(void)state;
	char big[CPE_MAX_LEN + 2];
	const char *head = "cpe:2.3:a:v:";
	const char *tail = ":*:*:*:*:*:*:*:*";
	size_t fill = CPE_MAX_LEN - strlen(head) - strlen(tail);
	snprintf(big, sizeof big, "%s", head);
	memset(big + strlen(head), 'x', fill);
	memcpy(big + strlen(head) + fill, tail, strlen(tail) + 1);
	assert_int_equal(strlen(big), CPE_MAX_LEN);
	assert_true(parses(big));
	memmove(big + strlen(head) + 1, big + strlen(head), strlen(big) - strlen(head) + 1);
	assert_string_equal(why_not(big), "cpe: longer than 1024 bytes");
	/* A length cut inside the text: only the given bytes count. */
	struct cpe_name n;
	const char *s = "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*trailing";
	assert_true(cpe_parse(s, strlen(s) - strlen("trailing"), &n, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dictionary_names_parse),
	        cmocka_unit_test(test_attributes_come_back_unquoted),
	        cmocka_unit_test(test_wildcards_only_at_the_ends),
	        cmocka_unit_test(test_quoting_rules),
	        cmocka_unit_test(test_structure_errors_name_the_component),
	        cmocka_unit_test(test_language_tags),
	        cmocka_unit_test(test_length_limit_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
