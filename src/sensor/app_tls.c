/*
 * app_tls.c — the TLS ClientHello fields acd extracts (Contract 4 `tls_sni`, `tls_ja3`).
 *
 * The ClientHello is read where it lies in the segment: the handshake message may be split
 * over several TLS records, so the parser works on a logical "handshake stream" made of the
 * record fragments (a table of offsets, no copy of the payload). Nothing is kept but the
 * server name and the MD5 of the JA3 string; the JA3 string itself only holds numbers.
 *
 * Outcomes:
 *  - false: the bytes are not a ClientHello (first record not a handshake record, message
 *    type not 1, legacy_version outside 0x0300–0x0304) or contradict its structure within
 *    the bytes given (a length reaching past its enclosing length);
 *  - true with ja3_hex set: the whole ClientHello lies in the bytes;
 *  - true with ja3_hex empty: the ClientHello is cut short; the SNI is still set when the
 *    whole server_name extension lies in the bytes.
 * JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
 * decimal values joined by '-', GREASE values (RFC 8701: 0x?a?a with both bytes equal) left
 * out; a JA3 string longer than its buffer gives an empty ja3_hex, never a wrong digest.
 */
#include "app.h"

#include <nettle/md5.h>
#include <stdio.h>
#include <string.h>

#define TLS_RECORD_HEADER   5
#define TLS_RECORD_MAX      (16384 + 2048) /* plaintext limit plus the slack RFC 5246 allows */
#define TLS_MAX_FRAGS       32             /* records one handshake stream may span */
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HELLO_MIN       41   /* version, random, session id, one cipher, one compression */
#define JA3_MAX             2048 /* far beyond real clients (~100 ciphers need ~600 bytes) */

#define EXT_SERVER_NAME      0
#define EXT_SUPPORTED_GROUPS 10
#define EXT_EC_POINT_FORMATS 11

/* The handshake bytes of consecutive handshake records, as one logical stream. */
struct hs_stream {
	const uint8_t *p;
	struct {
		uint32_t off, len;
	} frag[TLS_MAX_FRAGS];
	unsigned nfrag;
	uint32_t avail; /* logical bytes present in the segment */
};

/* Result of asking for bytes: present, past the end of the segment, or past the end of the
 * enclosing structure (malformed). */
enum need { NEED_OK, NEED_CUT, NEED_BAD };

/* A span of the handshake stream with the end its enclosing length allows. */
struct hs_span {
	const struct hs_stream *s;
	uint32_t pos, end;
};

/* Where the JA3 lists are in the stream; len 0 with off 0 means absent. */
struct hello_lists {
	uint16_t version;
	uint32_t ciphers, ciphers_len;
	uint32_t exts, exts_len;
	uint32_t groups, groups_len;
	uint32_t formats, formats_len;
	bool sni_seen; /* only the first server_name counts, whatever came of it */
};

static bool tls_record_version_ok(const uint8_t *h)
{
	return h[1] == 3 && h[2] <= 4;
}

/* Collects the fragments of the handshake records at the start of p. False when the first
 * record is not a handshake record. */
static bool hs_collect(struct hs_stream *s, const uint8_t *p, uint32_t len)
{
	s->p = p; /* frag[] entries are written as they are found */
	s->nfrag = 0;
	s->avail = 0;
	uint32_t off = 0;
	while (s->nfrag < TLS_MAX_FRAGS && len - off >= TLS_RECORD_HEADER) {
		const uint8_t *h = p + off;
		uint32_t rlen = (uint32_t)h[3] << 8 | h[4];
		if (h[0] != 0x16 || !tls_record_version_ok(h) || rlen == 0 || rlen > TLS_RECORD_MAX)
			break;
		off += TLS_RECORD_HEADER;
		uint32_t take = rlen < len - off ? rlen : len - off;
		s->frag[s->nfrag].off = off;
		s->frag[s->nfrag].len = take;
		s->nfrag++;
		s->avail += take;
		off += take;
		if (take < rlen)
			break;
	}
	return s->nfrag > 0;
}

/* Byte `at` of the stream; the caller has checked at < avail. */
static uint8_t hs_byte(const struct hs_stream *s, uint32_t at)
{
	for (unsigned i = 0; i < s->nfrag; i++) {
		if (at < s->frag[i].len)
			return s->p[s->frag[i].off + at];
		at -= s->frag[i].len;
	}
	return 0;
}

static uint16_t hs_u16(const struct hs_stream *s, uint32_t at)
{
	return (uint16_t)(hs_byte(s, at) << 8 | hs_byte(s, at + 1));
}

static enum need span_need(const struct hs_span *sp, uint32_t n)
{
	if (n > sp->end - sp->pos)
		return NEED_BAD;
	if (n > sp->s->avail || sp->pos > sp->s->avail - n)
		return NEED_CUT;
	return NEED_OK;
}

/* Reads a length field of `width` (1 or 2) bytes and moves past it and the data it counts.
 * `*data` gets the data's offset and `*dlen` its length. */
static enum need span_vector(struct hs_span *sp, unsigned width, uint32_t *data, uint32_t *dlen)
{
	enum need r = span_need(sp, width);
	if (r != NEED_OK)
		return r;
	uint32_t n = width == 1 ? hs_byte(sp->s, sp->pos) : hs_u16(sp->s, sp->pos);
	sp->pos += width;
	*data = sp->pos;
	*dlen = n;
	if (n > sp->end - sp->pos)
		return NEED_BAD;
	sp->pos += n;
	return NEED_OK;
}

static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* A leading dot or two dots in a row: not a host name, so nothing a selector should see. */
static bool has_empty_label(const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name[i] == '.' && (i == 0 || name[i - 1] == '.' || i + 1 == n))
			return true;
	return false;
}

/* Copies the first host_name of a server_name extension whose data is all present. Bytes
 * outside 0x21–0x7e end the name (app.h); one trailing dot is dropped; a name longer than 253
 * or than `snilen`, or with an empty label, is dropped rather than cut or mended, since the
 * result could match a different domain. */
static enum need sni_copy(const struct hs_stream *s, uint32_t at, uint32_t n, char *sni,
                          size_t snilen)
{
	struct hs_span sp = {s, at, at + n};
	uint32_t list, list_len;
	enum need r = span_vector(&sp, 2, &list, &list_len);
	if (r != NEED_OK)
		return r;
	struct hs_span ls = {s, list, list + list_len};
	while (ls.pos < ls.end) {
		if ((r = span_need(&ls, 1)) != NEED_OK)
			return r;
		uint8_t type = hs_byte(s, ls.pos++);
		uint32_t name, name_len;
		if ((r = span_vector(&ls, 2, &name, &name_len)) != NEED_OK)
			return r;
		if (type != 0)
			continue;
		size_t o = 0;
		bool fits = true;
		for (uint32_t i = 0; i < name_len; i++) {
			uint8_t c = hs_byte(s, name + i);
			if (c < 0x21 || c > 0x7e)
				break;
			if (o + 1 >= snilen || o > 253) {
				fits = false;
				break;
			}
			sni[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		if (fits && o > 0 && sni[o - 1] == '.')
			o--; /* the trailing dot of an absolute name */
		if (!fits || o > 253 || has_empty_label(sni, o))
			o = 0;
		sni[o] = '\0';
		return NEED_OK;
	}
	return NEED_OK;
}

/* Walks the extensions block: notes the JA3 lists and copies the SNI. Stops quietly at the
 * end of the segment; NEED_BAD on a malformed extension. */
static enum need hello_extensions(const struct hs_stream *s, struct hs_span *sp,
                                  struct hello_lists *hl, char *sni, size_t snilen)
{
	while (sp->pos < sp->end) {
		enum need r = span_need(sp, 4);
		if (r != NEED_OK)
			return r;
		uint16_t type = hs_u16(s, sp->pos);
		sp->pos += 2;
		uint32_t data, n;
		if ((r = span_vector(sp, 2, &data, &n)) != NEED_OK)
			return r;
		bool whole = data <= s->avail && n <= s->avail - data;
		if (type == EXT_SERVER_NAME && whole && !hl->sni_seen) {
			hl->sni_seen = true;
			if (sni_copy(s, data, n, sni, snilen) == NEED_BAD)
				return NEED_BAD;
		} else if (type == EXT_SUPPORTED_GROUPS && hl->groups_len == 0) {
			struct hs_span es = {s, data, data + n};
			if ((r = span_vector(&es, 2, &hl->groups, &hl->groups_len)) == NEED_BAD ||
			    hl->groups_len % 2 != 0)
				return NEED_BAD;
		} else if (type == EXT_EC_POINT_FORMATS && hl->formats_len == 0) {
			struct hs_span es = {s, data, data + n};
			if (span_vector(&es, 1, &hl->formats, &hl->formats_len) == NEED_BAD)
				return NEED_BAD;
		}
		if (!whole)
			return NEED_CUT;
	}
	return NEED_OK;
}

/* Parses the ClientHello body after the handshake header. */
static enum need hello_body(const struct hs_stream *s, struct hs_span *sp, struct hello_lists *hl,
                            char *sni, size_t snilen)
{
	uint32_t at, n;
	enum need r = span_need(sp, 2);
	if (r != NEED_OK)
		return r;
	hl->version = hs_u16(s, sp->pos);
	if (hl->version < 0x0300 || hl->version > 0x0304)
		return NEED_BAD;
	sp->pos += 2;
	if ((r = span_need(sp, 32)) != NEED_OK)
		return r;
	sp->pos += 32; /* the random: not ours to look at */
	if ((r = span_vector(sp, 1, &at, &n)) != NEED_OK)
		return r;
	if (n > 32)
		return NEED_BAD;
	if ((r = span_vector(sp, 2, &hl->ciphers, &hl->ciphers_len)) != NEED_OK)
		return r;
	if (hl->ciphers_len < 2 || hl->ciphers_len % 2 != 0)
		return NEED_BAD;
	if ((r = span_vector(sp, 1, &at, &n)) != NEED_OK)
		return r;
	if (n < 1)
		return NEED_BAD;
	if (sp->pos == sp->end)
		return NEED_OK; /* no extensions block at all */
	if ((r = span_vector(sp, 2, &hl->exts, &hl->exts_len)) != NEED_OK)
		return r;
	struct hs_span es = {s, hl->exts, hl->exts + hl->exts_len};
	return hello_extensions(s, &es, hl, sni, snilen);
}

/* Appends one decimal value (at most 65535), after `sep` unless it is 0; false when the
 * buffer would overflow. By hand: a selected flow's ClientHello has dozens of values, and
 * snprintf for each was most of the digest's time. */
static bool ja3_put(char *buf, size_t *o, unsigned v, char sep)
{
	char tmp[8];
	size_t n = sizeof tmp;
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n > 1);
	if (sep)
		tmp[--n] = sep;
	size_t len = sizeof tmp - n;
	if (len >= JA3_MAX - *o)
		return false;
	memcpy(buf + *o, tmp + n, len);
	*o += len;
	buf[*o] = '\0';
	return true;
}

/* Appends a list of `width`-byte values at [at, at+n) minus GREASE, joined by '-'. */
static bool ja3_list(const struct hs_stream *s, uint32_t at, uint32_t n, unsigned width, char *buf,
                     size_t *o)
{
	bool first = true;
	for (uint32_t i = 0; i + width <= n; i += width) {
		uint16_t v = width == 1 ? hs_byte(s, at + i) : hs_u16(s, at + i);
		if (width == 2 && is_grease(v))
			continue;
		if (!ja3_put(buf, o, v, first ? 0 : '-'))
			return false;
		first = false;
	}
	return true;
}

/* Appends the extension types, in order, minus GREASE. */
static bool ja3_ext_types(const struct hs_stream *s, const struct hello_lists *hl, char *buf,
                          size_t *o)
{
	bool first = true;
	uint32_t at = hl->exts, end = hl->exts + hl->exts_len;
	while (at + 4 <= end) {
		uint16_t type = hs_u16(s, at);
		uint32_t n = hs_u16(s, at + 2);
		at += 4 + n;
		if (is_grease(type))
			continue;
		if (!ja3_put(buf, o, type, first ? 0 : '-'))
			return false;
		first = false;
	}
	return true;
}

static bool ja3_sep(char *buf, size_t *o)
{
	if (*o + 2 > JA3_MAX)
		return false;
	buf[(*o)++] = ',';
	buf[*o] = '\0';
	return true;
}

/* Builds the JA3 string of a complete ClientHello and writes its MD5 as lower-case hex. */
static void ja3_digest(const struct hs_stream *s, const struct hello_lists *hl,
                       char ja3_hex[APP_JA3_HEX])
{
	char buf[JA3_MAX];
	size_t o = 0;
	buf[0] = '\0';
	if (!ja3_put(buf, &o, hl->version, 0) || !ja3_sep(buf, &o) ||
	    !ja3_list(s, hl->ciphers, hl->ciphers_len, 2, buf, &o) || !ja3_sep(buf, &o) ||
	    !ja3_ext_types(s, hl, buf, &o) || !ja3_sep(buf, &o) ||
	    !ja3_list(s, hl->groups, hl->groups_len, 2, buf, &o) || !ja3_sep(buf, &o) ||
	    !ja3_list(s, hl->formats, hl->formats_len, 1, buf, &o))
		return;
	struct md5_ctx ctx;
	uint8_t digest[MD5_DIGEST_SIZE];
	md5_init(&ctx);
	md5_update(&ctx, o, (const uint8_t *)buf);
	md5_digest(&ctx, sizeof digest, digest);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < MD5_DIGEST_SIZE; i++) {
		ja3_hex[2 * i] = hex[digest[i] >> 4];
		ja3_hex[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	ja3_hex[2 * MD5_DIGEST_SIZE] = '\0';
}

bool tls_client_hello(const uint8_t *p, uint32_t len, char *sni, size_t snilen,
                      char ja3_hex[APP_JA3_HEX])
{
	char unused[1];
	if (snilen == 0) {
		sni = unused;
		snilen = 1;
	}
	sni[0] = '\0';
	if (ja3_hex)
		ja3_hex[0] = '\0';
	/* Most calls are a TLS flow's later segments: settle those on their first bytes (the
	 * checks below would refuse them too: a handshake record whose first byte is a
	 * ClientHello's) before collecting records. */
	if (len <= TLS_RECORD_HEADER || p[0] != 0x16 || p[TLS_RECORD_HEADER] != TLS_HS_CLIENT_HELLO)
		return false;
	struct hs_stream s;
	if (!hs_collect(&s, p, len) || s.avail < 4 || hs_byte(&s, 0) != TLS_HS_CLIENT_HELLO)
		return false;
	uint32_t hs_len =
	        (uint32_t)hs_byte(&s, 1) << 16 | (uint32_t)hs_byte(&s, 2) << 8 | hs_byte(&s, 3);
	if (hs_len < TLS_HELLO_MIN)
		return false;
	struct hs_span sp = {&s, 4, 4 + hs_len};
	struct hello_lists hl = {0};
	enum need r = hello_body(&s, &sp, &hl, sni, snilen);
	if (r == NEED_BAD) {
		sni[0] = '\0';
		return false;
	}
	if (ja3_hex && r == NEED_OK && sp.end <= s.avail)
		ja3_digest(&s, &hl, ja3_hex);
	return true;
}
