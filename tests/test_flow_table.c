/*
 * test_flow_table.c — the worker's flow table: lookup in both orientations, the last-packet
 * order (a ring with stale entries) against a plain list over thousands of random inserts,
 * touches, removals and evictions with a small capacity (so the ring is squeezed many times),
 * the segment order, and that a removed flow leaves nothing behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flow_table.h"

/* Flow number n: 198.51.100.1:n → 133.0.0.1:80, TCP. */
static struct flow_key key_of(uint16_t n)
{
	struct flow_key k = {0};
	const uint8_t a[4] = {198, 51, 100, 1}, b[4] = {133, 0, 0, 1};
	ipaddr_set4(&k.src, a);
	ipaddr_set4(&k.dst, b);
	k.sport = n;
	k.dport = 80;
	k.proto = 6;
	return k;
}

static uint32_t hash_of(const struct flow_key *k)
{
	return flow_hash(&k->src, &k->dst, k->sport, k->dport, k->proto);
}

static struct flow *find(struct flow_table *t, uint16_t n, bool *reverse)
{
	struct flow_key k = key_of(n);
	return flow_table_find(t, hash_of(&k), &k.src, &k.dst, k.sport, k.dport, k.proto, reverse);
}

static void test_lookup_matches_both_orientations(void **state)
{
	(void)state;
	struct flow_table t;
	assert_true(flow_table_init(&t, 16));
	struct flow_key k = key_of(1000);
	struct flow *f = flow_table_insert(&t, hash_of(&k), &k);
	assert_non_null(f);
	bool reverse = true;
	assert_ptr_equal(find(&t, 1000, &reverse), f);
	assert_false(reverse);
	assert_ptr_equal(
	        flow_table_find(&t, hash_of(&k), &k.dst, &k.src, k.dport, k.sport, 6, &reverse), f);
	assert_true(reverse);
	assert_null(find(&t, 1001, &reverse));
	assert_null(
	        flow_table_find(&t, hash_of(&k), &k.src, &k.dst, k.sport, k.dport, 17, &reverse));
	flow_table_destroy(&t);
}

static void test_full_pool_refuses_and_removed_entry_is_wiped(void **state)
{
	(void)state;
	struct flow_table t;
	assert_true(flow_table_init(&t, 2));
	struct flow_key a = key_of(1), b = key_of(2), c = key_of(3);
	struct flow *fa = flow_table_insert(&t, hash_of(&a), &a);
	assert_non_null(flow_table_insert(&t, hash_of(&b), &b));
	assert_null(flow_table_insert(&t, hash_of(&c), &c));
	fa->packets = 7;
	fa->tcp[0].next_seq = 12345;
	flow_table_remove(&t, fa);
	static const struct flow zero;
	/* Only the free-list link and the ring slot marker may differ from zero. */
	assert_memory_equal(&fa->key, &zero.key, sizeof zero.key);
	assert_memory_equal(&fa->packets, &zero.packets,
	                    sizeof *fa - offsetof(struct flow, packets));
	bool reverse;
	assert_null(find(&t, 1, &reverse));
	assert_non_null(flow_table_insert(&t, hash_of(&c), &c));
	assert_non_null(find(&t, 3, &reverse));
	flow_table_destroy(&t);
}

/* ---- the last-packet order against a reference list ---- */

#define CAP  64
#define KEYS 200

struct model {
	uint16_t order[CAP]; /* flow numbers, oldest first */
	size_t n;
};

static void model_remove(struct model *m, uint16_t id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->order[i] == id) {
			memmove(&m->order[i], &m->order[i + 1],
			        (m->n - i - 1) * sizeof m->order[0]);
			m->n--;
			return;
		}
	fail_msg("flow %u not in the model", id);
}

static void visit_count(struct flow *f, void *ctx)
{
	(void)f;
	(*(size_t *)ctx)++;
}

static void test_oldest_follows_touch_order_through_ring_compaction(void **state)
{
	(void)state;
	struct flow_table t;
	struct model m = {.n = 0};
	assert_true(flow_table_init(&t, CAP));
	srand(7);
	for (int step = 0; step < 200000; step++) {
		uint16_t id = (uint16_t)(rand() % KEYS);
		bool reverse;
		struct flow *f = find(&t, id, &reverse);
		int op = rand() % 10;
		if (f && op == 0) {
			flow_table_remove(&t, f);
			model_remove(&m, id);
		} else if (f) {
			flow_table_touch(&t, f);
			model_remove(&m, id);
			m.order[m.n++] = id;
		} else {
			struct flow_key k = key_of(id);
			if (m.n == CAP) {
				struct flow *old = flow_table_oldest(&t);
				assert_int_equal(old->key.sport, m.order[0]);
				flow_table_remove(&t, old);
				model_remove(&m, m.order[0]);
			}
			assert_non_null(flow_table_insert(&t, hash_of(&k), &k));
			m.order[m.n++] = id;
		}
		struct flow *old = flow_table_oldest(&t);
		if (m.n == 0)
			assert_null(old);
		else
			assert_int_equal(old->key.sport, m.order[0]);
	}
	size_t visited = 0;
	flow_table_each(&t, visit_count, &visited);
	assert_int_equal(visited, m.n);
	/* Draining by age gives exactly the model's order. */
	for (size_t i = 0; i < m.n; i++) {
		struct flow *old = flow_table_oldest(&t);
		assert_int_equal(old->key.sport, m.order[i]);
		flow_table_remove(&t, old);
	}
	assert_null(flow_table_oldest(&t));
	flow_table_destroy(&t);
}

/* Flow 0 left alone, flows 1-31 touched once (in reverse), then flows 32-63 touched over and
 * over: the ring fills behind the quiet ones and is squeezed many times, moving their entries,
 * and the order must survive every squeeze. */
static void test_ring_squeeze_keeps_the_order(void **state)
{
	(void)state;
	struct flow_table t;
	struct flow *f[CAP];
	const uint16_t half = CAP / 2;
	assert_true(flow_table_init(&t, CAP));
	for (uint16_t i = 0; i < CAP; i++) {
		struct flow_key k = key_of(i);
		f[i] = flow_table_insert(&t, hash_of(&k), &k);
	}
	for (uint16_t i = half - 1; i >= 1; i--)
		flow_table_touch(&t, f[i]);
	for (int round = 0; round < 1000; round++)
		for (uint16_t i = half; i < CAP; i++)
			flow_table_touch(&t, f[i]);
	struct flow *want[CAP];
	size_t n = 0;
	want[n++] = f[0];
	for (uint16_t i = half - 1; i >= 1; i--)
		want[n++] = f[i];
	for (uint16_t i = half; i < CAP; i++)
		want[n++] = f[i];
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(flow_table_oldest(&t), want[i]);
		flow_table_remove(&t, want[i]);
	}
	assert_null(flow_table_oldest(&t));
	flow_table_destroy(&t);
}

static void test_segment_order_is_by_start(void **state)
{
	(void)state;
	struct flow_table t;
	assert_true(flow_table_init(&t, 8));
	struct flow *f[3];
	for (uint16_t i = 0; i < 3; i++) {
		struct flow_key k = key_of(i);
		f[i] = flow_table_insert(&t, hash_of(&k), &k);
	}
	assert_ptr_equal(flow_table_oldest_segment(&t), f[0]);
	flow_table_restart_segment(&t, f[0]);
	assert_ptr_equal(flow_table_oldest_segment(&t), f[1]);
	flow_table_remove(&t, f[1]);
	assert_ptr_equal(flow_table_oldest_segment(&t), f[2]);
	flow_table_remove(&t, f[2]);
	assert_ptr_equal(flow_table_oldest_segment(&t), f[0]);
	flow_table_remove(&t, f[0]);
	assert_null(flow_table_oldest_segment(&t));
	flow_table_destroy(&t);
}

/* Clearing forgets every flow at once and leaves the table as a fresh one: nothing found,
 * both orders empty, every entry zero, and all of the pool usable again. */
static void test_clear_forgets_everything(void **state)
{
	(void)state;
	enum { N = 40 };
	struct flow_table t;
	assert_true(flow_table_init(&t, N));
	for (int round = 0; round < 2; round++) {
		for (uint16_t i = 0; i < N; i++) {
			struct flow_key k = key_of(i);
			struct flow *f = flow_table_insert(&t, hash_of(&k), &k);
			assert_non_null(f);
			f->packets = 3;
			f->tcp[1].next_seq = 777;
			flow_table_touch(&t, f);
		}
		struct flow_key extra = key_of(N);
		assert_null(flow_table_insert(&t, hash_of(&extra), &extra)); /* full */
		/* One on the free list too. */
		flow_table_remove(&t, &t.pool[5]);
		flow_table_clear(&t);
		bool reverse;
		for (uint16_t i = 0; i < N; i++)
			assert_null(find(&t, i, &reverse));
		assert_null(flow_table_oldest(&t));
		assert_null(flow_table_oldest_segment(&t));
		static const struct flow zero;
		for (uint32_t i = 0; i < N; i++)
			assert_memory_equal(&t.pool[i], &zero, sizeof zero);
	}
	flow_table_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lookup_matches_both_orientations),
	        cmocka_unit_test(test_full_pool_refuses_and_removed_entry_is_wiped),
	        cmocka_unit_test(test_oldest_follows_touch_order_through_ring_compaction),
	        cmocka_unit_test(test_ring_squeeze_keeps_the_order),
	        cmocka_unit_test(test_segment_order_is_by_start),
	        cmocka_unit_test(test_clear_forgets_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
