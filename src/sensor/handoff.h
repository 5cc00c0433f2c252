/*
 * handoff.h — packets from the worker that reads the files to another worker (--read with
 * --threads N, decision 0022): one single-producer, single-consumer ring of variable-length
 * entries per receiving worker.
 *
 * Each worker used to read and decode every packet of every file itself and keep its share,
 * so N workers read the input N times: with two threads the reading was done twice and the
 * run was only 1.1x faster than one thread. Now one worker reads, and hands each other
 * worker the packets it follows (their bytes copied into the ring, which is the only copy)
 * and the clock ticks it must see.
 *
 * Entries are written at the producer's end and read in order at the consumer's; an entry
 * never wraps (the rest of the buffer is padded instead). Positions only grow; the shared
 * ones are published every few entries (and whenever a side is about to wait), so the two
 * cores do not trade the cache line at every packet. A side that finds the ring full, or
 * empty, spins briefly and then sleeps in short steps: the ring holds thousands of
 * packets, so a wake-up a few tens of microseconds late costs nothing.
 *
 * Invariants: producer position >= published tail >= released head >= 0, and
 * tail - head <= size. Not for more than one producer or one consumer.
 */
#ifndef ACD_HANDOFF_H
#define ACD_HANDOFF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per receiving worker: some 10,000 bench packets, far more than a stall of the other side
 * needs, and 16 times the largest packet libpcap hands over. 2, 4 and 16 MiB were alike on
 * the bench (0.36-0.45 s with two threads). */
#define HANDOFF_BYTES (4u << 20)

struct handoff {
	uint8_t *buf;
	size_t size;                     /* a power of two */
	_Alignas(64) atomic_size_t tail; /* published by the producer */
	_Alignas(64) atomic_size_t head; /* released by the consumer */
	/* The producer's own. */
	_Alignas(64) size_t p_pos, p_head, p_unpublished;
	size_t p_entry; /* the reserved entry's position, when one is */
	/* The consumer's own. */
	_Alignas(64) size_t c_read, c_tail, c_head, c_unreleased;
};

/* A ring of `size` bytes (a power of two of at least 1 MiB); false when out of memory. */
bool handoff_init(struct handoff *h, size_t size);
void handoff_destroy(struct handoff *h);

/* The largest entry a ring of this size takes. */
size_t handoff_max_entry(const struct handoff *h);
/* Room for an entry of `len` bytes (at most handoff_max_entry), waiting while the ring is
 * full. The entry becomes the consumer's at handoff_commit. */
void *handoff_reserve(struct handoff *h, size_t len);
void handoff_commit(struct handoff *h);
/* Makes every committed entry visible to the consumer now (at the end of input). */
void handoff_publish(struct handoff *h);

/* The next entry in order, waiting for one; *end is the position after it, for
 * handoff_release. Entries stay valid until released. */
void *handoff_next(struct handoff *h, size_t *end);
/* Gives back every entry up to position `end` (in the order they were read). */
void handoff_release(struct handoff *h, size_t end);

#endif
