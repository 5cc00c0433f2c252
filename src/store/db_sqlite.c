/*
 * db_sqlite.c — the SQLite backend of db.h: one database file in WAL mode with synchronous=FULL
 * (a commit is on disk when it returns), foreign keys enforced, deleted content overwritten.
 *
 * Parameters are written `$1`, `$2` … as for PostgreSQL. SQLite's own tokenizer already reads
 * `$1` as a named parameter and skips string literals, identifiers and comments, so instead of
 * rewriting the text to `?1` this backend binds each parameter by its name: a `$` inside a
 * literal can never be mistaken for one.
 *
 * Writers take the database's one write lock at BEGIN IMMEDIATE and wait up to DB_SQLITE_BUSY_MS
 * for it, so concurrent writers queue instead of failing with "database is locked".
 */
#include "db_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_SQLITE_BUSY_MS 10000
#define DB_SQLITE_CACHE   32 /* prepared statements kept per connection */

struct sqlite_stmt {
	char *sql; /* the key: the exact statement text */
	sqlite3_stmt *stmt;
	unsigned long used; /* tick of the last use, for least-recently-used eviction */
	/* Parameter i + 1 is `$k[i]` (0: not spelt $k). Found once when prepared: SQLite's name
	 * lookup is a linear scan, so per-bind lookups cost a multi-row INSERT O(n^2). */
	long *k;
	int count;
};

struct sqlite_conn {
	sqlite3 *db;
	bool read_only; /* a DB_READ transaction set query_only; its end clears it */
	unsigned long tick;
	struct sqlite_stmt cache[DB_SQLITE_CACHE];
};

/* Turns the connection's last error into an acd_error: constraint violations are the
 * caller's (ACD_EINPUT, with c->conflict for a unique-key clash), the rest the store's. */
static enum acd_status sqlite_fail(struct db_conn *c, sqlite3 *db, const char *sql,
                                   struct acd_error *e)
{
	int rc = sqlite3_extended_errcode(db);
	char ex[96];
	enum acd_status st = ACD_EDB;
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		st = ACD_EINPUT;
		c->conflict = rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
	}
	return acd_fail(e, st, "store: %s (in: %s)", sqlite3_errmsg(db),
	                db_sql_excerpt(sql, ex, sizeof ex));
}

/* Creates the file readable by its owner only before SQLite opens it (SQLite gives its WAL
 * and shared-memory files the same mode): the store holds reporters' identities. Only when the
 * file does not exist yet: closing any descriptor of a file drops every POSIX lock this
 * process holds on it, so an open()/close() beside a live connection would drop that
 * connection's locks and let another process delete the WAL under it. */
static enum acd_status sqlite_create_private(const char *path, struct acd_error *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return ACD_OK;
	if (fd < 0)
		return acd_fail(e, ACD_EDB, "store: cannot open sqlite:%s: %s", path,
		                strerror(errno));
	close(fd);
	return ACD_OK;
}

/* Puts the connection in WAL mode; the mode SQLite reports is in `mode`. A new file's switch to
 * WAL takes the file's exclusive lock, and SQLite does not always wait for it through the
 * busy handler: three processes opening one new store at once under load got "database is
 * locked" here (2 of 300 rounds in a stress run of test_db's two-processes case), so a busy
 * answer is retried for as long as a writer would wait. */
static int sqlite_wal(sqlite3 *db, char *mode, size_t len)
{
	for (int waited_ms = 0;; waited_ms += 5) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				const unsigned char *m = sqlite3_column_text(st, 0);
				snprintf(mode, len, "%s", m ? (const char *)m : "?");
				rc = SQLITE_OK;
			}
		}
		sqlite3_finalize(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= DB_SQLITE_BUSY_MS)
			return rc;
		usleep(5000);
	}
}

/* Opens the file and sets the durable settings on this connection (PRAGMAs are per
 * connection, so every one in the pool runs them). */
static enum acd_status sqlite_connect(struct db_conn *c, const char *path, struct acd_error *e)
{
	if (sqlite_create_private(path, e) != ACD_OK)
		return ACD_EDB;
	struct sqlite_conn *sc = calloc(1, sizeof *sc);
	if (!sc)
		return acd_fail(e, ACD_EDB, "store: out of memory");
	/* NOMUTEX: the pool hands a connection to one thread at a time. */
	int rc = sqlite3_open_v2(path, &sc->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		acd_fail(e, ACD_EDB, "store: cannot open sqlite:%s: %s", path,
		         sc->db ? sqlite3_errmsg(sc->db) : sqlite3_errstr(rc));
		sqlite3_close(sc->db);
		free(sc);
		return ACD_EDB;
	}
	c->handle = sc;
	sqlite3_extended_result_codes(sc->db, 1);
	sqlite3_busy_timeout(sc->db, DB_SQLITE_BUSY_MS);
	char mode[32];
	enum acd_status st = ACD_OK;
	/* A new store gets 64 KiB pages (decision 0023): a chunk of records is ~150 KB, and with
	 * 4 KiB pages every chunk was 36 overflow pages, each written to the WAL and copied by the
	 * checkpoint with a system call of its own. Only an empty file takes it (before WAL); an
	 * existing store keeps the page size it was made with. */
	rc = sqlite3_exec(sc->db, "PRAGMA page_size=65536", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite_wal(sc->db, mode, sizeof mode);
	if (rc != SQLITE_OK)
		st = acd_fail(e, ACD_EDB, "store: %s (in: PRAGMA page_size, journal_mode=WAL)",
		              sqlite3_errmsg(sc->db));
	else if (strcmp(mode, "wal") != 0)
		st = acd_fail(e, ACD_EDB, "store: sqlite:%s cannot use WAL (journal mode '%s')",
		              path, mode);
	if (st == ACD_OK)
		st = c->be->script(c,
		                   "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
		                   " PRAGMA secure_delete=ON;",
		                   e);
	if (st != ACD_OK) {
		c->be->disconnect(c);
		return ACD_EDB;
	}
	return ACD_OK;
}

/* Finalizes the cached statements first: sqlite3_close refuses a handle that still has some. */
static void sqlite_disconnect(struct db_conn *c)
{
	struct sqlite_conn *sc = c->handle;
	if (!sc)
		return;
	for (int i = 0; i < DB_SQLITE_CACHE; i++) {
		sqlite3_finalize(sc->cache[i].stmt);
		free(sc->cache[i].sql);
		free(sc->cache[i].k);
	}
	sqlite3_close(sc->db);
	free(sc);
	c->handle = NULL;
}

/* True when only whitespace and semicolons follow the first statement. */
static bool sqlite_only_blank(const char *p)
{
	for (; p && *p; p++)
		if (*p != ';' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* The prepared statement for `sql`, from the cache or newly prepared into the least recently
 * used slot. Assumes the statement returned is reset and unbound. */
static struct sqlite_stmt *sqlite_prepare(struct db_conn *c, const char *sql, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	struct sqlite_stmt *slot = &sc->cache[0];
	for (int i = 0; i < DB_SQLITE_CACHE; i++) {
		struct sqlite_stmt *s = &sc->cache[i];
		if (s->sql && strcmp(s->sql, sql) == 0) {
			s->used = ++sc->tick;
			return s;
		}
		if (s->used < slot->used)
			slot = s;
	}
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v3(sc->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail) !=
	    SQLITE_OK) {
		sqlite_fail(c, sc->db, sql, e);
		if (e) /* a statement that does not compile is never the data's fault */
			e->status = ACD_EDB;
		return NULL;
	}
	char ex[96];
	if (!stmt || !sqlite_only_blank(tail)) {
		sqlite3_finalize(stmt);
		acd_fail(e, ACD_EDB, "store: want exactly one statement (in: %s)",
		         db_sql_excerpt(sql, ex, sizeof ex));
		return NULL;
	}
	char *key = strdup(sql);
	int count = sqlite3_bind_parameter_count(stmt);
	long *k = calloc(count > 0 ? (size_t)count : 1, sizeof *k);
	if (!key || !k) {
		sqlite3_finalize(stmt);
		free(key);
		free(k);
		acd_fail(e, ACD_EDB, "store: out of memory");
		return NULL;
	}
	for (int i = 0; i < count; i++) {
		const char *name = sqlite3_bind_parameter_name(stmt, i + 1);
		char *end = NULL;
		long v = name && name[0] == '$' ? strtol(name + 1, &end, 10) : 0;
		k[i] = end && *end == '\0' && end != name + 1 ? v : 0;
	}
	sqlite3_finalize(slot->stmt);
	free(slot->sql);
	free(slot->k);
	slot->sql = key;
	slot->stmt = stmt;
	slot->k = k;
	slot->count = count;
	slot->used = ++sc->tick;
	return slot;
}

/* Binds params[k - 1] to every parameter named `$k`. Other spellings (?, :name, @name) are
 * refused so that SQL written for this interface also runs on PostgreSQL. */
static enum acd_status sqlite_bind(const struct sqlite_stmt *s, const char *sql,
                                   const char *const *params, int n, struct acd_error *e)
{
	char ex[96];
	sqlite3_stmt *stmt = s->stmt;
	int count = s->count;
	/* Each distinct `$k` has its own index, so with every k checked to be in 1..n below,
	 * count == n means each given parameter is used: PostgreSQL refuses unused ones too. */
	if (count != n)
		return acd_fail(e, ACD_EDB,
		                "store: statement uses %d parameters, %d given (in: %s)", count, n,
		                db_sql_excerpt(sql, ex, sizeof ex));
	for (int i = 1; i <= count; i++) {
		long k = s->k[i - 1];
		if (k == 0)
			return acd_fail(e, ACD_EDB,
			                "store: parameters are written $1, $2 ... (in: %s)",
			                db_sql_excerpt(sql, ex, sizeof ex));
		if (k < 1 || k > n)
			return acd_fail(e, ACD_EDB,
			                "store: statement uses $%ld but %d given (in: %s)", k, n,
			                db_sql_excerpt(sql, ex, sizeof ex));
		int rc = params[k - 1]
		                 ? sqlite3_bind_text(stmt, i, params[k - 1], -1, SQLITE_STATIC)
		                 : sqlite3_bind_null(stmt, i);
		if (rc != SQLITE_OK)
			return acd_fail(e, ACD_EDB, "store: bind $%ld: %s", k, sqlite3_errstr(rc));
	}
	return ACD_OK;
}

/* Steps through the statement, copying rows into *out when asked. */
static enum acd_status sqlite_step_all(struct db_conn *c, sqlite3_stmt *stmt, const char *sql,
                                       struct db_rows **out, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	struct db_rows *r = NULL;
	if (out && !(r = db_rows_new(sqlite3_column_count(stmt))))
		return acd_fail(e, ACD_EDB, "store: out of memory");
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (int col = 0; r && col < r->ncols; col++) {
			const char *v = (const char *)sqlite3_column_text(stmt, col);
			size_t len = (size_t)sqlite3_column_bytes(stmt, col);
			if (!db_rows_push(r, v, len)) {
				db_rows_free(r);
				return acd_fail(e, ACD_EDB, "store: out of memory");
			}
		}
	}
	if (rc != SQLITE_DONE) {
		db_rows_free(r);
		return sqlite_fail(c, sc->db, sql, e);
	}
	if (out)
		*out = r;
	return ACD_OK;
}

/* Prepares (or reuses), binds, steps; see db_backend.run. */
static enum acd_status sqlite_run(struct db_conn *c, const char *sql, const char *const *params,
                                  int n, long *changed, struct db_rows **out, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	struct sqlite_stmt *cached = sqlite_prepare(c, sql, e);
	if (!cached)
		return ACD_EDB;
	sqlite3_stmt *stmt = cached->stmt;
	enum acd_status st = sqlite_bind(cached, sql, params, n, e);
	if (st == ACD_OK)
		st = sqlite_step_all(c, stmt, sql, out, e);
	if (st == ACD_OK && changed)
		*changed = (long)sqlite3_changes64(sc->db);
	/* The cached statement goes back clean, holding no lock and no caller's strings. */
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return st;
}

/* sqlite3_exec runs every statement of the text in turn and stops at the first error. */
static enum acd_status sqlite_script(struct db_conn *c, const char *sql, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	if (sqlite3_exec(sc->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(c, sc->db, sql, e);
	return ACD_OK;
}

/* DB_WRITE takes the write lock now (BEGIN IMMEDIATE), so the transaction cannot fail later
 * trying to upgrade a read lock; DB_READ is made read-only as PostgreSQL's READ ONLY is, so code
 * that writes in a read transaction fails the same way on both backends. */
static enum acd_status sqlite_begin(struct db_conn *c, enum db_txn kind, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	if (kind == DB_WRITE)
		return sqlite_script(c, "BEGIN IMMEDIATE", e);
	if (sqlite_script(c, "BEGIN DEFERRED; PRAGMA query_only=1", e) != ACD_OK) {
		(void)sqlite3_exec(sc->db, "ROLLBACK", NULL, NULL, NULL);
		return ACD_EDB;
	}
	sc->read_only = true;
	return ACD_OK;
}

static enum acd_status sqlite_end(struct db_conn *c, bool commit, struct acd_error *e)
{
	struct sqlite_conn *sc = c->handle;
	enum acd_status st;
	if (commit) {
		st = sqlite_script(c, "COMMIT", e);
	} else {
		/* No transaction left (SQLite ended it on an error) is what a rollback wants. */
		st = sqlite3_get_autocommit(sc->db) ? ACD_OK : sqlite_script(c, "ROLLBACK", e);
	}
	if (sc->read_only && sqlite3_get_autocommit(sc->db)) {
		(void)sqlite3_exec(sc->db, "PRAGMA query_only=0", NULL, NULL, NULL);
		sc->read_only = false;
	}
	return st;
}

const struct db_backend db_backend_sqlite = {
        .kind = DB_SQLITE,
        .connect = sqlite_connect,
        .disconnect = sqlite_disconnect,
        .run = sqlite_run,
        .script = sqlite_script,
        .begin = sqlite_begin,
        .end = sqlite_end,
};
