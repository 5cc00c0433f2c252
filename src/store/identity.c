/* identity.c — see identity.h. */
#include "identity.h"

#include <ctype.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
        "operator",       "ministry", "analyst",         "commission",       "council-member",
        "council-friend", "vendor",   "foreign-partner", "measures-officer", "admin"};

/* The org kinds a role may belong to; an org created for the role takes the first. */
static const char *const role_org_kinds[ROLE_COUNT][4] = {
        [ROLE_OPERATOR] = {"operator"},
        [ROLE_MINISTRY] = {"ministry"},
        [ROLE_ANALYST] = {"nco"},
        [ROLE_COMMISSION] = {"commission"},
        [ROLE_COUNCIL_MEMBER] = {"council", "operator", "vendor"},
        [ROLE_COUNCIL_FRIEND] = {"council", "operator", "vendor"},
        [ROLE_VENDOR] = {"vendor"},
        [ROLE_FOREIGN_PARTNER] = {"foreign-partner"},
        [ROLE_MEASURES_OFFICER] = {"measures-agency"},
        [ROLE_ADMIN] = {"admin", "nco"},
};

static const char *const clearances[] = {"confidential", "secret", "top-secret"};

const char *role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

bool role_parse(const char *s, enum role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return true;
		}
	return false;
}

void token_new(char out[TOKEN_LEN])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(out, "acd_", 4);
	sodium_bin2base64(out + 4, TOKEN_LEN - 4, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void token_hash(const struct keys *k, const char *token, char out[TOKEN_HASH_HEX])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, (const uint8_t *)token, strlen(token), k->token_key,
	                   sizeof k->token_key);
	sodium_bin2hex(out, TOKEN_HASH_HEX, h, sizeof h);
}

/* Org ids and names are short printable text: ids [A-Za-z0-9._-], 1–63 bytes. */
static bool valid_org_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static bool kind_allowed(enum role r, const char *kind)
{
	for (int i = 0; i < 4 && role_org_kinds[r][i]; i++)
		if (strcmp(role_org_kinds[r][i], kind) == 0)
			return true;
	return false;
}

/* Finds the org or creates it with the role's kind; checks the role fits the org. */
static enum acd_status ensure_org(struct txn *t, const struct new_user *u,
                                  const struct principal *actor, struct acd_error *e)
{
	const char *p[1] = {u->org};
	struct db_rows *r;
	enum acd_status st =
	        db_query(t->c, "SELECT kind, sector FROM orgs WHERE id = $1", p, 1, &r, e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) == 1) {
		char kind[32];
		snprintf(kind, sizeof kind, "%s", db_rows_get(r, 0, 0));
		db_rows_free(r);
		if (!kind_allowed(u->role, kind))
			return acd_fail(e, ACD_EINPUT,
			                "org: '%s' is a %s organisation, not one for role %s",
			                u->org, kind, role_name(u->role));
		return ACD_OK;
	}
	db_rows_free(r);
	if (!valid_org_id(u->org))
		return acd_fail(e, ACD_EINPUT, "org: '%s' is not a valid id ([A-Za-z0-9._-], 1-63)",
		                u->org);
	const char *kind = role_org_kinds[u->role][0];
	if (strcmp(kind, "operator") == 0 && !u->sector)
		return acd_fail(e, ACD_EINPUT, "sector: a new operator org needs --sector ID");
	if (u->sector) {
		const char *sp[1] = {u->sector};
		st = db_query(t->c, "SELECT id FROM sectors WHERE id = $1", sp, 1, &r, e);
		if (st != ACD_OK)
			return st;
		int found = db_rows_count(r);
		db_rows_free(r);
		if (!found)
			return acd_fail(e, ACD_EINPUT, "sector: unknown sector '%s'", u->sector);
	}
	char at[24];
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	const char *ip[5] = {u->org, kind, u->org, u->sector, at};
	st = db_exec(
	        t->c,
	        "INSERT INTO orgs (id, kind, name, sector, created_at) VALUES ($1, $2, $3, $4, $5)",
	        ip, 5, NULL, e);
	if (st != ACD_OK)
		return st;
	struct audit_entry a = {actor ? actor->user : "cli",
	                        actor ? role_name(actor->role) : "admin",
	                        "org.add",
	                        u->org,
	                        NULL,
	                        NULL};
	return txn_audit(t, &a, e);
}

/* The rules a new user must meet before anything is written. */
static enum acd_status check_new_user(const struct new_user *u, const struct txn *t,
                                      struct acd_error *e)
{
	if (!u->name || !*u->name || strlen(u->name) > 120)
		return acd_fail(e, ACD_EINPUT, "name: required, at most 120 bytes");
	bool council = u->role == ROLE_COUNCIL_MEMBER || u->role == ROLE_COUNCIL_FRIEND;
	if (council && !u->has_consent)
		return acd_fail(e, ACD_EINPUT,
		                "consent_at: council membership starts only from a recorded prior "
		                "consent to its duties (--consent-at TIME)");
	if (council && u->consent_at > t->now)
		return acd_fail(e, ACD_EINPUT, "consent_at: the consent must precede membership");
	if (!council && u->has_consent)
		return acd_fail(e, ACD_EINPUT,
		                "consent_at: only council members and friends consent");
	if (u->anonymous_reader && u->role != ROLE_ANALYST)
		return acd_fail(e, ACD_EINPUT,
		                "anonymous_reader: only NCO staff (role analyst) may see anonymous "
		                "reporters");
	if (u->clearance) {
		bool ok = false;
		for (size_t i = 0; i < sizeof clearances / sizeof clearances[0]; i++)
			ok = ok || strcmp(u->clearance, clearances[i]) == 0;
		if (!ok)
			return acd_fail(e, ACD_EINPUT,
			                "clearance: one of confidential, secret, top-secret");
	}
	return ACD_OK;
}

enum acd_status identity_add_user(struct txn *t, const struct keys *k, const struct new_user *u,
                                  const struct principal *actor, char token[TOKEN_LEN],
                                  char user_id[32], struct acd_error *e)
{
	enum acd_status st = check_new_user(u, t, e);
	if (st == ACD_OK)
		st = ensure_org(t, u, actor, e);
	long long n;
	if (st == ACD_OK)
		st = txn_next_number(t, "user", &n, e);
	if (st != ACD_OK)
		return st;
	char hash[TOKEN_HASH_HEX], at[24], consent[24];
	snprintf(user_id, 32, "U%lld", n);
	token_new(token);
	token_hash(k, token, hash);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)t->now);
	snprintf(consent, sizeof consent, "%" PRId64, (int64_t)u->consent_at);
	const char *p[10] = {user_id,
	                     u->org,
	                     role_name(u->role),
	                     u->name,
	                     hash,
	                     u->clearance,
	                     u->handler ? "1" : "0",
	                     u->anonymous_reader ? "1" : "0",
	                     u->has_consent ? consent : NULL,
	                     at};
	st = db_exec(t->c,
	             "INSERT INTO users (id, org, role, name, token_hash, clearance, handler, "
	             "anonymous_reader, consent_at, created_at) VALUES "
	             "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	             p, 10, NULL, e);
	if (st != ACD_OK)
		return st;
	char detail[200];
	snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"org\":\"%s\"%s%s}", role_name(u->role),
	         u->org, u->has_consent ? ",\"consent_at\":" : "", u->has_consent ? consent : "");
	struct audit_entry a = {actor ? actor->user : "cli",
	                        actor ? role_name(actor->role) : "admin",
	                        "user.add",
	                        user_id,
	                        NULL,
	                        detail};
	return txn_audit(t, &a, e);
}

bool identity_lookup(struct db_conn *c, const char *hash, struct principal *p, struct acd_error *e)
{
	const char *param[1] = {hash};
	struct db_rows *r;
	if (db_query(c,
	             "SELECT u.id, u.name, u.org, o.kind, o.sector, u.role, u.handler, "
	             "u.anonymous_reader, u.clearance FROM users u JOIN orgs o ON o.id = u.org "
	             "WHERE u.token_hash = $1 AND u.disabled = 0",
	             param, 1, &r, e) != ACD_OK)
		return false;
	bool found = db_rows_count(r) == 1;
	if (found) {
		memset(p, 0, sizeof *p);
		snprintf(p->user, sizeof p->user, "%s", db_rows_get(r, 0, 0));
		snprintf(p->name, sizeof p->name, "%s", db_rows_get(r, 0, 1));
		snprintf(p->org, sizeof p->org, "%s", db_rows_get(r, 0, 2));
		snprintf(p->org_kind, sizeof p->org_kind, "%s", db_rows_get(r, 0, 3));
		const char *sector = db_rows_get(r, 0, 4), *cl = db_rows_get(r, 0, 8);
		snprintf(p->sector, sizeof p->sector, "%s", sector ? sector : "");
		snprintf(p->clearance, sizeof p->clearance, "%s", cl ? cl : "");
		found = role_parse(db_rows_get(r, 0, 5), &p->role);
		p->handler = strcmp(db_rows_get(r, 0, 6), "1") == 0;
		p->anonymous_reader = strcmp(db_rows_get(r, 0, 7), "1") == 0;
	}
	db_rows_free(r);
	return found;
}
