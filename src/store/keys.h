/*
 * keys.h — the secrets acdd and the acd command line keep outside the database, in one
 * directory readable by the owner only (default: the SQLite file's path plus ".keys"):
 *
 *   token.key   32 random bytes (base64): the key of the keyed BLAKE2b hash under which API
 *               tokens are stored, so a stolen database does not yield usable token hashes;
 *   audit.key   Ed25519 seed (base64, as keyfile.h) that signs audit chain heads;
 *   audit.pub   its public key, for `acd audit verify` on another machine;
 *   audit-head  the newest signed chain head written after commit ("SEQ HASH SIG"), so a
 *               truncated audit tail is found even when the database's own heads went with it;
 *   commission.key, office.key (+ .pub)
 *               Ed25519 seeds that sign Contract 2 approvals and revocations: the commission's
 *               for the non-consent kinds, the office's (NCO) for agreement approvals. acdd uses
 *               the commission key only on a commission user's decision (see approvals.c).
 *               Both are optional when loading: a store without them issues no approvals.
 */
#ifndef ACD_KEYS_H
#define ACD_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "keyfile.h"

#define TOKEN_KEY_BYTES 32

struct keys {
	char dir[1024];
	uint8_t token_key[TOKEN_KEY_BYTES];
	uint8_t audit_sk[KEY_SECRET_BYTES];
	uint8_t audit_pk[KEY_PUBLIC_BYTES];
	bool has_commission, has_office;
	uint8_t commission_sk[KEY_SECRET_BYTES], commission_pk[KEY_PUBLIC_BYTES];
	uint8_t office_sk[KEY_SECRET_BYTES], office_pk[KEY_PUBLIC_BYTES];
};

/* The default key directory for a store URL: "PATH.keys" for sqlite:PATH, "acd.keys" in the
 * working directory otherwise. */
void keys_default_dir(const char *db_url, char *out, size_t outlen);
/* Creates DIR (0700) and whatever key is missing in it, then loads them. */
enum acd_status keys_create(const char *dir, struct keys *k, struct acd_error *e);
/* Loads existing keys; a missing file is an error naming it. */
enum acd_status keys_load(const char *dir, struct keys *k, struct acd_error *e);
/* Wipes the secrets from memory. */
void keys_wipe(struct keys *k);

#endif
