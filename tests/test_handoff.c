/*
 * test_handoff.c — the ring that carries packets from the reading worker to another: a
 * producer thread writes entries of pseudo-random sizes (1 byte to the largest allowed, so
 * the buffer end is padded over many times) into a ring of the smallest size while the
 * consumer reads them on another thread; every entry arrives once, in order, with its bytes
 * intact, and the consumer's slow start and the producer's bursts make both sides wait.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "handoff.h"

#define ENTRIES 200000

struct run {
	struct handoff h;
	uint64_t seed;
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Entry i's size: mostly small, sometimes up to the largest. */
static size_t size_of(uint64_t *s, const struct handoff *h)
{
	uint64_t r = next(s);
	if (r % 64 == 0)
		return 1 + (size_t)(r >> 8) % handoff_max_entry(h);
	return 1 + (size_t)(r >> 8) % 2000;
}

static void *produce(void *arg)
{
	struct run *r = arg;
	uint64_t s = r->seed;
	for (uint32_t i = 0; i < ENTRIES; i++) {
		size_t len = size_of(&s, &r->h);
		uint8_t *p = handoff_reserve(&r->h, len);
		memcpy(p, &i, len < sizeof i ? len : sizeof i);
		for (size_t k = sizeof i; k < len; k++)
			p[k] = (uint8_t)(i + k);
		handoff_commit(&r->h);
	}
	handoff_publish(&r->h);
	return NULL;
}

static void test_entries_arrive_once_in_order_intact(void **state)
{
	(void)state;
	struct run r = {.seed = 0x1234567890abcdefu};
	assert_true(handoff_init(&r.h, 1u << 20));
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, produce, &r), 0);
	struct timespec nap = {0, 20 * 1000 * 1000};
	nanosleep(&nap, NULL); /* the producer fills the ring and waits */
	uint64_t s = r.seed;
	for (uint32_t i = 0; i < ENTRIES; i++) {
		size_t len = size_of(&s, &r.h), end;
		const uint8_t *p = handoff_next(&r.h, &end);
		uint32_t got = 0;
		memcpy(&got, p, len < sizeof got ? len : sizeof got);
		uint32_t want = i;
		if (len < sizeof want)
			want &= (1u << (8 * len)) - 1;
		if (got != want)
			fail_msg("entry %u of %zu bytes: starts with %u", i, len, got);
		for (size_t k = sizeof i; k < len; k++)
			if (p[k] != (uint8_t)(i + k))
				fail_msg("entry %u: byte %zu changed", i, k);
		handoff_release(&r.h, end);
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	handoff_destroy(&r.h);
}

static void test_sizes_are_checked(void **state)
{
	(void)state;
	struct handoff h;
	assert_false(handoff_init(&h, 1000));     /* not a power of two */
	assert_false(handoff_init(&h, 1u << 16)); /* too small */
	assert_true(handoff_init(&h, 1u << 21));
	assert_true(handoff_max_entry(&h) >= 256 * 1024); /* libpcap's largest packet */
	handoff_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_entries_arrive_once_in_order_intact),
	        cmocka_unit_test(test_sizes_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
