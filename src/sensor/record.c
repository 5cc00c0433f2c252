/* record.c — see record.h. */
#include "record.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "packet.h"
#include "slab.h"

/* A copy of a name, or NULL when out of memory. */
static char *copy_name(const char *name)
{
	size_t n = strlen(name) + 1;
	char *c = malloc(n);
	if (c)
		memcpy(c, name, n);
	return c;
}

/* Wipes and frees a copy made by copy_name (names are mechanical information, but nothing
 * derived from a packet outlives its flow). */
static void free_name(char **p)
{
	if (!*p)
		return;
	sodium_memzero(*p, strlen(*p));
	free(*p);
	*p = NULL;
}

bool record_hit(struct flow *f, struct slab *sels, uint16_t ap, uint16_t sel, int field,
                const char *name)
{
	if (!f->sel) {
		if (!(f->sel = slab_alloc(sels)))
			return false;
		f->sel->hits = f->sel->inline_hits;
		f->sel->cap = SEL_HITS_INLINE;
	}
	struct flow_sel *s = f->sel;
	for (size_t i = 0; i < s->nhits; i++)
		if (s->hits[i].approval == ap && s->hits[i].selector == sel)
			return true;
	if (s->nhits == s->cap) {
		uint32_t cap = s->cap * 2;
		struct sel_hit *p = malloc(cap * sizeof *p);
		if (!p)
			return false;
		memcpy(p, s->hits, s->nhits * sizeof *p);
		if (s->hits != s->inline_hits) {
			sodium_memzero(s->hits, s->cap * sizeof *s->hits);
			free(s->hits);
		}
		s->hits = p;
		s->cap = cap;
	}
	char *copy = NULL;
	if (field >= 0 && name && name[0] && !(copy = copy_name(name)))
		return false;
	struct sel_hit *h = &s->hits[s->nhits++];
	h->approval = ap;
	h->selector = sel;
	h->field = (int8_t)field;
	h->name = copy;
	return true;
}

void record_seen_name(struct flow *f, enum name_field field, const char *name)
{
	if (f->sel && !f->sel->name[field])
		f->sel->name[field] = copy_name(name);
}

void record_seen_ua(struct flow *f, const char *ua)
{
	if (f->sel && !f->sel->http_ua)
		f->sel->http_ua = copy_name(ua);
}

void record_free(struct flow *f, struct slab *sels)
{
	struct flow_sel *s = f->sel;
	if (!s)
		return;
	for (size_t i = 0; i < s->nhits; i++)
		free_name(&s->hits[i].name);
	if (s->hits != s->inline_hits) {
		sodium_memzero(s->hits, s->cap * sizeof *s->hits);
		free(s->hits);
	}
	for (int i = 0; i < NAME_FIELDS; i++)
		free_name(&s->name[i]);
	free_name(&s->http_ua);
	slab_free(sels, s); /* wipes it */
	f->sel = NULL;
}

/* ---- the record line --------------------------------------------------------------------
 * Written by hand rather than built as a jansson tree and dumped: the shape is fixed (Contract
 * 4, keys in the contract's order, compact) and the tree cost some forty allocations a record,
 * which made writing 7,572 records a seventh of the bench. The output is byte for byte what
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) wrote: '"', '\\' and control characters
 * escaped (\b \f \n \r \t, others \u00XX), everything else, UTF-8 included, as it is. Where
 * jansson refused a string that is not UTF-8 (and so dropped its key), a byte that is not part
 * of a valid sequence is written as U+FFFD, so every key is present. */

static inline void put(struct linebuf *b, const char *p, size_t n)
{
	if (b->len + n <= b->cap) { /* the usual case, without a call */
		memcpy(b->data + b->len, p, n);
		b->len += n;
	} else {
		linebuf_append(b, p, n);
	}
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

/* Length of the valid UTF-8 sequence at p (of at most n bytes), 0 when there is none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = c & (0x3fu >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_str(struct linebuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), run = 0;
	PUT_LIT(b, "\"");
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* nearly every byte */
			i++;
			run++;
			continue;
		}
		const char *esc = NULL;
		char tmp[8];
		size_t len = 1;
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\b')
			esc = "\\b";
		else if (c == '\f')
			esc = "\\f";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x20)
			esc = (snprintf(tmp, sizeof tmp, "\\u%04X", c), tmp);
		else if (c >= 0x80 && !(len = utf8_len(p + i, n - i))) {
			esc = "\\uFFFD";
			len = 1;
		}
		if (!esc) {
			i += len;
			run += len;
			continue;
		}
		put(b, s + i - run, run);
		put(b, esc, strlen(esc));
		run = 0;
		i += len;
	}
	put(b, s + n - run, run);
	PUT_LIT(b, "\"");
}

static void put_str_or_null(struct linebuf *b, const char *s)
{
	if (s && s[0])
		put_str(b, s);
	else
		PUT_LIT(b, "null");
}

static void put_u64(struct linebuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(b, tmp + i, sizeof tmp - i);
}

/* `,"key":` — every field but the first starts so. */
static void put_key(struct linebuf *b, const char *key)
{
	PUT_LIT(b, ",\"");
	put(b, key, strlen(key));
	PUT_LIT(b, "\":");
}

static void put_flags(struct linebuf *b, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char letter;
	} order[] = {{TCPF_CWR, 'C'}, {TCPF_ECE, 'E'}, {TCPF_URG, 'U'}, {TCPF_ACK, 'A'},
	             {TCPF_PSH, 'P'}, {TCPF_RST, 'R'}, {TCPF_SYN, 'S'}, {TCPF_FIN, 'F'}};
	char buf[9];
	size_t n = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].letter;
	buf[n] = '\0';
	put_str(b, buf);
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static const char *const direction_names[] = {"foreign-foreign", "foreign-domestic",
                                              "domestic-foreign"};

/* The name to report for one field: the one this approval's domain selector matched, else
 * the first one seen. */
static const char *name_for(const struct flow_sel *s, size_t ap, enum name_field field)
{
	for (size_t i = 0; i < s->nhits; i++)
		if (s->hits[i].approval == ap && s->hits[i].field == (int)field)
			return s->hits[i].name;
	return s->name[field];
}

static bool selector_hit(const struct flow_sel *s, size_t ap, size_t sel)
{
	for (size_t i = 0; i < s->nhits; i++)
		if (s->hits[i].approval == ap && s->hits[i].selector == sel)
			return true;
	return false;
}

/* `selectors` (ids of this approval's selectors that matched, in the approval's order) or,
 * with `signatures`, the content ones among them with their labels. */
static void put_selectors(struct linebuf *b, const struct flow_sel *s, const struct approval *a,
                          size_t ap, bool signatures)
{
	bool first = true;
	PUT_LIT(b, "[");
	for (size_t j = 0; j < a->n_selectors; j++) {
		const struct selector *sel = &a->selectors[j];
		if ((signatures && sel->type != SEL_CONTENT) || !selector_hit(s, ap, j))
			continue;
		if (!first)
			PUT_LIT(b, ",");
		first = false;
		if (!signatures) {
			put_str(b, sel->id);
			continue;
		}
		PUT_LIT(b, "{\"id\":");
		put_str(b, sel->id);
		PUT_LIT(b, ",\"label\":");
		put_str_or_null(b, sel->label);
		PUT_LIT(b, "}");
	}
	PUT_LIT(b, "]");
}

/* Writes v as exactly n digits (leading zeros) at p. */
static void fixed_digits(char *p, unsigned long long v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void record_id(char *out, size_t len, const char *sensor_id, uint64_t epoch_ms, uint64_t seq)
{
	/* Fixed widths keep (epoch, sequence) apart: 10^13 ms is the year 2286, and 10^18 is
	 * 1.5 * 10^16 packets at 64 approvals each, far beyond any run. By hand, not snprintf:
	 * a record's id, times and addresses were a tenth of the sensor's time through it. */
	size_t n = strlen(sensor_id);
	if (len < n + 1 + 13 + 18 + 1 || epoch_ms >= 10000000000000ull ||
	    seq >= 1000000000000000000ull) {
		snprintf(out, len, "%s:%013llu%018llu", sensor_id, (unsigned long long)epoch_ms,
		         (unsigned long long)seq);
		return;
	}
	memcpy(out, sensor_id, n);
	out[n] = ':';
	fixed_digits(out + n + 1, epoch_ms, 13);
	fixed_digits(out + n + 14, seq, 18);
	out[n + 32] = '\0';
}

void record_format(const struct flow *f, const struct selection *s, size_t ap,
                   const char *sensor_id, uint64_t epoch_ms, uint64_t seq, struct linebuf *b)
{
	const struct approval *a = &s->ap[ap].a;
	const struct flow_sel *fs = f->sel;
	char id[RECORD_ID_MAX], first[TIME_STRLEN], last[TIME_STRLEN], src[IPADDR_STRLEN],
	        dst[IPADDR_STRLEN];
	record_id(id, sizeof id, sensor_id, epoch_ms, seq);
	time_format(f->first, first, sizeof first);
	time_format(f->last, last, sizeof last);
	ipaddr_format(&f->key.src, src, sizeof src);
	ipaddr_format(&f->key.dst, dst, sizeof dst);
	bool ports = has_ports(f->key.proto);
	PUT_LIT(b, "{\"type\":\"flow\"");
	put_key(b, "id");
	put_str(b, id);
	put_key(b, "sensor");
	put_str(b, sensor_id);
	put_key(b, "approval");
	put_str(b, a->id);
	put_key(b, "selectors");
	put_selectors(b, fs, a, ap, false);
	put_key(b, "direction");
	put_str(b, direction_names[f->direction]);
	put_key(b, "first");
	put_str(b, first);
	put_key(b, "last");
	put_str(b, last);
	put_key(b, "proto");
	put_u64(b, f->key.proto);
	put_key(b, "src");
	put_str(b, src);
	put_key(b, "sport");
	ports ? put_u64(b, f->key.sport) : PUT_LIT(b, "null");
	put_key(b, "dst");
	put_str(b, dst);
	put_key(b, "dport");
	ports ? put_u64(b, f->key.dport) : PUT_LIT(b, "null");
	put_key(b, "packets");
	put_u64(b, f->packets);
	put_key(b, "bytes");
	put_u64(b, f->bytes);
	put_key(b, "rpackets");
	put_u64(b, f->rpackets);
	put_key(b, "rbytes");
	put_u64(b, f->rbytes);
	put_key(b, "tcp_flags");
	f->key.proto == 6 ? put_flags(b, f->tcp_flags) : PUT_LIT(b, "null");
	put_key(b, "icmp_type");
	f->has_icmp ? put_u64(b, f->icmp_type) : PUT_LIT(b, "null");
	put_key(b, "icmp_code");
	f->has_icmp ? put_u64(b, f->icmp_code) : PUT_LIT(b, "null");
	put_key(b, "app");
	put_str_or_null(b, app_name((enum app_proto)f->app));
	put_key(b, "dns_qname");
	put_str_or_null(b, name_for(fs, ap, NAME_DNS));
	put_key(b, "tls_sni");
	put_str_or_null(b, name_for(fs, ap, NAME_TLS));
	put_key(b, "tls_ja3");
	put_str_or_null(b, fs->ja3);
	put_key(b, "http_method");
	put_str_or_null(b, fs->http_method);
	put_key(b, "http_host");
	put_str_or_null(b, name_for(fs, ap, NAME_HTTP));
	put_key(b, "http_user_agent");
	put_str_or_null(b, fs->http_ua);
	put_key(b, "signatures");
	put_selectors(b, fs, a, ap, true);
	PUT_LIT(b, "}\n");
}
