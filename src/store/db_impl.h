/*
 * db_impl.h — what db.c shares with its two backends (db_sqlite.c, db_pg.c); not for callers.
 *
 * db.c owns the pool, the transaction state and the migration runner; a backend only connects,
 * runs one statement or one script, and opens or ends a transaction. Keeping the transaction
 * state here is what makes the backends behave alike: after a failed statement inside a
 * transaction PostgreSQL refuses everything until a rollback, and db.c makes SQLite do the same.
 */
#ifndef ACD_DB_IMPL_H
#define ACD_DB_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

struct db_conn {
	const struct db_backend *be;
	void *handle;  /* the backend's connection state */
	bool in_use;   /* handed out by db_acquire */
	bool in_txn;   /* between db_begin and db_commit/db_rollback */
	bool failed;   /* a statement failed inside the transaction: only a rollback helps */
	bool conflict; /* the last failed statement broke a UNIQUE or PRIMARY KEY constraint */
};

/* Every result, from either backend, copied into one array of cells (row-major). */
struct db_rows {
	int nrows; /* complete rows */
	int ncols;
	size_t ncells; /* cells pushed so far */
	size_t cap;    /* cells allocated */
	char **cells;  /* nrows * ncols; NULL for SQL NULL */
};

struct db_backend {
	enum db_kind kind;
	/* Opens c->handle; `target` is the URL (PostgreSQL) or the path (SQLite). */
	enum acd_status (*connect)(struct db_conn *c, const char *target, struct acd_error *e);
	void (*disconnect)(struct db_conn *c);
	/* One statement with text parameters; rows go to *out when out is not NULL. Sets
	 * c->conflict on a unique-key clash. */
	enum acd_status (*run)(struct db_conn *c, const char *sql, const char *const *params, int n,
	                       long *changed, struct db_rows **out, struct acd_error *e);
	/* Several statements, no parameters, no rows. */
	enum acd_status (*script)(struct db_conn *c, const char *sql, struct acd_error *e);
	/* Opens a transaction of the given kind (the write lock taken at once for DB_WRITE). */
	enum acd_status (*begin)(struct db_conn *c, enum db_txn kind, struct acd_error *e);
	/* Ends the open transaction: COMMIT when `commit`, else ROLLBACK. */
	enum acd_status (*end)(struct db_conn *c, bool commit, struct acd_error *e);
};

extern const struct db_backend db_backend_sqlite;
extern const struct db_backend db_backend_pg;

/* Result building for the backends: a new empty result of `ncols` columns, and one cell
 * appended (val NULL for SQL NULL; len bytes copied). Both return NULL / false on ENOMEM. */
struct db_rows *db_rows_new(int ncols);
bool db_rows_push(struct db_rows *r, const char *val, size_t len);

/* The first `max` bytes of a statement, for error messages (never the parameters, which may
 * hold personal data). */
const char *db_sql_excerpt(const char *sql, char *buf, size_t len);

#endif
