/* ipaddr.c — see ipaddr.h. */
#include "ipaddr.h"

#include <arpa/inet.h>
#include <string.h>

bool ipaddr_parse(const char *s, struct ip_addr *out)
{
	uint8_t buf[16];
	if (inet_pton(AF_INET, s, buf) == 1) {
		ipaddr_set4(out, buf);
		return true;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		ipaddr_set6(out, buf);
		return true;
	}
	return false;
}

/* Dotted quad by hand: glibc's inet_ntop formats IPv4 with sprintf, and two addresses a record
 * made it a visible share of the sensor's time with every foreign flow selected. */
static void format4(const uint8_t *b, char *buf, size_t len)
{
	char out[16];
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100)
			out[n++] = (char)('0' + v / 100);
		if (v >= 10)
			out[n++] = (char)('0' + v / 10 % 10);
		out[n++] = (char)('0' + v % 10);
		out[n++] = i < 3 ? '.' : '\0';
	}
	if (len >= n)
		memcpy(buf, out, n);
	else if (len > 0)
		buf[0] = '\0';
}

void ipaddr_format(const struct ip_addr *a, char *buf, size_t len)
{
	if (a->family == 4)
		format4(a->b, buf, len);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
	else if (len > 0)
		buf[0] = '\0';
}

int ipaddr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->b, b->b, 16);
	return (c > 0) - (c < 0);
}

bool ipaddr_prefix_eq(const struct ip_addr *a, const struct ip_addr *b, unsigned bits)
{
	if (a->family != b->family)
		return false;
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a->b, b->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->b[full] & mask) == (b->b[full] & mask);
}
