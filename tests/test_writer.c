/*
 * test_writer.c — the group-commit writer (src/server/writer.c) on a fresh SQLite store: many
 * changes queued while the writer is busy commit as one group; in that group a change that
 * refuses (by returning an error, or by a statement the store rejects) is undone alone — its
 * rows and its audit entry gone, its caller told why — while the others are committed with
 * an audit chain that still verifies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "writer.h"

#define CHANGES 24

enum outcome { SUCCEEDS, REFUSES, STORE_REJECTS };

struct change {
	struct writer *w;
	char name[16];
	enum outcome how;
	useconds_t hold; /* keeps the writer busy so the others queue up behind */
	enum acd_status status;
	struct acd_error err;
};

/* Inserts a counter and an audit entry, then refuses or repeats the insert (a primary key
 * conflict) as the change says. */
static enum acd_status change_fn(struct txn *t, void *arg, struct acd_error *e)
{
	struct change *c = arg;
	if (c->hold)
		usleep(c->hold);
	const char *p[1] = {c->name};
	enum acd_status st =
	        db_exec(t->c, "INSERT INTO counters (name, value) VALUES ($1, 7)", p, 1, NULL, e);
	struct audit_entry a = {"U1", "admin", "test.change", c->name, NULL, NULL};
	if (st == ACD_OK)
		st = txn_audit(t, &a, e);
	if (st != ACD_OK)
		return st;
	if (c->how == REFUSES)
		return acd_fail(e, ACD_EINPUT, "name: %s refused", c->name);
	if (c->how == STORE_REJECTS)
		return db_exec(t->c, "INSERT INTO counters (name, value) VALUES ($1, 8)", p, 1,
		               NULL, e);
	return ACD_OK;
}

static void *submit(void *arg)
{
	struct change *c = arg;
	c->status = writer_run(c->w, change_fn, c, &c->err);
	return NULL;
}

static long rows_named(struct db *db, const char *name)
{
	struct db_conn *c = db_acquire(db);
	struct db_rows *r;
	const char *p[1] = {name};
	assert_int_equal(db_query(c, "SELECT value FROM counters WHERE name = $1", p, 1, &r, NULL),
	                 ACD_OK);
	long n = db_rows_count(r);
	db_rows_free(r);
	db_release(db, c);
	return n;
}

static void test_refused_change_undone_alone(void **state)
{
	(void)state;
	char dir[] = "/tmp/acd-writer-XXXXXX", keydir[128], url[128], cmd[160];
	assert_non_null(mkdtemp(dir));
	snprintf(keydir, sizeof keydir, "%s/keys", dir);
	snprintf(url, sizeof url, "sqlite:%s/acd.db", dir);
	struct keys k;
	struct db *db;
	struct acd_error e = {0};
	assert_int_equal(keys_create(keydir, &k, &e), ACD_OK);
	assert_int_equal(db_open(url, 4, &db, &e), ACD_OK);
	struct writer *w = writer_start(db, &k, &e);
	assert_non_null(w);

	static struct change ch[CHANGES];
	pthread_t th[CHANGES];
	int succeeding = 0;
	for (int i = 0; i < CHANGES; i++) {
		ch[i] = (struct change){.w = w, .how = i == 0 ? SUCCEEDS : (enum outcome)(i % 3)};
		snprintf(ch[i].name, sizeof ch[i].name, "c%d", i);
		ch[i].hold = i == 0 ? 300000 : 0;
		succeeding += ch[i].how == SUCCEEDS;
		assert_int_equal(pthread_create(&th[i], NULL, submit, &ch[i]), 0);
		if (i == 0)
			usleep(50000); /* c0 is running when the others arrive */
	}
	for (int i = 0; i < CHANGES; i++)
		pthread_join(th[i], NULL);

	unsigned long long groups, changes;
	writer_counts(w, &groups, &changes);
	writer_stop(w);
	assert_int_equal(changes, CHANGES);
	assert_true(groups < CHANGES / 2); /* they did share groups */
	for (int i = 0; i < CHANGES; i++) {
		bool ok = ch[i].how == SUCCEEDS;
		assert_int_equal(ch[i].status == ACD_OK, ok);
		assert_int_equal(rows_named(db, ch[i].name), ok ? 1 : 0);
		if (ch[i].how == REFUSES) {
			assert_int_equal(ch[i].status, ACD_EINPUT);
			assert_non_null(strstr(ch[i].err.msg, "refused"));
		}
	}
	struct db_conn *c = db_acquire(db);
	struct audit_verdict v;
	assert_int_equal(audit_verify(c, k.audit_pk, NULL, &v, &e), ACD_OK);
	db_release(db, c);
	assert_true(v.intact);
	assert_int_equal(v.entries, succeeding);
	db_close(db);
	keys_wipe(&k);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_refused_change_undone_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
