/*
 * test_db.c — the store interface (db.h) on both backends: every case runs once on a fresh
 * SQLite file and once on a fresh schema of the PostgreSQL test cluster (the CTest fixture
 * `pg`, whose URL is in the file named by ACD_TEST_PG_URL_FILE; without it the PostgreSQL
 * cases are skipped). Covered: migrations (idempotent, raced by threads and by processes,
 * version, a store newer than the program refused, migration 10 moving records into chunks),
 * seeded rows,
 * text parameters (NULL, Japanese, quotes, `$` in literals, reordering), results, conflicts,
 * transactions, savepoints, read-only transactions, a pool written by many threads, and the
 * errors a user sees for bad SQL and bad URLs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "schema.h"

/* ---- fixtures: a fresh store per case ---- */

#define MAX_STORES 4

struct store {
	enum db_kind kind;
	char dir[64];                 /* SQLite: the temporary directory */
	char schemas[MAX_STORES][40]; /* PostgreSQL: schemas made for this case */
	int nstores;
	char url[512]; /* the case's main store */
	struct db *db;
};

static char pg_base[400];

/* The PostgreSQL fixture's URL, read once; false when the cases must be skipped. */
static bool pg_available(void)
{
	if (pg_base[0])
		return true;
	const char *file = getenv("ACD_TEST_PG_URL_FILE");
	if (!file || !*file)
		return false;
	FILE *f = fopen(file, "r");
	if (!f)
		fail_msg("ACD_TEST_PG_URL_FILE=%s cannot be read (did pg_start run?)", file);
	if (!fgets(pg_base, sizeof pg_base, f))
		pg_base[0] = '\0';
	fclose(f);
	pg_base[strcspn(pg_base, "\r\n")] = '\0';
	return pg_base[0] != '\0';
}

static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs one administrative statement on the fixture's database, outside db.h. */
static void pg_admin(const char *sql)
{
	PGconn *pg = PQconnectdb(pg_base);
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("test cluster: %s", PQerrorMessage(pg));
	PQsetNoticeProcessor(pg, pg_quiet, NULL); /* "drop cascades to ..." */
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(res);
	PQfinish(pg);
}

/* Writes into `url` the URL of a store no one has used yet. */
static void fresh_url(struct store *s, char *url, size_t len)
{
	static int serial;
	assert_true(s->nstores < MAX_STORES);
	int n = s->nstores++;
	if (s->kind == DB_SQLITE) {
		snprintf(url, len, "sqlite:%s/store%d.db", s->dir, n);
		return;
	}
	char *schema = s->schemas[n];
	snprintf(schema, sizeof s->schemas[n], "t_%ld_%d", (long)getpid(), ++serial);
	char sql[96];
	snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
	pg_admin(sql);
	/* libpq decodes %3D; the server starts the session with that schema first on the path. */
	snprintf(url, len, "%s%coptions=-csearch_path%%3D%s", pg_base,
	         strchr(pg_base, '?') ? '&' : '?', schema);
}

static int setup(void **state, enum db_kind kind)
{
	if (kind == DB_POSTGRESQL && !pg_available()) {
		*state = NULL;
		return 0;
	}
	struct store *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->kind = kind;
	snprintf(s->dir, sizeof s->dir, "/tmp/acd-db-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	fresh_url(s, s->url, sizeof s->url);
	struct acd_error e = {0};
	if (db_open(s->url, 4, &s->db, &e) != ACD_OK)
		fail_msg("db_open %s: %s", s->url, e.msg);
	*state = s;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup(state, DB_SQLITE);
}

static int setup_pg(void **state)
{
	return setup(state, DB_POSTGRESQL);
}

static int teardown(void **state)
{
	struct store *s = *state;
	if (!s)
		return 0;
	db_close(s->db);
	for (int i = 0; i < s->nstores && s->kind == DB_POSTGRESQL; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", s->schemas[i]);
		pg_admin(sql);
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s->dir);
	free(s);
	return 0;
}

/* The case's store, or a cmocka skip when its backend is not available. */
static struct store *store(void **state)
{
	if (!*state)
		skip();
	return *state;
}

/* ---- helpers ---- */

static void exec_ok(struct db_conn *c, const char *sql, const char *const *p, int n)
{
	struct acd_error e = {0};
	if (db_exec(c, sql, p, n, NULL, &e) != ACD_OK)
		fail_msg("%s: %s", sql, e.msg);
}

static struct db_rows *query_ok(struct db_conn *c, const char *sql, const char *const *p, int n)
{
	struct acd_error e = {0};
	struct db_rows *r = NULL;
	if (db_query(c, sql, p, n, &r, &e) != ACD_OK)
		fail_msg("%s: %s", sql, e.msg);
	return r;
}

/* The single value a query returns, copied into buf ("(null)" for SQL NULL). */
static const char *scalar(struct db_conn *c, const char *sql, const char *const *p, int n,
                          char *buf, size_t len)
{
	struct db_rows *r = query_ok(c, sql, p, n);
	assert_int_equal(db_rows_count(r), 1);
	const char *v = db_rows_get(r, 0, 0);
	snprintf(buf, len, "%s", v ? v : "(null)");
	db_rows_free(r);
	return buf;
}

static long count(struct db_conn *c, const char *sql)
{
	char buf[32];
	return strtol(scalar(c, sql, NULL, 0, buf, sizeof buf), NULL, 10);
}

/* ---- migrations and seeds ---- */

static void test_migrations_idempotent(void **state)
{
	struct store *s = store(state);
	assert_int_equal(db_schema_version(s->db), (int)schema_migrations_count);
	assert_int_equal(db_kind(s->db), s->kind);
	/* Opening the same store again applies nothing and reports the same version. */
	struct db *again = NULL;
	struct acd_error e = {0};
	if (db_open(s->url, 1, &again, &e) != ACD_OK)
		fail_msg("second open: %s", e.msg);
	assert_int_equal(db_schema_version(again), (int)schema_migrations_count);
	struct db_conn *c = db_acquire(again);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM schema_migrations"),
	                 (long)schema_migrations_count);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors"), 15);
	db_release(again, c);
	db_close(again);
}

struct opener {
	const char *url;
	enum acd_status st;
	char msg[512];
};

static void *open_store(void *arg)
{
	struct opener *o = arg;
	struct db *db = NULL;
	struct acd_error e = {0};
	o->st = db_open(o->url, 1, &db, &e);
	snprintf(o->msg, sizeof o->msg, "%s", e.msg);
	db_close(db);
	return NULL;
}

/* Several openers racing on a fresh store: every one succeeds, each migration runs once. */
static void test_migrations_concurrent_open(void **state)
{
	struct store *s = store(state);
	char url[512];
	fresh_url(s, url, sizeof url);
	enum { N = 4 };
	pthread_t t[N];
	struct opener o[N];
	for (int i = 0; i < N; i++) {
		o[i] = (struct opener){.url = url};
		assert_int_equal(pthread_create(&t[i], NULL, open_store, &o[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		if (o[i].st != ACD_OK)
			fail_msg("opener %d: %s", i, o[i].msg);
	}
	struct db *db = NULL;
	struct acd_error e = {0};
	assert_int_equal(db_open(url, 1, &db, &e), ACD_OK);
	struct db_conn *c = db_acquire(db);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM schema_migrations"),
	                 (long)schema_migrations_count);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM orgs"), 7);
	db_release(db, c);
	db_close(db);
}

/* The same race between processes, as two acdd starting over one store would run it. */
static void test_migrations_two_processes(void **state)
{
	struct store *s = store(state);
	char url[512];
	fresh_url(s, url, sizeof url);
	enum { N = 3 };
	pid_t pids[N];
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct opener o = {.url = url};
			open_store(&o);
			if (o.st != ACD_OK)
				fprintf(stderr, "child %d: %s\n", i, o.msg);
			_exit(o.st == ACD_OK ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int status = 0;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct db *db = NULL;
	struct acd_error e = {0};
	assert_int_equal(db_open(url, 1, &db, &e), ACD_OK);
	struct db_conn *c = db_acquire(db);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM schema_migrations"),
	                 (long)schema_migrations_count);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors"), 15);
	db_release(db, c);
	db_close(db);
}

/* A store migrated by a newer program is refused rather than run by code that does not know
 * its schema. */
static void test_store_newer_than_program(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	char v[16];
	snprintf(v, sizeof v, "%zu", schema_migrations_count + 1);
	const char *p[] = {v};
	exec_ok(c, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)", p, 1);
	db_release(s->db, c);
	struct db *db = NULL;
	struct acd_error e = {0};
	assert_int_equal(db_open(s->url, 1, &db, &e), ACD_EDB);
	assert_null(db);
	assert_non_null(strstr(e.msg, "newer"));
}

/* Runs a script on the store at `url` outside db.h (no migrations applied on opening). */
static void raw_script(enum db_kind kind, const char *url, const char *sql)
{
	if (kind == DB_SQLITE) {
		sqlite3 *db = NULL;
		char *err = NULL;
		if (sqlite3_open(url + strlen("sqlite:"), &db) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
			fail_msg("%.60s: %s", sql, err ? err : sqlite3_errmsg(db));
		sqlite3_close(db);
		return;
	}
	PGconn *pg = PQconnectdb(url);
	PQsetNoticeProcessor(pg, pg_quiet, NULL);
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%.60s: %s", sql, PQerrorMessage(pg));
	PQclear(res);
	PQfinish(pg);
}

/* A store at schema 9 with records in `records`: opening it applies migration 10, which
 * moves every record into a chunk of one (its seq, its line plus \n, its last packet as the
 * chunk's bounds) with its key in record_ids, and drops `records`. */
static void test_migration_10_moves_records(void **state)
{
	struct store *s = store(state);
	char url[512];
	fresh_url(s, url, sizeof url);
	raw_script(s->kind, url,
	           "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY,"
	           " applied_at BIGINT NOT NULL)");
	for (size_t i = 0; i < 9; i++) {
		char mark[96];
		raw_script(s->kind, url, schema_migrations[i]);
		snprintf(mark, sizeof mark, "INSERT INTO schema_migrations VALUES (%zu, 0)", i + 1);
		raw_script(s->kind, url, mark);
	}
	raw_script(
	        s->kind, url,
	        "INSERT INTO users (id, org, role, name, token_hash, created_at) VALUES"
	        " ('u1', 'nco', 'analyst', 'a', 'h', 0);"
	        "INSERT INTO approvals (id, kind, facility, selectors, justification, valid_from,"
	        " valid_until, state, requested_by, requested_at) VALUES ('APR-1',"
	        " 'foreign-foreign', 't-1', '[]', 'j', 0, 1, 'approved', 'u1', 0);"
	        "INSERT INTO records VALUES (7, 't-1:1', 'APR-1', 't-1', 't-1:b', 10, 20, 'x', 6,"
	        " 's', 'd', 1, 2, 'L', 30, '{\"id\":\"t-1:1\"}'),"
	        " (9, 't-1:2', 'APR-1', 't-1', 't-1:b', 11, 25, 'x', 6, 's', 'd', 1, 2, 'L', 30,"
	        " '{\"id\":\"t-1:2\"}')");
	struct db *db = NULL;
	struct acd_error e = {0};
	if (db_open(url, 1, &db, &e) != ACD_OK)
		fail_msg("db_open at schema 9: %s", e.msg);
	assert_int_equal(db_schema_version(db), (int)schema_migrations_count);
	struct db_conn *c = db_acquire(db);
	struct db_rows *r = query_ok(c,
	                             "SELECT seq, approval, sensor, batch, n, last_min, last_max,"
	                             " label, stored_at, docs FROM record_chunks ORDER BY seq",
	                             NULL, 0);
	assert_int_equal(db_rows_count(r), 2);
	static const char *const want[2][10] = {
	        {"7", "APR-1", "t-1", "t-1:b", "1", "20", "20", "L", "30", "{\"id\":\"t-1:1\"}\n"},
	        {"9", "APR-1", "t-1", "t-1:b", "1", "25", "25", "L", "30", "{\"id\":\"t-1:2\"}\n"}};
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 10; k++)
			assert_string_equal(db_rows_get(r, i, k), want[i][k]);
	db_rows_free(r);
	char buf[64];
	assert_string_equal(scalar(c,
	                           "SELECT seq FROM record_ids WHERE approval = 'APR-1' AND"
	                           " id = 't-1:2'",
	                           NULL, 0, buf, sizeof buf),
	                    "9");
	assert_int_equal(count(c, "SELECT COUNT(*) FROM record_ids"), 2);
	/* PostgreSQL keeps the lines uncompressed (schema_pg_storage), so a raw file search
	 * can see them. */
	if (s->kind == DB_POSTGRESQL)
		assert_string_equal(scalar(c,
		                           "SELECT attstorage FROM pg_attribute WHERE attrelid ="
		                           " 'record_chunks'::regclass AND attname = 'docs'",
		                           NULL, 0, buf, sizeof buf),
		                    "e");
	struct db_rows *gone = NULL;
	assert_int_not_equal(db_query(c, "SELECT COUNT(*) FROM records", NULL, 0, &gone, &e),
	                     ACD_OK);
	db_release(db, c);
	db_close(db);
}

static void test_seeded_rows(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors"), 15);
	const char *p[] = {"credit"};
	struct db_rows *r =
	        query_ok(c, "SELECT name_ja, ministry, name_en FROM sectors WHERE id = $1", p, 1);
	assert_int_equal(db_rows_count(r), 1);
	assert_string_equal(db_rows_get(r, 0, 0), "クレジット");
	assert_string_equal(db_rows_get(r, 0, 1), "meti");
	db_rows_free(r);
	char buf[64];
	const char *g[] = {"government"};
	assert_string_equal(
	        scalar(c, "SELECT name_ja FROM sectors WHERE id = $1", g, 1, buf, sizeof buf),
	        "政府・行政サービス");
	assert_int_equal(count(c, "SELECT COUNT(*) FROM orgs WHERE kind = 'ministry'"), 5);
	/* Every sector's ministry is a seeded ministry organisation. */
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors s JOIN orgs o ON o.id = s.ministry"
	                          " WHERE o.kind = 'ministry'"),
	                 15);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM orgs WHERE id IN ('nco', 'commission')"),
	                 2);
	db_release(s->db, c);
}

/* ---- parameters and results ---- */

static void test_parameters(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	char buf[128];
	/* Japanese text, quotes and a `$` inside a literal, which is not a parameter. */
	const char *p1[] = {"note", "「重要」 it's \"quoted\" $1 ¥100"};
	exec_ok(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", p1, 2);
	const char *k[] = {"note"};
	assert_string_equal(
	        scalar(c, "SELECT value FROM settings WHERE key = $1", k, 1, buf, sizeof buf),
	        p1[1]);
	const char *p2[] = {"lit"};
	exec_ok(c, "INSERT INTO settings (key, value) VALUES ($1, 'costs $2, it''s $$')", p2, 1);
	assert_string_equal(
	        scalar(c, "SELECT value FROM settings WHERE key = $1", p2, 1, buf, sizeof buf),
	        "costs $2, it's $$");
	/* Reordered and repeated parameters. */
	const char *p3[] = {"a", "b"};
	struct db_rows *r = query_ok(c, "SELECT $2, $1, $2", p3, 2);
	assert_int_equal(db_rows_columns(r), 3);
	assert_string_equal(db_rows_get(r, 0, 0), "b");
	assert_string_equal(db_rows_get(r, 0, 1), "a");
	assert_string_equal(db_rows_get(r, 0, 2), "b");
	db_rows_free(r);
	/* Every given parameter is used, and every one used is given. */
	struct acd_error pe = {0};
	assert_int_equal(db_exec(c, "SELECT $1", p3, 2, NULL, &pe), ACD_EDB);
	assert_int_equal(
	        db_exec(c, "SELECT $1, $3", (const char *const[]){"a", "b", "c"}, 3, NULL, &pe),
	        ACD_EDB);
	assert_int_equal(db_exec(c, "SELECT $2", p3, 1, NULL, &pe), ACD_EDB);
	assert_true(pe.msg[0] != '\0');
	/* NULL parameters are SQL NULL and come back as NULL; integers travel as text. */
	const char *org[] = {"op1", "operator", "東京電力", "electricity", "1760000000000000"};
	exec_ok(c, "INSERT INTO orgs (id, kind, name, sector, created_at) VALUES ($1,$2,$3,$4,$5)",
	        org, 5);
	const char *u[] = {"u1", "op1", "operator", "山田", "h1", NULL, "1760000000000001"};
	exec_ok(c,
	        "INSERT INTO users (id, org, role, name, token_hash, clearance, created_at)"
	        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
	        u, 7);
	r = query_ok(c, "SELECT clearance, created_at + 1, handler, name FROM users WHERE id = $1",
	             u, 1);
	assert_null(db_rows_get(r, 0, 0));
	assert_string_equal(db_rows_get(r, 0, 1), "1760000000000002");
	assert_string_equal(db_rows_get(r, 0, 2), "0");
	assert_string_equal(db_rows_get(r, 0, 3), "山田");
	db_rows_free(r);
	/* A BIGINT compared with a text parameter compares as a number on both backends. */
	const char *t[] = {"1760000000000000"};
	assert_int_equal(count(c, "SELECT COUNT(*) FROM users"), 1);
	assert_string_equal(scalar(c, "SELECT COUNT(*) FROM users WHERE created_at > $1", t, 1, buf,
	                           sizeof buf),
	                    "1");
	long changed = -1;
	struct acd_error e = {0};
	const char *up[] = {"1"};
	assert_int_equal(db_exec(c, "UPDATE users SET handler = $1", up, 1, &changed, &e), ACD_OK);
	assert_int_equal(changed, 1);
	db_release(s->db, c);
}

static void test_rows_and_columns(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct db_rows *r = query_ok(c, "SELECT id, ministry FROM sectors ORDER BY id", NULL, 0);
	assert_int_equal(db_rows_count(r), 15);
	assert_int_equal(db_rows_columns(r), 2);
	assert_string_equal(db_rows_get(r, 0, 0), "airports");
	assert_string_equal(db_rows_get(r, 0, 1), "mlit");
	assert_string_equal(db_rows_get(r, 14, 0), "water");
	assert_null(db_rows_get(r, 15, 0));
	assert_null(db_rows_get(r, 0, 2));
	assert_null(db_rows_get(r, -1, 0));
	db_rows_free(r);
	r = query_ok(c, "SELECT id FROM sectors WHERE id = 'none'", NULL, 0);
	assert_int_equal(db_rows_count(r), 0);
	assert_int_equal(db_rows_columns(r), 1);
	db_rows_free(r);
	db_release(s->db, c);
}

/* The two idioms the server builds on: a counter bumped and read in one statement (report
 * numbers R1, R2 ...), and an insert that is a no-op when the row exists (idempotent batches). */
static void test_returning_and_upsert(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	const char *n[] = {"report"};
	exec_ok(c, "INSERT INTO counters (name, value) VALUES ($1, 0)", n, 1);
	char buf[32];
	for (int i = 1; i <= 3; i++) {
		char want[8];
		snprintf(want, sizeof want, "%d", i);
		assert_string_equal(scalar(c,
		                           "UPDATE counters SET value = value + 1 WHERE name = $1"
		                           " RETURNING value",
		                           n, 1, buf, sizeof buf),
		                    want);
	}
	const char *p[] = {"batch-1", "first"}, *q[] = {"batch-1", "second"};
	const char *ins = "INSERT INTO settings (key, value) VALUES ($1, $2)"
	                  " ON CONFLICT (key) DO NOTHING";
	long changed = -1;
	struct acd_error e = {0};
	assert_int_equal(db_exec(c, ins, p, 2, &changed, &e), ACD_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(db_exec(c, ins, q, 2, &changed, &e), ACD_OK);
	assert_int_equal(changed, 0);
	assert_string_equal(
	        scalar(c, "SELECT value FROM settings WHERE key = $1", p, 1, buf, sizeof buf),
	        "first");
	db_release(s->db, c);
}

/* ---- errors ---- */

static void test_conflict(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	const char *p[] = {"k", "v"};
	exec_ok(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", p, 2);
	struct acd_error e = {0};
	assert_int_equal(
	        db_exec(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", p, 2, NULL, &e),
	        ACD_EINPUT);
	assert_true(db_error_is_conflict(c));
	assert_true(e.msg[0] != '\0');
	/* A foreign key is the caller's mistake too, but not a conflict. */
	const char *org[] = {"op2", "operator", "x", "no-such-sector", "0"};
	assert_int_equal(db_exec(c,
	                         "INSERT INTO orgs (id, kind, name, sector, created_at)"
	                         " VALUES ($1, $2, $3, $4, $5)",
	                         org, 5, NULL, &e),
	                 ACD_EINPUT);
	assert_false(db_error_is_conflict(c));
	/* And a unique column other than the key is a conflict. */
	const char *u1[] = {"u1", "nco", "analyst", "a", "same-hash", "0"};
	const char *u2[] = {"u2", "nco", "analyst", "b", "same-hash", "0"};
	const char *ins = "INSERT INTO users (id, org, role, name, token_hash, created_at)"
	                  " VALUES ($1, $2, $3, $4, $5, $6)";
	exec_ok(c, ins, u1, 6);
	assert_int_equal(db_exec(c, ins, u2, 6, NULL, &e), ACD_EINPUT);
	assert_true(db_error_is_conflict(c));
	/* A later success clears the flag. */
	exec_ok(c, "SELECT 1", NULL, 0);
	assert_false(db_error_is_conflict(c));
	db_release(s->db, c);
}

/* True when s is well-formed UTF-8 (continuation bytes where and only where expected). */
static bool utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int more = *p < 0x80             ? 0
		           : (*p & 0xe0) == 0xc0 ? 1
		           : (*p & 0xf0) == 0xe0 ? 2
		           : (*p & 0xf8) == 0xf0 ? 3
		                                 : -1;
		if (more < 0)
			return false;
		p++;
		for (int i = 0; i < more; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void test_bad_sql(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct acd_error e = {0};
	assert_int_equal(db_exec(c, "SELEC 1", NULL, 0, NULL, &e), ACD_EDB);
	assert_non_null(strstr(e.msg, "SELEC 1"));
	struct db_rows *r = NULL;
	assert_int_equal(db_query(c, "SELECT * FROM no_such_table", NULL, 0, &r, &e), ACD_EDB);
	assert_null(r);
	assert_non_null(strstr(e.msg, "no_such_table"));
	assert_false(db_error_is_conflict(c));
	/* A long statement is cut in the message, never inside a UTF-8 character. */
	char sql[400] = "SELEC '";
	for (int i = 0; i < 100; i++)
		strcat(sql, "あ");
	strcat(sql, "'");
	assert_int_equal(db_exec(c, sql, NULL, 0, NULL, &e), ACD_EDB);
	assert_non_null(strstr(e.msg, "..."));
	assert_true(utf8_valid(e.msg));
	/* One statement per db_exec; a script goes through db_exec_script. */
	assert_int_equal(db_exec(c, "SELECT 1; SELECT 2", NULL, 0, NULL, &e), ACD_EDB);
	assert_int_equal(
	        db_exec_script(c, "CREATE TABLE t1 (a TEXT); INSERT INTO t1 VALUES ('x');", &e),
	        ACD_OK);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM t1"), 1);
	assert_int_equal(db_exec_script(c, "INSERT INTO nowhere VALUES (1)", &e), ACD_EDB);
	db_release(s->db, c);
}

/* ---- transactions ---- */

static void test_commit_rollback(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct acd_error e = {0};
	const char *a[] = {"a", "1"}, *b[] = {"b", "2"};
	const char *ins = "INSERT INTO settings (key, value) VALUES ($1, $2)";
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	exec_ok(c, ins, a, 2);
	db_rollback(c);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM settings"), 0);
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	exec_ok(c, ins, a, 2);
	exec_ok(c, ins, b, 2);
	assert_int_equal(db_commit(c, &e), ACD_OK);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM settings"), 2);
	/* A commit without a transaction, and a second begin, are refused. */
	assert_int_equal(db_commit(c, &e), ACD_EDB);
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_EDB);
	db_rollback(c);
	/* A connection released inside a transaction comes back rolled back. */
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	const char *x[] = {"x", "3"};
	exec_ok(c, ins, x, 2);
	db_release(s->db, c);
	c = db_acquire(s->db);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM settings"), 2);
	db_release(s->db, c);
}

/* After a failed statement the transaction accepts nothing more and cannot commit: the
 * statements before the failure are not stored either, on both backends. */
static void test_failed_transaction(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct acd_error e = {0};
	const char *a[] = {"a", "1"};
	const char *ins = "INSERT INTO settings (key, value) VALUES ($1, $2)";
	exec_ok(c, ins, a, 2);
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	const char *b[] = {"b", "2"};
	exec_ok(c, ins, b, 2);
	assert_int_equal(db_exec(c, ins, a, 2, NULL, &e), ACD_EINPUT);
	assert_true(db_error_is_conflict(c));
	const char *d[] = {"d", "4"};
	assert_int_equal(db_exec(c, ins, d, 2, NULL, &e), ACD_EDB);
	assert_int_equal(db_commit(c, &e), ACD_EDB);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM settings"), 1);
	db_release(s->db, c);
}

static void test_savepoint(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct acd_error e = {0};
	const char *ins = "INSERT INTO settings (key, value) VALUES ($1, $2)";
	const char *a[] = {"a", "1"}, *b[] = {"b", "2"}, *z[] = {"z", "9"};
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	exec_ok(c, ins, a, 2);
	assert_int_equal(db_savepoint(c, "step1", &e), ACD_OK);
	exec_ok(c, ins, z, 2);
	assert_int_equal(db_exec(c, ins, a, 2, NULL, &e), ACD_EINPUT); /* the batch's bad step */
	db_rollback_to(c, "step1");
	assert_int_equal(db_release_savepoint(c, "step1", &e), ACD_OK);
	exec_ok(c, ins, b, 2);
	assert_int_equal(db_commit(c, &e), ACD_OK);
	struct db_rows *r = query_ok(c, "SELECT key FROM settings ORDER BY key", NULL, 0);
	assert_int_equal(db_rows_count(r), 2);
	assert_string_equal(db_rows_get(r, 0, 0), "a");
	assert_string_equal(db_rows_get(r, 1, 0), "b");
	db_rows_free(r);
	/* Names are identifiers only, and savepoints need a transaction. */
	assert_int_equal(db_begin(c, DB_WRITE, &e), ACD_OK);
	assert_int_equal(db_savepoint(c, "x; DROP TABLE settings", &e), ACD_EINPUT);
	db_rollback(c);
	assert_int_equal(db_savepoint(c, "s", &e), ACD_EDB);
	db_release(s->db, c);
}

static void test_read_transaction(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	struct acd_error e = {0};
	assert_int_equal(db_begin(c, DB_READ, &e), ACD_OK);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors"), 15);
	const char *a[] = {"a", "1"};
	assert_int_equal(
	        db_exec(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", a, 2, NULL, &e),
	        ACD_EDB);
	db_rollback(c);
	/* The connection writes again once the read transaction is over. */
	exec_ok(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", a, 2);
	db_release(s->db, c);
}

/* ---- the pool under concurrent writers ---- */

enum { WRITERS = 8, PER_WRITER = 25 };

struct writer {
	struct db *db;
	int id;
	char msg[512];
};

/* Each transaction reads the counter, inserts a row named after it and bumps it: with writers
 * serialised by DB_WRITE, no two ever read the same value. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (int i = 0; i < PER_WRITER && !w->msg[0]; i++) {
		struct db_conn *c = db_acquire(w->db);
		struct acd_error e = {0};
		struct db_rows *r = NULL;
		enum acd_status st = db_begin(c, DB_WRITE, &e);
		if (st == ACD_OK)
			st = db_query(c, "SELECT value FROM counters WHERE name = 'n'", NULL, 0, &r,
			              &e);
		if (st == ACD_OK) {
			char key[32], next[32];
			long v = strtol(db_rows_get(r, 0, 0), NULL, 10);
			snprintf(key, sizeof key, "row%ld", v);
			snprintf(next, sizeof next, "%ld", v + 1);
			char who[32];
			snprintf(who, sizeof who, "writer%d", w->id);
			const char *p[] = {key, who};
			st = db_exec(c, "INSERT INTO settings (key, value) VALUES ($1, $2)", p, 2,
			             NULL, &e);
			const char *q[] = {next};
			if (st == ACD_OK)
				st = db_exec(c, "UPDATE counters SET value = $1 WHERE name = 'n'",
				             q, 1, NULL, &e);
		}
		db_rows_free(r);
		if (st == ACD_OK)
			st = db_commit(c, &e);
		else
			db_rollback(c);
		if (st != ACD_OK)
			snprintf(w->msg, sizeof w->msg, "%s", e.msg);
		db_release(w->db, c);
	}
	return NULL;
}

static void test_pool_concurrent_writers(void **state)
{
	struct store *s = store(state);
	struct db_conn *c = db_acquire(s->db);
	exec_ok(c, "INSERT INTO counters (name, value) VALUES ('n', 0)", NULL, 0);
	db_release(s->db, c);
	pthread_t t[WRITERS];
	struct writer w[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){.db = s->db, .id = i};
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < WRITERS; i++)
		if (w[i].msg[0])
			fail_msg("writer %d: %s", i, w[i].msg);
	c = db_acquire(s->db);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM settings"), WRITERS * PER_WRITER);
	assert_int_equal(count(c, "SELECT value FROM counters WHERE name = 'n'"),
	                 WRITERS * PER_WRITER);
	db_release(s->db, c);
}

/* ---- the store file ---- */

static void test_sqlite_file_private(void **state)
{
	struct store *s = store(state);
	if (s->kind != DB_SQLITE)
		skip();
	struct stat st;
	assert_int_equal(stat(s->url + strlen("sqlite:"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* A new store has 64 KiB pages (decision 0023) and is in WAL mode. */
static void test_sqlite_new_store_pages(void **state)
{
	struct store *s = store(state);
	if (s->kind != DB_SQLITE)
		skip();
	struct db_conn *c = db_acquire(s->db);
	assert_int_equal(count(c, "PRAGMA page_size"), 65536);
	db_release(s->db, c);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(s->url + strlen("sqlite:"), &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A PostgreSQL connection the server dropped (restart, administrator) fails the statement
 * that finds out, and works again for the next one instead of poisoning the pool. */
static void test_pg_reconnect(void **state)
{
	struct store *s = store(state);
	struct db *db = NULL;
	struct acd_error e = {0};
	assert_int_equal(db_open(s->url, 1, &db, &e), ACD_OK);
	struct db_conn *c = db_acquire(db);
	char pid[32], sql[96];
	scalar(c, "SELECT pg_backend_pid()", NULL, 0, pid, sizeof pid);
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%s)", pid);
	pg_admin(sql);
	assert_int_equal(db_exec(c, "SELECT 1", NULL, 0, NULL, &e), ACD_EDB);
	assert_int_equal(count(c, "SELECT COUNT(*) FROM sectors"), 15);
	db_release(db, c);
	db_close(db);
}

/* ---- URLs ---- */

static void expect_open_error(const char *url, int nconn, enum acd_status want, const char *needle)
{
	struct db *db = NULL;
	struct acd_error e = {0};
	enum acd_status st = db_open(url, nconn, &db, &e);
	if (st != want)
		fail_msg("db_open(%s): status %d, want %d (%s)", url, st, want, e.msg);
	assert_null(db);
	if (!strstr(e.msg, needle))
		fail_msg("db_open(%s): message '%s' lacks '%s'", url, e.msg, needle);
}

static void test_bad_urls(void **state)
{
	(void)state;
	expect_open_error("foo:bar", 1, ACD_EINPUT, "'foo'");
	expect_open_error("", 1, ACD_EINPUT, "no store URL");
	expect_open_error("sqlite:", 1, ACD_EINPUT, "names no file");
	expect_open_error("sqlite:/nonexistent-dir/acd.db", 1, ACD_EDB, "/nonexistent-dir/acd.db");
	expect_open_error("sqlite:/tmp/x.db", 0, ACD_EINPUT, "pool size");
	/* Port 1 on loopback: refused at once. The URL's password never reaches the message. */
	expect_open_error("postgresql://acd:secret-pw@127.0.0.1:1/acd?connect_timeout=5", 1,
	                  ACD_EDB, "cannot connect to postgresql");
	struct acd_error e = {0};
	struct db *db = NULL;
	db_open("postgresql://acd:secret-pw@127.0.0.1:1/acd?connect_timeout=5", 1, &db, &e);
	assert_null(strstr(e.msg, "secret-pw"));
}

/* Each case twice, named after its backend so a failure says which one. */
#define CASE(backend, fn, setup)                                                                   \
	{                                                                                          \
		backend ": " #fn, fn, setup, teardown, NULL                                        \
	}
#define BOTH(fn) CASE("sqlite", fn, setup_sqlite), CASE("postgresql", fn, setup_pg)

int main(void)
{
	if (!pg_available())
		fprintf(stderr,
		        "test_db: ACD_TEST_PG_URL_FILE not set; PostgreSQL cases skipped\n");
	const struct CMUnitTest tests[] = {
	        BOTH(test_migrations_idempotent),
	        BOTH(test_migrations_concurrent_open),
	        BOTH(test_migrations_two_processes),
	        BOTH(test_store_newer_than_program),
	        BOTH(test_migration_10_moves_records),
	        BOTH(test_seeded_rows),
	        BOTH(test_parameters),
	        BOTH(test_rows_and_columns),
	        BOTH(test_returning_and_upsert),
	        BOTH(test_conflict),
	        BOTH(test_bad_sql),
	        BOTH(test_commit_rollback),
	        BOTH(test_failed_transaction),
	        BOTH(test_savepoint),
	        BOTH(test_read_transaction),
	        BOTH(test_pool_concurrent_writers),
	        cmocka_unit_test_setup_teardown(test_sqlite_file_private, setup_sqlite, teardown),
	        cmocka_unit_test_setup_teardown(test_sqlite_new_store_pages, setup_sqlite,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup_pg, teardown),
	        cmocka_unit_test(test_bad_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
