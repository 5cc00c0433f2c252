/*
 * test_slab.c — fixed-size blocks: zeroed when handed out, wiped when freed one by one or
 * all at once (slab_wipe_all), recycled, across several 2 MiB chunks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_blocks_are_zero_and_recycled(void **state)
{
	(void)state;
	struct slab s;
	slab_init(&s, 41);
	assert_int_equal(s.block, 48); /* rounded up to 16 */
	unsigned char *a = slab_alloc(&s), *b = slab_alloc(&s);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(all_zero(a, s.block) && all_zero(b, s.block));
	memset(a, 0xa5, s.block);
	slab_free(&s, a);
	unsigned char *c = slab_alloc(&s);
	assert_ptr_equal(c, a); /* the freed block first */
	assert_true(all_zero(c, s.block));
	slab_destroy(&s);
}

/* Enough blocks for three chunks, each marked; after slab_wipe_all the newest chunk's blocks
 * read as zero, and every block handed out again (as many as before) is zero. */
static void test_wipe_all_wipes_every_block(void **state)
{
	(void)state;
	enum { N = 100000 }; /* 48-byte blocks: ~43,700 to a chunk */
	struct slab s;
	slab_init(&s, 48);
	unsigned char **p = malloc(N * sizeof *p);
	assert_non_null(p);
	for (size_t i = 0; i < N; i++) {
		assert_non_null(p[i] = slab_alloc(&s));
		memset(p[i], 0xa5, s.block);
	}
	slab_free(&s, p[N - 2]); /* one on the free list too */
	unsigned char *last = p[N - 1];
	slab_wipe_all(&s);
	assert_null(s.free);
	assert_true(all_zero(last, s.block));
	for (size_t i = 0; i < N; i++) {
		unsigned char *q = slab_alloc(&s);
		assert_non_null(q);
		assert_true(all_zero(q, s.block));
		memset(q, 0x5a, s.block);
	}
	slab_wipe_all(&s);
	slab_destroy(&s);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_blocks_are_zero_and_recycled),
	        cmocka_unit_test(test_wipe_all_wipes_every_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
