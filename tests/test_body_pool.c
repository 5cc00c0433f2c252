/*
 * test_body_pool.c — large request bodies reuse pooled buffers: a buffer given back is the one
 * taken next, any large body fits any pooled buffer, at most BODY_POOL_KEEP are kept (the rest
 * unmapped), small bodies are plain allocations, and a body
 * over the ingest limit gets none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "body_pool.h"
#include "hugemem.h"
#include "http.h"

static void test_a_large_buffer_given_back_is_taken_again(void **state)
{
	(void)state;
	size_t cap;
	char *a = body_pool_take(10u << 20, &cap);
	assert_non_null(a);
	assert_int_equal(cap, INGEST_BODY_LIMIT + 1);
	memset(a, 'x', 10u << 20); /* its pages are now there */
	body_pool_give(a, cap);
	size_t cap2;
	char *b = body_pool_take(BODY_POOL_MIN, &cap2); /* any large body fits any kept buffer */
	assert_ptr_equal(a, b);
	assert_int_equal(cap2, cap);
	body_pool_give(b, cap2);
}

static void test_at_most_keep_buffers_are_kept(void **state)
{
	(void)state;
	char *bufs[BODY_POOL_KEEP + 3];
	size_t caps[BODY_POOL_KEEP + 3];
	for (size_t i = 0; i < BODY_POOL_KEEP + 3; i++) {
		bufs[i] = body_pool_take(1u << 20, &caps[i]);
		assert_non_null(bufs[i]);
		for (size_t j = 0; j < i; j++)
			assert_ptr_not_equal(bufs[i], bufs[j]); /* none handed out twice */
	}
	for (size_t i = 0; i < BODY_POOL_KEEP + 3; i++)
		body_pool_give(bufs[i], caps[i]);
	/* The kept ones come back; then fresh ones. */
	int seen = 0;
	char *again[BODY_POOL_KEEP + 1];
	size_t acap[BODY_POOL_KEEP + 1];
	for (size_t i = 0; i < BODY_POOL_KEEP + 1; i++) {
		again[i] = body_pool_take(1u << 20, &acap[i]);
		for (size_t j = 0; j < BODY_POOL_KEEP + 3; j++)
			seen += again[i] == bufs[j];
	}
	assert_int_equal(seen, BODY_POOL_KEEP);
	for (size_t i = 0; i < BODY_POOL_KEEP + 1; i++)
		body_pool_give(again[i], acap[i]);
}

static void test_small_and_oversize_bodies(void **state)
{
	(void)state;
	size_t cap;
	char *s = body_pool_take(100, &cap);
	assert_non_null(s);
	assert_int_equal(cap, 101);
	body_pool_give(s, cap); /* freed, not kept */
	assert_null(body_pool_take(INGEST_BODY_LIMIT + 1, &cap));
	char *edge = body_pool_take(INGEST_BODY_LIMIT, &cap); /* the limit itself fits */
	assert_non_null(edge);
	edge[INGEST_BODY_LIMIT] = '\0';
	body_pool_give(edge, cap);
	body_pool_give(NULL, 0);
}

/* The pool keeps what it holds until the process ends; empty it so the leak check is about
 * what the tests above lost, not what the pool kept on purpose. */
static int drain(void **state)
{
	(void)state;
	size_t cap;
	char *b[BODY_POOL_KEEP];
	for (size_t i = 0; i < BODY_POOL_KEEP; i++)
		b[i] = body_pool_take(1u << 20, &cap);
	for (size_t i = 0; i < BODY_POOL_KEEP; i++)
		huge_unmap(b[i], cap);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_a_large_buffer_given_back_is_taken_again),
	        cmocka_unit_test(test_at_most_keep_buffers_are_kept),
	        cmocka_unit_test(test_small_and_oversize_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, drain);
}
