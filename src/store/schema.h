/*
 * schema.h — the store's numbered migrations: migration N is schema_migrations[N - 1], one SQL
 * script valid on both SQLite and PostgreSQL. db_open applies those not yet recorded in the
 * table schema_migrations, in order, each in its own write transaction.
 *
 * To change the schema, append a script; never edit one that has shipped (stores in the field
 * have already run it and will not run it again).
 *
 * schema_pg_storage[N - 1], when not NULL, runs on PostgreSQL only, right after migration N in
 * the same transaction: storage settings SQLite has no words for and no need of (how a column
 * is kept on disk), never anything a query could tell apart.
 */
#ifndef ACD_SCHEMA_H
#define ACD_SCHEMA_H

#include <stddef.h>

extern const char *const schema_migrations[];
extern const size_t schema_migrations_count;
extern const char *const schema_pg_storage[]; /* schema_migrations_count entries */

#endif
