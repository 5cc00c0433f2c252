/* flow_table.c — see flow_table.h. Indices, not pointers, link the lists: half the size. */
#include "flow_table.h"

#include <stdlib.h>
#include <string.h>

#define IDX(t, f) ((uint32_t)((f) - (t)->pool))

bool flow_table_init(struct flow_table *t, uint32_t capacity)
{
	memset(t, 0, sizeof *t);
	uint32_t nb = 1024;
	while (nb < capacity && nb < (1u << 30))
		nb <<= 1;
	/* calloc of this size is an mmap: pages cost memory only once a flow lands on them. */
	t->pool = calloc(capacity, sizeof *t->pool);
	t->buckets = malloc((size_t)nb * sizeof *t->buckets);
	if (!t->pool || !t->buckets) {
		flow_table_destroy(t);
		return false;
	}
	memset(t->buckets, 0xff, (size_t)nb * sizeof *t->buckets);
	t->bucket_mask = nb - 1;
	t->capacity = capacity;
	t->free_head = FLOW_NONE;
	t->lru_head = t->lru_tail = t->act_head = t->act_tail = FLOW_NONE;
	return true;
}

void flow_table_destroy(struct flow_table *t)
{
	free(t->pool);
	free(t->buckets);
	t->pool = NULL;
	t->buckets = NULL;
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

static inline uint64_t addr_fold(const struct ip_addr *a)
{
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	return mix64(hi ^ mix64(lo ^ a->family));
}

uint32_t flow_hash(const struct ip_addr *a, const struct ip_addr *b, uint16_t pa, uint16_t pb,
                   uint8_t proto)
{
	/* Sum and xor are both symmetric; mixing them keeps the two orientations equal. */
	uint64_t ea = addr_fold(a) + pa, eb = addr_fold(b) + pb;
	return (uint32_t)mix64((ea + eb) ^ ((ea ^ eb) << 1) ^ proto);
}

static inline bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

struct flow *flow_table_find(struct flow_table *t, uint32_t hash, const struct ip_addr *src,
                             const struct ip_addr *dst, uint16_t sport, uint16_t dport,
                             uint8_t proto, bool *reverse)
{
	for (uint32_t i = t->buckets[hash & t->bucket_mask]; i != FLOW_NONE; i = t->pool[i].next) {
		struct flow *f = &t->pool[i];
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

/* Doubly linked lists through two index pairs in the flow; `which` picks the pair. */
static void list_unlink(struct flow_table *t, struct flow *f, bool act)
{
	uint32_t *head = act ? &t->act_head : &t->lru_head,
	         *tail = act ? &t->act_tail : &t->lru_tail;
	uint32_t prev = act ? f->act_prev : f->lru_prev, next = act ? f->act_next : f->lru_next;
	if (prev != FLOW_NONE)
		*(act ? &t->pool[prev].act_next : &t->pool[prev].lru_next) = next;
	else
		*head = next;
	if (next != FLOW_NONE)
		*(act ? &t->pool[next].act_prev : &t->pool[next].lru_prev) = prev;
	else
		*tail = prev;
}

static void list_append(struct flow_table *t, struct flow *f, bool act)
{
	uint32_t idx = IDX(t, f);
	uint32_t *head = act ? &t->act_head : &t->lru_head,
	         *tail = act ? &t->act_tail : &t->lru_tail;
	if (act) {
		f->act_prev = *tail;
		f->act_next = FLOW_NONE;
	} else {
		f->lru_prev = *tail;
		f->lru_next = FLOW_NONE;
	}
	if (*tail != FLOW_NONE)
		*(act ? &t->pool[*tail].act_next : &t->pool[*tail].lru_next) = idx;
	else
		*head = idx;
	*tail = idx;
}

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
	memset(f, 0, sizeof *f);
	f->key = *key;
	f->hash = hash;
	f->next = t->buckets[hash & t->bucket_mask];
	t->buckets[hash & t->bucket_mask] = idx;
	list_append(t, f, false);
	list_append(t, f, true);
	return f;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint32_t idx = IDX(t, f);
	uint32_t *p = &t->buckets[f->hash & t->bucket_mask];
	while (*p != idx)
		p = &t->pool[*p].next;
	*p = f->next;
	list_unlink(t, f, false);
	list_unlink(t, f, true);
	/* Nothing of a finished flow stays behind in the pool. */
	memset(f, 0, sizeof *f);
	f->next = t->free_head;
	t->free_head = idx;
}

void flow_table_touch(struct flow_table *t, struct flow *f)
{
	if (t->lru_tail == IDX(t, f))
		return;
	list_unlink(t, f, false);
	list_append(t, f, false);
}

void flow_table_restart_segment(struct flow_table *t, struct flow *f)
{
	list_unlink(t, f, true);
	list_append(t, f, true);
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	return t->lru_head == FLOW_NONE ? NULL : &t->pool[t->lru_head];
}

struct flow *flow_table_oldest_segment(struct flow_table *t)
{
	return t->act_head == FLOW_NONE ? NULL : &t->pool[t->act_head];
}

void flow_table_each(struct flow_table *t, void (*visit)(struct flow *f, void *ctx), void *ctx)
{
	uint32_t i = t->lru_head;
	while (i != FLOW_NONE) {
		uint32_t next = t->pool[i].lru_next;
		visit(&t->pool[i], ctx);
		i = next;
	}
}
