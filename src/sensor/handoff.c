/* handoff.c — see handoff.h. */
#include "handoff.h"

#include <sys/mman.h>
#include <time.h>

#define ENTRY_ALIGN  64
#define HEADER       sizeof(uint64_t) /* an entry's length; PAD marks the rest of the buffer */
#define PAD          (UINT64_C(1) << 63)
#define PUBLISH_EACH 32 /* entries between publications of a position */
#define SPINS        256

bool handoff_init(struct handoff *h, size_t size)
{
	*h = (struct handoff){0};
	if (size < (1u << 20) || (size & (size - 1)))
		return false;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	h->buf = p;
	h->size = size;
	atomic_init(&h->tail, 0);
	atomic_init(&h->head, 0);
	return true;
}

void handoff_destroy(struct handoff *h)
{
	if (h->buf)
		munmap(h->buf, h->size);
	h->buf = NULL;
}

size_t handoff_max_entry(const struct handoff *h)
{
	return h->size / 4 - HEADER;
}

static void pause_briefly(unsigned *spins)
{
	if (++*spins < SPINS) {
		__builtin_ia32_pause();
		return;
	}
	struct timespec ts = {0, 20000};
	nanosleep(&ts, NULL);
}

static size_t entry_bytes(size_t len)
{
	return (HEADER + len + ENTRY_ALIGN - 1) & ~(size_t)(ENTRY_ALIGN - 1);
}

void handoff_publish(struct handoff *h)
{
	atomic_store_explicit(&h->tail, h->p_pos, memory_order_release);
	h->p_unpublished = 0;
}

void *handoff_reserve(struct handoff *h, size_t len)
{
	size_t need = entry_bytes(len), off = h->p_pos & (h->size - 1);
	size_t pad = off + need > h->size ? h->size - off : 0;
	unsigned spins = 0;
	while (h->p_pos + pad + need - h->p_head > h->size) {
		h->p_head = atomic_load_explicit(&h->head, memory_order_acquire);
		if (h->p_pos + pad + need - h->p_head <= h->size)
			break;
		if (h->p_unpublished)
			handoff_publish(h); /* the consumer may be waiting for these */
		pause_briefly(&spins);
	}
	if (pad) {
		*(uint64_t *)(h->buf + off) = PAD | pad;
		h->p_pos += pad;
		off = 0;
	}
	*(uint64_t *)(h->buf + off) = len;
	h->p_entry = need;
	return h->buf + off + HEADER;
}

void handoff_commit(struct handoff *h)
{
	h->p_pos += h->p_entry;
	if (++h->p_unpublished >= PUBLISH_EACH)
		handoff_publish(h);
}

void *handoff_next(struct handoff *h, size_t *end)
{
	for (;;) {
		unsigned spins = 0;
		while (h->c_read == h->c_tail) {
			h->c_tail = atomic_load_explicit(&h->tail, memory_order_acquire);
			if (h->c_read != h->c_tail)
				break;
			if (h->c_unreleased) { /* the producer may be waiting for room */
				atomic_store_explicit(&h->head, h->c_head, memory_order_release);
				h->c_unreleased = 0;
			}
			pause_briefly(&spins);
		}
		size_t off = h->c_read & (h->size - 1);
		uint64_t len = *(const uint64_t *)(h->buf + off);
		if (len & PAD) {
			h->c_read += len & ~PAD;
			continue;
		}
		h->c_read += entry_bytes(len);
		*end = h->c_read;
		return h->buf + off + HEADER;
	}
}

void handoff_release(struct handoff *h, size_t end)
{
	h->c_head = end;
	if (++h->c_unreleased >= PUBLISH_EACH) {
		atomic_store_explicit(&h->head, h->c_head, memory_order_release);
		h->c_unreleased = 0;
	}
}
