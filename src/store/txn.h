/*
 * txn.h — a write transaction as every change to the store runs it: the connection, the audit
 * chain tail, and one clock reading, so a change and the audit entry that records it commit
 * together or not at all. acdd's group-commit writer runs many of these in one transaction
 * (each behind a savepoint); the command line runs one at a time with txn_run.
 */
#ifndef ACD_TXN_H
#define ACD_TXN_H

#include "audit.h"
#include "db.h"
#include "keys.h"
#include "timefmt.h"

struct txn {
	struct db_conn *c;
	struct audit_chain chain;
	acd_time now;
};

/* A change: returns ACD_OK to keep it, anything else to undo it (e says why). */
typedef enum acd_status (*txn_fn)(struct txn *t, void *arg, struct acd_error *e);

/* Runs fn in its own write transaction, signs the audit head, commits, and writes the head
 * file. */
enum acd_status txn_run(struct db *db, const struct keys *k, txn_fn fn, void *arg,
                        struct acd_error *e);

/* Appends to the audit chain at the transaction's time. */
enum acd_status txn_audit(struct txn *t, const struct audit_entry *a, struct acd_error *e);

/* Takes the next number of the named counter ("report", "user" …), creating it at 1. */
enum acd_status txn_next_number(struct txn *t, const char *counter, long long *out,
                                struct acd_error *e);

#endif
