/*
 * db.c — the store's pool of connections, the dispatch from URL to backend, transactions and
 * savepoints as callers see them, and the migration runner. See db.h for the contract and
 * db_impl.h for the split with the backends.
 */
#include "db.h"
#include "db_impl.h"
#include "log.h"
#include "schema.h"
#include "timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More connections than this is a configuration mistake, not a need: writers serialise anyway. */
#define DB_MAX_CONN 256

struct db {
	const struct db_backend *be;
	pthread_mutex_t mu; /* guards every conns[i].in_use */
	pthread_cond_t freed;
	int nconn;
	struct db_conn *conns;
};

/* ---- results ---- */

struct db_rows *db_rows_new(int ncols)
{
	struct db_rows *r = calloc(1, sizeof *r);
	if (r)
		r->ncols = ncols;
	return r;
}

bool db_rows_push(struct db_rows *r, const char *val, size_t len)
{
	if (r->ncells == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **cells = realloc(r->cells, cap * sizeof *cells);
		if (!cells)
			return false;
		r->cells = cells;
		r->cap = cap;
	}
	char *copy = NULL;
	if (val) {
		copy = malloc(len + 1);
		if (!copy)
			return false;
		memcpy(copy, val, len);
		copy[len] = '\0';
	}
	r->cells[r->ncells++] = copy;
	if (r->ncols > 0 && r->ncells % (size_t)r->ncols == 0)
		r->nrows++;
	return true;
}

int db_rows_count(const struct db_rows *r)
{
	return r ? r->nrows : 0;
}

int db_rows_columns(const struct db_rows *r)
{
	return r ? r->ncols : 0;
}

/* Out-of-range cells read as NULL rather than crash: a caller's off-by-one stays visible. */
const char *db_rows_get(const struct db_rows *r, int row, int col)
{
	if (!r || row < 0 || row >= r->nrows || col < 0 || col >= r->ncols)
		return NULL;
	return r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

void db_rows_free(struct db_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	free(r->cells);
	free(r);
}

const char *db_sql_excerpt(const char *sql, char *buf, size_t len)
{
	size_t n = 0;
	const char *p = sql;
	/* Whitespace runs become one space so a multi-line statement fits on the error's line;
	 * 4 bytes stay free for "..." and the NUL. */
	for (; *p && n + 4 < len; p++) {
		if (isspace((unsigned char)*p)) {
			if (n > 0 && buf[n - 1] != ' ')
				buf[n++] = ' ';
		} else {
			buf[n++] = *p;
		}
	}
	/* A cut inside a UTF-8 character (Japanese text in SQL) drops the character's start too. */
	if (((unsigned char)*p & 0xc0) == 0x80) {
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)buf[n - 1] & 0x80))
			n--;
	}
	buf[n] = '\0';
	if (*p)
		strcpy(buf + n, "...");
	return buf;
}

/* ---- opening: URL dispatch and the pool ---- */

/* Picks the backend from the URL's scheme; *target is what the backend connects to. The
 * message names only the scheme: a mistyped URL may still carry a password. */
static enum acd_status db_parse_url(const char *url, const struct db_backend **be,
                                    const char **target, struct acd_error *e)
{
	if (!url || !*url)
		return acd_fail(e, ACD_EINPUT,
		                "no store URL (want sqlite:PATH or postgresql://...)");
	if (strncmp(url, "sqlite:", 7) == 0) {
		if (url[7] == '\0')
			return acd_fail(e, ACD_EINPUT, "store URL 'sqlite:' names no file");
		*be = &db_backend_sqlite;
		*target = url + 7;
		return ACD_OK;
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		*be = &db_backend_pg;
		*target = url;
		return ACD_OK;
	}
	size_t scheme = strcspn(url, ":/");
	return acd_fail(
	        e, ACD_EINPUT,
	        "store URL scheme '%.*s' is not known (want sqlite:PATH or postgresql://...)",
	        (int)(scheme < 32 ? scheme : 32), url);
}

static enum acd_status db_migrate(struct db_conn *c, struct acd_error *e);

enum acd_status db_open(const char *url, int nconn, struct db **out, struct acd_error *e)
{
	struct acd_error ignored;
	if (!e) /* the migration runner reads the message back to prefix it */
		e = &ignored;
	*out = NULL;
	const struct db_backend *be = NULL;
	const char *target = NULL;
	if (db_parse_url(url, &be, &target, e) != ACD_OK)
		return ACD_EINPUT;
	if (nconn < 1 || nconn > DB_MAX_CONN)
		return acd_fail(e, ACD_EINPUT, "store pool size %d is outside 1..%d", nconn,
		                DB_MAX_CONN);
	struct db *db = calloc(1, sizeof *db);
	struct db_conn *conns = calloc((size_t)nconn, sizeof *conns);
	if (!db || !conns) {
		free(db);
		free(conns);
		return acd_fail(e, ACD_EDB, "store: out of memory");
	}
	db->be = be;
	db->conns = conns;
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->freed, NULL);
	enum acd_status st = ACD_OK;
	for (int i = 0; i < nconn && st == ACD_OK; i++) {
		conns[i].be = be;
		st = be->connect(&conns[i], target, e);
		if (st == ACD_OK)
			db->nconn = i + 1;
	}
	/* One connection migrates; the backend's write lock keeps a second process (or a
	 * second acdd over the same PostgreSQL) from applying the same migration twice. */
	if (st == ACD_OK)
		st = db_migrate(&conns[0], e);
	if (st != ACD_OK) {
		db_close(db);
		return st;
	}
	*out = db;
	return ACD_OK;
}

/* Assumes no connection is still acquired: closing under a user is the caller's bug. */
void db_close(struct db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->nconn; i++) {
		if (db->conns[i].in_txn)
			db_rollback(&db->conns[i]);
		db->be->disconnect(&db->conns[i]);
	}
	pthread_cond_destroy(&db->freed);
	pthread_mutex_destroy(&db->mu);
	free(db->conns);
	free(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->be->kind;
}

struct db_conn *db_acquire(struct db *db)
{
	pthread_mutex_lock(&db->mu);
	for (;;) {
		for (int i = 0; i < db->nconn; i++) {
			if (!db->conns[i].in_use) {
				db->conns[i].in_use = true;
				pthread_mutex_unlock(&db->mu);
				return &db->conns[i];
			}
		}
		pthread_cond_wait(&db->freed, &db->mu);
	}
}

/* A connection comes back clean: a transaction the caller left open is rolled back, since
 * the next user must not inherit its locks or its half-done writes. */
void db_release(struct db *db, struct db_conn *c)
{
	if (!c)
		return;
	if (c->in_txn) {
		log_warnx("store: connection released inside a transaction; rolled back");
		db_rollback(c);
	}
	pthread_mutex_lock(&db->mu);
	c->in_use = false;
	pthread_cond_signal(&db->freed);
	pthread_mutex_unlock(&db->mu);
}

/* ---- transactions ---- */

/* One transaction per connection at a time; nesting is what savepoints are for. */
enum acd_status db_begin(struct db_conn *c, enum db_txn kind, struct acd_error *e)
{
	if (c->in_txn)
		return acd_fail(e, ACD_EDB,
		                "store: a transaction is already open on this connection");
	enum acd_status st = c->be->begin(c, kind, e);
	if (st != ACD_OK)
		return st;
	c->in_txn = true;
	c->failed = false;
	return ACD_OK;
}

/* A transaction in which a statement failed is rolled back, never committed: PostgreSQL
 * would do so silently, and SQLite must not commit the statements around the failure. */
enum acd_status db_commit(struct db_conn *c, struct acd_error *e)
{
	if (!c->in_txn)
		return acd_fail(e, ACD_EDB, "store: commit without a transaction");
	if (c->failed) {
		db_rollback(c);
		return acd_fail(e, ACD_EDB,
		                "store: transaction rolled back because a statement in it failed");
	}
	enum acd_status st = c->be->end(c, true, e);
	if (st != ACD_OK)
		(void)c->be->end(c, false,
		                 NULL); /* SQLite keeps a transaction whose COMMIT failed */
	c->in_txn = false;
	c->failed = false;
	return st;
}

void db_rollback(struct db_conn *c)
{
	if (!c->in_txn)
		return;
	struct acd_error e;
	if (c->be->end(c, false, &e) != ACD_OK)
		log_warnx("store: rollback: %s", e.msg);
	c->in_txn = false;
	c->failed = false;
}

/* Savepoint names are spliced into SQL, so only identifiers pass. */
static enum acd_status db_savepoint_sql(struct db_conn *c, const char *verb, const char *name,
                                        struct acd_error *e)
{
	if (!c->in_txn)
		return acd_fail(e, ACD_EDB, "store: %s outside a transaction", verb);
	size_t len = name ? strlen(name) : 0;
	bool ok = len > 0 && len < 64 && (isalpha((unsigned char)name[0]) || name[0] == '_');
	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '_';
	if (!ok)
		return acd_fail(e, ACD_EINPUT, "store: savepoint name '%.64s' is not an identifier",
		                name ? name : "");
	char sql[128];
	snprintf(sql, sizeof sql, "%s %s", verb, name);
	return c->be->script(c, sql, e);
}

enum acd_status db_savepoint(struct db_conn *c, const char *name, struct acd_error *e)
{
	if (c->in_txn && c->failed)
		return acd_fail(e, ACD_EDB, "store: the transaction failed; roll back first");
	enum acd_status st = db_savepoint_sql(c, "SAVEPOINT", name, e);
	if (st != ACD_OK && c->in_txn)
		c->failed = true;
	return st;
}

enum acd_status db_release_savepoint(struct db_conn *c, const char *name, struct acd_error *e)
{
	if (c->in_txn && c->failed)
		return acd_fail(e, ACD_EDB, "store: the transaction failed; roll back first");
	enum acd_status st = db_savepoint_sql(c, "RELEASE SAVEPOINT", name, e);
	if (st != ACD_OK && c->in_txn)
		c->failed = true;
	return st;
}

/* Undoes everything since the savepoint, the failure included, so the transaction goes on. */
void db_rollback_to(struct db_conn *c, const char *name)
{
	struct acd_error e;
	if (db_savepoint_sql(c, "ROLLBACK TO SAVEPOINT", name, &e) != ACD_OK) {
		log_warnx("%s", e.msg);
		if (c->in_txn)
			c->failed = true;
		return;
	}
	c->failed = false;
}

/* ---- statements ---- */

/* The common path of db_exec, db_query and db_exec_script: refuses work in a failed
 * transaction and marks the transaction failed when the statement fails. */
static enum acd_status db_run(struct db_conn *c, const char *sql, const char *const *params, int n,
                              long *changed, struct db_rows **out, bool script, struct acd_error *e)
{
	if (changed)
		*changed = 0;
	if (out)
		*out = NULL;
	if (c->in_txn && c->failed)
		return acd_fail(
		        e, ACD_EDB,
		        "store: an earlier statement in this transaction failed; roll back");
	if (n < 0 || (n > 0 && !params))
		return acd_fail(e, ACD_EDB, "store: bad parameter list (n=%d)", n);
	c->conflict = false;
	enum acd_status st =
	        script ? c->be->script(c, sql, e) : c->be->run(c, sql, params, n, changed, out, e);
	if (st != ACD_OK && c->in_txn)
		c->failed = true;
	return st;
}

enum acd_status db_exec(struct db_conn *c, const char *sql, const char *const *params, int n,
                        long *changed, struct acd_error *e)
{
	return db_run(c, sql, params, n, changed, NULL, false, e);
}

enum acd_status db_query(struct db_conn *c, const char *sql, const char *const *params, int n,
                         struct db_rows **out, struct acd_error *e)
{
	return db_run(c, sql, params, n, NULL, out, false, e);
}

enum acd_status db_exec_script(struct db_conn *c, const char *sql, struct acd_error *e)
{
	return db_run(c, sql, NULL, 0, NULL, NULL, true, e);
}

bool db_error_is_conflict(const struct db_conn *c)
{
	return c->conflict;
}

/* ---- migrations ---- */

/* The highest migration recorded, 0 for none; -1 on error. */
static long db_version_on(struct db_conn *c, struct acd_error *e)
{
	struct db_rows *r = NULL;
	if (db_query(c, "SELECT MAX(version) FROM schema_migrations", NULL, 0, &r, e) != ACD_OK)
		return -1;
	const char *v = db_rows_get(r, 0, 0);
	long version = v ? strtol(v, NULL, 10) : 0;
	db_rows_free(r);
	return version;
}

int db_schema_version(struct db *db)
{
	struct db_conn *c = db_acquire(db);
	struct acd_error e;
	long v = db_version_on(c, &e);
	db_release(db, c);
	return (int)v;
}

/* Applies migration `version` unless the store already has it. Runs under the write lock,
 * so of two processes opening one store, the second finds the row the first recorded. */
static enum acd_status db_apply(struct db_conn *c, long version, const char *script,
                                const char *pg_storage, struct acd_error *e)
{
	if (db_begin(c, DB_WRITE, e) != ACD_OK)
		return ACD_EDB;
	char v[24], now[24];
	snprintf(v, sizeof v, "%ld", version);
	snprintf(now, sizeof now, "%" PRId64, time_now());
	const char *params[] = {v, now};
	struct db_rows *r = NULL;
	enum acd_status st = db_query(c, "SELECT version FROM schema_migrations WHERE version = $1",
	                              params, 1, &r, e);
	bool have = st == ACD_OK && db_rows_count(r) > 0;
	db_rows_free(r);
	if (st == ACD_OK && !have) {
		st = db_exec_script(c, script, e);
		if (st == ACD_OK && pg_storage && c->be->kind == DB_POSTGRESQL)
			st = db_exec_script(c, pg_storage, e);
		if (st == ACD_OK)
			st = db_exec(c,
			             "INSERT INTO schema_migrations (version, applied_at) VALUES "
			             "($1, $2)",
			             params, 2, NULL, e);
	}
	if (st != ACD_OK) {
		db_rollback(c);
		char msg[sizeof e->msg];
		snprintf(msg, sizeof msg, "%s", e->msg);
		return acd_fail(e, ACD_EDB, "store: migration %ld: %s", version, msg);
	}
	return db_commit(c, e);
}

static enum acd_status db_migrate(struct db_conn *c, struct acd_error *e)
{
	if (db_begin(c, DB_WRITE, e) != ACD_OK)
		return ACD_EDB;
	if (db_exec_script(c,
	                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                   " version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)",
	                   e) != ACD_OK) {
		db_rollback(c);
		return ACD_EDB;
	}
	long have = db_version_on(c, e);
	if (have < 0) {
		db_rollback(c);
		return ACD_EDB;
	}
	if (db_commit(c, e) != ACD_OK)
		return ACD_EDB;
	/* A newer program migrated this store: running old code over it could corrupt it. */
	if (have > (long)schema_migrations_count)
		return acd_fail(e, ACD_EDB,
		                "store schema version %ld is newer than this program knows (%zu)",
		                have, schema_migrations_count);
	for (size_t i = (size_t)have; i < schema_migrations_count; i++) {
		enum acd_status st =
		        db_apply(c, (long)i + 1, schema_migrations[i], schema_pg_storage[i], e);
		if (st != ACD_OK)
			return st;
	}
	return ACD_OK;
}
