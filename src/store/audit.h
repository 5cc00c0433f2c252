/*
 * audit.h — the tamper-evident audit log (監査記録): an append-only, hash-chained table of every
 * write and every read of protected data (who, role, what, when, why).
 *
 * Entry N's hash is BLAKE2b-256 over its fields (length-prefixed, so no two field lists hash
 * alike) and entry N-1's hash; entry 1 links to 64 zeros. Every transaction that appends also
 * signs the new head (seq, hash) with the audit key kept outside the database (keys.h) and
 * stores it in audit_heads, so an edited, inserted or deleted entry, or a chain recomputed
 * after an edit, no longer matches a signature nobody without the key can make. The newest
 * head is also written to a file beside the keys, so a truncated tail is found even when the
 * database's own heads were truncated with it.
 *
 * Appending is serialised per store: audit_begin takes a row lock (counters 'audit') that
 * PostgreSQL holds until commit, and SQLite's write transaction is exclusive anyway, so
 * several acdd processes and the command line can append to one chain.
 */
#ifndef ACD_AUDIT_H
#define ACD_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "keys.h"
#include "timefmt.h"

#define AUDIT_HASH_HEX 65

struct audit_entry {
	const char *actor;   /* user id, or "system" / "cli" */
	const char *role;    /* the actor's role */
	const char *action;  /* "report.create", "report.read", "user.add" … */
	const char *object;  /* what it touched ("R12"), or NULL */
	const char *purpose; /* why (reads of selected information must say), or NULL */
	const char *detail;  /* a short JSON text with counts or ids, never content, or NULL */
};

/* The chain tail as one write transaction sees it. */
struct audit_chain {
	int64_t seq;
	char hash[AUDIT_HASH_HEX];
	int appended; /* entries appended in this transaction, not yet signed */
};

/* Locks the chain for this write transaction and loads its tail. */
enum acd_status audit_begin(struct db_conn *c, struct audit_chain *ch, struct acd_error *e);
/* Appends one entry at time `at` inside the transaction audit_begin opened. */
enum acd_status audit_append(struct db_conn *c, struct audit_chain *ch, acd_time at,
                             const struct audit_entry *a, struct acd_error *e);
/* Signs the tail (when something was appended) and records the signature in audit_heads. */
enum acd_status audit_sign_head(struct db_conn *c, struct audit_chain *ch, const struct keys *k,
                                acd_time at, struct acd_error *e);
/* After commit: replaces the head file with the chain tail and its signature. */
enum acd_status audit_write_head_file(const struct keys *k, const struct audit_chain *ch,
                                      struct acd_error *e);

/* The pieces audit_verify shares with the writer: the hash of entry `seq` from its text
 * fields (at, actor, role, action, object, purpose, detail) and its predecessor's hash; the
 * bytes a head signature covers; the link of entry 1. */
void audit_entry_hash(const char *seq, const char *const fields[7], const char *prev,
                      char out[AUDIT_HASH_HEX]);
int audit_head_message(int64_t seq, const char *hash, char *buf, size_t len);
extern const char audit_genesis[AUDIT_HASH_HEX];

struct audit_verdict {
	bool intact;
	int64_t entries;   /* how many entries were checked */
	int64_t heads;     /* how many signed heads were checked */
	int64_t first_bad; /* the first bad entry's seq (0 when intact or not one entry) */
	char message[512]; /* what is wrong, naming the entry */
};

/* Walks the whole chain and every signed head; `head_file` (may be NULL) is the head file
 * written outside the database. Returns ACD_OK when the walk ran (the verdict says whether the
 * log is intact), an error when the store could not be read. */
enum acd_status audit_verify(struct db_conn *c, const uint8_t pk[KEY_PUBLIC_BYTES],
                             const char *head_file, struct audit_verdict *v, struct acd_error *e);

#endif
