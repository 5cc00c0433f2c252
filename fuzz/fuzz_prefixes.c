/*
 * fuzz_prefixes.c — libFuzzer harness for the domestic prefix table (prefix_table_parse).
 *
 * The input is the table's text (country "JP"), given in an exactly-sized heap copy with no
 * terminating NUL, so reading past the length is an AddressSanitizer error. Checks:
 * - a failure is ACD_EINPUT with a message "fuzz:LINE: …";
 * - the table is a set, so the same lines in reverse order load (or fail) alike and classify
 *   every probe address the same way;
 * - for inputs of up to 32 lines, every probe is also classified by a reference built from
 *   one-line tables: domestic = (non-global or in some listed line) and in no `foreign` line,
 *   where a `foreign X` line's coverage is read off the table "0.0.0.0/0, ::/0, foreign X";
 * - probes: the fixed ends of the address space, addresses built from the input's last
 *   bytes, and every address written at the start of a line with its neighbours ±1.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_table.h"

#define MAX_PROBES    512
#define MAX_REF_LINES 32

struct probes {
	struct ip_addr a[MAX_PROBES];
	size_t n;
};

static void add(struct probes *p, const struct ip_addr *a)
{
	if (p->n < MAX_PROBES)
		p->a[p->n++] = *a;
}

/* The address and its neighbours one below and one above (wrapping at the ends). */
static void add_with_neighbours(struct probes *p, const struct ip_addr *a)
{
	add(p, a);
	size_t last = a->family == 4 ? 3 : 15;
	struct ip_addr up = *a, down = *a;
	for (size_t i = last + 1; i-- > 0;)
		if (++up.b[i] != 0)
			break;
	for (size_t i = last + 1; i-- > 0;)
		if (down.b[i]-- != 0)
			break;
	add(p, &up);
	add(p, &down);
}

/* The address a line starts with: after an optional keyword, or the 4th field of an RIR line. */
static void probe_line(struct probes *p, const char *line, size_t n)
{
	char buf[64];
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (memchr(line + i, '|', n - i)) {
		int bars = 0;
		while (i < n && bars < 3)
			if (line[i++] == '|')
				bars++;
	} else {
		size_t w = i;
		while (w < n && line[w] != ' ' && line[w] != '\t')
			w++;
		if ((w - i == 8 && memcmp(line + i, "domestic", 8) == 0) ||
		    (w - i == 7 && memcmp(line + i, "foreign", 7) == 0)) {
			i = w;
			while (i < n && (line[i] == ' ' || line[i] == '\t'))
				i++;
		}
	}
	size_t k = 0;
	while (i < n && k < sizeof buf - 1 && line[i] != '/' && line[i] != '|' && line[i] != ' ' &&
	       line[i] != '\t' && line[i] != '#' && line[i] != '\r')
		buf[k++] = line[i++];
	buf[k] = '\0';
	struct ip_addr a;
	if (k > 0 && ipaddr_parse(buf, &a))
		add_with_neighbours(p, &a);
}

static void collect_probes(struct probes *p, const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
	        "0.0.0.0",      "255.255.255.255",
	        "::",           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	        "10.0.0.0",     "133.0.0.1",
	        "2001:db8:1::1"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		struct ip_addr a;
		ipaddr_parse(fixed[i], &a);
		add_with_neighbours(p, &a);
	}
	for (int k = 0; k < 4 && size >= 16; k++) {
		struct ip_addr a;
		const uint8_t *b = data + size - 16 + (size_t)k * 4;
		ipaddr_set4(&a, b);
		add(p, &a);
	}
	if (size >= 16) {
		struct ip_addr a;
		ipaddr_set6(&a, data + size - 16);
		add(p, &a);
	}
	size_t pos = 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t n = nl ? (size_t)(nl - (data + pos)) : size - pos;
		probe_line(p, (const char *)data + pos, n);
		pos += n + 1;
	}
}

/* The same lines, last first, each ended by '\n'. */
static char *reversed_lines(const uint8_t *data, size_t size, size_t *outlen)
{
	char *out = malloc(size + 1);
	if (!out)
		return NULL;
	size_t w = 0, end = size;
	if (end > 0 && data[end - 1] == '\n')
		end--;
	for (;;) {
		size_t start = end;
		while (start > 0 && data[start - 1] != '\n')
			start--;
		memcpy(out + w, data + start, end - start);
		w += end - start;
		out[w++] = '\n';
		if (start == 0)
			break;
		end = start - 1;
	}
	*outlen = w;
	return out;
}

/* A one-line table; `foreign` lines over a table that has every address domestic. */
static struct prefix_table *one_line(const char *line, size_t n, bool *is_foreign)
{
	size_t i = 0;
	while (i < n && isspace((unsigned char)line[i]))
		i++;
	/* As the parser decides: before any comment, no '|', then the keyword and a space. */
	const char *hash = memchr(line, '#', n);
	size_t code = hash ? (size_t)(hash - line) : n;
	*is_foreign = !memchr(line, '|', code) && n - i > 7 &&
	              memcmp(line + i, "foreign", 7) == 0 && isspace((unsigned char)line[i + 7]);
	static const char all[] = "0.0.0.0/0\n::/0\n";
	size_t pre = *is_foreign ? sizeof all - 1 : 0;
	char *buf = malloc(pre + n + 1);
	if (!buf)
		abort();
	memcpy(buf, all, pre);
	memcpy(buf + pre, line, n);
	struct prefix_table *t = NULL;
	struct acd_error e;
	if (prefix_table_parse(buf, pre + n, "line", "JP", &t, &e) != ACD_OK)
		abort(); /* each line of a table that loaded must load alone */
	free(buf);
	return t;
}

static void check_against_reference(const struct prefix_table *t, const uint8_t *data, size_t size,
                                    const struct probes *p)
{
	struct prefix_table *lines[MAX_REF_LINES];
	bool foreign[MAX_REF_LINES];
	size_t n = 0, pos = 0;
	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - (data + pos)) : size - pos;
		if (n == MAX_REF_LINES) {
			for (size_t i = 0; i < n; i++)
				prefix_table_free(lines[i]);
			return;
		}
		lines[n] = one_line((const char *)data + pos, len, &foreign[n]);
		n++;
		pos += len + 1;
	}
	struct prefix_table *none = one_line("", 0, &(bool){false});
	for (size_t k = 0; k < p->n; k++) {
		bool listed = prefix_table_is_domestic(none, &p->a[k]), excepted = false;
		for (size_t i = 0; i < n; i++) {
			bool d = prefix_table_is_domestic(lines[i], &p->a[k]);
			if (foreign[i])
				excepted |= !d;
			else
				listed |= d;
		}
		if (prefix_table_is_domestic(t, &p->a[k]) != (listed && !excepted))
			abort();
	}
	prefix_table_free(none);
	for (size_t i = 0; i < n; i++)
		prefix_table_free(lines[i]);
}

static void check_error(enum acd_status st, const struct acd_error *e)
{
	if (st != ACD_EINPUT || e->status != ACD_EINPUT || strncmp(e->msg, "fuzz:", 5) != 0 ||
	    e->msg[5] < '1' || e->msg[5] > '9')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	size_t rlen = 0;
	char *rev = size ? reversed_lines(data, size, &rlen) : NULL;
	char *rtext = rev ? malloc(rlen) : NULL;
	if (rtext)
		memcpy(rtext, rev, rlen);
	free(rev);

	struct prefix_table *t = NULL, *r = NULL;
	struct acd_error e, re;
	enum acd_status st = prefix_table_parse(text, size, "fuzz", "JP", &t, &e);
	enum acd_status rst = rtext ? prefix_table_parse(rtext, rlen, "fuzz", "JP", &r, &re) : st;
	if (st != ACD_OK)
		check_error(st, &e);
	if (rtext && rst != ACD_OK)
		check_error(rst, &re);
	if (rtext && (st == ACD_OK) != (rst == ACD_OK))
		abort();
	if (st == ACD_OK) {
		static struct probes p;
		p.n = 0;
		collect_probes(&p, data, size);
		for (size_t i = 0; i < p.n; i++) {
			bool d = prefix_table_is_domestic(t, &p.a[i]);
			if (r && prefix_table_is_domestic(r, &p.a[i]) != d)
				abort();
		}
		struct prefix_table_summary s, rs;
		prefix_table_summary(t, &s);
		if (r) {
			prefix_table_summary(r, &rs);
			if (s.v4_intervals != rs.v4_intervals || s.v6_intervals != rs.v6_intervals)
				abort();
		}
		check_against_reference(t, data, size, &p);
		char buf[128];
		size_t i = 0;
		while (prefix_table_foreign_line(t, i, buf, sizeof buf))
			if (memchr(buf, '\0', sizeof buf) == NULL || ++i > s.foreign_lines)
				abort();
	}
	prefix_table_free(t);
	prefix_table_free(r);
	free(text);
	free(rtext);
	return 0;
}
