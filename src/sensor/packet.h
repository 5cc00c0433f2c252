/*
 * packet.h — what the decoder tells the rest of the sensor about one captured packet.
 *
 * The decoder runs in two steps so that classification can come between them: decode_l3()
 * walks the link layer, VLAN/MPLS tags and tunnels down to the innermost IP header and fills
 * the addresses; the classifier then drops domestic-to-domestic traffic; only for packets that
 * survive does decode_l4() read the transport header. `payload` points into the capture
 * buffer that libpcap owns: it is valid only while the packet is being processed and is never
 * copied (Contract 4: no payload byte outlives its packet, except the matcher's stream state).
 */
#ifndef ACD_PACKET_H
#define ACD_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "ipaddr.h"

enum decode_status {
	DECODE_OK = 0,
	DECODE_NOT_IP, /* a valid frame that carries no IP packet (ARP, STP, …): counted as not_ip
	                */
	DECODE_ERROR,  /* truncated or malformed: counted as decode_errors */
	DECODE_BAD_LINK, /* a link type the sensor does not decode (a whole-file condition) */
};

/* TCP flag bits as on the wire (byte 13 of the TCP header). */
enum {
	TCPF_FIN = 0x01,
	TCPF_SYN = 0x02,
	TCPF_RST = 0x04,
	TCPF_PSH = 0x08,
	TCPF_ACK = 0x10,
	TCPF_URG = 0x20,
	TCPF_ECE = 0x40,
	TCPF_CWR = 0x80,
};

struct packet {
	/* Filled by decode_l3() for the innermost IP packet. */
	struct ip_addr src, dst;
	uint8_t proto; /* IP protocol number of the transport (after IPv6 extension headers) */
	uint8_t tunnel_depth; /* 0 = no tunnel; GRE, VXLAN, GENEVE, IP-in-IP each add one */
	uint32_t ip_bytes; /* IP-layer length of the inner packet from its header (total length, or
	                      40 + payload length for IPv6); this is what Contract 4 counts */
	/* Fragments: a fragment with offset 0 carries the transport header; later ones do not. */
	bool is_fragment;
	bool frag_first;   /* offset 0 */
	uint32_t frag_id;  /* IPv4 identification or IPv6 fragment header identification */
	const uint8_t *l4; /* start of the transport header (or of the fragment's data) */
	uint32_t l4_len;   /* captured bytes from l4 to the end of the IP packet (bounded by both
	                      the capture and the IP length) */

	/* Filled by decode_l4(). Ports are host order; zero for protocols without ports. */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	bool has_icmp;
	uint8_t icmp_type, icmp_code;
	uint32_t tcp_seq;
	const uint8_t *payload; /* transport payload inside the capture buffer; NULL when none */
	uint32_t payload_len;   /* captured payload bytes */
};

#endif
