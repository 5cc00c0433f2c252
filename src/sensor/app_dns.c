/*
 * app_dns.c — the DNS query name of a flow, the only DNS field acd extracts (Contract 4
 * `dns_qname`). Reads the first question of a DNS message over hostile bytes; nothing else of
 * the message (answers, other questions, EDNS options) is looked at.
 *
 * Rules, chosen so that the name a domain selector sees is exactly the name asked for:
 *  - the header's QDCOUNT must be at least 1;
 *  - labels are 1–63 bytes of 0x21–0x7e other than '.', folded to lower case and joined by
 *    '.'; any other byte makes the name invalid (false) rather than cutting it, because a cut
 *    name could end in a different domain than the one asked for;
 *  - compression pointers are followed, but each must point strictly before the label run that
 *    holds it and at most DNS_MAX_JUMPS of them are taken, so loops end with false;
 *  - the dotted name is at most 253 characters and must fit `out`, else false;
 *  - the root name (empty) is false: there is nothing a selector could match.
 */
#include "app.h"

#include <string.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX   253
#define DNS_MAX_JUMPS  8

/* A bounded view of one DNS message: `m` .. `m + len`. */
struct dns_msg {
	const uint8_t *m;
	uint32_t len;
};

/* Appends one label at `at` (its length byte) to out[*olen]; false when it is not a plain
 * name label or the name would grow past its bounds. */
static bool dns_append_label(const struct dns_msg *d, uint32_t at, char *out, size_t outlen,
                             size_t *olen)
{
	uint32_t n = d->m[at];
	if (at + 1 + n > d->len)
		return false;
	size_t need = *olen + (*olen > 0) + n;
	if (need > DNS_NAME_MAX || need + 1 > outlen)
		return false;
	if (*olen > 0)
		out[(*olen)++] = '.';
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = d->m[at + 1 + i];
		if (c < 0x21 || c > 0x7e || c == '.')
			return false;
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		out[(*olen)++] = (char)c;
	}
	return true;
}

/* Walks the name starting at `pos`, following bounded backward pointers. */
static bool dns_read_name(const struct dns_msg *d, uint32_t pos, char *out, size_t outlen)
{
	size_t olen = 0;
	uint32_t run_start = pos; /* where the current run of labels began */
	unsigned jumps = 0;
	for (;;) {
		if (pos >= d->len)
			return false;
		uint8_t b = d->m[pos];
		if (b == 0)
			break;
		if ((b & 0xc0) == 0xc0) {
			if (pos + 2 > d->len || ++jumps > DNS_MAX_JUMPS)
				return false;
			uint32_t target = (uint32_t)(b & 0x3f) << 8 | d->m[pos + 1];
			/* Strictly backward from the run's start: every jump makes progress
			 * towards the start of the message, so no loop is possible. */
			if (target >= run_start)
				return false;
			pos = run_start = target;
			continue;
		}
		if (b & 0xc0) /* 0x40 and 0x80 are obsolete or reserved label types */
			return false;
		if (!dns_append_label(d, pos, out, outlen, &olen))
			return false;
		pos += 1 + (uint32_t)b;
	}
	out[olen] = '\0';
	return olen > 0;
}

bool dns_query_name(const uint8_t *p, uint32_t len, bool tcp, char *out, size_t outlen)
{
	if (outlen == 0)
		return false;
	out[0] = '\0';
	struct dns_msg d = {p, len};
	if (tcp) {
		/* The length prefix bounds the message: pointers may not reach past it
		 * into a following pipelined message. */
		if (len < 2)
			return false;
		uint32_t mlen = (uint32_t)p[0] << 8 | p[1];
		d.m = p + 2;
		d.len = len - 2 < mlen ? len - 2 : mlen;
	}
	if (d.len < DNS_HEADER_LEN)
		return false;
	uint16_t qdcount = (uint16_t)(d.m[4] << 8 | d.m[5]);
	if (qdcount == 0)
		return false;
	if (!dns_read_name(&d, DNS_HEADER_LEN, out, outlen)) {
		out[0] = '\0';
		return false;
	}
	return true;
}
