/* frag_table.c — see frag_table.h. */
#include "frag_table.h"

#include <stdlib.h>
#include <string.h>

#include "flow_table.h"

bool frag_table_init(struct frag_table *t)
{
	t->slots = calloc(FRAG_SLOTS, sizeof *t->slots);
	return t->slots != NULL;
}

void frag_table_destroy(struct frag_table *t)
{
	free(t->slots);
	t->slots = NULL;
}

static uint32_t slot_of(const struct ip_addr *src, const struct ip_addr *dst, uint8_t proto,
                        uint32_t id)
{
	/* flow_hash is symmetric; the id and protocol break the tie between the two directions
	 * well enough, and a collision costs only an orphan count. */
	return flow_hash(src, dst, (uint16_t)id, (uint16_t)(id >> 16), proto) & (FRAG_SLOTS - 1);
}

void frag_table_put(struct frag_table *t, const struct ip_addr *src, const struct ip_addr *dst,
                    uint8_t proto, uint32_t id, uint16_t sport, uint16_t dport, acd_time now)
{
	struct frag_entry *e = &t->slots[slot_of(src, dst, proto, id)];
	e->src = *src;
	e->dst = *dst;
	e->proto = proto;
	e->id = id;
	e->sport = sport;
	e->dport = dport;
	e->at = now;
	e->used = true;
}

bool frag_table_get(const struct frag_table *t, const struct ip_addr *src,
                    const struct ip_addr *dst, uint8_t proto, uint32_t id, acd_time now,
                    uint16_t *sport, uint16_t *dport)
{
	const struct frag_entry *e = &t->slots[slot_of(src, dst, proto, id)];
	if (!e->used || e->id != id || e->proto != proto || now - e->at > FRAG_TIMEOUT ||
	    memcmp(&e->src, src, sizeof *src) != 0 || memcmp(&e->dst, dst, sizeof *dst) != 0)
		return false;
	*sport = e->sport;
	*dport = e->dport;
	return true;
}
