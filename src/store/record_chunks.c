/* record_chunks.c — see record_chunks.h. */
#include "record_chunks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ROUND_FIRST 4    /* chunks a page asks for first; doubled each further round */
#define PAGE_ROUND_MAX   1024 /* … up to this many */
#define PURGE_ROUND      64   /* chunks with an expired record taken a round by the purge */
#define KEYS_A_STATEMENT 256  /* expired records' keys the purge deletes a statement */

/* The line of `docs` starting at *at (its length without the \n in *len); NULL at the end.
 * Moves *at past the line. */
static const char *next_line(const char *docs, size_t *at, size_t *len)
{
	const char *s = docs + *at;
	if (!*s)
		return NULL;
	const char *nl = strchr(s, '\n');
	*len = nl ? (size_t)(nl - s) : strlen(s);
	*at += *len + (nl ? 1 : 0);
	return s;
}

/* Appends to `items` the records of one chunk (first seq `seq`) after `after`, until `want`
 * are in it; *last follows the last one taken. */
static void take_lines(const char *docs, long long seq, long long after, long long want,
                       json_t *items, long long *last)
{
	size_t at = 0, len;
	const char *line;
	for (long long s = seq; (long long)json_array_size(items) < want &&
	                        (line = next_line(docs, &at, &len)) != NULL;
	     s++) {
		if (s <= after)
			continue;
		json_t *rec = json_loadb(line, len, 0, NULL);
		json_array_append_new(items, rec ? rec : json_null());
		*last = s;
	}
}

/* The seq of the chunk that holds record `seq` (or the nearest before it), else `seq`: the
 * page starts there, as that chunk may hold records after the cursor. */
static enum acd_status page_start(struct db_conn *c, const char *approval, long long seq,
                                  long long *start, struct acd_error *e)
{
	char ss[24];
	snprintf(ss, sizeof ss, "%lld", seq);
	const char *p[2] = {approval, ss};
	struct db_rows *r;
	enum acd_status st = db_query(c,
	                              "SELECT MAX(seq) FROM record_chunks WHERE approval = $1 AND "
	                              "seq <= CAST($2 AS BIGINT)",
	                              p, 2, &r, e);
	if (st != ACD_OK)
		return st;
	const char *v = db_rows_count(r) == 1 ? db_rows_get(r, 0, 0) : NULL;
	*start = v ? strtoll(v, NULL, 10) : seq;
	db_rows_free(r);
	return ACD_OK;
}

enum acd_status record_chunks_page(struct db_conn *c, const char *approval, long long after,
                                   long long limit, json_t **items, long long *last,
                                   struct acd_error *e)
{
	*items = json_array();
	*last = after;
	long long from;
	enum acd_status st = page_start(c, approval, after + 1, &from, e);
	/* Rounds of chunks, growing: a small page reads one or two chunks, a large page over
	 * chunks of one record (migrated ones) does not take a query a record. */
	for (long long round = PAGE_ROUND_FIRST;
	     st == ACD_OK && (long long)json_array_size(*items) < limit;
	     round = round < PAGE_ROUND_MAX ? round * 2 : round) {
		char fs[24], rs[24];
		snprintf(fs, sizeof fs, "%lld", from);
		snprintf(rs, sizeof rs, "%lld", round);
		const char *p[3] = {approval, fs, rs};
		struct db_rows *r;
		st = db_query(c,
		              "SELECT seq, docs FROM record_chunks WHERE approval = $1 AND seq >= "
		              "CAST($2 AS BIGINT) ORDER BY seq LIMIT CAST($3 AS BIGINT)",
		              p, 3, &r, e);
		if (st != ACD_OK)
			break;
		int n = db_rows_count(r);
		for (int i = 0; i < n; i++) {
			long long seq = strtoll(db_rows_get(r, i, 0), NULL, 10);
			take_lines(db_rows_get(r, i, 1), seq, after, limit, *items, last);
			from = seq + 1;
		}
		db_rows_free(r);
		if (n < round)
			break;
	}
	if (st != ACD_OK) {
		json_decref(*items);
		*items = NULL;
	}
	return st;
}

/* One record line of a chunk being purged: where it is and what the purge needs of it. */
struct purge_line {
	const char *line;
	size_t len;
	char *id; /* a copy; "" when the line names none */
	acd_time last;
	bool expired;
};

/* Reads the id and last packet of each line of `docs` into `out` (at most `max`); returns
 * how many. A line whose `last` does not read is taken as old as its chunk's least `last`,
 * so it goes with the chunk's oldest records rather than outliving them. */
static size_t read_lines(const char *docs, acd_time last_min, acd_time cutoff,
                         struct purge_line *out, size_t max)
{
	size_t at = 0, len, n = 0;
	const char *line;
	while (n < max && (line = next_line(docs, &at, &len)) != NULL) {
		struct purge_line *pl = &out[n++];
		json_t *v = json_loadb(line, len, 0, NULL);
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *last = json_string_value(json_object_get(v, "last"));
		pl->line = line;
		pl->len = len;
		pl->id = strdup(id ? id : "");
		if (!last || !time_parse(last, &pl->last))
			pl->last = last_min;
		pl->expired = pl->last < cutoff;
		json_decref(v);
	}
	return n;
}

/* The columns a chunk's replacement copies from it. */
struct chunk_row {
	long long seq;
	const char *approval, *sensor, *batch, *label, *stored_at;
	acd_time last_min, last_max;
};

/* Inserts lines [from, to) of a purged chunk as a chunk of their own. */
static enum acd_status insert_run(struct db_conn *c, const struct chunk_row *ch,
                                  const struct purge_line *l, size_t from, size_t to,
                                  struct acd_error *e)
{
	size_t size = 1;
	acd_time lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = from; i < to; i++) {
		size += l[i].len + 1;
		lo = l[i].last < lo ? l[i].last : lo;
		hi = l[i].last > hi ? l[i].last : hi;
	}
	char *docs = malloc(size), *d = docs;
	if (!docs)
		return acd_fail(e, ACD_EDB, "store: out of memory for a chunk");
	for (size_t i = from; i < to; i++) {
		memcpy(d, l[i].line, l[i].len);
		d += l[i].len;
		*d++ = '\n';
	}
	*d = '\0';
	char seq[24], n[24], los[24], his[24];
	snprintf(seq, sizeof seq, "%lld", ch->seq + (long long)from);
	snprintf(n, sizeof n, "%zu", to - from);
	snprintf(los, sizeof los, "%" PRId64, (int64_t)lo);
	snprintf(his, sizeof his, "%" PRId64, (int64_t)hi);
	const char *p[10] = {seq, ch->approval, ch->sensor, ch->batch,     n,
	                     los, his,          ch->label,  ch->stored_at, docs};
	enum acd_status st = db_exec(c,
	                             "INSERT INTO record_chunks (seq, approval, sensor, batch, n, "
	                             "last_min, last_max, label, stored_at, docs) VALUES ($1, $2, "
	                             "$3, $4, $5, $6, $7, $8, $9, $10)",
	                             p, 10, NULL, e);
	free(docs);
	return st;
}

/* Deletes the keys of the expired lines of l[0 .. n), KEYS_A_STATEMENT a statement; counts
 * the lines in *purged. */
static enum acd_status delete_keys(struct db_conn *c, const char *approval,
                                   const struct purge_line *l, size_t n, long *purged,
                                   struct acd_error *e)
{
	const char *p[1 + KEYS_A_STATEMENT] = {approval};
	char sql[sizeof "DELETE FROM record_ids WHERE approval = $1 AND id IN ()" +
	         KEYS_A_STATEMENT * sizeof ", $1234"];
	enum acd_status st = ACD_OK;
	for (size_t i = 0; st == ACD_OK && i < n;) {
		int k = 0;
		size_t len = (size_t)snprintf(
		        sql, sizeof sql, "DELETE FROM record_ids WHERE approval = $1 AND id IN (");
		for (; i < n && k < KEYS_A_STATEMENT; i++)
			if (l[i].expired) {
				p[++k] = l[i].id;
				len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%d",
				                        k > 1 ? ", " : "", k + 1);
			}
		if (k == 0)
			break;
		snprintf(sql + len, sizeof sql - len, ")");
		st = db_exec(c, sql, p, 1 + k, NULL, e);
		*purged += k;
	}
	return st;
}

/* Removes one chunk's expired records: their keys, the chunk, and the kept runs back in. */
static enum acd_status purge_chunk(struct db_conn *c, const struct chunk_row *ch, const char *docs,
                                   acd_time cutoff, long *purged, struct acd_error *e)
{
	size_t max = 1;
	for (const char *p = strchr(docs, '\n'); p; p = strchr(p + 1, '\n'))
		max++;
	struct purge_line *l = calloc(max, sizeof *l);
	if (!l)
		return acd_fail(e, ACD_EDB, "store: out of memory for a chunk");
	size_t n = read_lines(docs, ch->last_min, cutoff, l, max);
	for (size_t i = 0; i < n; i++)
		if (!l[i].id) {
			while (n > 0)
				free(l[--n].id);
			free(l);
			return acd_fail(e, ACD_EDB, "store: out of memory for a chunk");
		}
	char seq[24];
	snprintf(seq, sizeof seq, "%lld", ch->seq);
	const char *ps[1] = {seq};
	enum acd_status st = db_exec(c, "DELETE FROM record_chunks WHERE seq = CAST($1 AS BIGINT)",
	                             ps, 1, NULL, e);
	if (st == ACD_OK)
		st = delete_keys(c, ch->approval, l, n, purged, e);
	for (size_t i = 0; st == ACD_OK && i < n; i++) {
		if (l[i].expired)
			continue;
		size_t end = i + 1;
		while (end < n && !l[end].expired)
			end++;
		st = insert_run(c, ch, l, i, end, e);
		i = end - 1;
	}
	for (size_t i = 0; i < n; i++)
		free(l[i].id);
	free(l);
	return st;
}

enum acd_status record_chunks_purge(struct db_conn *c, acd_time cutoff, long *purged,
                                    struct acd_error *e)
{
	*purged = 0;
	char cs[24], rs[24];
	snprintf(cs, sizeof cs, "%" PRId64, (int64_t)cutoff);
	snprintf(rs, sizeof rs, "%d", PURGE_ROUND);
	const char *p[2] = {cs, rs};
	enum acd_status st = ACD_OK;
	/* Each round deletes or rewrites what it took (a rewritten chunk's last_min is past the
	 * cut-off), so the next round's query sees only chunks not yet done. */
	for (int n = PURGE_ROUND; st == ACD_OK && n == PURGE_ROUND;) {
		struct db_rows *r;
		st = db_query(
		        c,
		        "SELECT seq, approval, sensor, batch, label, stored_at, last_min, "
		        "last_max, docs FROM record_chunks WHERE last_min < CAST($1 AS BIGINT) "
		        "ORDER BY seq LIMIT CAST($2 AS BIGINT)",
		        p, 2, &r, e);
		if (st != ACD_OK)
			break;
		n = db_rows_count(r);
		for (int i = 0; st == ACD_OK && i < n; i++) {
			struct chunk_row ch = {strtoll(db_rows_get(r, i, 0), NULL, 10),
			                       db_rows_get(r, i, 1),
			                       db_rows_get(r, i, 2),
			                       db_rows_get(r, i, 3),
			                       db_rows_get(r, i, 4),
			                       db_rows_get(r, i, 5),
			                       strtoll(db_rows_get(r, i, 6), NULL, 10),
			                       strtoll(db_rows_get(r, i, 7), NULL, 10)};
			st = purge_chunk(c, &ch, db_rows_get(r, i, 8), cutoff, purged, e);
		}
		db_rows_free(r);
	}
	return st;
}
