/*
 * frag_table.h — joins IP fragments to their flow without reassembling anything.
 *
 * Only a first fragment (offset 0) carries the transport ports. When one passes, its
 * (source, destination, protocol, IP id) is remembered with the ports; later fragments look
 * the ports up and are counted in that flow. Fragments that arrive before their first
 * fragment cannot be placed yet: the entry of their datagram counts them (packets, IP bytes,
 * time of the earliest) until the first fragment arrives and the worker credits them to its
 * flow. Nothing of any payload is kept, so those early fragments are counted, never scanned.
 *
 * The table is a fixed, direct-mapped array (FRAG_SLOTS entries; a collision replaces the
 * older entry) whose entries lapse after FRAG_TIMEOUT of packet time: bounded memory, O(1)
 * per fragment. Early entries also sit on a list in the order they were made, so that
 * frag_table_expire() ends the lapsed ones at the worker's clock ticks without a sweep.
 * Early fragments whose first fragment never comes (entry lapsed, replaced by a collision or
 * still waiting at the end of input) are orphans: added to `orphans`, never selected.
 *
 * Cost: FRAG_SLOTS * sizeof(struct frag_entry) (about 5 MiB) per worker.
 */
#ifndef ACD_FRAG_TABLE_H
#define ACD_FRAG_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipaddr.h"
#include "timefmt.h"

#define FRAG_SLOTS   65536
#define FRAG_TIMEOUT (30 * ACD_USEC)
#define FRAG_NONE    UINT32_MAX

enum frag_state {
	FRAG_FREE,
	FRAG_FIRST, /* the first fragment passed: ports known */
	FRAG_EARLY, /* only later fragments so far: counted, waiting for the first */
};

struct frag_entry {
	struct ip_addr src, dst;
	uint32_t id;
	uint8_t proto;
	uint8_t state; /* enum frag_state */
	uint16_t sport, dport;
	acd_time at;         /* the worker's clock when the entry was made: for the timeout */
	acd_time first;      /* EARLY: packet time of the earliest fragment */
	uint32_t packets;    /* EARLY: fragments counted */
	uint64_t bytes;      /* EARLY: their IP bytes */
	uint32_t prev, next; /* EARLY: the list by `at`, oldest first */
};

struct frag_table {
	struct frag_entry *slots;
	uint32_t early_head, early_tail;
	uint64_t orphans; /* early fragments given up; the worker moves them into its stats */
};

/* What arrived of a datagram before its first fragment: credited to its flow. */
struct frag_early {
	uint32_t packets;
	uint64_t bytes;
	acd_time first; /* packet time of the earliest */
};

bool frag_table_init(struct frag_table *t);
void frag_table_destroy(struct frag_table *t);
/* A first fragment passed: remembers its ports. When later fragments of the same datagram
 * came before it, fills *early, forgets them and returns true. */
bool frag_table_put(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                    uint8_t proto, uint32_t id, uint16_t sport, uint16_t dport, acd_time now,
                    struct frag_early *early);
/* The ports of the first fragment of this datagram; false when unknown or lapsed. */
bool frag_table_get(const struct frag_table *t, const struct ip_addr *src,
                    const struct ip_addr *dst, uint8_t proto, uint32_t id, acd_time now,
                    uint16_t *sport, uint16_t *dport);
/* A later fragment (packet time ts) whose first fragment is unknown: counted until the first
 * one comes. */
void frag_table_early(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                      uint8_t proto, uint32_t id, uint32_t ip_bytes, acd_time ts, acd_time now);
/* Gives up early entries older than FRAG_TIMEOUT at `now` (all of them with now ==
 * INT64_MAX, at the end of input); their fragments go to `orphans`. */
void frag_table_expire(struct frag_table *t, acd_time now);

#endif
