/*
 * test_app.c — application detection (app_detect) and the mechanical fields acd may extract:
 * DNS query name, TLS SNI and JA3, HTTP method, Host and User-Agent.
 *
 * The packets are built here by hand (builders for DNS queries and TLS ClientHellos) so that
 * every byte is known. Every parser is also run over every prefix of its sample, each prefix
 * in an exactly-sized heap copy, so an over-read shows up under AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <nettle/md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "testutil.h"

/* ---- helpers ---- */

struct buf {
	uint8_t b[40000];
	size_t n;
};

static void put8(struct buf *b, unsigned v)
{
	assert_true(b->n < sizeof b->b);
	b->b[b->n++] = (uint8_t)v;
}

static void put16(struct buf *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void put24(struct buf *b, unsigned v)
{
	put8(b, v >> 16);
	put16(b, v & 0xffff);
}

static void putmem(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof b->b);
	if (n > 0)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void putstr(struct buf *b, const char *s)
{
	putmem(b, s, strlen(s));
}

/* An exactly-sized heap copy, so that reading one byte past `n` is an ASan error. */
static uint8_t *exact(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	if (n)
		memcpy(c, p, n);
	return c;
}

static void md5_hex(const char *s, char out[33])
{
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];
	md5_init(&ctx);
	md5_update(&ctx, strlen(s), (const uint8_t *)s);
	md5_digest(&ctx, sizeof d, d);
	for (int i = 0; i < MD5_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The printable-only, NUL-terminated-within-size invariant of every output. */
static void assert_safe_string(const char *s, size_t size, int lo)
{
	const char *nul = memchr(s, '\0', size);
	assert_non_null(nul);
	for (const char *c = s; c < nul; c++)
		assert_true(*c >= lo && *c <= 0x7e);
}

/* `needle` appears nowhere in the whole of the buffer, not even after its NUL. */
static void assert_absent(const char *buf, size_t size, const char *needle)
{
	assert_null(memmem(buf, size, needle, strlen(needle)));
}

/* ---- app_name, app_detect basics ---- */

static void test_app_name(void **state)
{
	(void)state;
	static const struct {
		enum app_proto a;
		const char *name;
	} names[] = {
	        {APP_DNS, "dns"}, {APP_TLS, "tls"},   {APP_HTTP, "http"},
	        {APP_SSH, "ssh"}, {APP_SMTP, "smtp"}, {APP_QUIC, "quic"},
	        {APP_NTP, "ntp"}, {APP_SIP, "sip"},   {APP_FTP, "ftp"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_string_equal(app_name(names[i].a), names[i].name);
	assert_null(app_name(APP_OTHER));
	assert_null(app_name(APP_UNDECIDED));
}

static void test_detect_needs_payload_and_tcp_or_udp(void **state)
{
	(void)state;
	const uint8_t *get = (const uint8_t *)"GET / HTTP/1.1\r\n";
	assert_int_equal(app_detect(6, get, 0), APP_UNDECIDED);
	assert_int_equal(app_detect(17, get, 0), APP_UNDECIDED);
	assert_int_equal(app_detect(1, get, 16), APP_OTHER);
	assert_int_equal(app_detect(132, get, 16), APP_OTHER);
	assert_int_equal(app_detect(6, get, 16), APP_HTTP);
	assert_int_equal(app_detect(17, get, 16), APP_OTHER); /* HTTP/1 is never UDP */
}

/* Every prefix of a sample is detected as the sample or as other, never as a third protocol. */
static void assert_prefixes_detect(uint8_t ipproto, const uint8_t *p, size_t n, enum app_proto full)
{
	assert_int_equal(app_detect(ipproto, p, (uint32_t)n), full);
	for (size_t i = 0; i <= n; i++) {
		uint8_t *c = exact(p, i);
		enum app_proto a = app_detect(ipproto, c, (uint32_t)i);
		free(c);
		if (i == 0)
			assert_int_equal(a, APP_UNDECIDED);
		else if (a != full && a != APP_OTHER)
			fail_msg("prefix %zu of a %s sample detected as %s", i, app_name(full),
			         app_name(a));
	}
}

static enum app_proto detect_text(uint8_t ipproto, const char *s)
{
	return app_detect(ipproto, (const uint8_t *)s, (uint32_t)strlen(s));
}

/* ---- DNS ---- */

/* A query for `name` (dotted, as given) with an EDNS OPT record. */
static void dns_query(struct buf *b, const char *name, unsigned qtype)
{
	b->n = 0;
	put16(b, 0xbeef);
	put16(b, 0x0100); /* RD */
	put16(b, 1);
	put16(b, 0);
	put16(b, 0);
	put16(b, 1);
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		put8(b, (unsigned)n);
		putmem(b, s, n);
		s += n + (dot != NULL);
	}
	put8(b, 0);
	put16(b, qtype);
	put16(b, 1);
	/* OPT: root name, type 41, UDP size 1232, no options */
	put8(b, 0);
	put16(b, 41);
	put16(b, 1232);
	put16(b, 0);
	put16(b, 0);
	put16(b, 0);
}

static void test_dns_query_name_basic(void **state)
{
	(void)state;
	struct buf b;
	char out[APP_NAME_MAX];
	dns_query(&b, "WWW.Example.COM", 1);
	assert_true(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
	assert_string_equal(out, "www.example.com");
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_DNS);

	/* TCP: the same message after its two-byte length */
	struct buf t = {.n = 0};
	put16(&t, (unsigned)b.n);
	putmem(&t, b.b, b.n);
	assert_true(dns_query_name(t.b, (uint32_t)t.n, true, out, sizeof out));
	assert_string_equal(out, "www.example.com");
	assert_int_equal(app_detect(6, t.b, (uint32_t)t.n), APP_DNS);
	/* the UDP form is not DNS over TCP, nor the TCP form DNS over UDP */
	assert_int_equal(app_detect(6, b.b, (uint32_t)b.n), APP_OTHER);
	assert_int_equal(app_detect(17, t.b, (uint32_t)t.n), APP_OTHER);
}

static void test_dns_response_and_mdns(void **state)
{
	(void)state;
	struct buf b;
	char out[APP_NAME_MAX];
	dns_query(&b, "c2.example-bad.net", 28);
	b.b[2] = 0x81;
	b.b[3] = 0x80; /* QR, RD, RA */
	b.b[7] = 1;    /* ANCOUNT 1: an AAAA answer with a pointer to the question */
	b.n -= 11;     /* drop the OPT record again, ARCOUNT 0 */
	b.b[11] = 0;
	static const uint8_t answer[] = {0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0, 0, 0x0e, 0x10,
	                                 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0,
	                                 0,    0,    0,    0,    0,    0,    0, 1};
	putmem(&b, answer, sizeof answer);
	assert_true(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
	assert_string_equal(out, "c2.example-bad.net");
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_DNS);

	/* mDNS: id 0, class with the unicast-response bit */
	dns_query(&b, "printer.local", 12);
	b.b[0] = b.b[1] = 0;
	b.b[b.n - 11 - 2] = 0x80;
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_DNS);
}

static void test_dns_compression(void **state)
{
	(void)state;
	char out[APP_NAME_MAX];
	/* The header's ID happens to read as the label "x" followed by flags 0: a backward
	 * pointer to it is legal. */
	static const uint8_t ok[] = {0x01, 'x', 0x00, 0x00, 0,   1,    0,    0, 0, 0, 0,
	                             0,    3,   'a',  'B',  'c', 0xc0, 0x00, 0, 1, 0, 1};
	assert_true(dns_query_name(ok, sizeof ok, false, out, sizeof out));
	assert_string_equal(out, "abc.x");

	/* A pointer to its own label run, and to itself: loops */
	static const uint8_t loop1[] = {0x12, 0x34, 0x01, 0x00, 0,   1,    0,    0, 0, 0, 0,
	                                0,    3,    'a',  'b',  'c', 0xc0, 0x0c, 0, 1, 0, 1};
	assert_false(dns_query_name(loop1, sizeof loop1, false, out, sizeof out));
	assert_string_equal(out, "");
	static const uint8_t loop2[] = {0x12, 0x34, 0x01, 0x00, 0,    1, 0, 0, 0,
	                                0,    0,    0,    0xc0, 0x0c, 0, 1, 0, 1};
	assert_false(dns_query_name(loop2, sizeof loop2, false, out, sizeof out));
	/* Forward pointers are refused: they are how a loop starts */
	static const uint8_t fwd[] = {0x12, 0x34, 0x01, 0x00, 0,   1, 0, 0, 0, 0, 0,
	                              0,    0xc0, 0x0e, 1,    'a', 0, 0, 1, 0, 1};
	assert_false(dns_query_name(fwd, sizeof fwd, false, out, sizeof out));
	/* A pointer cut in half */
	assert_false(dns_query_name(ok, 17, false, out, sizeof out));
	assert_int_equal(app_detect(17, loop1, sizeof loop1), APP_OTHER);
}

static void test_dns_malformed_names(void **state)
{
	(void)state;
	struct buf b;
	char out[APP_NAME_MAX];
	char name[300];

	dns_query(&b, "", 1); /* the root */
	assert_false(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_OTHER);

	dns_query(&b, "a b.example", 1); /* a space inside a label */
	assert_false(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
	assert_string_equal(out, "");

	/* a '.' inside a label would make "evil.example" out of one label */
	static const uint8_t dotted[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,
	                                 0,    0,    12,   'e',  'v', 'i', 'l', '.', 'e', 'x',
	                                 'a',  'm',  'p',  'l',  'e', 0,   0,   1,   0,   1};
	assert_false(dns_query_name(dotted, sizeof dotted, false, out, sizeof out));

	static const uint8_t ext_label[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
	                                    0,    0,    0x41, 'a',  0, 0, 1, 0, 1};
	assert_false(dns_query_name(ext_label, sizeof ext_label, false, out, sizeof out));

	static const uint8_t no_question[] = {0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0,
	                                      0,    0,    1,    'a',  0, 0, 1, 0, 1};
	assert_false(dns_query_name(no_question, sizeof no_question, false, out, sizeof out));

	/* 253 characters is the longest name; 254 is too long */
	memset(name, 0, sizeof name);
	for (int i = 0; i < 4; i++)
		strcat(name,
		       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."); /* 63+1
		                                                                             */
	name[253] = '\0';
	assert_int_equal(strlen(name), 253);
	name[252] = 'z';
	dns_query(&b, name, 1);
	assert_true(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
	assert_int_equal(strlen(out), 253);
	char small[16];
	assert_false(dns_query_name(b.b, (uint32_t)b.n, false, small, sizeof small)); /* no cut */
	assert_string_equal(small, "");
	strcat(name, "z");
	dns_query(&b, name, 1);
	assert_false(dns_query_name(b.b, (uint32_t)b.n, false, out, sizeof out));
}

static void test_dns_truncated(void **state)
{
	(void)state;
	struct buf b;
	char out[APP_NAME_MAX];
	dns_query(&b, "mail.Example.org", 15);
	size_t name_end = 12 + 18;
	for (size_t i = 0; i <= b.n; i++) {
		uint8_t *c = exact(b.b, i);
		memset(out, 'Z', sizeof out);
		bool ok = dns_query_name(c, (uint32_t)i, false, out, sizeof out);
		assert_safe_string(out, sizeof out, 0x21);
		assert_int_equal(ok, i >= name_end);
		assert_string_equal(out, ok ? "mail.example.org" : "");
		ok = dns_query_name(c, (uint32_t)i, true, out, sizeof out);
		assert_false(ok); /* the first bytes are no valid length for this message */
		free(c);
	}
	assert_prefixes_detect(17, b.b, b.n, APP_DNS);
	struct buf t = {.n = 0};
	put16(&t, (unsigned)b.n);
	putmem(&t, b.b, b.n);
	assert_prefixes_detect(6, t.b, t.n, APP_DNS);
}

/* Hand-written lookalikes: NTP in DNS's place and vice versa. */
static void test_dns_not_other_udp(void **state)
{
	(void)state;
	uint8_t ntp[48] = {0x23};
	assert_int_equal(app_detect(17, ntp, sizeof ntp), APP_NTP);
	static const uint8_t bad_opcode[] = {0x12, 0x34, 0x11, 0x00, 0, 1, 0, 0, 0, 0,
	                                     0,    0,    1,    'a',  0, 0, 1, 0, 1};
	assert_int_equal(app_detect(17, bad_opcode, sizeof bad_opcode), APP_OTHER);
	static const uint8_t bad_class[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
	                                    0,    0,    1,    'a',  0, 0, 1, 0, 9};
	assert_int_equal(app_detect(17, bad_class, sizeof bad_class), APP_OTHER);
	static const uint8_t many_rr[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 9, 0, 0,
	                                  0,    0,    1,    'a',  0, 0, 1, 0, 1};
	assert_int_equal(app_detect(17, many_rr, sizeof many_rr), APP_OTHER);
}

/* ---- TLS ---- */

/* Extensions are built into a buffer of their own, then placed into the ClientHello. */
static void ext_raw(struct buf *e, unsigned type, const uint8_t *data, size_t n)
{
	put16(e, type);
	put16(e, (unsigned)n);
	putmem(e, data, n);
}

static void ext_sni(struct buf *e, const char *host)
{
	size_t n = strlen(host);
	put16(e, 0);
	put16(e, (unsigned)(n + 5));
	put16(e, (unsigned)(n + 3));
	put8(e, 0);
	put16(e, (unsigned)n);
	putstr(e, host);
}

static void ext_u16_list(struct buf *e, unsigned type, const uint16_t *v, size_t n)
{
	put16(e, type);
	put16(e, (unsigned)(2 + 2 * n));
	put16(e, (unsigned)(2 * n));
	for (size_t i = 0; i < n; i++)
		put16(e, v[i]);
}

static void ext_formats(struct buf *e, const uint8_t *v, size_t n)
{
	put16(e, 11);
	put16(e, (unsigned)(1 + n));
	put8(e, (unsigned)n);
	putmem(e, v, n);
}

/* A ClientHello handshake message (header included); `exts` NULL for none at all. */
static void client_hello(struct buf *hs, unsigned version, const uint16_t *cs, size_t ncs,
                         const struct buf *exts)
{
	struct buf body = {.n = 0};
	put16(&body, version);
	for (int i = 0; i < 32; i++)
		put8(&body, (unsigned)(0x40 + i)); /* random */
	put8(&body, 32);
	for (int i = 0; i < 32; i++)
		put8(&body, (unsigned)(0x80 + i)); /* session id */
	put16(&body, (unsigned)(2 * ncs));
	for (size_t i = 0; i < ncs; i++)
		put16(&body, cs[i]);
	put8(&body, 1);
	put8(&body, 0);
	if (exts) {
		put16(&body, (unsigned)exts->n);
		putmem(&body, exts->b, exts->n);
	}
	hs->n = 0;
	put8(hs, 1);
	put24(hs, (unsigned)body.n);
	putmem(hs, body.b, body.n);
}

/* The handshake bytes as TLS records of at most `frag` bytes each. */
static void records(struct buf *out, const struct buf *hs, size_t frag)
{
	out->n = 0;
	for (size_t off = 0; off < hs->n; off += frag) {
		size_t n = hs->n - off < frag ? hs->n - off : frag;
		put8(out, 0x16);
		put16(out, 0x0301);
		put16(out, (unsigned)n);
		putmem(out, hs->b + off, n);
	}
}

static const uint16_t ja3_readme_ciphers[] = {47,    53,    5,  10, 49161, 49162,
                                              49171, 49172, 50, 56, 19,    4};

/* The example of the JA3 README: "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,
 * 0-10-11,23-24-25,0" hashes to ada70206e40642a3e4461f35503241d5. */
static void readme_hello(struct buf *rec, const char *sni)
{
	struct buf e = {.n = 0}, hs;
	static const uint16_t groups[] = {23, 24, 25};
	static const uint8_t formats[] = {0};
	ext_sni(&e, sni);
	ext_u16_list(&e, 10, groups, 3);
	ext_formats(&e, formats, 1);
	client_hello(&hs, 0x0301, ja3_readme_ciphers, 12, &e);
	records(rec, &hs, 16384);
}

static void test_tls_ja3_published_example(void **state)
{
	(void)state;
	struct buf rec;
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
	char expect[33];
	md5_hex("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", expect);
	assert_string_equal(expect, "ada70206e40642a3e4461f35503241d5");

	readme_hello(&rec, "C2.Example-BAD.net");
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "c2.example-bad.net");
	assert_string_equal(ja3, "ada70206e40642a3e4461f35503241d5");
	assert_int_equal(app_detect(6, rec.b, (uint32_t)rec.n), APP_TLS);
	assert_int_equal(app_detect(17, rec.b, (uint32_t)rec.n), APP_OTHER);

	/* A trailing dot is dropped */
	readme_hello(&rec, "www.example.net.");
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "www.example.net");
}

/* A browser-like TLS 1.3 ClientHello with GREASE in ciphers, extensions and groups. */
static void test_tls_ja3_grease_excluded(void **state)
{
	(void)state;
	static const uint16_t cs[] = {0x0a0a, 4865,  4866,  4867,  49195, 49199,
	                              0x0a1a, 52393, 52392, 49171, 156,   47};
	static const uint16_t groups[] = {0x3a3a, 29, 23, 24};
	static const uint16_t versions[] = {0x5a5a, 0x0304, 0x0303};
	static const uint8_t formats[] = {0};
	static const uint8_t empty[] = {0};
	struct buf e = {.n = 0}, hs, rec;
	ext_raw(&e, 0x1a1a, NULL, 0);
	ext_sni(&e, "Accounts.Example.COM");
	ext_raw(&e, 23, NULL, 0);
	ext_raw(&e, 65281, empty, 1);
	ext_u16_list(&e, 10, groups, 4);
	ext_formats(&e, formats, 1);
	ext_raw(&e, 35, NULL, 0);
	put16(&e, 43);
	put16(&e, 7);
	put8(&e, 6);
	for (int i = 0; i < 3; i++)
		put16(&e, versions[i]);
	ext_raw(&e, 0xfafa, empty, 1);
	ext_raw(&e, 21, (const uint8_t[16]){0}, 16); /* padding */
	client_hello(&hs, 0x0303, cs, sizeof cs / sizeof cs[0], &e);
	records(&rec, &hs, 16384);

	/* 0x0a1a is not GREASE (its two bytes differ) and stays */
	char expect[33];
	md5_hex("771,4865-4866-4867-49195-49199-2586-52393-52392-49171-156-47,"
	        "0-23-65281-10-11-35-43-21,29-23-24,0",
	        expect);
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "accounts.example.com");
	assert_string_equal(ja3, expect);

	/* The same message spread over several records in the same segment: same result */
	struct buf split;
	records(&split, &hs, 50);
	memset(ja3, 'Z', sizeof ja3);
	assert_true(tls_client_hello(split.b, (uint32_t)split.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "accounts.example.com");
	assert_string_equal(ja3, expect);
	assert_int_equal(app_detect(6, split.b, (uint32_t)split.n), APP_TLS);
}

static void test_tls_without_extensions_or_sni(void **state)
{
	(void)state;
	static const uint16_t cs[] = {4, 5, 0x2a2a};
	struct buf hs, rec;
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX], expect[33];
	client_hello(&hs, 0x0300, cs, 3, NULL);
	records(&rec, &hs, 16384);
	md5_hex("768,4-5,,,", expect);
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "");
	assert_string_equal(ja3, expect);

	struct buf e = {.n = 0};
	ext_raw(&e, 35, NULL, 0);
	client_hello(&hs, 0x0303, cs, 2, &e);
	records(&rec, &hs, 16384);
	md5_hex("771,4-5,35,,", expect);
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "");
	assert_string_equal(ja3, expect);
}

/* Every prefix: false before the handshake header is in, then true; JA3 only when whole;
 * the SNI only once the whole server_name extension is in. */
static void test_tls_truncated(void **state)
{
	(void)state;
	struct buf rec;
	readme_hello(&rec, "www.Example.net");
	size_t sni_end = 5 + 4 + 2 + 32 + 1 + 32 + 2 + 24 + 2 + 2 + 4 + 5 + 15;
	for (size_t i = 0; i <= rec.n; i++) {
		uint8_t *c = exact(rec.b, i);
		char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
		memset(sni, 'Z', sizeof sni);
		memset(ja3, 'Z', sizeof ja3);
		bool ok = tls_client_hello(c, (uint32_t)i, sni, sizeof sni, ja3);
		free(c);
		assert_safe_string(sni, sizeof sni, 0x21);
		assert_safe_string(ja3, sizeof ja3, '0');
		assert_int_equal(ok, i >= 9);
		assert_string_equal(sni, i >= sni_end ? "www.example.net" : "");
		if (i == rec.n)
			assert_string_equal(ja3, "ada70206e40642a3e4461f35503241d5");
		else
			assert_string_equal(ja3, "");
	}
	assert_prefixes_detect(6, rec.b, rec.n, APP_TLS);
}

/* Far more cipher suites than any client sends: the JA3 string would not fit its buffer, so
 * there is no JA3 rather than the digest of a cut string; the SNI is still read. */
static void test_tls_absurd_cipher_list(void **state)
{
	(void)state;
	static uint16_t cs[8000];
	for (size_t i = 0; i < 8000; i++)
		cs[i] = (uint16_t)(10000 + i);
	struct buf e = {.n = 0};
	static struct buf hs, rec;
	ext_sni(&e, "big.example");
	client_hello(&hs, 0x0303, cs, 8000, &e);
	records(&rec, &hs, 16384);
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "big.example");
	assert_string_equal(ja3, "");
}

static void test_tls_not_client_hello(void **state)
{
	(void)state;
	struct buf rec;
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
	readme_hello(&rec, "x.example");

	rec.b[5] = 2; /* ServerHello: TLS, but no ClientHello */
	assert_false(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_int_equal(app_detect(6, rec.b, (uint32_t)rec.n), APP_TLS);
	rec.b[5] = 1;

	rec.b[0] = 0x17; /* application data */
	assert_false(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	rec.b[0] = 0x16;

	rec.b[9] = 0x02; /* legacy_version 0x0201 */
	assert_false(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	rec.b[9] = 0x03;

	size_t cs_len_at = 5 + 4 + 2 + 32 + 1 + 32;
	rec.b[cs_len_at + 1] = 23; /* odd cipher suite length */
	assert_false(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "");
	assert_string_equal(ja3, "");
	rec.b[cs_len_at + 1] = 24;

	size_t ext_len_at = cs_len_at + 2 + 24 + 2;
	rec.b[ext_len_at] = 0x10; /* extensions longer than the message */
	assert_false(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	rec.b[ext_len_at] = 0;
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "x.example");

	/* mid-stream records are TLS too, with TLS record versions */
	static const uint8_t appdata[] = {0x17, 0x03, 0x03, 0x00, 0x20, 0xde, 0xad};
	assert_int_equal(app_detect(6, appdata, sizeof appdata), APP_TLS);
	static const uint8_t alert[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
	assert_int_equal(app_detect(6, alert, sizeof alert), APP_TLS);
	static const uint8_t sslv3_data[] = {0x17, 0x03, 0x00, 0x00, 0x20, 0xde};
	assert_int_equal(app_detect(6, sslv3_data, sizeof sslv3_data), APP_OTHER);
	static const uint8_t huge[] = {0x16, 0x03, 0x01, 0xff, 0xff, 0x01};
	assert_int_equal(app_detect(6, huge, sizeof huge), APP_OTHER);
}

/* A server_name with a control byte ends there; a non-host_name entry is skipped. */
static void test_tls_sni_odd_names(void **state)
{
	(void)state;
	static const uint16_t cs[] = {4865};
	struct buf e = {.n = 0}, hs, rec;
	static const uint8_t sn[] = {0x00, 0x12, 0x05, 0x00, 0x03, 'a',  'b', 'c', 0x00, 0x00,
	                             0x09, 'E',  'v',  'i',  'l',  0x01, '.', 'n', 'e',  't'};
	ext_raw(&e, 0, sn, sizeof sn);
	client_hello(&hs, 0x0303, cs, 1, &e);
	records(&rec, &hs, 16384);
	char sni[APP_NAME_MAX], ja3[APP_JA3_HEX];
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
	assert_string_equal(sni, "evil");
	assert_int_equal(strlen(ja3), 32);

	/* a name too long for the caller's buffer is dropped, not cut */
	e.n = 0;
	ext_sni(&e, "a-rather-long-name.example.net");
	client_hello(&hs, 0x0303, cs, 1, &e);
	records(&rec, &hs, 16384);
	char small[10];
	assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, small, sizeof small, ja3));
	assert_string_equal(small, "");

	/* empty labels are no host name: dropped, not mended */
	static const char *const empty_label[] = {"a..example-bad.net", ".example-bad.net",
	                                          "example-bad.net..", "."};
	for (size_t i = 0; i < sizeof empty_label / sizeof empty_label[0]; i++) {
		e.n = 0;
		ext_sni(&e, empty_label[i]);
		client_hello(&hs, 0x0303, cs, 1, &e);
		records(&rec, &hs, 16384);
		assert_true(tls_client_hello(rec.b, (uint32_t)rec.n, sni, sizeof sni, ja3));
		assert_string_equal(sni, "");
	}
}

/* ---- HTTP ---- */

static bool http_text(const char *s, char *m, char *h, char *u)
{
	return http_request((const uint8_t *)s, (uint32_t)strlen(s), m, APP_METHOD_MAX, h,
	                    APP_NAME_MAX, u, APP_UA_MAX);
}

/* The path, query, cookie and body must not reach any output buffer, not even past its NUL. */
static void test_http_request_keeps_only_fields(void **state)
{
	(void)state;
	const char *req = "GET /private/inbox?token=S3CR3T&user=alice HTTP/1.1\r\n"
	                  "Cookie: session=C00KIE\r\n"
	                  "Host: WWW.Example.NET:8080\r\n"
	                  "Accept: */*\r\n"
	                  "User-Agent:   Mozilla/5.0 (X11; Linux x86_64) \t\r\n"
	                  "X-Private: alice@example.net\r\n"
	                  "\r\n"
	                  "Host: body.example\r\nBODYTEXT";
	char m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
	memset(m, 0, sizeof m);
	memset(h, 0, sizeof h);
	memset(u, 0, sizeof u);
	assert_true(http_text(req, m, h, u));
	assert_string_equal(m, "GET");
	assert_string_equal(h, "www.example.net:8080");
	assert_string_equal(u, "Mozilla/5.0 (X11; Linux x86_64)");
	static const char *const secrets[] = {"private", "inbox",  "token", "S3CR3T", "alice",
	                                      "session", "C00KIE", "BODY",  "body",   "*/*"};
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		assert_absent(m, sizeof m, secrets[i]);
		assert_absent(h, sizeof h, secrets[i]);
		assert_absent(u, sizeof u, secrets[i]);
	}
	assert_int_equal(detect_text(6, req), APP_HTTP);
}

static void test_http_headers(void **state)
{
	(void)state;
	char m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
	assert_true(http_text("POST /api HTTP/1.0\r\nhOsT:example.net.\r\n\r\n", m, h, u));
	assert_string_equal(m, "POST");
	assert_string_equal(h, "example.net");
	assert_string_equal(u, "");

	assert_true(
	        http_text("HEAD / HTTP/1.1\nHost: a.example.:443\nHost: b.example\n\n", m, h, u));
	assert_string_equal(h, "a.example:443"); /* the first Host, dot before the port gone */

	assert_true(http_text("PUT /x HTTP/1.1\r\nX-Host: no.example\r\nHost : no.example\r\n"
	                      "User-Agent: agent\x01hidden\r\n\r\n",
	                      m, h, u));
	assert_string_equal(h, "");
	assert_string_equal(u, "agent"); /* a control byte ends the value */

	/* obs-fold continuation lines are ignored, not taken as headers */
	assert_true(http_text("GET / HTTP/1.1\r\nX-A: 1\r\n Host: folded.example\r\n"
	                      "Host: [2001:db8::1]:80\r\n\r\n",
	                      m, h, u));
	assert_string_equal(h, "[2001:db8::1]:80");
	assert_true(http_text("GET / HTTP/1.1\r\nHost: a..example.net\r\n\r\n", m, h, u));
	assert_string_equal(h, "");
	assert_true(http_text("GET / HTTP/1.1\r\nHost: .example.net:80\r\n\r\n", m, h, u));
	assert_string_equal(h, "");

	assert_true(http_text("GET / HTTP/1.1", m, h, u)); /* the line end is in the next segment */
	assert_string_equal(h, "");
	assert_true(http_text("CONNECT example.net:443 HTTP/1.1\r\nHost: example.net:443\r\n\r\n",
	                      m, h, u));
	assert_string_equal(m, "CONNECT");
	assert_string_equal(h, "example.net:443");
}

static void test_http_long_values(void **state)
{
	(void)state;
	char req[2000], m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
	char longv[400];
	memset(longv, 'a', 399);
	longv[399] = '\0';
	snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s.example\r\nUser-Agent: %s\r\n\r\n",
	         longv, longv);
	assert_true(http_text(req, m, h, u));
	assert_string_equal(h, ""); /* dropped, not cut */
	assert_int_equal(strlen(u), APP_UA_MAX - 1);

	char small_m[3], small_h[1], small_u[4];
	assert_true(http_request((const uint8_t *)req, (uint32_t)strlen(req), small_m,
	                         sizeof small_m, small_h, sizeof small_h, small_u, sizeof small_u));
	assert_string_equal(small_m, "GE");
	assert_string_equal(small_h, "");
	assert_string_equal(small_u, "aaa");
	/* NULL outputs are allowed where a caller wants only the method */
	assert_true(http_request((const uint8_t *)req, (uint32_t)strlen(req), m, sizeof m, NULL, 0,
	                         NULL, 0));
}

static void test_http_not_requests(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "",
	        "GET",
	        "GET /",
	        "get / HTTP/1.1\r\n",
	        "GET  / HTTP/1.1\r\n",
	        "GET / HTTP/2.0\r\n",
	        "GET / HTTP/1.1x\r\n",
	        "GETS / HTTP/1.1\r\n",
	        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	        "GET /a\tb HTTP/1.1\r\n",
	        "HTTP/1.1 200 OK\r\n",
	        "OPTIONS sip:bob@example.net SIP/2.0\r\n",
	        "Hello, world\r\n",
	};
	char m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(m, 'Z', sizeof m);
		assert_false(http_text(bad[i], m, h, u));
		assert_string_equal(m, "");
		assert_string_equal(h, "");
		assert_string_equal(u, "");
	}
}

static void test_http_truncated(void **state)
{
	(void)state;
	const char *req = "GET /q?x=1 HTTP/1.1\r\nHost: www.Example.com\r\n"
	                  "User-Agent: curl/8.5.0\r\nCookie: a=b\r\n\r\n";
	size_t n = strlen(req), line = strlen("GET /q?x=1 HTTP/1.1");
	size_t host_end = line + 2 + strlen("Host: www.Example.com\r\n");
	size_t ua_end = host_end + strlen("User-Agent: curl/8.5.0\r\n");
	for (size_t i = 0; i <= n; i++) {
		uint8_t *c = exact((const uint8_t *)req, i);
		char m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
		memset(m, 'Z', sizeof m);
		memset(h, 'Z', sizeof h);
		memset(u, 'Z', sizeof u);
		bool ok = http_request(c, (uint32_t)i, m, sizeof m, h, sizeof h, u, sizeof u);
		free(c);
		assert_safe_string(m, sizeof m, 'A');
		assert_safe_string(h, sizeof h, 0x21);
		assert_safe_string(u, sizeof u, 0x20);
		assert_int_equal(ok, i >= line);
		assert_string_equal(m, ok ? "GET" : "");
		assert_string_equal(h, i >= host_end ? "www.example.com" : "");
		assert_string_equal(u, i >= ua_end ? "curl/8.5.0" : "");
	}
	assert_prefixes_detect(6, (const uint8_t *)req, n, APP_HTTP);
}

static void test_detect_http_and_sip(void **state)
{
	(void)state;
	assert_int_equal(detect_text(6, "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n"), APP_HTTP);
	assert_int_equal(detect_text(6, "HTTP/1.0 404 Not Found\r\n"), APP_HTTP);
	assert_int_equal(detect_text(6, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), APP_HTTP);
	assert_int_equal(detect_text(6, "DELETE /x HTTP/1.1\r\n"), APP_HTTP);
	/* a request line longer than the segment: still HTTP when the target is a path */
	char longreq[1500] = "GET /";
	memset(longreq + 5, 'q', sizeof longreq - 6);
	longreq[sizeof longreq - 1] = '\0';
	assert_int_equal(detect_text(6, longreq), APP_HTTP);
	assert_int_equal(detect_text(6, "GET foo"), APP_OTHER);
	assert_int_equal(detect_text(6, "GET / HTTP/2.0\r\n"), APP_OTHER);
	assert_int_equal(detect_text(6, "HTTP/2 200\r\n"), APP_OTHER);
	assert_int_equal(detect_text(6, "GETTING STARTED\r\n"), APP_OTHER);

	const char *invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	                     "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
	                     "To: Bob <sip:bob@biloxi.example.com>\r\n\r\n";
	assert_int_equal(detect_text(17, invite), APP_SIP);
	assert_int_equal(detect_text(6, invite), APP_SIP);
	assert_int_equal(detect_text(17, "OPTIONS sips:carol@chicago.example.com SIP/2.0\r\n"),
	                 APP_SIP);
	assert_int_equal(detect_text(6, "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"),
	                 APP_SIP);
	assert_int_equal(detect_text(17, "REGISTER sip:registrar.example.com SIP/2.0\r\n"),
	                 APP_SIP);
	assert_int_equal(detect_text(17, "SIP/2.0 180 Ringing\r\n"), APP_SIP);
	assert_int_equal(detect_text(17, "INVITE http://x.example SIP/2.0\r\n"), APP_OTHER);
	assert_int_equal(detect_text(17, "INVITE sip:bob@example SIP/3.0\r\n"), APP_OTHER);
	assert_prefixes_detect(17, (const uint8_t *)invite, strlen(invite), APP_SIP);
}

/* ---- SSH, SMTP, FTP ---- */

static void test_detect_ssh(void **state)
{
	(void)state;
	assert_int_equal(detect_text(6, "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"), APP_SSH);
	assert_int_equal(detect_text(6, "SSH-1.99-Cisco-1.25\r\n"), APP_SSH);
	assert_int_equal(detect_text(6, "SSH-3.0-future\r\n"), APP_OTHER);
	assert_int_equal(detect_text(6, "SSH-"), APP_OTHER);
	assert_int_equal(detect_text(17, "SSH-2.0-OpenSSH_9.6\r\n"), APP_OTHER);
	const char *b = "SSH-2.0-dropbear_2022.83\r\n";
	assert_prefixes_detect(6, (const uint8_t *)b, strlen(b), APP_SSH);
}

static void test_detect_smtp_ftp(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum app_proto app;
	} cases[] = {
	        {"220 mx.example.net ESMTP Postfix (Debian/GNU)\r\n", APP_SMTP},
	        {"220 smtp.example.com Microsoft ESMTP MAIL Service ready\r\n", APP_SMTP},
	        {"220 mail.example.org esmtp; Mon, 1 Jun 2026 10:00:00 +0900\r\n", APP_SMTP},
	        {"220-mx.example.jp ESMTP Exim 4.97\r\n220 welcome\r\n", APP_SMTP},
	        {"220 ftp.example.net ESMTP Sendmail 8.17\r\n", APP_SMTP},
	        {"220 smtp.example.net\r\n", APP_SMTP},
	        {"EHLO client.example.net\r\n", APP_SMTP},
	        {"helo client\r\n", APP_SMTP},
	        {"220 ProFTPD Server (Debian) [::ffff:192.0.2.1]\r\n", APP_FTP},
	        {"220 (vsFTPd 3.0.5)\r\n", APP_FTP},
	        {"220 Microsoft FTP Service\r\n", APP_FTP},
	        {"220 smtp.example.net FTP server ready\r\n", APP_FTP},
	        {"220-Welcome\r\n220-This is the FTP service\r\n220 Go ahead\r\n", APP_FTP},
	        {"220-FileZilla Server 1.8.0\r\n220 Please visit "
	         "https://filezilla-project.org/\r\n",
	         APP_FTP},
	        {"USER anonymous\r\n", APP_FTP},
	        {"AUTH TLS\r\n", APP_FTP},
	        {"220 Service ready\r\n", APP_OTHER},
	        {"220 ready\r\nESMTP is on the next line\r\n", APP_OTHER},
	        {"221 ESMTP bye\r\n", APP_OTHER},
	        {"EHLO", APP_OTHER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum app_proto a = detect_text(6, cases[i].text);
		if (a != cases[i].app)
			fail_msg("case %zu: %s, expected %s", i, app_name(a),
			         app_name(cases[i].app));
		assert_int_equal(detect_text(17, cases[i].text), APP_OTHER);
	}
	const char *s = "220 mx.example.net ESMTP\r\n";
	assert_prefixes_detect(6, (const uint8_t *)s, strlen(s), APP_SMTP);
	const char *f = "220 (vsFTPd 3.0.5)\r\n";
	assert_prefixes_detect(6, (const uint8_t *)f, strlen(f), APP_FTP);
}

/* ---- QUIC, NTP ---- */

static void quic_initial(struct buf *b, uint32_t version, size_t total)
{
	b->n = 0;
	put8(b, 0xc3); /* long header, fixed bit, Initial, 4-byte packet number */
	put16(b, version >> 16);
	put16(b, version & 0xffff);
	put8(b, 8);
	for (int i = 0; i < 8; i++)
		put8(b, (unsigned)(0x11 * i));
	put8(b, 0);
	put8(b, 0); /* no token */
	while (b->n < total)
		put8(b, 0x5a);
}

static void test_detect_quic(void **state)
{
	(void)state;
	struct buf b;
	quic_initial(&b, 1, 1200);
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_QUIC);
	assert_int_equal(app_detect(6, b.b, (uint32_t)b.n), APP_OTHER);
	quic_initial(&b, 0x6b3343cf, 1252);
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_QUIC);
	quic_initial(&b, 0xff00001d, 1200);
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_QUIC);
	quic_initial(&b, 1, 60); /* short is accepted: see app_detect.c */
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_QUIC);
	quic_initial(&b, 2, 1200); /* unknown version */
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_OTHER);
	quic_initial(&b, 1, 1200);
	b.b[0] = 0x83; /* fixed bit clear */
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_OTHER);
	b.b[0] = 0xc3;
	b.b[5] = 21; /* DCID too long */
	assert_int_equal(app_detect(17, b.b, (uint32_t)b.n), APP_OTHER);
	quic_initial(&b, 1, 40);
	assert_prefixes_detect(17, b.b, b.n, APP_QUIC);
}

static void test_detect_ntp(void **state)
{
	(void)state;
	uint8_t p[72] = {0};
	p[0] = 0x23; /* v4 client */
	assert_int_equal(app_detect(17, p, 48), APP_NTP);
	p[0] = 0x1b; /* v3 client */
	assert_int_equal(app_detect(17, p, 48), APP_NTP);
	p[0] = 0x24; /* v4 server, stratum 2 */
	p[1] = 2;
	assert_int_equal(app_detect(17, p, 68), APP_NTP); /* with key id and MD5 MAC */
	assert_int_equal(app_detect(17, p, 72), APP_NTP);
	assert_int_equal(app_detect(17, p, 47), APP_OTHER);
	assert_int_equal(app_detect(17, p, 50), APP_OTHER);
	assert_int_equal(app_detect(6, p, 48), APP_OTHER);
	p[0] = 0x26; /* mode 6, control messages */
	assert_int_equal(app_detect(17, p, 48), APP_OTHER);
	p[0] = 0x04; /* version 0 */
	assert_int_equal(app_detect(17, p, 48), APP_OTHER);
	p[0] = 0x24;
	p[1] = 17; /* stratum past 16 */
	assert_int_equal(app_detect(17, p, 48), APP_OTHER);
	p[1] = 1;
	assert_prefixes_detect(17, p, 48, APP_NTP);
}

/* ---- random bytes ---- */

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Random bytes are never a text protocol or DNS, and no parser finds a field in them. */
static void test_random_bytes(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	uint8_t p[1500];
	for (int round = 0; round < 3000; round++) {
		size_t n = lcg(&seed) % sizeof p;
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)lcg(&seed);
		uint8_t *c = exact(p, n);
		for (int proto = 6; proto <= 17; proto += 11) {
			enum app_proto a = app_detect((uint8_t)proto, c, (uint32_t)n);
			assert_true(a == APP_OTHER || a == APP_NTP || a == APP_TLS ||
			            a == APP_QUIC || a == APP_UNDECIDED);
		}
		char name[APP_NAME_MAX], ja3[APP_JA3_HEX], m[APP_METHOD_MAX], u[APP_UA_MAX];
		assert_false(dns_query_name(c, (uint32_t)n, false, name, sizeof name) &&
		             app_detect(17, c, (uint32_t)n) == APP_DNS);
		tls_client_hello(c, (uint32_t)n, name, sizeof name, ja3);
		assert_safe_string(name, sizeof name, 0x21);
		assert_false(
		        http_request(c, (uint32_t)n, m, sizeof m, name, sizeof name, u, sizeof u));
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_app_name),
	        cmocka_unit_test(test_detect_needs_payload_and_tcp_or_udp),
	        cmocka_unit_test(test_dns_query_name_basic),
	        cmocka_unit_test(test_dns_response_and_mdns),
	        cmocka_unit_test(test_dns_compression),
	        cmocka_unit_test(test_dns_malformed_names),
	        cmocka_unit_test(test_dns_truncated),
	        cmocka_unit_test(test_dns_not_other_udp),
	        cmocka_unit_test(test_tls_ja3_published_example),
	        cmocka_unit_test(test_tls_ja3_grease_excluded),
	        cmocka_unit_test(test_tls_without_extensions_or_sni),
	        cmocka_unit_test(test_tls_truncated),
	        cmocka_unit_test(test_tls_absurd_cipher_list),
	        cmocka_unit_test(test_tls_not_client_hello),
	        cmocka_unit_test(test_tls_sni_odd_names),
	        cmocka_unit_test(test_http_request_keeps_only_fields),
	        cmocka_unit_test(test_http_headers),
	        cmocka_unit_test(test_http_long_values),
	        cmocka_unit_test(test_http_not_requests),
	        cmocka_unit_test(test_http_truncated),
	        cmocka_unit_test(test_detect_http_and_sip),
	        cmocka_unit_test(test_detect_ssh),
	        cmocka_unit_test(test_detect_smtp_ftp),
	        cmocka_unit_test(test_detect_quic),
	        cmocka_unit_test(test_detect_ntp),
	        cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
