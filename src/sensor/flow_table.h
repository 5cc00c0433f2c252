/*
 * flow_table.h — the flows one worker thread is following, in bounded memory.
 *
 * A fixed pool of `max_flows` entries allocated once at start (pages are touched only as
 * flows arrive), a chained hash index over it, and two intrusive lists: by last packet (for
 * idle expiry and for eviction when the pool is full) and by segment start (for the active
 * timeout). Lookup, insert, touch and removal are O(1); memory never grows with the input.
 *
 * A flow is keyed by its initiator's view (the side that sent the first packet seen); the
 * lookup matches both orientations and says which one the packet has. Until a flow is
 * selected it holds only its key, counters and matcher state (TCP sequence bookkeeping and
 * the Hyperscan stream handles) — Contract 4; `sel` is allocated at selection.
 */
#ifndef ACD_FLOW_TABLE_H
#define ACD_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "ipaddr.h"
#include "timefmt.h"

struct flow_sel; /* record.h */
struct hs_stream;

enum flow_direction { DIR_FOREIGN_FOREIGN, DIR_FOREIGN_DOMESTIC, DIR_DOMESTIC_FOREIGN };

struct flow_key {
	struct ip_addr src, dst; /* initiator, responder */
	uint16_t sport, dport;
	uint8_t proto;
};

/* Sequence bookkeeping of one TCP direction, so that each byte is scanned once, in order. */
#define TCP_HOLES 3
struct tcp_dir {
	bool init;
	uint8_t nholes;
	uint32_t next_seq;
	struct {
		uint32_t lo, hi; /* [lo, hi) not yet seen */
	} holes[TCP_HOLES];
};

#define FLOW_NONE UINT32_MAX

struct flow {
	struct flow_key key;
	uint32_t hash;
	uint32_t next;               /* hash chain */
	uint32_t lru_prev, lru_next; /* by last packet, oldest first */
	uint32_t act_prev, act_next; /* by segment start, oldest first */
	acd_time first, last;        /* packet times of this record segment */
	acd_time seen_at;            /* the worker's clock at the last packet (monotonic) */
	acd_time seg_at;             /* the worker's clock when this segment started */
	uint64_t ordinal;            /* input position of the segment's first packet (record id) */
	uint64_t packets, bytes, rpackets, rbytes;
	uint64_t in_scope; /* approvals whose kind bounds admit this flow (bit per approval) */
	uint64_t selected; /* approvals that selected it */
	uint8_t tcp_flags;
	uint8_t app;       /* enum app_proto */
	uint8_t direction; /* enum flow_direction, initiator's view */
	bool has_icmp;
	uint8_t icmp_type, icmp_code;
	struct tcp_dir tcp[2];   /* [0] initiator → responder, [1] back */
	struct hs_stream *hs[2]; /* content matcher stream per direction, opened lazily */
	struct flow_sel *sel;    /* record fields, only once selected */
};

struct flow_table {
	struct flow *pool;
	uint32_t capacity, used;
	uint32_t free_head;
	uint32_t *buckets;
	uint32_t bucket_mask;
	uint32_t lru_head, lru_tail, act_head, act_tail;
	uint64_t evictions;
};

bool flow_table_init(struct flow_table *t, uint32_t capacity);
void flow_table_destroy(struct flow_table *t);

/* Symmetric over the two ends, so both directions of a flow hash alike. */
uint32_t flow_hash(const struct ip_addr *a, const struct ip_addr *b, uint16_t pa, uint16_t pb,
                   uint8_t proto);

/* Finds the flow of a packet src:sport → dst:dport; *reverse tells it runs responder →
 * initiator. NULL when there is none. */
struct flow *flow_table_find(struct flow_table *t, uint32_t hash, const struct ip_addr *src,
                             const struct ip_addr *dst, uint16_t sport, uint16_t dport,
                             uint8_t proto, bool *reverse);
/* A fresh zeroed entry for this key at the young end of both lists; NULL when the pool is
 * full (the caller evicts the oldest with flow_table_oldest() and retries). */
struct flow *flow_table_insert(struct flow_table *t, uint32_t hash, const struct flow_key *key);
void flow_table_remove(struct flow_table *t, struct flow *f);
/* Moves f to the young end of the last-packet list. */
void flow_table_touch(struct flow_table *t, struct flow *f);
/* Moves f to the young end of the segment list (its segment restarted). */
void flow_table_restart_segment(struct flow_table *t, struct flow *f);
struct flow *flow_table_oldest(struct flow_table *t);         /* by last packet */
struct flow *flow_table_oldest_segment(struct flow_table *t); /* by segment start */
/* Visits every flow; `visit` may remove the flow it is given. */
void flow_table_each(struct flow_table *t, void (*visit)(struct flow *f, void *ctx), void *ctx);

#endif
