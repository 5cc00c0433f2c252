/* txn.c — see txn.h. */
#include "txn.h"

#include <stdio.h>
#include <stdlib.h>

enum acd_status txn_audit(struct txn *t, const struct audit_entry *a, struct acd_error *e)
{
	return audit_append(t->c, &t->chain, t->now, a, e);
}

enum acd_status txn_next_number(struct txn *t, const char *counter, long long *out,
                                struct acd_error *e)
{
	const char *p[1] = {counter};
	long changed = 0;
	enum acd_status st = db_exec(t->c, "UPDATE counters SET value = value + 1 WHERE name = $1",
	                             p, 1, &changed, e);
	if (st == ACD_OK && changed == 0)
		st = db_exec(t->c, "INSERT INTO counters (name, value) VALUES ($1, 1)", p, 1, NULL,
		             e);
	if (st != ACD_OK)
		return st;
	struct db_rows *r;
	st = db_query(t->c, "SELECT value FROM counters WHERE name = $1", p, 1, &r, e);
	if (st != ACD_OK)
		return st;
	*out = db_rows_count(r) == 1 ? strtoll(db_rows_get(r, 0, 0), NULL, 10) : 0;
	db_rows_free(r);
	return *out > 0 ? ACD_OK : acd_fail(e, ACD_EDB, "counter %s could not be read", counter);
}

enum acd_status txn_run(struct db *db, const struct keys *k, txn_fn fn, void *arg,
                        struct acd_error *e)
{
	struct txn t = {.c = db_acquire(db), .now = time_now()};
	enum acd_status st = db_begin(t.c, DB_WRITE, e);
	if (st != ACD_OK) {
		db_release(db, t.c);
		return st;
	}
	st = audit_begin(t.c, &t.chain, e);
	if (st == ACD_OK)
		st = fn(&t, arg, e);
	if (st == ACD_OK)
		st = audit_sign_head(t.c, &t.chain, k, t.now, e);
	if (st == ACD_OK)
		st = db_commit(t.c, e);
	else
		db_rollback(t.c);
	db_release(db, t.c);
	if (st == ACD_OK)
		st = audit_write_head_file(k, &t.chain, e);
	return st;
}
