/*
 * test_formats.c — the hand-written formatters every record goes through agree with the C
 * library they replaced: time_format with gmtime_r and snprintf (RFC 3339, microseconds, Z)
 * over the calendar's corners and a million pseudo-random instants from 1970 to 9999 and
 * before 1970, time_parse with timegm over a million random date texts (real and impossible
 * dates, offsets, leap seconds), and ipaddr_format with inet_ntop over IPv4 addresses of every
 * digit count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipaddr.h"
#include "timefmt.h"

/* What time_format wrote before: the C library's calendar. */
static void reference(acd_time t, char *buf, size_t len)
{
	int64_t secs = t / ACD_USEC, usec = t % ACD_USEC;
	if (usec < 0) {
		usec += ACD_USEC;
		secs -= 1;
	}
	time_t tt = (time_t)secs;
	struct tm tm;
	assert_non_null(gmtime_r(&tt, &tm));
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)usec);
}

static void same_as_reference(acd_time t)
{
	char got[TIME_STRLEN], want[TIME_STRLEN];
	time_format(t, got, sizeof got);
	reference(t, want, sizeof want);
	if (strcmp(got, want) != 0)
		fail_msg("time %lld: %s, the C library says %s", (long long)t, got, want);
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_times_match_the_c_library(void **state)
{
	(void)state;
	static const char *const corners[] = {
	        "1970-01-01T00:00:00Z",        "1970-01-01T00:00:00.000001Z",
	        "1999-12-31T23:59:59.999999Z", "2000-02-29T12:00:00Z",
	        "2000-03-01T00:00:00Z",        "2024-02-29T23:59:59Z",
	        "2026-11-22T22:53:46.123456Z", "2100-02-28T23:59:59Z",
	        "2100-03-01T00:00:00Z",        "9999-12-31T23:59:59.999999Z",
	};
	for (size_t i = 0; i < sizeof corners / sizeof corners[0]; i++) {
		acd_time t;
		assert_true(time_parse(corners[i], &t));
		same_as_reference(t);
		same_as_reference(t - 1);
		same_as_reference(t + 1);
	}
	/* Before 1970: negative microseconds count back from the epoch. */
	same_as_reference(-1);
	same_as_reference(-ACD_USEC);
	same_as_reference(-86400 * ACD_USEC - 1);
	same_as_reference((acd_time)-2208988800 * ACD_USEC); /* 1900-01-01 */
	uint64_t s = 0x9e3779b97f4a7c15u;
	const acd_time span = (acd_time)253402300800 * ACD_USEC; /* 1970 .. 10000 */
	for (int i = 0; i < 1000000; i++) {
		acd_time t = (acd_time)(next(&s) % (uint64_t)span);
		same_as_reference(t);
		if (i % 8 == 0)
			same_as_reference(-(t % ((acd_time)2208988800 * ACD_USEC)));
	}
}

/* What time_parse did before: timegm, and a date timegm had to normalise (31 February) was
 * no date; a leap second is the first second of the next minute. */
static bool parse_reference(int y, int mo, int d, int h, int mi, int sec, int off, acd_time *out)
{
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec == 60 ? 59 : sec};
	time_t t = timegm(&tm);
	struct tm back;
	assert_non_null(gmtime_r(&t, &back));
	if (back.tm_mday != d || back.tm_mon != mo - 1)
		return false;
	*out = ((acd_time)t + (sec == 60) - off) * ACD_USEC;
	return true;
}

static void test_time_parse_matches_the_c_library(void **state)
{
	(void)state;
	uint64_t s = 0x243f6a8885a308d3u;
	int accepted = 0, refused = 0;
	for (int i = 0; i < 1000000; i++) {
		int y = (int)(next(&s) % 10000), mo = (int)(next(&s) % 14),
		    d = (int)(next(&s) % 33);
		int h = (int)(next(&s) % 25), mi = (int)(next(&s) % 61), sec = (int)(next(&s) % 62);
		int oh = (int)(next(&s) % 24), om = (int)(next(&s) % 60);
		int sign = next(&s) % 3 == 0 ? -1 : 1;
		if (i % 4 == 0) { /* mostly real dates, with February's corners */
			mo = 1 + mo % 12;
			d = mo == 2 ? 28 + d % 2 : 1 + d % 31;
			h %= 24;
			mi %= 60;
			sec %= 61;
		}
		char text[64];
		if (i % 2)
			snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
			         mi, sec);
		else
			snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y,
			         mo, d, h, mi, sec, sign < 0 ? '-' : '+', oh, om);
		int off = i % 2 ? 0 : sign * (oh * 3600 + om * 60);
		acd_time got = 0, want = 0;
		bool ok = time_parse(text, &got);
		bool ok_ref = parse_reference(y, mo, d, h, mi, sec, off, &want);
		if (ok != ok_ref || (ok && got != want))
			fail_msg("%s: %d %lld, the C library says %d %lld", text, ok,
			         (long long)got, ok_ref, (long long)want);
		ok ? accepted++ : refused++;
	}
	assert_true(accepted > 100000 && refused > 100000); /* both sides were tried */
	acd_time t;
	assert_false(time_parse("2023-02-29T00:00:00Z", &t));
	assert_false(time_parse("2023-02-31T23:59:60Z", &t)); /* a leap second on no day */
	assert_true(time_parse("2024-02-29T00:00:00Z", &t));
	assert_true(time_parse("2016-12-31T23:59:60Z", &t));
	acd_time next_year;
	assert_true(time_parse("2017-01-01T00:00:00Z", &next_year));
	assert_int_equal(t, next_year);
}

static void test_times_beyond_four_digit_years_are_still_written(void **state)
{
	(void)state;
	char got[TIME_STRLEN];
	time_format((acd_time)253402300800 * ACD_USEC, got, sizeof got); /* 10000-01-01 */
	assert_string_equal(got, "10000-01-01T00:00:00.000000Z");
	time_format(0, got, 11); /* cut to fit, always terminated */
	assert_string_equal(got, "1970-01-01");
}

static void test_ipv4_matches_inet_ntop(void **state)
{
	(void)state;
	uint64_t s = 12345;
	for (int i = 0; i < 200000; i++) {
		uint32_t v = (uint32_t)next(&s);
		if (i < 256) /* every octet value in every position */
			v = (uint32_t)i * 0x01010101u;
		uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
		                (uint8_t)v};
		struct ip_addr a;
		ipaddr_set4(&a, b);
		char got[IPADDR_STRLEN], want[INET_ADDRSTRLEN];
		ipaddr_format(&a, got, sizeof got);
		assert_non_null(inet_ntop(AF_INET, b, want, sizeof want));
		assert_string_equal(got, want);
	}
	uint8_t b[4] = {255, 255, 255, 255};
	struct ip_addr a;
	ipaddr_set4(&a, b);
	char small[8] = "x";
	ipaddr_format(&a, small, sizeof small); /* does not fit: empty, not cut */
	assert_string_equal(small, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_times_match_the_c_library),
	        cmocka_unit_test(test_time_parse_matches_the_c_library),
	        cmocka_unit_test(test_times_beyond_four_digit_years_are_still_written),
	        cmocka_unit_test(test_ipv4_matches_inet_ntop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
