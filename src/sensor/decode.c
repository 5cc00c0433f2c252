/*
 * decode.c — walks a captured frame from the link layer down to the innermost IP packet
 * (decode_l3) and reads its transport header (decode_l4). See decode.h for what is decoded.
 *
 * Every layer is one static function that takes a pointer to its first byte and the number
 * of captured bytes left from there, checks that count before each read, and hands the rest
 * to the next layer. Nothing is copied or allocated; the results point into the caller's
 * capture buffer. Loops (VLAN tags, MPLS labels, IPv6 extension headers) and recursion
 * (tunnels, counted in pkt->tunnel_depth) are bounded, so hostile input cannot exhaust the
 * stack or spin: every cycle through the layers passes through decode_tunnel().
 *
 * Choices where the wire leaves room:
 *  - An IPv4 total length or IPv6 payload length larger than what was captured is a short
 *    snapshot, not an error: ip_bytes keeps the header's value, l4_len what was captured.
 *  - frag_first means "fragment offset 0", so it is true for unfragmented packets too;
 *    frag_id is set only for fragments. IPv6 atomic fragments (offset 0, M clear) are not
 *    fragments.
 *  - A tunnel whose inner frame carries no IP packet (an ARP inside VXLAN, an unknown GRE
 *    protocol) leaves the outer packet as the answer: that is the innermost IP packet. A UDP
 *    packet to the VXLAN or GENEVE port without a valid header of that kind is plain UDP.
 *    Once a tunnel header has identified itself, a truncated one is DECODE_ERROR.
 */
#include "decode.h"

#include <pcap/dlt.h>
#include <stddef.h>
#include <string.h>

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,     /* 802.1Q */
	ETHERTYPE_QINQ = 0x88a8,     /* 802.1ad service tag */
	ETHERTYPE_QINQ_OLD = 0x9100, /* pre-802.1ad vendor service tags */
	ETHERTYPE_QINQ_OLD2 = 0x9200,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_PPPOE = 0x8864, /* PPPoE session stage */
	ETHERTYPE_PPP = 0x880b,   /* PPTP's enhanced GRE */
	ETHERTYPE_TEB = 0x6558,   /* transparent Ethernet bridging: a whole Ethernet frame */
	ETHER_MAX_LENGTH = 1500,  /* type fields up to here are 802.3 lengths */
};

enum {
	PROTO_HOPOPTS = 0,
	PROTO_ICMP = 1,
	PROTO_IPIP = 4,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_IPV6 = 41,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_GRE = 47,
	PROTO_AH = 51,
	PROTO_ICMPV6 = 58,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_SCTP = 132,
	PROTO_MOBILITY = 135,
	PROTO_HIP = 139,
	PROTO_SHIM6 = 140,
};

enum {
	MAX_VLAN_TAGS = 8,
	MAX_MPLS_LABELS = 16, /* segment-routing stacks run to about a dozen */
	MAX_IPV6_EXT = 16,
	PORT_VXLAN = 4789,
	PORT_GENEVE = 6081,
};

/* What the link type says the first byte is. */
enum link_kind {
	LINK_NONE,
	LINK_ETHER,
	LINK_SLL,
	LINK_SLL2,
	LINK_RAW,
	LINK_IPV4,
	LINK_IPV6,
	LINK_NULL
};

static enum decode_status decode_ethernet(const uint8_t *p, uint32_t len, struct packet *pkt);
static enum decode_status decode_ethertype(uint16_t type, const uint8_t *p, uint32_t len,
                                           struct packet *pkt);

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* If-chains rather than a switch: DLT_RAW and DLT_LOOP take the value 12 on different
 * platforms, and the platform's own constant must win over the raw alias list. */
static enum link_kind link_kind(int dlt)
{
	if (dlt == DLT_EN10MB)
		return LINK_ETHER;
	if (dlt == DLT_LINUX_SLL)
		return LINK_SLL;
	if (dlt == DLT_LINUX_SLL2)
		return LINK_SLL2;
	if (dlt == DLT_NULL || dlt == DLT_LOOP)
		return LINK_NULL;
	if (dlt == DLT_RAW || dlt == 12 || dlt == 14 || dlt == 101)
		return LINK_RAW;
	if (dlt == DLT_IPV4)
		return LINK_IPV4;
	if (dlt == DLT_IPV6)
		return LINK_IPV6;
	return LINK_NONE;
}

bool decode_link_supported(int dlt)
{
	return link_kind(dlt) != LINK_NONE;
}

/* Enters one tunnel level. `type` names what the tunnel carries as an ethertype
 * (ETHERTYPE_TEB for an Ethernet frame). The inner packet is decoded into a copy so that,
 * when it holds no IP packet, the outer one still stands as the innermost IP packet. */
static enum decode_status decode_tunnel(uint16_t type, const uint8_t *p, uint32_t len,
                                        struct packet *pkt)
{
	if (pkt->tunnel_depth >= DECODE_MAX_TUNNELS)
		return DECODE_ERROR;
	struct packet inner = *pkt;
	inner.tunnel_depth++;
	enum decode_status st = type == ETHERTYPE_TEB ? decode_ethernet(p, len, &inner)
	                                              : decode_ethertype(type, p, len, &inner);
	if (st == DECODE_NOT_IP)
		return DECODE_OK;
	if (st == DECODE_OK)
		*pkt = inner;
	return st;
}

/* PPP protocol field (after an optional FF 03 address/control, 1 or 2 bytes, RFC 1661
 * protocol-field compression) → the ethertype of what follows, 0 when it is not IP. */
static uint16_t decode_ppp(const uint8_t *p, uint32_t len, uint32_t *hlen)
{
	uint32_t off = 0;
	if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
		off = 2;
	if (off >= len)
		return 0;
	uint16_t proto;
	if (p[off] & 1) {
		proto = p[off];
		off += 1;
	} else {
		if (len - off < 2)
			return 0;
		proto = rd16(p + off);
		off += 2;
	}
	*hlen = off;
	if (proto == 0x21)
		return ETHERTYPE_IPV4;
	if (proto == 0x57)
		return ETHERTYPE_IPV6;
	return 0;
}

/* RFC 2784/2890 GRE (version 0). Routing (RFC 1701 source routes) is obsolete and left
 * undecoded, like an unknown protocol: the GRE packet itself is then the answer. */
static enum decode_status decode_gre0(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	uint16_t flags = rd16(p);
	if (flags & 0x4000)
		return DECODE_OK;
	uint32_t hlen = 4;
	hlen += (flags & 0x8000) ? 4 : 0; /* checksum + reserved */
	hlen += (flags & 0x2000) ? 4 : 0; /* key */
	hlen += (flags & 0x1000) ? 4 : 0; /* sequence number */
	if (hlen > len)
		return DECODE_ERROR;
	return decode_tunnel(rd16(p + 2), p + hlen, len - hlen, pkt);
}

/* RFC 2637 enhanced GRE (version 1), as PPTP uses it: always a key field (payload length,
 * call id), optional sequence and acknowledgement numbers, then a PPP frame. */
static enum decode_status decode_gre1(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	uint16_t flags = rd16(p);
	if (rd16(p + 2) != ETHERTYPE_PPP || !(flags & 0x2000) || (flags & 0xc000))
		return DECODE_OK;
	uint32_t hlen = 8;
	hlen += (flags & 0x1000) ? 4 : 0;
	hlen += (flags & 0x0080) ? 4 : 0;
	if (hlen > len)
		return DECODE_ERROR;
	uint32_t plen = min32(rd16(p + 4), len - hlen);
	uint32_t ppp_hlen = 0;
	uint16_t type = decode_ppp(p + hlen, plen, &ppp_hlen);
	if (type == 0)
		return DECODE_OK; /* an acknowledgement only, or PPP control traffic */
	return decode_tunnel(type, p + hlen + ppp_hlen, plen - ppp_hlen, pkt);
}

static enum decode_status decode_gre(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 4)
		return DECODE_ERROR;
	switch (rd16(p) & 7) {
	case 0:
		return decode_gre0(p, len, pkt);
	case 1:
		return decode_gre1(p, len, pkt);
	}
	return DECODE_OK;
}

/* RFC 7348: 8 bytes, the I flag says the VNI is valid; an Ethernet frame follows. */
static enum decode_status decode_vxlan(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 8 || !(p[0] & 0x08))
		return DECODE_OK;
	return decode_tunnel(ETHERTYPE_TEB, p + 8, len - 8, pkt);
}

/* RFC 8926: version 0, options length in 4-byte words, an ethertype for what follows. */
static enum decode_status decode_geneve(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 8 || (p[0] >> 6) != 0)
		return DECODE_OK;
	uint32_t hlen = 8 + (p[0] & 0x3fu) * 4;
	if (hlen > len)
		return DECODE_ERROR;
	return decode_tunnel(rd16(p + 2), p + hlen, len - hlen, pkt);
}

/* VXLAN and GENEVE are defined by their UDP destination port: the one place a port counts. */
static enum decode_status decode_udp_tunnel(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 8)
		return DECODE_OK; /* decode_l4 reports the truncated UDP header */
	uint32_t ulen = rd16(p + 4);
	if (ulen != 0 && ulen < 8)
		return DECODE_OK;
	if (ulen != 0) /* 0: a jumbogram (RFC 2675), bounded by the IP length alone */
		len = min32(len, ulen);
	switch (rd16(p + 2)) {
	case PORT_VXLAN:
		return decode_vxlan(p + 8, len - 8, pkt);
	case PORT_GENEVE:
		return decode_geneve(p + 8, len - 8, pkt);
	}
	return DECODE_OK;
}

/* After an IP header: looks for a tunnel in pkt->l4. Only a packet that holds the start of
 * its payload (unfragmented or a first fragment) can show a tunnel header. */
static enum decode_status decode_encapsulated(struct packet *pkt)
{
	if (!pkt->frag_first)
		return DECODE_OK;
	switch (pkt->proto) {
	case PROTO_IPIP:
		return decode_tunnel(ETHERTYPE_IPV4, pkt->l4, pkt->l4_len, pkt);
	case PROTO_IPV6:
		return decode_tunnel(ETHERTYPE_IPV6, pkt->l4, pkt->l4_len, pkt);
	case PROTO_GRE:
		return decode_gre(pkt->l4, pkt->l4_len, pkt);
	case PROTO_UDP:
		return decode_udp_tunnel(pkt->l4, pkt->l4_len, pkt);
	}
	return DECODE_OK;
}

static enum decode_status decode_ipv4(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 20 || (p[0] >> 4) != 4)
		return DECODE_ERROR;
	uint32_t hlen = (p[0] & 0x0fu) * 4;
	uint32_t tot_len = rd16(p + 2);
	if (hlen < 20 || hlen > len || tot_len < hlen)
		return DECODE_ERROR;
	uint16_t frag = rd16(p + 6);
	uint16_t offset = frag & 0x1fff;
	ipaddr_set4(&pkt->src, p + 12);
	ipaddr_set4(&pkt->dst, p + 16);
	pkt->proto = p[9];
	pkt->ip_bytes = tot_len;
	pkt->is_fragment = (frag & 0x2000) || offset != 0;
	pkt->frag_first = offset == 0;
	pkt->frag_id = pkt->is_fragment ? rd16(p + 4) : 0;
	pkt->l4 = p + hlen;
	pkt->l4_len = min32(tot_len, len) - hlen;
	return decode_encapsulated(pkt);
}

/* Reads one IPv6 fragment header at p (8 bytes, checked by the caller). */
static void decode_ipv6_frag(const uint8_t *p, struct packet *pkt)
{
	uint16_t offset = rd16(p + 2) >> 3;
	bool more = rd16(p + 2) & 1;
	pkt->is_fragment = more || offset != 0;
	pkt->frag_first = offset == 0;
	pkt->frag_id = pkt->is_fragment ? rd32(p + 4) : 0;
}

/* Walks the extension headers from *off (the header named *nh) to the transport header,
 * ESP, "no next header", or the data of a non-first fragment; `end` bounds the packet. */
static enum decode_status decode_ipv6_ext(const uint8_t *p, uint32_t end, uint32_t *off,
                                          uint8_t *nh, struct packet *pkt)
{
	for (int n = 0;; n++) {
		uint32_t hlen, left = end - *off;
		const uint8_t *h = p + *off;
		switch (*nh) {
		case PROTO_HOPOPTS:
		case PROTO_ROUTING:
		case PROTO_DSTOPTS:
		case PROTO_MOBILITY:
		case PROTO_HIP:
		case PROTO_SHIM6:
			hlen = left >= 2 ? (h[1] + 1u) * 8 : 8;
			break;
		case PROTO_AH: /* counted in 4-byte words minus 2 (RFC 4302) */
			hlen = left >= 2 ? (h[1] + 2u) * 4 : 8;
			break;
		case PROTO_FRAGMENT:
			hlen = 8;
			break;
		default:
			return DECODE_OK;
		}
		if (n == MAX_IPV6_EXT || hlen > left)
			return DECODE_ERROR;
		if (*nh == PROTO_FRAGMENT)
			decode_ipv6_frag(h, pkt);
		*nh = h[0];
		*off += hlen;
		if (!pkt->frag_first)
			return DECODE_OK; /* the rest is the fragment's data, not headers */
	}
}

static enum decode_status decode_ipv6(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 40 || (p[0] >> 4) != 6)
		return DECODE_ERROR;
	uint8_t nh = p[6];
	uint32_t total = 40u + rd16(p + 4);
	/* Payload length 0 with something to follow: a jumbogram (RFC 2675) or a capture taken
	 * before segmentation offload; only the captured length is known. */
	if (total == 40 && nh != PROTO_NONE)
		total = len;
	uint32_t end = min32(total, len);
	ipaddr_set6(&pkt->src, p + 8);
	ipaddr_set6(&pkt->dst, p + 24);
	pkt->ip_bytes = total;
	pkt->is_fragment = false;
	pkt->frag_first = true;
	pkt->frag_id = 0;
	uint32_t off = 40;
	enum decode_status st = decode_ipv6_ext(p, end, &off, &nh, pkt);
	if (st != DECODE_OK)
		return st;
	pkt->proto = nh;
	pkt->l4 = p + off;
	pkt->l4_len = end - off;
	return decode_encapsulated(pkt);
}

/* MPLS carries no type field: after the bottom-of-stack label an IP packet is recognised
 * by its version nibble; anything else (pseudowires, …) counts as not IP. */
static enum decode_status decode_mpls(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	for (int labels = 0;; labels++) {
		if (labels == MAX_MPLS_LABELS || len < 4)
			return DECODE_ERROR;
		bool bottom = p[2] & 1;
		p += 4;
		len -= 4;
		if (bottom)
			break;
	}
	if (len < 1)
		return DECODE_ERROR;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, len, pkt);
	case 6:
		return decode_ipv6(p, len, pkt);
	}
	return DECODE_NOT_IP;
}

/* RFC 2516 session stage: 6-byte header whose length bounds the PPP frame. */
static enum decode_status decode_pppoe(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 6 || p[0] != 0x11 || p[1] != 0x00)
		return DECODE_ERROR;
	uint32_t plen = min32(rd16(p + 4), len - 6);
	uint32_t hlen = 0;
	uint16_t type = decode_ppp(p + 6, plen, &hlen);
	if (type == 0)
		return DECODE_NOT_IP; /* LCP, IPCP, CHAP, … */
	return decode_ethertype(type, p + 6 + hlen, plen - hlen, pkt);
}

static bool is_vlan_tag(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD ||
	       type == ETHERTYPE_QINQ_OLD2;
}

/* Dispatches on an ethertype after skipping any VLAN tags. Types up to 1500 (802.3
 * lengths) are not IP here; decode_ethernet has already looked for SNAP. */
static enum decode_status decode_ethertype(uint16_t type, const uint8_t *p, uint32_t len,
                                           struct packet *pkt)
{
	for (int tags = 0; is_vlan_tag(type); tags++) {
		if (tags == MAX_VLAN_TAGS || len < 4)
			return DECODE_ERROR;
		type = rd16(p + 2);
		p += 4;
		len -= 4;
	}
	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(p, len, pkt);
	case ETHERTYPE_IPV6:
		return decode_ipv6(p, len, pkt);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(p, len, pkt);
	case ETHERTYPE_PPPOE:
		return decode_pppoe(p, len, pkt);
	}
	return DECODE_NOT_IP;
}

/* Ethernet II, or 802.3 with an LLC/SNAP header of OUI 0 that carries an ethertype
 * (RFC 1042); other 802.3 frames (STP, CDP, …) are not IP. */
static enum decode_status decode_ethernet(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 14)
		return DECODE_ERROR;
	uint16_t type = rd16(p + 12);
	uint32_t hlen = 14;
	if (type <= ETHER_MAX_LENGTH) {
		static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
		if (len < 22 || memcmp(p + 14, snap, sizeof snap) != 0)
			return DECODE_NOT_IP;
		type = rd16(p + 20);
		hlen = 22;
	}
	return decode_ethertype(type, p + hlen, len - hlen, pkt);
}

/* BSD loopback: a 4-byte address family in the writer's byte order (DLT_NULL) or network
 * order (DLT_LOOP); a family that fits in 16 bits tells which. AF_INET6 differs by OS. */
static enum decode_status decode_null(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 4)
		return DECODE_ERROR;
	uint32_t af = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	if (af & 0xffff0000u)
		af = rd32(p);
	switch (af) {
	case 2:
		return decode_ipv4(p + 4, len - 4, pkt);
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return decode_ipv6(p + 4, len - 4, pkt);
	}
	return DECODE_NOT_IP;
}

/* Raw IP: the version nibble says which. */
static enum decode_status decode_raw(const uint8_t *p, uint32_t len, struct packet *pkt)
{
	if (len < 1)
		return DECODE_ERROR;
	switch (p[0] >> 4) {
	case 4:
		return decode_ipv4(p, len, pkt);
	case 6:
		return decode_ipv6(p, len, pkt);
	}
	return DECODE_ERROR;
}

enum decode_status decode_l3(int dlt, const uint8_t *data, uint32_t caplen, struct packet *pkt)
{
	*pkt = (struct packet){0};
	if (!data)
		caplen = 0;
	switch (link_kind(dlt)) {
	case LINK_ETHER:
		return decode_ethernet(data, caplen, pkt);
	case LINK_SLL: /* 16-byte header, protocol (an ethertype here) last */
		if (caplen < 16)
			return DECODE_ERROR;
		return decode_ethertype(rd16(data + 14), data + 16, caplen - 16, pkt);
	case LINK_SLL2: /* 20-byte header, protocol first */
		if (caplen < 20)
			return DECODE_ERROR;
		return decode_ethertype(rd16(data), data + 20, caplen - 20, pkt);
	case LINK_RAW:
		return decode_raw(data, caplen, pkt);
	case LINK_IPV4:
		return decode_ipv4(data, caplen, pkt);
	case LINK_IPV6:
		return decode_ipv6(data, caplen, pkt);
	case LINK_NULL:
		return decode_null(data, caplen, pkt);
	case LINK_NONE:
		break;
	}
	return DECODE_BAD_LINK;
}

/* Sets the payload to the `skip`th byte of the transport data onwards. */
static void set_payload(struct packet *pkt, uint32_t skip, uint32_t end)
{
	if (end > skip) {
		pkt->payload = pkt->l4 + skip;
		pkt->payload_len = end - skip;
	}
}

static enum decode_status decode_tcp(struct packet *pkt)
{
	const uint8_t *p = pkt->l4;
	if (pkt->l4_len < 20)
		return DECODE_ERROR;
	uint32_t hlen = (p[12] >> 4) * 4u;
	if (hlen < 20 || hlen > pkt->l4_len)
		return DECODE_ERROR;
	pkt->sport = rd16(p);
	pkt->dport = rd16(p + 2);
	pkt->tcp_seq = rd32(p + 4);
	pkt->tcp_flags = p[13];
	set_payload(pkt, hlen, pkt->l4_len);
	return DECODE_OK;
}

/* The UDP length bounds the payload (Ethernet padding is not payload); 0 is allowed for an
 * IPv6 jumbogram (RFC 2675), where the IP length already bounds it. */
static enum decode_status decode_udp(struct packet *pkt)
{
	const uint8_t *p = pkt->l4;
	if (pkt->l4_len < 8)
		return DECODE_ERROR;
	uint32_t ulen = rd16(p + 4);
	if (ulen != 0 && ulen < 8)
		return DECODE_ERROR;
	pkt->sport = rd16(p);
	pkt->dport = rd16(p + 2);
	set_payload(pkt, 8, ulen ? min32(ulen, pkt->l4_len) : pkt->l4_len);
	return DECODE_OK;
}

/* Every ICMP and ICMPv6 message has 8 header bytes (type, code, checksum and 4 bytes that
 * depend on the type: echo id/sequence, MTU, pointer, unused); the payload starts after. */
static enum decode_status decode_icmp(struct packet *pkt)
{
	if (pkt->l4_len < 8)
		return DECODE_ERROR;
	pkt->has_icmp = true;
	pkt->icmp_type = pkt->l4[0];
	pkt->icmp_code = pkt->l4[1];
	set_payload(pkt, 8, pkt->l4_len);
	return DECODE_OK;
}

/* SCTP: ports in the 12-byte common header; the chunks are the payload. */
static enum decode_status decode_sctp(struct packet *pkt)
{
	if (pkt->l4_len < 12)
		return DECODE_ERROR;
	pkt->sport = rd16(pkt->l4);
	pkt->dport = rd16(pkt->l4 + 2);
	set_payload(pkt, 12, pkt->l4_len);
	return DECODE_OK;
}

enum decode_status decode_l4(struct packet *pkt)
{
	pkt->sport = pkt->dport = 0;
	pkt->tcp_flags = 0;
	pkt->has_icmp = false;
	pkt->icmp_type = pkt->icmp_code = 0;
	pkt->tcp_seq = 0;
	pkt->payload = NULL;
	pkt->payload_len = 0;
	if (!pkt->l4)
		return DECODE_ERROR; /* decode_l3 did not succeed */
	if (!pkt->frag_first) {
		set_payload(pkt, 0, pkt->l4_len); /* a later fragment: data only */
		return DECODE_OK;
	}
	switch (pkt->proto) {
	case PROTO_TCP:
		return decode_tcp(pkt);
	case PROTO_UDP:
		return decode_udp(pkt);
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return decode_icmp(pkt);
	case PROTO_SCTP:
		return decode_sctp(pkt);
	}
	set_payload(pkt, 0, pkt->l4_len);
	return DECODE_OK;
}
