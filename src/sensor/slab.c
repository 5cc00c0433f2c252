/* slab.c — see slab.h. */
#include "slab.h"

#include <sodium.h>
#include <stdint.h>

#include "hugemem.h"

#define SLAB_CHUNK HUGEMEM_PAGE

/* A chunk starts with its list link; blocks follow from the first 64-byte boundary. */
struct slab_chunk {
	struct slab_chunk *next;
};

#define CHUNK_HEADER 64

void slab_init(struct slab *s, size_t size)
{
	s->block = size < sizeof(void *) ? sizeof(void *) : (size + 15) & ~(size_t)15;
	s->free = NULL;
	s->bump = s->end = NULL;
	s->chunks = NULL;
}

/* A 2 MiB chunk on a 2 MiB boundary (the kernel backs it with one huge page then). */
static struct slab_chunk *map_chunk(void)
{
	size_t mapped;
	return huge_map(SLAB_CHUNK, &mapped);
}

void *slab_alloc(struct slab *s)
{
	void *p = s->free;
	if (p) {
		s->free = *(void **)p;
		*(void **)p = NULL;
		return p;
	}
	if ((size_t)(s->end - s->bump) < s->block) {
		struct slab_chunk *c = map_chunk();
		if (!c)
			return NULL;
		c->next = s->chunks;
		s->chunks = c;
		s->bump = (char *)c + CHUNK_HEADER;
		s->end = (char *)c + SLAB_CHUNK;
	}
	p = s->bump;
	s->bump += s->block;
	return p; /* fresh mapping: already zero */
}

void slab_free(struct slab *s, void *p)
{
	if (!p)
		return;
	sodium_memzero(p, s->block);
	*(void **)p = s->free;
	s->free = p;
}

void slab_wipe_all(struct slab *s)
{
	struct slab_chunk *head = s->chunks;
	s->free = NULL;
	if (!head)
		return;
	/* The newest chunk (the list's head) is carved up to bump and stays, to carve again;
	 * the older ones are carved whole and go. */
	char *blocks = (char *)head + CHUNK_HEADER;
	sodium_memzero(blocks, (size_t)(s->bump - blocks));
	for (struct slab_chunk *c = head->next, *next; c; c = next) {
		next = c->next;
		sodium_memzero((char *)c + CHUNK_HEADER, SLAB_CHUNK - CHUNK_HEADER);
		huge_unmap(c, SLAB_CHUNK);
	}
	head->next = NULL;
	s->bump = blocks;
}

void slab_destroy(struct slab *s)
{
	while (s->chunks) {
		struct slab_chunk *c = s->chunks;
		s->chunks = c->next;
		huge_unmap(c, SLAB_CHUNK);
	}
	s->free = NULL;
	s->bump = s->end = NULL;
}
