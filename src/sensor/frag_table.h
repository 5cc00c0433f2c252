/*
 * frag_table.h — joins later IP fragments to their flow without reassembling anything.
 *
 * Only a first fragment carries the transport ports. When one passes, its (source,
 * destination, protocol, IP id) is remembered with the ports; later fragments look the ports
 * up and are counted in that flow. Nothing of the payload is kept. The table is a fixed,
 * direct-mapped array (FRAG_SLOTS entries, a collision replaces the older entry) whose
 * entries lapse after FRAG_TIMEOUT of packet time: bounded memory, O(1) per fragment.
 * Fragments with no known first fragment are orphans: counted, never selected.
 */
#ifndef ACD_FRAG_TABLE_H
#define ACD_FRAG_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipaddr.h"
#include "timefmt.h"

#define FRAG_SLOTS   65536
#define FRAG_TIMEOUT (30 * ACD_USEC)

struct frag_entry {
	struct ip_addr src, dst;
	uint32_t id;
	uint8_t proto;
	bool used;
	uint16_t sport, dport;
	acd_time at;
};

struct frag_table {
	struct frag_entry *slots;
};

bool frag_table_init(struct frag_table *t);
void frag_table_destroy(struct frag_table *t);
void frag_table_put(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                    uint8_t proto, uint32_t id, uint16_t sport, uint16_t dport, acd_time now);
/* The ports of the first fragment of this datagram; false when unknown or lapsed. */
bool frag_table_get(const struct frag_table *t, const struct ip_addr *src,
                    const struct ip_addr *dst, uint8_t proto, uint32_t id, acd_time now,
                    uint16_t *sport, uint16_t *dport);

#endif
