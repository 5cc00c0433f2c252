/* audit.c — see audit.h. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char audit_genesis[AUDIT_HASH_HEX] =
        "0000000000000000000000000000000000000000000000000000000000000000";

/* Feeds one field as (length, bytes); NULL has its own length so "" and NULL differ. */
static void hash_field(crypto_generichash_state *st, const char *s)
{
	uint64_t len = s ? strlen(s) : UINT64_MAX;
	uint8_t be[8];
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(len >> (56 - 8 * i));
	crypto_generichash_update(st, be, sizeof be);
	if (s)
		crypto_generichash_update(st, (const uint8_t *)s, strlen(s));
}

/* The hash of entry `seq` given its text fields (at, actor, role, action, object, purpose,
 * detail) and its predecessor's hash. */
void audit_entry_hash(const char *seq, const char *const fields[7], const char *prev,
                      char out[AUDIT_HASH_HEX])
{
	crypto_generichash_state st;
	uint8_t h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	hash_field(&st, "acd-audit v1");
	hash_field(&st, prev);
	hash_field(&st, seq);
	for (int i = 0; i < 7; i++)
		hash_field(&st, fields[i]);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof h);
}

/* The bytes a head signature covers. */
int audit_head_message(int64_t seq, const char *hash, char *buf, size_t len)
{
	return snprintf(buf, len, "acd-audit-head v1\n%" PRId64 "\n%s", seq, hash);
}

enum acd_status audit_begin(struct db_conn *c, struct audit_chain *ch, struct acd_error *e)
{
	struct db_rows *r;
	memset(ch, 0, sizeof *ch);
	/* The row lock that serialises appenders across processes (see audit.h). */
	enum acd_status st = db_exec(
	        c, "UPDATE counters SET value = value + 1 WHERE name = 'audit'", NULL, 0, NULL, e);
	if (st != ACD_OK)
		return st;
	st = db_query(c, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", NULL, 0, &r,
	              e);
	if (st != ACD_OK)
		return st;
	if (db_rows_count(r) == 1) {
		ch->seq = strtoll(db_rows_get(r, 0, 0), NULL, 10);
		snprintf(ch->hash, sizeof ch->hash, "%s", db_rows_get(r, 0, 1));
	} else {
		memcpy(ch->hash, audit_genesis, sizeof ch->hash);
	}
	db_rows_free(r);
	return ACD_OK;
}

enum acd_status audit_append(struct db_conn *c, struct audit_chain *ch, acd_time at,
                             const struct audit_entry *a, struct acd_error *e)
{
	char seq[24], ats[24], hash[AUDIT_HASH_HEX];
	snprintf(seq, sizeof seq, "%" PRId64, ch->seq + 1);
	snprintf(ats, sizeof ats, "%" PRId64, (int64_t)at);
	const char *fields[7] = {ats,       a->actor,   a->role,  a->action,
	                         a->object, a->purpose, a->detail};
	audit_entry_hash(seq, fields, ch->hash, hash);
	const char *p[10] = {seq,       ats,        a->actor,  a->role,  a->action,
	                     a->object, a->purpose, a->detail, ch->hash, hash};
	enum acd_status st = db_exec(c,
	                             "INSERT INTO audit_log (seq, at, actor, role, action, object, "
	                             "purpose, detail, prev_hash, hash) VALUES "
	                             "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	                             p, 10, NULL, e);
	if (st != ACD_OK)
		return st;
	ch->seq++;
	memcpy(ch->hash, hash, sizeof ch->hash);
	ch->appended++;
	return ACD_OK;
}

enum acd_status audit_sign_head(struct db_conn *c, struct audit_chain *ch, const struct keys *k,
                                acd_time at, struct acd_error *e)
{
	if (ch->appended == 0)
		return ACD_OK;
	char msg[200], sig[128], seq[24], ats[24];
	int n = audit_head_message(ch->seq, ch->hash, msg, sizeof msg);
	if (!sig_sign_b64((const uint8_t *)msg, (size_t)n, k->audit_sk, sig, sizeof sig))
		return acd_fail(e, ACD_EDB, "audit: could not sign the chain head");
	snprintf(seq, sizeof seq, "%" PRId64, ch->seq);
	snprintf(ats, sizeof ats, "%" PRId64, (int64_t)at);
	const char *p[4] = {seq, ch->hash, sig, ats};
	enum acd_status st =
	        db_exec(c, "INSERT INTO audit_heads (seq, hash, sig, at) VALUES ($1, $2, $3, $4)",
	                p, 4, NULL, e);
	if (st == ACD_OK)
		ch->appended = 0;
	return st;
}

enum acd_status audit_write_head_file(const struct keys *k, const struct audit_chain *ch,
                                      struct acd_error *e)
{
	char path[1200], tmp[1300], msg[200], sig[128], line[400];
	int n = audit_head_message(ch->seq, ch->hash, msg, sizeof msg);
	if (ch->seq == 0 ||
	    !sig_sign_b64((const uint8_t *)msg, (size_t)n, k->audit_sk, sig, sizeof sig))
		return ACD_OK;
	snprintf(path, sizeof path, "%s/audit-head", k->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int len = snprintf(line, sizeof line, "%" PRId64 " %s %s\n", ch->seq, ch->hash, sig);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return acd_fail(e, ACD_EDB, "%s: %s", tmp, strerror(errno));
	bool ok = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0)
		return acd_fail(e, ACD_EDB, "%s: could not write the audit head", path);
	return ACD_OK;
}
