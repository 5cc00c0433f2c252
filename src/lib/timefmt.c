/* timefmt.c — see timefmt.h. */
#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void time_format(acd_time t, char *buf, size_t len)
{
	int64_t secs = t / ACD_USEC, usec = t % ACD_USEC;
	if (usec < 0) {
		usec += ACD_USEC;
		secs -= 1;
	}
	time_t tt = (time_t)secs;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)usec);
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
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec};
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse dates that do not exist. */
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_mday != d && sec != 60)
		return false;
	*out = ((acd_time)t - off) * ACD_USEC + usec;
	return true;
}

acd_time time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (acd_time)ts.tv_sec * ACD_USEC + ts.tv_nsec / 1000;
}
