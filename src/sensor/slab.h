/*
 * slab.h — fixed-size blocks for per-flow state (matcher streams, selected flows' record
 * fields), owned by one worker thread.
 *
 * Blocks are carved from 2 MiB chunks mapped for transparent huge pages and recycled through
 * a free list. Through malloc, the bench's tens of thousands of per-flow blocks each touched
 * fresh heap: a page fault every few blocks and a TLB miss on most accesses, which showed as
 * 6% of the sensor's time in one store inside malloc.
 *
 * Invariants: a block is either handed out or on the free list, never both; a block on the
 * free list is all zero but its first pointer-sized word (the link): slab_free() wipes it
 * (the state may be payload-derived, Contract 4), so slab_alloc() returns zeroed memory. Not
 * thread-safe: one slab per thread. Cost: O(1) per allocation and free; memory is the peak
 * number of blocks in use, rounded up to whole chunks, returned only by slab_destroy().
 */
#ifndef ACD_SLAB_H
#define ACD_SLAB_H

#include <stddef.h>

struct slab_chunk;

struct slab {
	size_t block; /* bytes per block, a multiple of 16 */
	void *free;   /* wiped blocks, linked through their first word */
	char *bump, *end;
	struct slab_chunk *chunks;
};

/* Blocks of at least `size` bytes (at most 64 KiB). */
void slab_init(struct slab *s, size_t size);
/* A zeroed block, or NULL when out of memory. */
void *slab_alloc(struct slab *s);
/* Wipes the block and keeps it for the next slab_alloc(). */
void slab_free(struct slab *s, void *p);
/* Wipes every block, handed out or free, in one pass, and makes them all free again (keeping
 * the newest chunk, unmapping the others): as if each block had been freed, for a worker's
 * end, where freeing 160,000 stream states one by one took ~6 ms. The blocks handed out must
 * not be used again. */
void slab_wipe_all(struct slab *s);
/* Unmaps every chunk; every block must have been freed (or be abandoned with it). */
void slab_destroy(struct slab *s);

#endif
