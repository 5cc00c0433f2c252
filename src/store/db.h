/*
 * db.h — the one storage interface of acdd and the acd command line, with two backends:
 * SQLite (embedded default, WAL, synchronous=FULL) and PostgreSQL (libpq).
 *
 * SQL is written once, in the dialect both accept, with numbered parameters `$1`, `$2` … (SQLite
 * binds them by name, so a `$` inside a string literal is never taken for one). Every parameter and
 * every result value is text (or NULL): integers travel as decimal strings, times as RFC 3339 text
 * or integer microseconds. That keeps the two backends identical to their callers at a cost that
 * does not matter next to an fsync.
 *
 * A `struct db` is a pool of connections opened from one URL ("sqlite:PATH" or
 * "postgresql://…"); a connection is used by one thread at a time (db_acquire/db_release).
 * Transactions: db_begin(c, DB_WRITE) takes the write lock at once (SQLite BEGIN IMMEDIATE),
 * so a transaction never fails half-way for lock upgrade reasons.
 *
 * Errors come back as struct acd_error with ACD_EINPUT for the caller's mistakes (constraint
 * violations: `db_error_is_conflict` tells a unique-key clash) and ACD_EDB for the store's.
 */
#ifndef ACD_DB_H
#define ACD_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct db;
struct db_conn;
struct db_rows;

enum db_kind { DB_SQLITE, DB_POSTGRESQL };
enum db_txn { DB_READ, DB_WRITE };

/* Opens a pool of `nconn` connections to URL and applies every migration not yet applied
 * (numbered, in order, each in its own transaction, recorded in schema_migrations). */
enum acd_status db_open(const char *url, int nconn, struct db **out, struct acd_error *e);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* The schema version now in the store (the highest migration applied). */
int db_schema_version(struct db *db);

/* Blocks until a connection is free. */
struct db_conn *db_acquire(struct db *db);
void db_release(struct db *db, struct db_conn *c);

enum acd_status db_begin(struct db_conn *c, enum db_txn kind, struct acd_error *e);
enum acd_status db_commit(struct db_conn *c, struct acd_error *e);
void db_rollback(struct db_conn *c);
/* Savepoints inside a transaction: one failed step of a batch undone alone. */
enum acd_status db_savepoint(struct db_conn *c, const char *name, struct acd_error *e);
enum acd_status db_release_savepoint(struct db_conn *c, const char *name, struct acd_error *e);
void db_rollback_to(struct db_conn *c, const char *name);

/* Runs one statement with `n` text parameters (NULL elements are SQL NULL). db_exec discards
 * rows; *changed (when not NULL) receives the number of rows inserted/updated/deleted. */
enum acd_status db_exec(struct db_conn *c, const char *sql, const char *const *params, int n,
                        long *changed, struct acd_error *e);
enum acd_status db_query(struct db_conn *c, const char *sql, const char *const *params, int n,
                         struct db_rows **out, struct acd_error *e);
/* Runs several statements without parameters (schema, PRAGMAs). */
enum acd_status db_exec_script(struct db_conn *c, const char *sql, struct acd_error *e);

int db_rows_count(const struct db_rows *r);
int db_rows_columns(const struct db_rows *r);
/* NULL for SQL NULL; the string lives until db_rows_free. */
const char *db_rows_get(const struct db_rows *r, int row, int col);
void db_rows_free(struct db_rows *r);

/* True when the last failed statement on c broke a UNIQUE or PRIMARY KEY constraint. */
bool db_error_is_conflict(const struct db_conn *c);

#endif
