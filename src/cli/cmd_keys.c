/*
 * cmd_keys.c — `acd keys rotate commission|office`: a new signing key for approvals, with every
 * document the old key signed (approvals and their revocations) re-signed by the new one in
 * one transaction, so sensors given the new public key accept exactly what they accepted
 * before. The order makes a crash safe to repeat: the new key is written beside the old one
 * first (NAME.key.new), the store is re-signed and committed, and only then do the files
 * change places (the old key kept as NAME.key.retired-TIME). acdd loads keys at start, so it
 * is restarted afterwards; sensors get the new public key from /api/v1/keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "keys.h"
#include "txn.h"

struct rotation {
	const char *signer;           /* "commission" or "office" */
	uint8_t sk[KEY_SECRET_BYTES]; /* the new key */
	long resigned;
};

/* Signs text with the new key into sig; false when it cannot. */
static bool sign(const struct rotation *r, const char *text, char sig[128])
{
	return text && sig_sign_b64((const uint8_t *)text, strlen(text), r->sk, sig, 128);
}

static enum acd_status resign_all(struct txn *t, void *arg, struct acd_error *e)
{
	struct rotation *r = arg;
	const char *p[1] = {r->signer};
	struct db_rows *rows;
	enum acd_status st =
	        db_query(t->c,
	                 "SELECT id, document, revocation FROM approvals WHERE signer = "
	                 "$1 AND document IS NOT NULL ORDER BY id",
	                 p, 1, &rows, e);
	if (st != ACD_OK)
		return st;
	for (int i = 0; st == ACD_OK && i < db_rows_count(rows); i++) {
		char sig[128], rsig[128];
		const char *rev = db_rows_get(rows, i, 2);
		if (!sign(r, db_rows_get(rows, i, 1), sig) || (rev && !sign(r, rev, rsig))) {
			st = acd_fail(e, ACD_EDB, "could not sign %s", db_rows_get(rows, i, 0));
			break;
		}
		const char *u[3] = {db_rows_get(rows, i, 0), sig, rev ? rsig : NULL};
		st = db_exec(t->c,
		             "UPDATE approvals SET sig = $2, revocation_sig = COALESCE($3, "
		             "revocation_sig) WHERE id = $1",
		             u, 3, NULL, e);
		r->resigned++;
	}
	db_rows_free(rows);
	if (st != ACD_OK)
		return st;
	char detail[96];
	snprintf(detail, sizeof detail, "{\"resigned\":%ld}", r->resigned);
	struct audit_entry a = {"cli", "admin", "keys.rotate", r->signer, NULL, detail};
	return txn_audit(t, &a, e);
}

/* Moves `from` to `to`, failing loudly: a half-moved key pair must be noticed. */
static bool move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return true;
	fprintf(stderr, "acd: keys rotate: rename %s -> %s: %s\n", from, to, strerror(errno));
	return false;
}

/* Puts the new key pair in place and keeps the old one as NAME.key.retired-TIME. */
static bool swap_files(const char *dir, const char *name)
{
	char cur[1200], curpub[1200], nw[1200], nwpub[1200], old[1300], oldpub[1300];
	long long now = (long long)(time_now() / ACD_USEC);
	snprintf(cur, sizeof cur, "%s/%s.key", dir, name);
	snprintf(curpub, sizeof curpub, "%s.pub", cur);
	snprintf(nw, sizeof nw, "%s/%s.key.new", dir, name);
	snprintf(nwpub, sizeof nwpub, "%s.pub", nw);
	snprintf(old, sizeof old, "%s.retired-%lld", cur, now);
	snprintf(oldpub, sizeof oldpub, "%s.retired-%lld.pub", cur, now);
	return move(cur, old) && move(curpub, oldpub) && move(nw, cur) && move(nwpub, curpub);
}

int cmd_keys_rotate(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "commission") && strcmp(argv[1], "office"))) {
		fprintf(stderr, "usage: acd keys rotate commission|office\n");
		return 2;
	}
	struct rotation r = {.signer = argv[1]};
	struct db *db;
	struct keys k;
	if (!open_store("keys rotate", false, &db, &k))
		return 2;
	char nw[1200], dir[sizeof k.dir];
	struct acd_error e = {0};
	snprintf(dir, sizeof dir, "%s", k.dir);
	snprintf(nw, sizeof nw, "%s/%s.key.new", dir, r.signer);
	enum acd_status st = access(nw, F_OK) == 0
	                             ? acd_fail(&e, ACD_EINPUT,
	                                        "%s exists: an earlier rotation did not finish; "
	                                        "compare its public key with /api/v1/keys and "
	                                        "move it into place or remove it",
	                                        nw)
	                             : key_generate(nw, &e);
	if (st == ACD_OK)
		st = key_read_secret(nw, r.sk, &e);
	if (st == ACD_OK)
		st = txn_run(db, &k, resign_all, &r, &e);
	db_close(db);
	keys_wipe(&k);
	sodium_memzero(r.sk, sizeof r.sk);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: keys rotate: %s\n", e.msg);
		return st == ACD_EDB ? 5 : 2;
	}
	if (!swap_files(dir, r.signer))
		return 5;
	uint8_t pk[KEY_PUBLIC_BYTES];
	char pub[1300], b64[64] = "";
	snprintf(pub, sizeof pub, "%s/%s.key.pub", dir, r.signer);
	if (key_read_public(pub, pk, &e) == ACD_OK)
		b64_encode(pk, sizeof pk, b64, sizeof b64);
	return cli_print_json(json_pack("{s:s, s:s, s:i, s:s}", "key", r.signer, "public_key", b64,
	                                "resigned", (int)r.resigned, "next",
	                                "restart acdd; give sensors the new public key"));
}
