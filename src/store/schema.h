/*
 * schema.h — the store's numbered migrations: migration N is schema_migrations[N - 1], one SQL
 * script valid on both SQLite and PostgreSQL. db_open applies those not yet recorded in the
 * table schema_migrations, in order, each in its own write transaction.
 *
 * To change the schema, append a script; never edit one that has shipped (stores in the field
 * have already run it and will not run it again).
 */
#ifndef ACD_SCHEMA_H
#define ACD_SCHEMA_H

#include <stddef.h>

extern const char *const schema_migrations[];
extern const size_t schema_migrations_count;

#endif
