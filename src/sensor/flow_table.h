/*
 * flow_table.h — the flows one worker thread is following, in bounded memory.
 *
 * Parts, all allocated once at start and backed by memory only as flows arrive:
 *  - a pool of `capacity` entries of 256 bytes, aligned so that an entry's first 128 bytes
 *    (what every packet reads and writes: key, hash chain, counters, times) are two whole
 *    cache lines and the rest (TCP sequence state, matcher streams, record fields, segment
 *    list) sits in two other lines that only payload packets and selected flows touch;
 *  - a chained hash index of at least `capacity` buckets (load <= 1, chains ~1 long), so a
 *    lookup is one bucket read and one entry read;
 *  - the last-packet order as a FIFO ring of entry indices: touching a flow appends its
 *    index (a sequential write) instead of unlinking it from a list (two random writes per
 *    packet); the entry remembers the ring slot of its newest appearance, and older
 *    appearances are skipped as stale when they reach the head. The ring holds at least twice
 *    `capacity` slots; when it fills, the stale appearances are squeezed out in place (at
 *    most one live one per flow, so at least half the ring comes free: amortised O(1));
 *  - the segment-start order (for the active timeout) as a doubly linked list through the
 *    cold part, changed only when a flow starts, restarts a segment or ends.
 * The pool, the index and the ring are asked for transparent huge pages: the bench's 150,000
 * flows are read in random order, and with 4 KiB pages nearly every packet also missed the
 * TLB. Lookup, insert, touch and removal are O(1); memory never grows with the input.
 *
 * Invariants: a flow in use is in exactly one hash chain and in the segment list, and its
 * `qslot` names a ring slot holding its index; a free entry has qslot == FLOW_NONE and is
 * all zero otherwise (nothing of a finished flow stays behind in the pool). The order of
 * flow_table_oldest() is exactly that of a list where every touch moved the flow to the
 * young end.
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
	/* Cache line 0: what a lookup compares and every packet updates. */
	struct flow_key key;
	uint32_t hash;
	uint32_t next;  /* hash chain */
	uint32_t qslot; /* ring slot of this flow's newest last-packet entry; FLOW_NONE if free */
	uint8_t tcp_flags;
	uint8_t app;       /* enum app_proto */
	uint8_t direction; /* enum flow_direction, initiator's view */
	bool has_icmp;
	acd_time seen_at; /* the worker's clock at the last packet (monotonic) */
	/* Cache line 1: counters and times of this record segment. */
	uint64_t packets, bytes, rpackets, rbytes;
	acd_time first, last; /* packet times of this record segment */
	uint64_t in_scope;    /* approvals whose kind bounds admit this flow (bit per approval) */
	uint64_t selected;    /* approvals that selected it */
	/* Cache lines 2-3: touched by payload packets, selected flows and segment changes. */
	uint32_t act_prev, act_next; /* by segment start, oldest first */
	acd_time seg_at;             /* the worker's clock when this segment started */
	uint64_t ordinal;            /* input position of the segment's first packet (record id) */
	uint8_t icmp_type, icmp_code;
	struct tcp_dir tcp[2];   /* [0] initiator → responder, [1] back */
	struct hs_stream *hs[2]; /* content matcher stream per direction, opened lazily */
	struct flow_sel *sel;    /* record fields, only once selected */
} __attribute__((aligned(256)));

struct flow_table {
	struct flow *pool;
	uint32_t capacity, used;
	uint32_t free_head;
	uint32_t *buckets;
	uint32_t bucket_mask;
	uint32_t *ring; /* last-packet order: entry indices, oldest at ring_head */
	uint32_t ring_mask;
	uint64_t ring_head, ring_tail; /* positions; slot = position & ring_mask */
	uint32_t act_head, act_tail;
	uint64_t evictions;
	size_t pool_bytes, bucket_bytes, ring_bytes; /* mapped sizes, for destroy */
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
/* Look-ahead hints for a packet a few places behind the one being processed (worker.c): the
 * first asks for its hash bucket, the second (some packets later, the bucket now cached) for
 * the entry the bucket names, or the free entry a new flow would take: its first two lines,
 * and with `cold` (a packet with payload, which reads the TCP sequence state and the stream
 * handles) the other two; the third (the entry now cached) for the chain's next entry when
 * the first is another flow's, else for what the entry points to: the Hyperscan stream state
 * of the packet's direction and the record fields. Hints only: they change nothing, so a
 * table changed in between costs a wasted fetch, never a wrong answer. */
/* always_inline, because a prefetch is invisible to the compiler: GCC judges a helper that
 * only reads memory and prefetches to be pure, and drops a call whose result is unused
 * (cd-dce) unless the body is inlined before that pass. Until this attribute the entry hint
 * was never emitted, and `flow_table_find` waited for every entry (bench/README.md). */
#define FLOW_PREFETCH static inline __attribute__((always_inline)) void
FLOW_PREFETCH flow_table_prefetch_bucket(const struct flow_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->buckets[hash & t->bucket_mask]);
}

FLOW_PREFETCH flow_table_prefetch_entry(const struct flow_table *t, uint32_t hash, bool cold)
{
	uint32_t i = t->buckets[hash & t->bucket_mask] - 1; /* buckets hold index + 1 */
	if (i == FLOW_NONE)
		i = t->free_head != FLOW_NONE ? t->free_head : t->used;
	if (i >= t->capacity)
		return;
	__builtin_prefetch(&t->pool[i], 1);
	__builtin_prefetch(&t->pool[i].packets, 1);
	if (cold) {
		__builtin_prefetch(&t->pool[i].act_prev, 1);
		__builtin_prefetch(&t->pool[i].hs, 1);
	}
}

/* For a packet src:sport → …: when the bucket's first entry is another flow (its stored hash
 * differs), the next entry of the chain, which the lookup will walk to (4.6% of the bench's
 * lookups, each a wait for a line nobody had asked for); else, for a packet with payload, only
 * the stream state of its own direction (a TCP flow with payload both ways has two, and
 * fetching the other one was a wasted line per packet) and the record fields. The direction
 * is guessed from the source port and the first half of the source address: a wrong guess
 * costs a fetch, never an answer. */
FLOW_PREFETCH flow_table_prefetch_state(const struct flow_table *t, uint32_t hash,
                                        const struct ip_addr *src, uint16_t sport, bool payload)
{
	uint32_t i = t->buckets[hash & t->bucket_mask] - 1;
	if (i >= t->used)
		return;
	const struct flow *f = &t->pool[i];
	if (f->hash != hash) {
		if (f->next < t->used) {
			__builtin_prefetch(&t->pool[f->next], 1);
			__builtin_prefetch(&t->pool[f->next].packets, 1);
		}
		return;
	}
	if (!payload)
		return;
	uint64_t a, b;
	__builtin_memcpy(&a, f->key.src.b, 8);
	__builtin_memcpy(&b, src->b, 8);
	struct hs_stream *st = f->hs[!(f->key.sport == sport && a == b)];
	if (st)
		__builtin_prefetch(st, 1);
	if (f->sel)
		__builtin_prefetch(f->sel, 1);
}

/* A fresh zeroed entry for this key at the young end of both orders; NULL when the pool is
 * full (the caller evicts the oldest with flow_table_oldest() and retries). */
struct flow *flow_table_insert(struct flow_table *t, uint32_t hash, const struct flow_key *key);
void flow_table_remove(struct flow_table *t, struct flow *f);
/* Forgets every flow at once, as if each had been removed (all entries free and zero, the
 * index and both orders empty): the end of a run, where removing the bench's 115,000 flows
 * one by one took ~3 ms. The caller has released what they point to. */
void flow_table_clear(struct flow_table *t);
/* Moves f to the young end of the last-packet order. */
void flow_table_touch(struct flow_table *t, struct flow *f);
/* Moves f to the young end of the segment list (its segment restarted). */
void flow_table_restart_segment(struct flow_table *t, struct flow *f);
/* The flow with the oldest last packet (stale ring entries in front of it are dropped). */
struct flow *flow_table_oldest(struct flow_table *t);
struct flow *flow_table_oldest_segment(struct flow_table *t); /* by segment start */
/* Visits every flow in pool order (cheap: sequential memory, not the random last-packet
 * order); `visit` may remove the flow it is given. */
void flow_table_each(struct flow_table *t, void (*visit)(struct flow *f, void *ctx), void *ctx);

#endif
