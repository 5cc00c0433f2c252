/*
 * test_decode.c — the packet decoder on hand-built frames: every link type, tag, tunnel and
 * transport it claims, the malformed cases it must refuse, and truncation at every length.
 *
 * Frames are built by small writers that append one header each to a buffer; the length
 * fields of IP and UDP headers are patched when the layer is closed, innermost first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "decode.h"
#include "testutil.h"

enum { DLT_ETH = 1, DLT_SLL = 113, DLT_SLL2 = 276, DLT_RAW12 = 12, DLT_V4 = 228, DLT_V6 = 229 };

struct frame {
	uint8_t b[4096];
	size_t n;
};

static void hex(struct frame *f, const char *h)
{
	f->n += tu_hex(h, f->b + f->n, sizeof f->b - f->n);
}

static void put8(struct frame *f, unsigned v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void put16(struct frame *f, unsigned v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void set16(struct frame *f, size_t at, unsigned v)
{
	f->b[at] = (uint8_t)(v >> 8);
	f->b[at + 1] = (uint8_t)v;
}

static void fill(struct frame *f, size_t count, uint8_t v)
{
	memset(f->b + f->n, v, count);
	f->n += count;
}

static void addr(struct frame *f, int af, const char *text)
{
	uint8_t a[16];
	assert_int_equal(inet_pton(af, text, a), 1);
	size_t len = af == AF_INET ? 4 : 16;
	memcpy(f->b + f->n, a, len);
	f->n += len;
}

static void eth(struct frame *f, unsigned type)
{
	hex(f, "02 00 00 00 00 01  02 00 00 00 00 02");
	put16(f, type);
}

static void vlan(struct frame *f, unsigned vid, unsigned inner_type)
{
	put16(f, vid);
	put16(f, inner_type);
}

/* An IPv4 header with `opt_words` 4-byte NOP options; returns its offset for ip4_end. */
static size_t ip4x(struct frame *f, unsigned proto, const char *src, const char *dst, unsigned id,
                   unsigned frag, unsigned opt_words)
{
	size_t at = f->n;
	put8(f, 0x45 + opt_words);
	put8(f, 0);
	put16(f, 0); /* total length, patched by ip4_end */
	put16(f, id);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	addr(f, AF_INET, src);
	addr(f, AF_INET, dst);
	fill(f, opt_words * 4, 0x01);
	return at;
}

static size_t ip4(struct frame *f, unsigned proto, const char *src, const char *dst)
{
	return ip4x(f, proto, src, dst, 0x1234, 0x4000 /* DF */, 0);
}

static void ip4_end(struct frame *f, size_t at)
{
	set16(f, at + 2, (unsigned)(f->n - at));
}

static size_t ip6(struct frame *f, unsigned nh, const char *src, const char *dst)
{
	size_t at = f->n;
	hex(f, "60 00 00 00");
	put16(f, 0); /* payload length, patched by ip6_end */
	put8(f, nh);
	put8(f, 64);
	addr(f, AF_INET6, src);
	addr(f, AF_INET6, dst);
	return at;
}

static void ip6_end(struct frame *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at - 40));
}

static size_t udp(struct frame *f, unsigned sport, unsigned dport)
{
	size_t at = f->n;
	put16(f, sport);
	put16(f, dport);
	put16(f, 0); /* length, patched by udp_end */
	put16(f, 0);
	return at;
}

static void udp_end(struct frame *f, size_t at)
{
	set16(f, at + 4, (unsigned)(f->n - at));
}

/* A TCP header with `opt_bytes` (a multiple of 4) of NOP options. */
static void tcp(struct frame *f, unsigned sport, unsigned dport, uint32_t seq, unsigned flags,
                unsigned opt_bytes)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, 0);
	put8(f, ((20 + opt_bytes) / 4) << 4);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
	fill(f, opt_bytes, 0x01);
}

static void payload(struct frame *f, size_t count)
{
	fill(f, count, 0xa5);
}

static void assert_addr(const struct ip_addr *a, const char *text)
{
	uint8_t b[16] = {0};
	if (strchr(text, ':')) {
		assert_int_equal(inet_pton(AF_INET6, text, b), 1);
		assert_int_equal(a->family, 6);
	} else {
		assert_int_equal(inet_pton(AF_INET, text, b), 1);
		assert_int_equal(a->family, 4);
	}
	assert_memory_equal(a->b, b, 16);
}

/* decode_l3 then, when that succeeds, decode_l4; returns the first failure. */
static enum decode_status decode(int dlt, const struct frame *f, struct packet *pkt)
{
	enum decode_status st = decode_l3(dlt, f->b, (uint32_t)f->n, pkt);
	return st == DECODE_OK ? decode_l4(pkt) : st;
}

static void test_eth_ipv4_tcp_options(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4x(&f, 6, "198.51.100.7", "133.1.2.3", 7, 0x4000, 1);
	tcp(&f, 51512, 443, 0x01020304, TCPF_SYN | TCPF_ACK, 12);
	size_t pl = f.n;
	payload(&f, 5);
	ip4_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_addr(&pkt.src, "198.51.100.7");
	assert_addr(&pkt.dst, "133.1.2.3");
	assert_int_equal(pkt.proto, 6);
	assert_int_equal(pkt.ip_bytes, 24 + 32 + 5);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_false(pkt.is_fragment);
	assert_ptr_equal(pkt.l4, f.b + 14 + 24);
	assert_int_equal(pkt.l4_len, 32 + 5);
	assert_int_equal(pkt.sport, 51512);
	assert_int_equal(pkt.dport, 443);
	assert_int_equal(pkt.tcp_seq, 0x01020304);
	assert_int_equal(pkt.tcp_flags, TCPF_SYN | TCPF_ACK);
	assert_false(pkt.has_icmp);
	assert_ptr_equal(pkt.payload, f.b + pl);
	assert_int_equal(pkt.payload_len, 5);
}

static void test_tcp_without_payload_has_null_payload(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4(&f, 6, "192.0.2.1", "192.0.2.2");
	tcp(&f, 1, 2, 0, TCPF_FIN, 0);
	ip4_end(&f, ip);
	payload(&f, 6); /* Ethernet padding to 60 bytes is not payload */
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, 40);
	assert_int_equal(pkt.l4_len, 20);
	assert_null(pkt.payload);
	assert_int_equal(pkt.payload_len, 0);
}

static void test_bad_tcp_offsets(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4(&f, 6, "192.0.2.1", "192.0.2.2");
	size_t th = f.n;
	tcp(&f, 1, 2, 0, TCPF_SYN, 0);
	ip4_end(&f, ip);
	struct packet pkt;
	f.b[th + 12] = 4 << 4; /* data offset below the minimum */
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_ERROR);
	f.b[th + 12] = 6 << 4; /* options beyond the packet */
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_ERROR);
	f.b[th + 12] = 5 << 4;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
}

static void test_vlan_and_qinq(void **state)
{
	(void)state;
	static const unsigned outer[] = {0x8100, 0x88a8, 0x9100};
	for (size_t i = 0; i < sizeof outer / sizeof outer[0]; i++) {
		struct frame f = {0};
		eth(&f, outer[i]);
		if (outer[i] != 0x8100)
			vlan(&f, 100, 0x8100);
		vlan(&f, 200, 0x0800);
		size_t ip = ip4(&f, 17, "10.1.1.1", "203.0.113.9");
		size_t u = udp(&f, 5353, 53);
		payload(&f, 12);
		udp_end(&f, u);
		ip4_end(&f, ip);
		struct packet pkt;
		assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
		assert_addr(&pkt.src, "10.1.1.1");
		assert_addr(&pkt.dst, "203.0.113.9");
		assert_int_equal(pkt.sport, 5353);
		assert_int_equal(pkt.dport, 53);
		assert_int_equal(pkt.payload_len, 12);
	}
}

static void test_vlan_stack_bound(void **state)
{
	(void)state;
	for (int tags = 8; tags <= 9; tags++) {
		struct frame f = {0};
		eth(&f, 0x8100);
		for (int i = 1; i < tags; i++)
			vlan(&f, (unsigned)i, 0x8100);
		vlan(&f, 99, 0x86dd);
		size_t ip = ip6(&f, 59, "2001:db8::1", "2001:db8::2");
		ip6_end(&f, ip);
		struct packet pkt;
		assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt),
		                 tags == 8 ? DECODE_OK : DECODE_ERROR);
	}
}

static void test_mpls_two_labels(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x8847);
	hex(&f, "00 01 00 40"); /* label 16 */
	hex(&f, "00 01 11 40"); /* label 17, bottom of stack */
	size_t ip = ip4(&f, 6, "198.51.100.1", "133.2.0.1");
	tcp(&f, 40000, 22, 1, TCPF_ACK, 0);
	ip4_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_addr(&pkt.src, "198.51.100.1");
	assert_int_equal(pkt.dport, 22);

	struct frame g = {0};
	eth(&g, 0x8848);
	hex(&g, "00 01 01 40");
	ip = ip6(&g, 17, "2001:db8::a", "2001:db8::b");
	size_t u = udp(&g, 1, 2);
	udp_end(&g, u);
	ip6_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_addr(&pkt.dst, "2001:db8::b");
}

static void test_mpls_non_ip_and_bound(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x8847);
	hex(&f, "00 01 01 40");
	eth(&f, 0x0800); /* Ethernet pseudowire without control word: not guessed */
	struct packet pkt;
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_NOT_IP);

	struct frame g = {0};
	eth(&g, 0x8847);
	for (int i = 0; i < 17; i++)
		hex(&g, i == 16 ? "00 01 01 40" : "00 01 00 40");
	size_t ip = ip4(&g, 6, "192.0.2.1", "192.0.2.2");
	ip4_end(&g, ip);
	assert_int_equal(decode_l3(DLT_ETH, g.b, (uint32_t)g.n, &pkt), DECODE_ERROR);
}

static void test_linux_cooked(void **state)
{
	(void)state;
	struct frame f = {0};
	hex(&f, "0000 0001 0006 020000000001 0000 0800"); /* SLL v1 */
	size_t ip = ip4(&f, 17, "192.0.2.10", "8.8.8.8");
	size_t u = udp(&f, 33000, 53);
	payload(&f, 30);
	udp_end(&f, u);
	ip4_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_SLL, &f, &pkt), DECODE_OK);
	assert_addr(&pkt.dst, "8.8.8.8");
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.payload_len, 30);

	struct frame g = {0};
	hex(&g, "86dd 0000 00000002 0001 00 06 020000000001 0000"); /* SLL v2 */
	ip = ip6(&g, 6, "2001:db8::1", "2001:4860::8888");
	tcp(&g, 50000, 443, 9, TCPF_SYN, 0);
	ip6_end(&g, ip);
	assert_int_equal(decode(DLT_SLL2, &g, &pkt), DECODE_OK);
	assert_addr(&pkt.src, "2001:db8::1");
	assert_int_equal(pkt.ip_bytes, 60);
	assert_int_equal(pkt.dport, 443);

	struct frame arp = {0};
	hex(&arp, "0000 0001 0006 020000000001 0000 0806 0001 0800 0604 0001");
	assert_int_equal(decode_l3(DLT_SLL, arp.b, (uint32_t)arp.n, &pkt), DECODE_NOT_IP);
}

static void test_raw_ip_link_types(void **state)
{
	(void)state;
	struct frame f = {0};
	size_t ip = ip4(&f, 6, "192.0.2.1", "198.51.100.1");
	tcp(&f, 1000, 80, 0, TCPF_SYN, 0);
	ip4_end(&f, ip);
	struct frame g = {0};
	ip = ip6(&g, 6, "2001:db8::1", "2001:db8::2");
	tcp(&g, 1000, 80, 0, TCPF_SYN, 0);
	ip6_end(&g, ip);
	struct packet pkt;
	static const int raw[] = {12, 14, 101};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(decode(raw[i], &f, &pkt), DECODE_OK);
		assert_addr(&pkt.src, "192.0.2.1");
		assert_int_equal(decode(raw[i], &g, &pkt), DECODE_OK);
		assert_addr(&pkt.src, "2001:db8::1");
	}
	assert_int_equal(decode(DLT_V4, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.dport, 80);
	assert_int_equal(decode(DLT_V6, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, 60);
	/* The link type fixes the version: IPv6 on LINKTYPE_IPV4 is malformed. */
	assert_int_equal(decode_l3(DLT_V4, g.b, (uint32_t)g.n, &pkt), DECODE_ERROR);
	assert_int_equal(decode_l3(DLT_V6, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
	f.b[0] = 0x55;
	assert_int_equal(decode_l3(DLT_RAW12, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
}

static void test_bsd_loopback(void **state)
{
	(void)state;
	struct packet pkt;
	static const char *af_inet[] = {"02000000", "00000002"}; /* either byte order */
	for (size_t i = 0; i < 2; i++) {
		struct frame f = {0};
		hex(&f, af_inet[i]);
		size_t ip = ip4(&f, 1, "127.0.0.1", "127.0.0.2");
		hex(&f, "0800 0000 0001 0001");
		ip4_end(&f, ip);
		assert_int_equal(decode(0, &f, &pkt), DECODE_OK);
		assert_addr(&pkt.dst, "127.0.0.2");
		assert_int_equal(decode(108, &f, &pkt), DECODE_OK);
	}
	static const char *af_inet6[] = {"0a000000", "00000018", "1c000000", "0000001e"};
	for (size_t i = 0; i < 4; i++) {
		struct frame f = {0};
		hex(&f, af_inet6[i]);
		size_t ip = ip6(&f, 59, "::1", "::1");
		ip6_end(&f, ip);
		assert_int_equal(decode_l3(0, f.b, (uint32_t)f.n, &pkt), DECODE_OK);
		assert_int_equal(pkt.proto, 59);
	}
	struct frame f = {0};
	hex(&f, "07000000 0102030405060708");
	assert_int_equal(decode_l3(0, f.b, (uint32_t)f.n, &pkt), DECODE_NOT_IP);
}

static void test_not_ip_frames(void **state)
{
	(void)state;
	struct packet pkt;
	struct frame arp = {0};
	eth(&arp, 0x0806);
	hex(&arp, "0001 0800 06 04 0001 020000000001 c0000201 000000000000 c0000202");
	assert_int_equal(decode_l3(DLT_ETH, arp.b, (uint32_t)arp.n, &pkt), DECODE_NOT_IP);

	struct frame lldp = {0};
	eth(&lldp, 0x88cc);
	hex(&lldp, "0207 0402 0000 0000 0001");
	assert_int_equal(decode_l3(DLT_ETH, lldp.b, (uint32_t)lldp.n, &pkt), DECODE_NOT_IP);

	struct frame stp = {0}; /* 802.3 length + LLC 42 42 03 */
	eth(&stp, 38);
	hex(&stp, "42 42 03 0000 00 00 8000020000000001 00000000 8000020000000001 8001 0000 1400 "
	          "0200 0f00");
	assert_int_equal(decode_l3(DLT_ETH, stp.b, (uint32_t)stp.n, &pkt), DECODE_NOT_IP);

	struct frame vlan_arp = {0};
	eth(&vlan_arp, 0x8100);
	vlan(&vlan_arp, 5, 0x0806);
	hex(&vlan_arp, "0001 0800 06 04 0001");
	assert_int_equal(decode_l3(DLT_ETH, vlan_arp.b, (uint32_t)vlan_arp.n, &pkt), DECODE_NOT_IP);
}

static void test_llc_snap_ipv4(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0);
	hex(&f, "aa aa 03 00 00 00 08 00");
	size_t ip = ip4(&f, 17, "192.0.2.1", "192.0.2.2");
	size_t u = udp(&f, 7, 9);
	udp_end(&f, u);
	ip4_end(&f, ip);
	set16(&f, 12, (unsigned)(f.n - 14));
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.dport, 9);
}

static void test_link_types(void **state)
{
	(void)state;
	static const int yes[] = {1, 113, 276, 12, 14, 101, 228, 229, 0, 108};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(decode_link_supported(yes[i]));
	static const int no[] = {-1, 6, 9, 105, 127, 192, 1000};
	struct packet pkt;
	uint8_t byte = 0x45;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		assert_false(decode_link_supported(no[i]));
		assert_int_equal(decode_l3(no[i], &byte, 1, &pkt), DECODE_BAD_LINK);
	}
	assert_int_equal(decode_l3(DLT_ETH, NULL, 0, &pkt), DECODE_ERROR);
	struct packet blank = {0};
	assert_int_equal(decode_l4(&blank), DECODE_ERROR);
}

static void test_ipv4_fragments(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4x(&f, 17, "198.51.100.5", "133.0.0.5", 0xbeef, 0x2000 /* MF */, 0);
	size_t u = udp(&f, 123, 4444);
	payload(&f, 40);
	ip4_end(&f, ip);
	set16(&f, u + 4, 1000); /* the datagram continues in later fragments */
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_true(pkt.is_fragment);
	assert_true(pkt.frag_first);
	assert_int_equal(pkt.frag_id, 0xbeef);
	assert_int_equal(pkt.sport, 123);
	assert_int_equal(pkt.dport, 4444);
	assert_int_equal(pkt.payload_len, 40);

	struct frame g = {0};
	eth(&g, 0x0800);
	ip = ip4x(&g, 17, "198.51.100.5", "133.0.0.5", 0xbeef, 185 /* offset 1480 */, 0);
	size_t data = g.n;
	payload(&g, 64);
	ip4_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_true(pkt.is_fragment);
	assert_false(pkt.frag_first);
	assert_int_equal(pkt.frag_id, 0xbeef);
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.ip_bytes, 84);
	assert_int_equal(pkt.sport, 0);
	assert_int_equal(pkt.dport, 0);
	assert_ptr_equal(pkt.payload, g.b + data);
	assert_int_equal(pkt.payload_len, 64);

	/* Unfragmented: not a fragment, offset 0, no id. */
	struct frame h = {0};
	eth(&h, 0x0800);
	ip = ip4(&h, 17, "192.0.2.1", "192.0.2.2");
	u = udp(&h, 1, 2);
	udp_end(&h, u);
	ip4_end(&h, ip);
	assert_int_equal(decode(DLT_ETH, &h, &pkt), DECODE_OK);
	assert_false(pkt.is_fragment);
	assert_true(pkt.frag_first);
	assert_int_equal(pkt.frag_id, 0);
}

static void test_ipv4_lengths(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4(&f, 17, "192.0.2.1", "192.0.2.2");
	size_t u = udp(&f, 1000, 2000);
	payload(&f, 4);
	udp_end(&f, u);
	payload(&f, 6); /* IP payload beyond the UDP length */
	ip4_end(&f, ip);
	payload(&f, 8); /* Ethernet padding beyond the IP length */
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, 20 + 8 + 4 + 6);
	assert_int_equal(pkt.l4_len, 8 + 4 + 6);
	assert_int_equal(pkt.payload_len, 4);

	/* A UDP length below its own header is malformed. */
	set16(&f, u + 4, 7);
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_ERROR);

	/* Total length beyond the capture (a short snapshot) is fine: l4_len is what was kept. */
	set16(&f, u + 4, 1200);
	set16(&f, ip + 2, 1500);
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, 1500);
	assert_int_equal(pkt.l4_len, f.n - 14 - 20);
	assert_int_equal(pkt.payload_len, f.n - 14 - 28);

	/* Total length below the header, header length below 20, options not captured. */
	set16(&f, ip + 2, 19);
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
	set16(&f, ip + 2, 100);
	f.b[ip] = 0x44;
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
	f.b[ip] = 0x4f;
	assert_int_equal(decode_l3(DLT_ETH, f.b, 14 + 40, &pkt), DECODE_ERROR);
	f.b[ip] = 0x65;
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
}

static void test_ipv6_hop_by_hop_and_fragment(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x86dd);
	size_t ip = ip6(&f, 0, "2001:db8:1::1", "2400:1::2");
	hex(&f, "2c 00 01 04 00 00 00 00"); /* hop-by-hop → fragment, PadN */
	hex(&f, "11 00 00 01 de ad be ef"); /* fragment → UDP, offset 0, M */
	size_t u = udp(&f, 500, 4500);
	payload(&f, 100);
	ip6_end(&f, ip);
	set16(&f, u + 4, 3000);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_addr(&pkt.src, "2001:db8:1::1");
	assert_addr(&pkt.dst, "2400:1::2");
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.ip_bytes, 40 + 16 + 8 + 100);
	assert_true(pkt.is_fragment);
	assert_true(pkt.frag_first);
	assert_int_equal(pkt.frag_id, 0xdeadbeef);
	assert_ptr_equal(pkt.l4, f.b + u);
	assert_int_equal(pkt.sport, 500);
	assert_int_equal(pkt.dport, 4500);
	assert_int_equal(pkt.payload_len, 100);

	struct frame g = {0};
	eth(&g, 0x86dd);
	ip = ip6(&g, 44, "2001:db8:1::1", "2400:1::2");
	hex(&g, "11 00 05 a8 de ad be ef"); /* offset 1448, last */
	size_t data = g.n;
	payload(&g, 50);
	ip6_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_true(pkt.is_fragment);
	assert_false(pkt.frag_first);
	assert_int_equal(pkt.proto, 17);
	assert_int_equal(pkt.frag_id, 0xdeadbeef);
	assert_int_equal(pkt.sport, 0);
	assert_ptr_equal(pkt.payload, g.b + data);
	assert_int_equal(pkt.payload_len, 50);
}

static void test_ipv6_extension_chain(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x86dd);
	size_t ip = ip6(&f, 43, "2001:db8::1", "2001:db8::2");
	hex(&f, "33 02 00 01 00000000 20010db8000000000000000000000003"); /* routing → AH */
	hex(&f, "3c 04 0000 00000001 00000001 000000000000000000000000"); /* AH (24 bytes) → dst */
	hex(&f, "06 00 01 04 00000000");                                  /* dst opts → TCP */
	tcp(&f, 3000, 25, 5, TCPF_PSH | TCPF_ACK, 0);
	payload(&f, 3);
	ip6_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.proto, 6);
	assert_int_equal(pkt.dport, 25);
	assert_int_equal(pkt.payload_len, 3);
	assert_false(pkt.is_fragment);

	/* ESP ends the walk: its contents are opaque. */
	struct frame g = {0};
	eth(&g, 0x86dd);
	ip = ip6(&g, 50, "2001:db8::1", "2001:db8::2");
	payload(&g, 32);
	ip6_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.proto, 50);
	assert_int_equal(pkt.payload_len, 32);
	assert_int_equal(pkt.sport, 0);
}

static void test_ipv6_extension_bound(void **state)
{
	(void)state;
	for (int count = 16; count <= 17; count++) {
		struct frame f = {0};
		eth(&f, 0x86dd);
		size_t ip = ip6(&f, 60, "2001:db8::1", "2001:db8::2");
		for (int i = 0; i < count; i++)
			hex(&f, i == count - 1 ? "3b 00 01 04 00000000" : "3c 00 01 04 00000000");
		ip6_end(&f, ip);
		struct packet pkt;
		assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt),
		                 count == 16 ? DECODE_OK : DECODE_ERROR);
	}
}

static void test_ipv6_lengths(void **state)
{
	(void)state;
	/* Payload length 0 and no next header: 40 bytes, padding not counted. */
	struct frame f = {0};
	eth(&f, 0x86dd);
	size_t ip = ip6(&f, 59, "2001:db8::1", "2001:db8::2");
	ip6_end(&f, ip);
	payload(&f, 6);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, 40);
	assert_int_equal(pkt.l4_len, 0);
	assert_null(pkt.payload);

	/* Jumbogram: payload length 0 with a hop-by-hop header, sized by the capture. */
	struct frame g = {0};
	eth(&g, 0x86dd);
	ip6(&g, 0, "2001:db8::1", "2001:db8::2");
	hex(&g, "06 00 c2 04 00 01 20 00"); /* jumbo payload option */
	tcp(&g, 1, 2, 3, TCPF_ACK, 0);
	payload(&g, 200);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.ip_bytes, g.n - 14);
	assert_int_equal(pkt.payload_len, 200);

	/* Truncated extension header. */
	struct frame h = {0};
	eth(&h, 0x86dd);
	ip = ip6(&h, 0, "2001:db8::1", "2001:db8::2");
	hex(&h, "06 01 00 00 00 00 00 00"); /* claims 16 bytes */
	ip6_end(&h, ip);
	assert_int_equal(decode_l3(DLT_ETH, h.b, (uint32_t)h.n, &pkt), DECODE_ERROR);
}

/* GRE version 0 with each optional field: the inner IPv4 packet is the answer. */
static void test_gre_key_ipv4(void **state)
{
	(void)state;
	static const char *gre_hdr[] = {
	        "2000 0800 0000002a",                   /* key */
	        "b000 0800 12340000 0000002a 00000007", /* checksum, key, sequence */
	        "0000 0800",                            /* plain */
	};
	for (size_t i = 0; i < 3; i++) {
		struct frame f = {0};
		eth(&f, 0x0800);
		size_t outer = ip4(&f, 47, "192.0.2.1", "192.0.2.2");
		hex(&f, gre_hdr[i]);
		size_t inner = ip4(&f, 6, "198.51.100.9", "133.9.9.9");
		tcp(&f, 6000, 8080, 77, TCPF_ACK, 0);
		payload(&f, 10);
		ip4_end(&f, inner);
		ip4_end(&f, outer);
		struct packet pkt;
		assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
		assert_int_equal(pkt.tunnel_depth, 1);
		assert_addr(&pkt.src, "198.51.100.9");
		assert_addr(&pkt.dst, "133.9.9.9");
		assert_int_equal(pkt.proto, 6);
		assert_int_equal(pkt.ip_bytes, 50);
		assert_int_equal(pkt.dport, 8080);
		assert_int_equal(pkt.payload_len, 10);
	}
}

static void test_gre_ethernet_and_mpls(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t outer = ip4(&f, 47, "192.0.2.1", "192.0.2.2");
	hex(&f, "2000 6558 00000001");
	eth(&f, 0x8100);
	vlan(&f, 10, 0x86dd);
	size_t inner = ip6(&f, 17, "2001:db8::10", "2a00::20");
	size_t u = udp(&f, 443, 60000);
	payload(&f, 20);
	udp_end(&f, u);
	ip6_end(&f, inner);
	ip4_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "2001:db8::10");
	assert_addr(&pkt.dst, "2a00::20");
	assert_int_equal(pkt.sport, 443);
	assert_int_equal(pkt.payload_len, 20);

	struct frame g = {0};
	eth(&g, 0x0800);
	outer = ip4(&g, 47, "192.0.2.1", "192.0.2.2");
	hex(&g, "0000 8847 00020140");
	inner = ip4(&g, 1, "203.0.113.1", "203.0.113.2");
	hex(&g, "0000 0000 0000 0000");
	ip4_end(&g, inner);
	ip4_end(&g, outer);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "203.0.113.1");
	assert_true(pkt.has_icmp);
}

static void test_gre_unknown_or_non_ip_keeps_outer(void **state)
{
	(void)state;
	static const char *gre_hdr[] = {
	        "0000 88be",                                         /* ERSPAN: not decoded */
	        "2000 6558 00000001 020000000001 020000000002 0806", /* ARP inside */
	        "4000 0800 00000000",                                /* RFC 1701 routing present */
	        "0002 0800",                                         /* version 2 */
	};
	for (size_t i = 0; i < 4; i++) {
		struct frame f = {0};
		eth(&f, 0x0800);
		size_t outer = ip4(&f, 47, "192.0.2.1", "192.0.2.2");
		hex(&f, gre_hdr[i]);
		payload(&f, 28);
		ip4_end(&f, outer);
		struct packet pkt;
		assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
		assert_int_equal(pkt.tunnel_depth, 0);
		assert_int_equal(pkt.proto, 47);
		assert_addr(&pkt.src, "192.0.2.1");
	}
	/* Flags that promise a key the packet does not hold: truncated. */
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t outer = ip4(&f, 47, "192.0.2.1", "192.0.2.2");
	hex(&f, "b000 0800 0000");
	ip4_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_ERROR);
}

static void test_pptp_gre_and_pppoe(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t outer = ip4(&f, 47, "192.0.2.1", "192.0.2.2");
	hex(&f, "3081 880b");
	size_t plen_at = f.n;
	hex(&f, "0000 0005 00000001 00000000"); /* payload length, call id, seq, ack */
	size_t ppp = f.n;
	hex(&f, "ff03 0021");
	size_t inner = ip4(&f, 17, "10.0.0.1", "93.184.216.34");
	size_t u = udp(&f, 1, 53);
	udp_end(&f, u);
	ip4_end(&f, inner);
	set16(&f, plen_at, (unsigned)(f.n - ppp));
	ip4_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.dst, "93.184.216.34");
	assert_int_equal(pkt.dport, 53);

	struct frame g = {0};
	eth(&g, 0x8864);
	hex(&g, "11 00 0001");
	size_t len_at = g.n;
	hex(&g, "0000 0057");
	inner = ip6(&g, 58, "2001:db8::1", "2001:db8::2");
	hex(&g, "80 00 0000 0001 0001");
	ip6_end(&g, inner);
	set16(&g, len_at, (unsigned)(g.n - len_at - 2));
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_addr(&pkt.src, "2001:db8::1");
	assert_int_equal(pkt.icmp_type, 128);

	struct frame lcp = {0};
	eth(&lcp, 0x8864);
	hex(&lcp, "11 00 0001 0006 c021 0101 0004");
	assert_int_equal(decode_l3(DLT_ETH, lcp.b, (uint32_t)lcp.n, &pkt), DECODE_NOT_IP);
}

static size_t vxlan_frame(struct frame *f, unsigned flags, unsigned inner_type)
{
	eth(f, 0x0800);
	size_t outer = ip4(f, 17, "192.0.2.1", "192.0.2.2");
	size_t u = udp(f, 49152, 4789);
	put8(f, flags);
	hex(f, "000000 000064 00");
	eth(f, inner_type);
	size_t inner = ip4(f, 6, "172.16.0.1", "198.51.100.200");
	tcp(f, 1234, 5678, 1, TCPF_RST, 0);
	ip4_end(f, inner);
	udp_end(f, u);
	ip4_end(f, outer);
	return inner;
}

static void test_vxlan(void **state)
{
	(void)state;
	struct frame f = {0};
	size_t inner = vxlan_frame(&f, 0x08, 0x0800);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "172.16.0.1");
	assert_addr(&pkt.dst, "198.51.100.200");
	assert_ptr_equal(pkt.l4, f.b + inner + 20);
	assert_int_equal(pkt.tcp_flags, TCPF_RST);
	assert_int_equal(pkt.dport, 5678);

	/* The UDP length ends the tunnel, even when the IP packet goes on. */
	set16(&f, 14 + 20 + 4, (unsigned)(inner + 30 - (14 + 20)));
	assert_int_equal(decode_l3(DLT_ETH, f.b, (uint32_t)f.n, &pkt), DECODE_OK);
	assert_int_equal(pkt.l4_len, 10);
	assert_int_equal(decode_l4(&pkt), DECODE_ERROR);

	/* Without the I flag it is not VXLAN, just UDP to port 4789. */
	struct frame g = {0};
	vxlan_frame(&g, 0x00, 0x0800);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_addr(&pkt.src, "192.0.2.1");
	assert_int_equal(pkt.dport, 4789);

	/* A bridged ARP: the outer UDP packet is the innermost IP packet. */
	struct frame h = {0};
	vxlan_frame(&h, 0x08, 0x0806);
	assert_int_equal(decode(DLT_ETH, &h, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_int_equal(pkt.proto, 17);
}

/* UDP length 0 belongs to an IPv6 jumbogram (RFC 2675): the IP length bounds the tunnel. */
static void test_vxlan_in_jumbogram(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x86dd);
	ip6(&f, 0, "2001:db8::1", "2001:db8::2");
	hex(&f, "11 00 c2 04 00 01 20 00");
	udp(&f, 49152, 4789);
	hex(&f, "08 000000 000064 00");
	eth(&f, 0x0800);
	size_t inner = ip4(&f, 17, "10.0.0.1", "10.0.0.2");
	size_t u = udp(&f, 7, 8);
	payload(&f, 3);
	udp_end(&f, u);
	ip4_end(&f, inner);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "10.0.0.1");
	assert_int_equal(pkt.dport, 8);
	assert_int_equal(pkt.payload_len, 3);
}

static void test_geneve_with_options(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x86dd);
	size_t outer = ip6(&f, 17, "2001:db8::1", "2001:db8::2");
	size_t u = udp(&f, 50000, 6081);
	hex(&f, "02 00 6558 000001 00"); /* 2 option words */
	hex(&f, "0102 03 01 aabbccdd");  /* one 8-byte option */
	eth(&f, 0x0800);
	size_t inner = ip4(&f, 132, "10.9.8.7", "100.64.1.1");
	hex(&f, "1388 9644 00000001 00000000"); /* SCTP 5000 → 38468 */
	hex(&f, "01 00 0010 00000000 00000000 00000000");
	ip4_end(&f, inner);
	udp_end(&f, u);
	ip6_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "10.9.8.7");
	assert_int_equal(pkt.proto, 132);
	assert_int_equal(pkt.sport, 5000);
	assert_int_equal(pkt.dport, 38468);
	assert_int_equal(pkt.payload_len, 16);

	/* GENEVE straight to IPv6, and version 1 (not GENEVE as defined, so plain UDP). */
	struct frame g = {0};
	eth(&g, 0x0800);
	outer = ip4(&g, 17, "192.0.2.1", "192.0.2.2");
	u = udp(&g, 50000, 6081);
	size_t gh = g.n;
	hex(&g, "00 00 86dd 000001 00");
	inner = ip6(&g, 59, "2001:db8::7", "2001:db8::8");
	ip6_end(&g, inner);
	udp_end(&g, u);
	ip4_end(&g, outer);
	assert_int_equal(decode_l3(DLT_ETH, g.b, (uint32_t)g.n, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "2001:db8::7");
	g.b[gh] = 0x40;
	assert_int_equal(decode_l3(DLT_ETH, g.b, (uint32_t)g.n, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_addr(&pkt.src, "192.0.2.1");
	/* Options longer than the packet. */
	g.b[gh] = 0x3f;
	assert_int_equal(decode_l3(DLT_ETH, g.b, (uint32_t)g.n, &pkt), DECODE_ERROR);
}

static void test_ip_in_ip(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t outer = ip4(&f, 41, "192.0.2.1", "192.88.99.1");
	size_t inner = ip6(&f, 6, "2002:c000:201::1", "2001:db8::80");
	tcp(&f, 1111, 80, 1, TCPF_SYN, 4);
	ip6_end(&f, inner);
	ip4_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.src, "2002:c000:201::1");
	assert_int_equal(pkt.ip_bytes, 64);
	assert_int_equal(pkt.dport, 80);

	struct frame g = {0};
	eth(&g, 0x86dd);
	outer = ip6(&g, 4, "2001:db8::1", "2001:db8::2");
	inner = ip4(&g, 17, "10.0.0.1", "10.0.0.2");
	size_t u = udp(&g, 4, 5);
	udp_end(&g, u);
	ip4_end(&g, inner);
	ip6_end(&g, outer);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 1);
	assert_addr(&pkt.dst, "10.0.0.2");
	assert_int_equal(pkt.ip_bytes, 28);

	/* Protocol 4 that does not hold IPv4 is malformed. */
	g.b[14 + 40] = 0x65;
	assert_int_equal(decode_l3(DLT_ETH, g.b, (uint32_t)g.n, &pkt), DECODE_ERROR);
}

static void test_tunnel_nesting_bound(void **state)
{
	(void)state;
	for (int depth = 0; depth <= DECODE_MAX_TUNNELS + 1; depth++) {
		struct frame f = {0};
		size_t ips[8];
		eth(&f, 0x0800);
		for (int i = 0; i < depth; i++)
			ips[i] = ip4(&f, 4, "192.0.2.1", "192.0.2.2");
		ips[depth] = ip4(&f, 17, "198.51.100.1", "133.0.0.1");
		size_t u = udp(&f, 1, 2);
		udp_end(&f, u);
		for (int i = depth; i >= 0; i--)
			ip4_end(&f, ips[i]);
		struct packet pkt;
		enum decode_status st = decode(DLT_ETH, &f, &pkt);
		if (depth <= DECODE_MAX_TUNNELS) {
			assert_int_equal(st, DECODE_OK);
			assert_int_equal(pkt.tunnel_depth, depth);
			assert_addr(&pkt.src, "198.51.100.1");
		} else {
			assert_int_equal(st, DECODE_ERROR);
		}
	}
}

static void test_fragment_is_no_tunnel(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t outer = ip4x(&f, 47, "192.0.2.1", "192.0.2.2", 9, 100, 0);
	hex(&f, "0000 0800"); /* looks like GRE, but it is data at offset 800 */
	size_t inner = ip4(&f, 6, "10.0.0.1", "10.0.0.2");
	tcp(&f, 1, 2, 3, 0, 0);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.tunnel_depth, 0);
	assert_int_equal(pkt.proto, 47);
	assert_addr(&pkt.src, "192.0.2.1");
	assert_int_equal(pkt.payload_len, 44);
}

static void test_icmp(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4(&f, 1, "192.0.2.1", "198.51.100.1");
	hex(&f, "08 00 f7ff 0001 0002");
	payload(&f, 16);
	ip4_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_true(pkt.has_icmp);
	assert_int_equal(pkt.icmp_type, 8);
	assert_int_equal(pkt.icmp_code, 0);
	assert_int_equal(pkt.sport, 0);
	assert_int_equal(pkt.dport, 0);
	assert_int_equal(pkt.payload_len, 16);

	struct frame g = {0};
	eth(&g, 0x86dd);
	ip = ip6(&g, 58, "2001:db8::1", "2001:db8::2");
	hex(&g, "01 04 0000 00000000");
	size_t quoted = ip6(&g, 17, "2001:db8::2", "2001:db8::1");
	ip6_end(&g, quoted);
	ip6_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_true(pkt.has_icmp);
	assert_int_equal(pkt.icmp_type, 1);
	assert_int_equal(pkt.icmp_code, 4);
	assert_int_equal(pkt.payload_len, 40);

	/* Fewer than 8 header bytes. */
	struct frame h = {0};
	eth(&h, 0x0800);
	ip = ip4(&h, 1, "192.0.2.1", "198.51.100.1");
	hex(&h, "03 03 0000");
	ip4_end(&h, ip);
	assert_int_equal(decode(DLT_ETH, &h, &pkt), DECODE_ERROR);
}

static void test_sctp_and_other_protocols(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x0800);
	size_t ip = ip4(&f, 132, "192.0.2.1", "198.51.100.1");
	hex(&f, "0b59 0b59 00000000 00000000");
	hex(&f, "01 00 0014 00000001 00010000 0001 0001 00000001");
	ip4_end(&f, ip);
	struct packet pkt;
	assert_int_equal(decode(DLT_ETH, &f, &pkt), DECODE_OK);
	assert_int_equal(pkt.sport, 2905);
	assert_int_equal(pkt.dport, 2905);
	assert_false(pkt.has_icmp);
	assert_int_equal(pkt.payload_len, 20);
	assert_int_equal(decode_l3(DLT_ETH, f.b, 14 + 20 + 11, &pkt), DECODE_OK);
	assert_int_equal(decode_l4(&pkt), DECODE_ERROR);

	struct frame g = {0};
	eth(&g, 0x0800);
	ip = ip4(&g, 89, "192.0.2.1", "224.0.0.5"); /* OSPF */
	size_t data = g.n;
	payload(&g, 44);
	ip4_end(&g, ip);
	assert_int_equal(decode(DLT_ETH, &g, &pkt), DECODE_OK);
	assert_int_equal(pkt.proto, 89);
	assert_int_equal(pkt.sport, 0);
	assert_ptr_equal(pkt.payload, g.b + data);
	assert_int_equal(pkt.payload_len, 44);
}

/* Truncation at every length of a frame with VLAN, GRE, inner Ethernet, IPv6 options and TCP:
 * before the end of the innermost TCP header it must fail, after it succeed with what is left. */
static void test_truncation_everywhere(void **state)
{
	(void)state;
	struct frame f = {0};
	eth(&f, 0x8100);
	vlan(&f, 7, 0x0800);
	size_t outer = ip4x(&f, 47, "192.0.2.1", "192.0.2.2", 1, 0, 2);
	hex(&f, "2000 6558 00000005");
	eth(&f, 0x86dd);
	size_t inner = ip6(&f, 0, "2001:db8::1", "2001:db8::2");
	hex(&f, "06 00 01 04 00 00 00 00");
	tcp(&f, 22, 50000, 99, TCPF_ACK, 8);
	size_t hdr_end = f.n;
	payload(&f, 9);
	ip6_end(&f, inner);
	ip4_end(&f, outer);
	for (uint32_t caplen = 0; caplen <= f.n; caplen++) {
		struct packet pkt;
		enum decode_status l3 = decode_l3(DLT_ETH, f.b, caplen, &pkt);
		enum decode_status l4 = l3 == DECODE_OK ? decode_l4(&pkt) : l3;
		if (caplen < hdr_end) {
			assert_int_equal(l4, DECODE_ERROR);
			continue;
		}
		assert_int_equal(l4, DECODE_OK);
		assert_int_equal(pkt.tunnel_depth, 1);
		assert_addr(&pkt.src, "2001:db8::1");
		assert_int_equal(pkt.ip_bytes, 40 + 8 + 28 + 9);
		assert_int_equal(pkt.dport, 50000);
		assert_int_equal(pkt.payload_len, caplen - hdr_end);
	}
}

static void test_truncation_vxlan(void **state)
{
	(void)state;
	struct frame f = {0};
	size_t inner = vxlan_frame(&f, 0x08, 0x0800);
	size_t vxlan = 14 + 20 + 8, hdr_end = inner + 40;
	for (uint32_t caplen = 0; caplen <= f.n; caplen++) {
		struct packet pkt;
		enum decode_status l3 = decode_l3(DLT_ETH, f.b, caplen, &pkt);
		enum decode_status l4 = l3 == DECODE_OK ? decode_l4(&pkt) : l3;
		if (l3 == DECODE_OK)
			assert_true(pkt.l4 + pkt.l4_len <= f.b + caplen);
		if (caplen >= vxlan && caplen < vxlan + 8) {
			/* Too short to be a VXLAN header: plain UDP to port 4789. */
			assert_int_equal(l4, DECODE_OK);
			assert_int_equal(pkt.tunnel_depth, 0);
			assert_int_equal(pkt.dport, 4789);
			continue;
		}
		assert_int_equal(l4, caplen < hdr_end ? DECODE_ERROR : DECODE_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_eth_ipv4_tcp_options),
	        cmocka_unit_test(test_tcp_without_payload_has_null_payload),
	        cmocka_unit_test(test_bad_tcp_offsets),
	        cmocka_unit_test(test_vlan_and_qinq),
	        cmocka_unit_test(test_vlan_stack_bound),
	        cmocka_unit_test(test_mpls_two_labels),
	        cmocka_unit_test(test_mpls_non_ip_and_bound),
	        cmocka_unit_test(test_linux_cooked),
	        cmocka_unit_test(test_raw_ip_link_types),
	        cmocka_unit_test(test_bsd_loopback),
	        cmocka_unit_test(test_not_ip_frames),
	        cmocka_unit_test(test_llc_snap_ipv4),
	        cmocka_unit_test(test_link_types),
	        cmocka_unit_test(test_ipv4_fragments),
	        cmocka_unit_test(test_ipv4_lengths),
	        cmocka_unit_test(test_ipv6_hop_by_hop_and_fragment),
	        cmocka_unit_test(test_ipv6_extension_chain),
	        cmocka_unit_test(test_ipv6_extension_bound),
	        cmocka_unit_test(test_ipv6_lengths),
	        cmocka_unit_test(test_gre_key_ipv4),
	        cmocka_unit_test(test_gre_ethernet_and_mpls),
	        cmocka_unit_test(test_gre_unknown_or_non_ip_keeps_outer),
	        cmocka_unit_test(test_pptp_gre_and_pppoe),
	        cmocka_unit_test(test_vxlan),
	        cmocka_unit_test(test_vxlan_in_jumbogram),
	        cmocka_unit_test(test_geneve_with_options),
	        cmocka_unit_test(test_ip_in_ip),
	        cmocka_unit_test(test_tunnel_nesting_bound),
	        cmocka_unit_test(test_fragment_is_no_tunnel),
	        cmocka_unit_test(test_icmp),
	        cmocka_unit_test(test_sctp_and_other_protocols),
	        cmocka_unit_test(test_truncation_everywhere),
	        cmocka_unit_test(test_truncation_vxlan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
