/* frag_table.c — see frag_table.h. */
#include "frag_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flow_table.h"

/* The slots come straight from mmap: zero pages that cost memory only where fragments land.
 * calloc of 5 MiB cleared them by hand whenever glibc's mmap threshold had grown past that
 * size (it grows after a large block is freed, as Hyperscan's compiler does at start). */
bool frag_table_init(struct frag_table *t)
{
	void *p = mmap(NULL, FRAG_SLOTS * sizeof *t->slots, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->slots = p == MAP_FAILED ? NULL : p;
	t->early_head = t->early_tail = FRAG_NONE;
	t->orphans = 0;
	return t->slots != NULL;
}

void frag_table_destroy(struct frag_table *t)
{
	if (t->slots)
		munmap(t->slots, FRAG_SLOTS * sizeof *t->slots);
	t->slots = NULL;
}

static uint32_t slot_of(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto,
                        uint32_t id)
{
	/* flow_hash is symmetric; the id and protocol break the tie between the two directions
	 * well enough, and a collision costs only an orphan count. */
	return flow_hash(src, dst, (uint16_t)id, (uint16_t)(id >> 16), proto) & (FRAG_SLOTS - 1);
}

static bool same_datagram(const struct frag_entry *e, const struct ip_addr *src,
                          const struct ip_addr *dst, uint8_t proto, uint32_t id)
{
	return e->id == id && e->proto == proto && memcmp(&e->src, src, sizeof *src) == 0 &&
	       memcmp(&e->dst, dst, sizeof *dst) == 0;
}

static void unlink_early(struct frag_table *t, struct frag_entry *e)
{
	if (e->prev != FRAG_NONE)
		t->slots[e->prev].next = e->next;
	else
		t->early_head = e->next;
	if (e->next != FRAG_NONE)
		t->slots[e->next].prev = e->prev;
	else
		t->early_tail = e->prev;
}

/* Empties a slot; early fragments still waiting in it become orphans. */
static void release(struct frag_table *t, struct frag_entry *e)
{
	if (e->state == FRAG_EARLY) {
		unlink_early(t, e);
		t->orphans += e->packets;
	}
	e->state = FRAG_FREE;
}

static void claim(struct frag_entry *e, const struct ip_addr *src, const struct ip_addr *dst,
                  uint8_t proto, uint32_t id, acd_time now)
{
	e->src = *src;
	e->dst = *dst;
	e->proto = proto;
	e->id = id;
	e->at = now;
	e->packets = 0;
	e->bytes = 0;
}

bool frag_table_put(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                    uint8_t proto, uint32_t id, uint16_t sport, uint16_t dport, acd_time now,
                    struct frag_early *early)
{
	struct frag_entry *e = &t->slots[slot_of(src, dst, proto, id)];
	bool credit = e->state == FRAG_EARLY && same_datagram(e, src, dst, proto, id) &&
	              now - e->at <= FRAG_TIMEOUT;
	if (credit) {
		early->packets = e->packets;
		early->bytes = e->bytes;
		early->first = e->first;
		unlink_early(t, e);
		e->state = FRAG_FREE;
	}
	release(t, e);
	claim(e, src, dst, proto, id, now);
	e->sport = sport;
	e->dport = dport;
	e->state = FRAG_FIRST;
	return credit;
}

bool frag_table_get(const struct frag_table *t, const struct ip_addr *src,
                    const struct ip_addr *dst, uint8_t proto, uint32_t id, acd_time now,
                    uint16_t *sport, uint16_t *dport)
{
	const struct frag_entry *e = &t->slots[slot_of(src, dst, proto, id)];
	if (e->state != FRAG_FIRST || now - e->at > FRAG_TIMEOUT ||
	    !same_datagram(e, src, dst, proto, id))
		return false;
	*sport = e->sport;
	*dport = e->dport;
	return true;
}

void frag_table_early(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                      uint8_t proto, uint32_t id, uint32_t ip_bytes, acd_time ts, acd_time now)
{
	uint32_t i = slot_of(src, dst, proto, id);
	struct frag_entry *e = &t->slots[i];
	if (e->state != FRAG_EARLY || !same_datagram(e, src, dst, proto, id) ||
	    now - e->at > FRAG_TIMEOUT) {
		release(t, e);
		claim(e, src, dst, proto, id, now);
		e->state = FRAG_EARLY;
		e->first = ts;
		/* Packet time only moves forward in a worker, so the tail stays the youngest. */
		e->next = FRAG_NONE;
		e->prev = t->early_tail;
		if (t->early_tail != FRAG_NONE)
			t->slots[t->early_tail].next = i;
		else
			t->early_head = i;
		t->early_tail = i;
	}
	if (ts < e->first)
		e->first = ts;
	e->packets++;
	e->bytes += ip_bytes;
}

void frag_table_expire(struct frag_table *t, acd_time now)
{
	while (t->early_head != FRAG_NONE) {
		struct frag_entry *e = &t->slots[t->early_head];
		if (now != INT64_MAX && now - e->at <= FRAG_TIMEOUT)
			break;
		release(t, e);
	}
}
