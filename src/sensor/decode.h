/*
 * decode.h — bounds-checked decoding of captured frames, from the link layer to the transport.
 *
 * Link types: Ethernet (DLT_EN10MB), Linux cooked v1 and v2 (DLT_LINUX_SLL, DLT_LINUX_SLL2),
 * raw IP (DLT_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, and the BSD DLT_RAW alias 12/14).
 * Inside: 802.1Q, 802.1ad and QinQ tags, MPLS label stacks (IPv4/IPv6 guessed from the first
 * nibble after the bottom of stack), IPv4 with options and fragments, IPv6 with extension
 * headers (hop-by-hop, routing, destination options, fragment, AH) and fragments, and the
 * tunnels GRE (incl. ERSPAN-less transparent Ethernet bridging), VXLAN (UDP 4789), GENEVE
 * (UDP 6081) and IP-in-IP / IPv6-in-IP. Tunnels nest at most DECODE_MAX_TUNNELS deep.
 *
 * Nothing here allocates, copies payload, or keeps state between calls: it is a pure function
 * of the bytes, safe to call from any thread, and every read is checked against caplen.
 */
#ifndef ACD_DECODE_H
#define ACD_DECODE_H

#include <stdint.h>

#include "packet.h"

#define DECODE_MAX_TUNNELS 4

/* True when the sensor can decode this libpcap link type (DLT_* value). */
bool decode_link_supported(int dlt);

/* Fills pkt->src, dst, proto, ip_bytes, fragment fields, l4 and l4_len for the innermost IP
 * packet. `data`/`caplen` are the captured bytes. */
enum decode_status decode_l3(int dlt, const uint8_t *data, uint32_t caplen, struct packet *pkt);

/* Reads the transport header at pkt->l4: ports, TCP flags and sequence, ICMP type/code, and
 * the payload pointer. For a non-first fragment it sets only payload = l4 (the fragment's
 * data) and leaves ports zero. Returns DECODE_ERROR for a truncated transport header. */
enum decode_status decode_l4(struct packet *pkt);

#endif
