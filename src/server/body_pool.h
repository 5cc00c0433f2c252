/*
 * body_pool.h — buffers for large request bodies (sensors' ingest batches), kept for reuse.
 *
 * A batch body is megabytes, and batches come one after another. A fresh allocation for each
 * was faulted in page by page (half the cost of receiving a batch on this machine); a buffer
 * taken back from the pool has its pages already. Large buffers all have one capacity (the
 * ingest limit, plus its terminating NUL), so any pooled one fits any large body; pages past
 * what a body uses are never touched, so they cost address space only. At most
 * BODY_POOL_KEEP buffers are kept, each up to the ingest limit: a bounded amount of memory.
 * Thread-safe.
 */
#ifndef ACD_BODY_POOL_H
#define ACD_BODY_POOL_H

#include <stddef.h>

#define BODY_POOL_KEEP 4
#define BODY_POOL_MIN  (256 * 1024) /* smaller bodies are plain allocations */

/* A buffer for a body of `len` bytes plus a NUL; *cap is its capacity. NULL when out of
 * memory or when len is over the ingest limit. */
char *body_pool_take(size_t len, size_t *cap);
/* Gives a buffer back (NULL is fine); what the pool has no room for is freed. */
void body_pool_give(char *buf, size_t cap);

#endif
