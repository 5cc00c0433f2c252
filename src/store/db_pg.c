/*
 * db_pg.c — the PostgreSQL backend of db.h over libpq: every statement through PQexecParams
 * with text parameters (`$N` is PostgreSQL's own notation) and text results.
 *
 * Write transactions: READ COMMITTED plus one transaction-scoped advisory lock that every
 * DB_WRITE takes first (DB_PG_WRITE_LOCK). Writers therefore run one at a time, exactly as
 * under SQLite's single write lock, so the code above (read the audit chain's head, then append;
 * read a counter, then bump it) is correct on both backends without retries. SERIALIZABLE
 * would let writers overlap but fails transactions with 40001 and needs a retry loop in every
 * caller; the serial order costs little next to the commit's fsync, and batching work into one
 * transaction (group commit) is the way to go faster on either backend.
 * Read transactions are REPEATABLE READ, READ ONLY: one snapshot, as a SQLite read transaction.
 */
#include "db_impl.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The advisory lock key every acd writer takes: "acdW" as an integer. */
#define DB_PG_WRITE_LOCK "1633903703"

/* libpq's messages end in a newline (and sometimes carry more lines): keep the first line. */
static const char *pg_first_line(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg && *msg ? msg : "unknown error");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* NOTICEs ("relation already exists, skipping") are for psql users, not acd's stderr. */
static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Connects; the error names no part of the URL, which may hold a password. */
static enum acd_status pg_connect(struct db_conn *c, const char *url, struct acd_error *e)
{
	PGconn *pg = PQconnectdb(url);
	char line[256];
	if (!pg)
		return acd_fail(e, ACD_EDB, "store: postgresql: out of memory");
	if (PQstatus(pg) != CONNECTION_OK) {
		acd_fail(e, ACD_EDB, "store: cannot connect to postgresql: %s",
		         pg_first_line(PQerrorMessage(pg), line, sizeof line));
		PQfinish(pg);
		return ACD_EDB;
	}
	PQsetNoticeProcessor(pg, pg_quiet, NULL);
	if (PQsetClientEncoding(pg, "UTF8") != 0) {
		acd_fail(e, ACD_EDB, "store: postgresql: cannot use UTF8: %s",
		         pg_first_line(PQerrorMessage(pg), line, sizeof line));
		PQfinish(pg);
		return ACD_EDB;
	}
	c->handle = pg;
	return ACD_OK;
}

/* PQfinish also tells the server, which then ends any transaction left open. */
static void pg_disconnect(struct db_conn *c)
{
	PQfinish(c->handle);
	c->handle = NULL;
}

/* A connection the server dropped (restart, idle timeout) is reopened before a statement
 * that starts on its own; inside a transaction the loss must surface, the work is gone. */
static void pg_revive(struct db_conn *c)
{
	if (!c->in_txn && PQstatus(c->handle) == CONNECTION_BAD)
		PQreset(c->handle);
}

/* Checks a result; on failure maps SQLSTATE class 23 (integrity constraint violation) to the
 * caller's ACD_EINPUT, 23505 (unique_violation) to a conflict, everything else to ACD_EDB. */
static enum acd_status pg_check(struct db_conn *c, PGresult *res, const char *sql,
                                struct acd_error *e)
{
	ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
		return ACD_OK;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char line[256], ex[96];
	enum acd_status st = ACD_EDB;
	if (state && strncmp(state, "23", 2) == 0) {
		st = ACD_EINPUT;
		c->conflict = strcmp(state, "23505") == 0;
	}
	return acd_fail(e, st, "store: %s (in: %s)",
	                pg_first_line(msg ? msg : PQerrorMessage(c->handle), line, sizeof line),
	                db_sql_excerpt(sql, ex, sizeof ex));
}

/* Copies a result's rows into a db_rows. */
static enum acd_status pg_copy_rows(PGresult *res, struct db_rows **out, struct acd_error *e)
{
	struct db_rows *r = db_rows_new(PQnfields(res));
	int nrows = PQntuples(res);
	for (int row = 0; r && row < nrows; row++) {
		for (int col = 0; col < r->ncols; col++) {
			bool null = PQgetisnull(res, row, col);
			if (!db_rows_push(r, null ? NULL : PQgetvalue(res, row, col),
			                  (size_t)PQgetlength(res, row, col))) {
				db_rows_free(r);
				r = NULL;
				break;
			}
		}
	}
	if (!r)
		return acd_fail(e, ACD_EDB, "store: out of memory");
	*out = r;
	return ACD_OK;
}

/* One statement through the extended protocol, which also refuses a second statement. */
static enum acd_status pg_run(struct db_conn *c, const char *sql, const char *const *params, int n,
                              long *changed, struct db_rows **out, struct acd_error *e)
{
	pg_revive(c);
	PGresult *res = PQexecParams(c->handle, sql, n, NULL, params, NULL, NULL, 0);
	enum acd_status st = pg_check(c, res, sql, e);
	if (st == ACD_OK && changed)
		*changed = strtol(PQcmdTuples(res), NULL, 10);
	if (st == ACD_OK && out)
		st = pg_copy_rows(res, out, e);
	PQclear(res);
	return st;
}

/* The simple protocol runs several statements; PQexec keeps the last result or the error. */
static enum acd_status pg_script(struct db_conn *c, const char *sql, struct acd_error *e)
{
	pg_revive(c);
	PGresult *res = PQexec(c->handle, sql);
	enum acd_status st = pg_check(c, res, sql, e);
	PQclear(res);
	return st;
}

/* See the file's comment for why writers take one advisory lock. */
static enum acd_status pg_begin(struct db_conn *c, enum db_txn kind, struct acd_error *e)
{
	if (kind == DB_READ)
		return pg_script(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e);
	if (pg_script(c, "BEGIN ISOLATION LEVEL READ COMMITTED", e) != ACD_OK)
		return ACD_EDB;
	if (pg_script(c, "SELECT pg_advisory_xact_lock(" DB_PG_WRITE_LOCK ")", e) != ACD_OK) {
		PQclear(PQexec(c->handle, "ROLLBACK"));
		return ACD_EDB;
	}
	return ACD_OK;
}

/* COMMIT of a transaction PostgreSQL has aborted answers ROLLBACK without an error; db.c
 * never gets here with one (it tracks failed statements itself). */
static enum acd_status pg_end(struct db_conn *c, bool commit, struct acd_error *e)
{
	return pg_script(c, commit ? "COMMIT" : "ROLLBACK", e);
}

const struct db_backend db_backend_pg = {
        .kind = DB_POSTGRESQL,
        .connect = pg_connect,
        .disconnect = pg_disconnect,
        .run = pg_run,
        .script = pg_script,
        .begin = pg_begin,
        .end = pg_end,
};
