/*
 * identity.h — who may call acd: organisations (operators with their sector, ministries, the
 * National Cybersecurity Office, the commission, vendors, council members, foreign partners,
 * measures agencies) and their users, one role each, each with an API token stored only as a
 * keyed BLAKE2b hash (checked on every request, so it must be fast: not a password hash).
 */
#ifndef ACD_IDENTITY_H
#define ACD_IDENTITY_H

#include <stdbool.h>

#include "keys.h"
#include "timefmt.h"
#include "txn.h"

enum role {
	ROLE_OPERATOR,
	ROLE_MINISTRY,
	ROLE_ANALYST,
	ROLE_COMMISSION,
	ROLE_COUNCIL_MEMBER,
	ROLE_COUNCIL_FRIEND,
	ROLE_VENDOR,
	ROLE_FOREIGN_PARTNER,
	ROLE_MEASURES_OFFICER,
	ROLE_ADMIN,
	ROLE_COUNT
};
#define ROLE_BIT(r) (1u << (r))
#define ROLES_ALL   ((1u << ROLE_COUNT) - 1)

const char *role_name(enum role r);
bool role_parse(const char *s, enum role *out);

#define TOKEN_LEN      48 /* "acd_" + 43 base64url characters + NUL */
#define TOKEN_HASH_HEX 65

/* A caller as every request sees it. */
struct principal {
	char user[32];
	char name[128];
	char org[64];
	char org_kind[24];
	char sector[24]; /* "" when the org has none */
	enum role role;
	bool handler;          /* a designated handler (取扱者) */
	bool anonymous_reader; /* NCO staff who may see anonymous reporters */
	char clearance[24];    /* "" when none */
};

struct new_user {
	enum role role;
	const char *org, *name, *sector, *clearance;
	bool handler, anonymous_reader, has_consent;
	acd_time consent_at;
};

/* A fresh random token, and the hash under which it is stored. */
void token_new(char out[TOKEN_LEN]);
void token_hash(const struct keys *k, const char *token, char out[TOKEN_HASH_HEX]);

/* Validates and adds a user (creating its org when new) inside t, with its audit entry by
 * `actor`; writes the new token to `token`. ACD_EINPUT names what is wrong. */
enum acd_status identity_add_user(struct txn *t, const struct keys *k, const struct new_user *u,
                                  const struct principal *actor, char token[TOKEN_LEN],
                                  char user_id[32], struct acd_error *e);
/* Finds the caller by token hash; false when unknown or disabled. */
bool identity_lookup(struct db_conn *c, const char *hash, struct principal *p, struct acd_error *e);

#endif
