/* timefmt.c — see timefmt.h. */
#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The proleptic Gregorian date of a day count from 1970-01-01 (eras of 400 years, the year
 * counted from March so that the leap day comes last). */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	days += 719468; /* from 0000-03-01 */
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;                                   /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* March = 0 */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* The day count from 1970-01-01 of a proleptic Gregorian date (the inverse of the above). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static void digits_out(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Formatted by hand: records and stats carry two times each, and snprintf with gmtime_r was
 * a tenth of the sensor's time when every foreign flow was selected. */
void time_format(acd_time t, char *buf, size_t len)
{
	int64_t secs = t / ACD_USEC, usec = t % ACD_USEC;
	if (usec < 0) {
		usec += ACD_USEC;
		secs -= 1;
	}
	int64_t days = secs / 86400, sod = secs % 86400, year;
	if (sod < 0) {
		sod += 86400;
		days -= 1;
	}
	int mon, mday;
	civil_from_days(days, &year, &mon, &mday);
	if (year < 0 || year > 9999) {
		snprintf(buf, len, "%lld-%02d-%02dT%02d:%02d:%02d.%06lldZ", (long long)year, mon,
		         mday, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
		         (long long)usec);
		return;
	}
	char out[] = "YYYY-MM-DDThh:mm:ss.uuuuuuZ";
	digits_out(out, (unsigned)year, 4);
	digits_out(out + 5, (unsigned)mon, 2);
	digits_out(out + 8, (unsigned)mday, 2);
	digits_out(out + 11, (unsigned)(sod / 3600), 2);
	digits_out(out + 14, (unsigned)(sod / 60 % 60), 2);
	digits_out(out + 17, (unsigned)(sod % 60), 2);
	digits_out(out + 20, (unsigned)usec, 6);
	if (len > 0) {
		size_t n = sizeof out - 1 < len - 1 ? sizeof out - 1 : len - 1;
		memcpy(buf, out, n);
		buf[n] = '\0';
	}
}

/* Reads exactly n digits; false otherwise. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool parse_offset(const char **p, int *offset_secs)
{
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset_secs = 0;
		return true;
	}
	int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
	int oh, om;
	if (sign == 0)
		return false;
	(*p)++;
	if (!digits(p, 2, &oh) || !expect(p, ':') || !digits(p, 2, &om) || oh > 23 || om > 59)
		return false;
	*offset_secs = sign * (oh * 3600 + om * 60);
	return true;
}

bool time_parse(const char *s, acd_time *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, off;
	if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
	    !digits(&p, 2, &d) || (*p != 'T' && *p != 't'))
		return false;
	p++;
	if (!digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi) || !expect(&p, ':') ||
	    !digits(&p, 2, &sec))
		return false;
	long long usec = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n < 6)
				usec = usec * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return false;
		for (; n < 6; n++)
			usec *= 10;
	}
	if (!parse_offset(&p, &off) || *p != '\0')
		return false;
	/* Dates that do not exist (31 February) are refused; a leap second (:60) counts as the
	 * first second of the next minute, as timegm has it. By hand rather than timegm: acdd
	 * parses two times for every record it ingests, and timegm's time-zone machinery was a
	 * tenth of the parsing. */
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return false;
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*out = ((acd_time)t - off) * ACD_USEC + usec;
	return true;
}

acd_time time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (acd_time)ts.tv_sec * ACD_USEC + ts.tv_nsec / 1000;
}
