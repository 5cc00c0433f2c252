/* slab.c — see slab.h. */
#include "slab.h"

#include <sodium.h>
#include <stdint.h>
#include <sys/mman.h>

#define SLAB_CHUNK ((size_t)2 << 20)

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

/* Maps a 2 MiB chunk on a 2 MiB boundary (the kernel backs it with one huge page then). */
static struct slab_chunk *map_chunk(void)
{
	char *p = mmap(NULL, 2 * SLAB_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	               -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	char *start = (char *)(((uintptr_t)p + SLAB_CHUNK - 1) & ~(uintptr_t)(SLAB_CHUNK - 1));
	if (start > p)
		munmap(p, (size_t)(start - p));
	if (p + 2 * SLAB_CHUNK > start + SLAB_CHUNK)
		munmap(start + SLAB_CHUNK, (size_t)(p + 2 * SLAB_CHUNK - (start + SLAB_CHUNK)));
	madvise(start, SLAB_CHUNK, MADV_HUGEPAGE); /* a hint: without THP it is plain pages */
	return (struct slab_chunk *)start;
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

void slab_destroy(struct slab *s)
{
	while (s->chunks) {
		struct slab_chunk *c = s->chunks;
		s->chunks = c->next;
		munmap(c, SLAB_CHUNK);
	}
	s->free = NULL;
	s->bump = s->end = NULL;
}
