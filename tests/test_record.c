/*
 * test_record.c — a selected flow's record fields (struct flow_sel): hits beyond the inline
 * ones move to the heap in order, a repeated hit is kept once, a domain hit keeps its own copy
 * of the name it matched, the first name and User-Agent seen are kept and later ones are not,
 * and record_free gives everything back (the ASan build's leak check sees what it does not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "slab.h"

static void test_hits_grow_past_the_inline_ones(void **state)
{
	(void)state;
	struct slab sels;
	slab_init(&sels, sizeof(struct flow_sel));
	struct flow f = {0};
	char name[32];
	for (uint16_t i = 0; i < 3 * SEL_HITS_INLINE; i++) {
		snprintf(name, sizeof name, "host%u.example.org", i);
		/* Even selectors are domain hits with a name, odd ones ip hits without. */
		assert_true(record_hit(&f, &sels, (uint16_t)(i % 2), i, i % 2 ? -1 : NAME_DNS,
		                       i % 2 ? NULL : name));
		assert_true(record_hit(&f, &sels, (uint16_t)(i % 2), i, -1, NULL)); /* again */
	}
	assert_non_null(f.sel);
	assert_int_equal(f.sel->nhits, 3 * SEL_HITS_INLINE);
	assert_ptr_not_equal(f.sel->hits, f.sel->inline_hits);
	for (uint16_t i = 0; i < 3 * SEL_HITS_INLINE; i++) {
		const struct sel_hit *h = &f.sel->hits[i];
		assert_int_equal(h->selector, i);
		assert_int_equal(h->approval, i % 2);
		if (i % 2) {
			assert_null(h->name);
			assert_int_equal(h->field, -1);
		} else {
			snprintf(name, sizeof name, "host%u.example.org", i);
			assert_string_equal(h->name, name);
			assert_int_equal(h->field, NAME_DNS);
		}
	}
	record_free(&f, &sels);
	assert_null(f.sel);
	slab_destroy(&sels);
}

static void test_first_name_and_agent_are_kept(void **state)
{
	(void)state;
	struct slab sels;
	slab_init(&sels, sizeof(struct flow_sel));
	struct flow f = {0};
	record_seen_name(&f, NAME_TLS, "before.example"); /* not selected yet: nothing kept */
	record_seen_ua(&f, "before/1.0");
	assert_null(f.sel);
	char matched[] = "www.example.com";
	assert_true(record_hit(&f, &sels, 0, 0, NAME_TLS, matched));
	matched[0] = 'X'; /* the hit holds its own copy */
	assert_string_equal(f.sel->hits[0].name, "www.example.com");
	assert_ptr_equal(f.sel->hits, f.sel->inline_hits);
	record_seen_name(&f, NAME_TLS, "first.example");
	record_seen_name(&f, NAME_TLS, "second.example");
	record_seen_ua(&f, "agent/1.0");
	record_seen_ua(&f, "agent/2.0");
	assert_string_equal(f.sel->name[NAME_TLS], "first.example");
	assert_null(f.sel->name[NAME_DNS]);
	assert_null(f.sel->name[NAME_HTTP]);
	assert_string_equal(f.sel->http_ua, "agent/1.0");
	record_free(&f, &sels);
	assert_null(f.sel);
	/* The block comes back zeroed for the next flow. */
	assert_true(record_hit(&f, &sels, 1, 2, -1, NULL));
	assert_null(f.sel->name[NAME_TLS]);
	assert_null(f.sel->http_ua);
	assert_int_equal(f.sel->nhits, 1);
	record_free(&f, &sels);
	slab_destroy(&sels);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hits_grow_past_the_inline_ones),
	        cmocka_unit_test(test_first_name_and_agent_are_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
