/* flow_table.c — see flow_table.h. Indices, not pointers, link the lists: half the size. */
#include "flow_table.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "hugemem.h"

#define IDX(t, f) ((uint32_t)((f) - (t)->pool))

/* The hot half of an entry is exactly cache lines 0 and 1. */
_Static_assert(offsetof(struct flow, packets) == 64, "flow: counters start cache line 1");
_Static_assert(offsetof(struct flow, act_prev) == 128, "flow: cold part starts at line 2");
_Static_assert(sizeof(struct flow) == 256, "flow: one entry is four cache lines");
_Static_assert(offsetof(struct flow, hs) >= 192,
               "flow: stream handles in line 3 (flow_table_prefetch_entry)");

bool flow_table_init(struct flow_table *t, uint32_t capacity)
{
	memset(t, 0, sizeof *t);
	uint32_t nb = 1024;
	while (nb < capacity && nb < (1u << 30))
		nb <<= 1;
	uint32_t nr = 1024;
	while (nr < 2 * (uint64_t)capacity && nr < (1u << 31))
		nr <<= 1;
	t->pool = huge_map((size_t)capacity * sizeof *t->pool, &t->pool_bytes);
	t->buckets = huge_map((size_t)nb * sizeof *t->buckets, &t->bucket_bytes);
	t->ring = huge_map((size_t)nr * sizeof *t->ring, &t->ring_bytes);
	if (!t->pool || !t->buckets || !t->ring) {
		flow_table_destroy(t);
		return false;
	}
	/* Bucket b holds 1 + the index of its first entry, so zero pages are empty buckets. */
	t->bucket_mask = nb - 1;
	t->ring_mask = nr - 1;
	t->capacity = capacity;
	t->free_head = FLOW_NONE;
	t->act_head = t->act_tail = FLOW_NONE;
	return true;
}

void flow_table_destroy(struct flow_table *t)
{
	huge_unmap(t->pool, t->pool_bytes);
	huge_unmap(t->buckets, t->bucket_bytes);
	huge_unmap(t->ring, t->ring_bytes);
	t->pool = NULL;
	t->buckets = NULL;
	t->ring = NULL;
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The two halves of an address, each times its own odd constant (independent multiplies, so
 * they overlap): every bit of both reaches flow_hash's final mix64, which does the
 * avalanche. Two chained mix64 per address were ~5 ns of each packet's hash. */
static inline uint64_t addr_fold(const struct ip_addr *a)
{
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	return (hi ^ a->family) * 0x9e3779b97f4a7c15ULL + (lo ^ lo >> 29) * 0xc2b2ae3d27d4eb4fULL;
}

uint32_t flow_hash(const struct ip_addr *a, const struct ip_addr *b, uint16_t pa, uint16_t pb,
                   uint8_t proto)
{
	/* Sum and xor are both symmetric; mixing them keeps the two orientations equal. */
	uint64_t ea = addr_fold(a) + pa, eb = addr_fold(b) + pb;
	return (uint32_t)mix64((ea + eb) ^ ((ea ^ eb) << 1) ^ proto);
}

/* Family and all 16 bytes (an IPv4 address is zero-padded), by two word compares: gcc calls
 * memcmp for 17 bytes, which was a visible share of each lookup. */
static inline bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, a->b, 8);
	memcpy(&a1, a->b + 8, 8);
	memcpy(&b0, b->b, 8);
	memcpy(&b1, b->b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0 && a->family == b->family;
}

/* Buckets store index + 1 so that the zero pages of a fresh mapping read as empty. */
static inline uint32_t bucket_first(const struct flow_table *t, uint32_t hash)
{
	return t->buckets[hash & t->bucket_mask] - 1;
}

struct flow *flow_table_find(struct flow_table *t, uint32_t hash, const struct ip_addr *src,
                             const struct ip_addr *dst, uint16_t sport, uint16_t dport,
                             uint8_t proto, bool *reverse)
{
	for (uint32_t i = bucket_first(t, hash); i != FLOW_NONE; i = t->pool[i].next) {
		struct flow *f = &t->pool[i];
		/* The counters line comes next: load it alongside the key line, not after it. */
		__builtin_prefetch(&f->packets, 1);
		if (f->hash != hash || f->key.proto != proto)
			continue;
		if (f->key.sport == sport && f->key.dport == dport && addr_eq(&f->key.src, src) &&
		    addr_eq(&f->key.dst, dst)) {
			*reverse = false;
			return f;
		}
		if (f->key.sport == dport && f->key.dport == sport && addr_eq(&f->key.src, dst) &&
		    addr_eq(&f->key.dst, src)) {
			*reverse = true;
			return f;
		}
	}
	return NULL;
}

/* ---- last-packet order: the ring ------------------------------------------------------- */

static inline bool ring_live(const struct flow_table *t, uint64_t pos)
{
	uint32_t slot = (uint32_t)(pos & t->ring_mask);
	return t->pool[t->ring[slot]].qslot == slot;
}

/* Squeezes the stale entries out of a full ring, keeping the order of the live ones. */
static void ring_compact(struct flow_table *t)
{
	uint64_t w = t->ring_head;
	for (uint64_t r = t->ring_head; r != t->ring_tail; r++) {
		if (!ring_live(t, r))
			continue;
		uint32_t idx = t->ring[r & t->ring_mask];
		t->ring[w & t->ring_mask] = idx;
		t->pool[idx].qslot = (uint32_t)(w & t->ring_mask);
		w++;
	}
	t->ring_tail = w;
}

static void ring_append(struct flow_table *t, struct flow *f)
{
	if (t->ring_tail - t->ring_head == (uint64_t)t->ring_mask + 1)
		ring_compact(t);
	uint32_t slot = (uint32_t)(t->ring_tail++ & t->ring_mask);
	t->ring[slot] = IDX(t, f);
	f->qslot = slot;
}

/* ---- segment order: a doubly linked list ----------------------------------------------- */

static void act_unlink(struct flow_table *t, struct flow *f)
{
	if (f->act_prev != FLOW_NONE)
		t->pool[f->act_prev].act_next = f->act_next;
	else
		t->act_head = f->act_next;
	if (f->act_next != FLOW_NONE)
		t->pool[f->act_next].act_prev = f->act_prev;
	else
		t->act_tail = f->act_prev;
}

static void act_append(struct flow_table *t, struct flow *f)
{
	uint32_t idx = IDX(t, f);
	f->act_prev = t->act_tail;
	f->act_next = FLOW_NONE;
	if (t->act_tail != FLOW_NONE)
		t->pool[t->act_tail].act_next = idx;
	else
		t->act_head = idx;
	t->act_tail = idx;
}

/* ---- entries ---------------------------------------------------------------------------- */

struct flow *flow_table_insert(struct flow_table *t, uint32_t hash, const struct flow_key *key)
{
	uint32_t idx;
	if (t->free_head != FLOW_NONE) {
		idx = t->free_head;
		t->free_head = t->pool[idx].next;
	} else if (t->used < t->capacity) {
		idx = t->used++;
	} else {
		return NULL;
	}
	struct flow *f = &t->pool[idx];
	/* A free entry is all zero but for its free-list link (next) and qslot. */
	f->key = *key;
	f->hash = hash;
	f->next = bucket_first(t, hash);
	t->buckets[hash & t->bucket_mask] = idx + 1;
	ring_append(t, f);
	act_append(t, f);
	return f;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint32_t idx = IDX(t, f);
	uint32_t *p = &t->buckets[f->hash & t->bucket_mask];
	if (*p == idx + 1) {
		*p = f->next + 1;
	} else {
		uint32_t i = *p - 1;
		while (t->pool[i].next != idx)
			i = t->pool[i].next;
		t->pool[i].next = f->next;
	}
	act_unlink(t, f);
	/* Nothing of a finished flow stays behind in the pool; its ring entries go stale. */
	memset(f, 0, sizeof *f);
	f->qslot = FLOW_NONE;
	f->next = t->free_head;
	t->free_head = idx;
}

/* The first `len` bytes of a mapping read as zero again: the kernel drops their pages, where
 * writing zeros would touch every one. */
static void zero_pages(void *p, size_t len)
{
	if (len && madvise(p, len, MADV_DONTNEED) != 0)
		memset(p, 0, len);
}

void flow_table_clear(struct flow_table *t)
{
	zero_pages(t->pool, (size_t)t->used * sizeof *t->pool);
	zero_pages(t->buckets, t->bucket_bytes);
	zero_pages(t->ring, t->ring_bytes);
	t->used = 0;
	t->free_head = FLOW_NONE;
	t->ring_head = t->ring_tail = 0;
	t->act_head = t->act_tail = FLOW_NONE;
}

void flow_table_touch(struct flow_table *t, struct flow *f)
{
	if (t->ring_tail != t->ring_head && f->qslot == ((t->ring_tail - 1) & t->ring_mask))
		return; /* already the youngest */
	ring_append(t, f);
}

void flow_table_restart_segment(struct flow_table *t, struct flow *f)
{
	act_unlink(t, f);
	act_append(t, f);
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	for (; t->ring_head != t->ring_tail; t->ring_head++)
		if (ring_live(t, t->ring_head))
			return &t->pool[t->ring[t->ring_head & t->ring_mask]];
	return NULL;
}

struct flow *flow_table_oldest_segment(struct flow_table *t)
{
	return t->act_head == FLOW_NONE ? NULL : &t->pool[t->act_head];
}

void flow_table_each(struct flow_table *t, void (*visit)(struct flow *f, void *ctx), void *ctx)
{
	/* Entries past `used` were never handed out; below it a free one has no ring slot. The
	 * pool is read in order, but the record fields a visit formats and releases are not:
	 * fetch them EACH_AHEAD entries early. (Stream states are not fetched: at the end of a
	 * run the worker wipes them all at once.) */
	enum { EACH_AHEAD = 8 };
	for (uint32_t i = 0; i < t->used; i++) {
		if (i + EACH_AHEAD < t->used) {
			const struct flow *n = &t->pool[i + EACH_AHEAD];
			if (n->qslot != FLOW_NONE && n->sel)
				__builtin_prefetch(n->sel, 1);
		}
		if (t->pool[i].qslot != FLOW_NONE)
			visit(&t->pool[i], ctx);
	}
}
