/*
 * audit_verify.c — walks the audit chain and its signed heads and names the first entry that
 * does not hold (see audit.h for what each check catches).
 */
#include "audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 2000

struct head {
	int64_t seq;
	char hash[AUDIT_HASH_HEX];
};

/* Marks the verdict broken at `seq` (the first call wins: it names the first bad entry). */
static void broken(struct audit_verdict *v, int64_t seq, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void broken(struct audit_verdict *v, int64_t seq, const char *fmt, ...)
{
	if (!v->intact)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
	v->intact = false;
	v->first_bad = seq;
}

/* Loads every signed head, checking each signature; heads come back in seq order. */
static enum acd_status load_heads(struct db_conn *c, const uint8_t pk[KEY_PUBLIC_BYTES],
                                  struct head **out, size_t *count, struct audit_verdict *v,
                                  struct acd_error *e)
{
	struct db_rows *r;
	enum acd_status st =
	        db_query(c, "SELECT seq, hash, sig FROM audit_heads ORDER BY seq", NULL, 0, &r, e);
	if (st != ACD_OK)
		return st;
	int n = db_rows_count(r);
	struct head *h = calloc((size_t)n + 1, sizeof *h);
	if (!h) {
		db_rows_free(r);
		return acd_fail(e, ACD_EDB, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		char msg[200];
		h[i].seq = strtoll(db_rows_get(r, i, 0), NULL, 10);
		snprintf(h[i].hash, sizeof h[i].hash, "%s", db_rows_get(r, i, 1));
		const char *sig = db_rows_get(r, i, 2);
		int len = audit_head_message(h[i].seq, h[i].hash, msg, sizeof msg);
		if (!sig ||
		    !sig_verify_b64((const uint8_t *)msg, (size_t)len, sig, strlen(sig), pk))
			broken(v, h[i].seq,
			       "entry %" PRId64
			       ": its signed head has a bad signature (forged head)",
			       h[i].seq);
	}
	db_rows_free(r);
	*out = h;
	*count = (size_t)n;
	v->heads = n;
	return ACD_OK;
}

/* Checks one page of entries against the running tail (seq, hash) and the heads. */
static void check_entry(struct db_rows *r, int i, int64_t *seq, char *prev,
                        const struct head *heads, size_t nheads, size_t *hi,
                        struct audit_verdict *v)
{
	const char *seqs = db_rows_get(r, i, 0);
	int64_t s = strtoll(seqs, NULL, 10);
	const char *fields[7];
	for (int f = 0; f < 7; f++)
		fields[f] = db_rows_get(r, i, 1 + f);
	const char *link = db_rows_get(r, i, 8), *hash = db_rows_get(r, i, 9);
	char want[AUDIT_HASH_HEX];
	if (s != *seq + 1)
		broken(v, *seq + 1,
		       s > *seq + 1 ? "entry %" PRId64
		                      ": missing (deleted): the log jumps to %" PRId64
		                    : "entry %" PRId64 ": out of order (inserted): found %" PRId64,
		       *seq + 1, s);
	if (!link || strcmp(link, prev) != 0)
		broken(v, *seq ? *seq : s,
		       "entry %" PRId64 ": entry %" PRId64
		       " does not link to it (edited and rehashed, or inserted)",
		       *seq ? *seq : s, s);
	audit_entry_hash(seqs, fields, link ? link : "", want);
	if (!hash || strcmp(hash, want) != 0)
		broken(v, s, "entry %" PRId64 ": its contents do not match its hash (edited)", s);
	while (*hi < nheads && heads[*hi].seq < s)
		(*hi)++;
	if (*hi < nheads && heads[*hi].seq == s && (!hash || strcmp(heads[*hi].hash, hash) != 0))
		broken(v, s,
		       "entry %" PRId64
		       ": differs from the head signed at that point (chain recomputed)",
		       s);
	*seq = s;
	snprintf(prev, AUDIT_HASH_HEX, "%s", hash ? hash : "");
}

/* Compares the chain's end with the head file kept outside the database. */
static void check_head_file(const char *path, int64_t last, const char *last_hash,
                            const struct head *heads, size_t nheads,
                            const uint8_t pk[KEY_PUBLIC_BYTES], struct audit_verdict *v)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return;
	int64_t seq = 0;
	char hash[AUDIT_HASH_HEX] = "", sig[128] = "", msg[200];
	int got = fscanf(f, "%" SCNd64 " %64s %127s", &seq, hash, sig);
	fclose(f);
	int len = audit_head_message(seq, hash, msg, sizeof msg);
	if (got != 3 || !sig_verify_b64((const uint8_t *)msg, (size_t)len, sig, strlen(sig), pk)) {
		broken(v, 0, "%s: the head file is malformed or its signature is bad", path);
		return;
	}
	if (seq > last) {
		broken(v, last + 1,
		       "entry %" PRId64 ": missing: the log ends at %" PRId64
		       " but the head file outside the database says %" PRId64 " (truncated tail)",
		       last + 1, last, seq);
		return;
	}
	for (size_t i = 0; i < nheads; i++)
		if (heads[i].seq == seq && strcmp(heads[i].hash, hash) != 0)
			broken(v, seq, "entry %" PRId64 ": differs from the head file", seq);
	if (seq == last && strcmp(hash, last_hash) != 0)
		broken(v, seq, "entry %" PRId64 ": differs from the head file", seq);
}

enum acd_status audit_verify(struct db_conn *c, const uint8_t pk[KEY_PUBLIC_BYTES],
                             const char *head_file, struct audit_verdict *v, struct acd_error *e)
{
	memset(v, 0, sizeof *v);
	v->intact = true;
	struct head *heads = NULL;
	size_t nheads = 0, hi = 0;
	enum acd_status st = load_heads(c, pk, &heads, &nheads, v, e);
	if (st != ACD_OK)
		return st;
	int64_t seq = 0;
	char prev[AUDIT_HASH_HEX];
	memcpy(prev, audit_genesis, sizeof prev);
	for (;;) {
		char after[24], lim[16];
		snprintf(after, sizeof after, "%" PRId64, seq);
		snprintf(lim, sizeof lim, "%d", PAGE);
		const char *p[2] = {after, lim};
		struct db_rows *r;
		st = db_query(c,
		              "SELECT seq, at, actor, role, action, object, purpose, detail, "
		              "prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
		              p, 2, &r, e);
		if (st != ACD_OK)
			break;
		int n = db_rows_count(r);
		for (int i = 0; i < n; i++)
			check_entry(r, i, &seq, prev, heads, nheads, &hi, v);
		v->entries += n;
		db_rows_free(r);
		if (n < PAGE)
			break;
	}
	if (st == ACD_OK) {
		if (nheads > 0 && heads[nheads - 1].seq > seq)
			broken(v, seq + 1,
			       "entry %" PRId64 ": missing: a head was signed at %" PRId64
			       " but the log ends at %" PRId64 " (truncated tail)",
			       seq + 1, heads[nheads - 1].seq, seq);
		else if (seq > 0 && (nheads == 0 || heads[nheads - 1].seq < seq))
			broken(v, nheads ? heads[nheads - 1].seq + 1 : 1,
			       "entry %" PRId64
			       ": not covered by any signed head (appended without "
			       "the audit key)",
			       nheads ? heads[nheads - 1].seq + 1 : 1);
		check_head_file(head_file, seq, prev, heads, nheads, pk, v);
	}
	free(heads);
	return st;
}
