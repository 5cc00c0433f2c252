/* diet_stats.c — see diet_stats.h. */
#include "diet_stats.h"
#include "measure_outcome.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static const char *const kinds[] = {"foreign-foreign", "foreign-domestic", "agreement", NULL};
static const char *const directions[] = {"domestic-domestic", "foreign-foreign", "foreign-domestic",
                                         "domestic-foreign", NULL};

/* An object with each name in `names` set to 0. */
static json_t *zeros(const char *const *names)
{
	json_t *o = json_object();
	for (int i = 0; names[i]; i++)
		json_object_set_new(o, names[i], json_integer(0));
	return o;
}

static void add(json_t *obj, const char *key, json_int_t n)
{
	json_t *cur = json_object_get(obj, key);
	json_object_set_new(obj, key, json_integer((cur ? json_integer_value(cur) : 0) + n));
}

/* Runs a query over the year's bounds ($1, $2). */
static enum acd_status year_query(struct db_conn *c, const char *sql, const char *const b[2],
                                  struct db_rows **r, struct acd_error *e)
{
	return db_query(c, sql, b, 2, r, e);
}

static enum acd_status count_approvals(struct db_conn *c, const char *const b[2], json_t *out,
                                       struct acd_error *e)
{
	static const char *const counts[] = {"requested", "granted", "rejected", "revoked", NULL};
	for (int i = 0; kinds[i]; i++)
		json_object_set_new(out, kinds[i], zeros(counts));
	struct db_rows *r;
	enum acd_status st = year_query(c,
	                                "SELECT a.kind, v.action, COUNT(*) FROM approval_events v "
	                                "JOIN approvals a ON a.id = "
	                                "v.approval WHERE v.at >= CAST($1 AS BIGINT) AND v.at < "
	                                "CAST($2 AS BIGINT) GROUP BY "
	                                "a.kind, v.action",
	                                b, &r, e);
	if (st != ACD_OK)
		return st;
	for (int i = 0; i < db_rows_count(r); i++) {
		const char *action = db_rows_get(r, i, 1);
		const char *key = strcmp(action, "request") == 0   ? "requested"
		                  : strcmp(action, "approve") == 0 ? "granted"
		                  : strcmp(action, "reject") == 0  ? "rejected"
		                  : strcmp(action, "revoke") == 0  ? "revoked"
		                                                   : NULL;
		json_t *k = json_object_get(out, db_rows_get(r, i, 0));
		if (key && k)
			add(k, key, strtoll(db_rows_get(r, i, 2), NULL, 10));
	}
	db_rows_free(r);
	return ACD_OK;
}

/* Per sector: every sector with 0, then the grouped counts of `sql`. */
static enum acd_status count_by_sector(struct db_conn *c, const char *sql, const char *const b[2],
                                       json_t *out, struct acd_error *e)
{
	struct db_rows *r;
	enum acd_status st = db_query(c, "SELECT id FROM sectors ORDER BY id", NULL, 0, &r, e);
	if (st != ACD_OK)
		return st;
	for (int i = 0; i < db_rows_count(r); i++)
		json_object_set_new(out, db_rows_get(r, i, 0), json_integer(0));
	db_rows_free(r);
	if ((st = year_query(c, sql, b, &r, e)) != ACD_OK)
		return st;
	for (int i = 0; i < db_rows_count(r); i++)
		add(out, db_rows_get(r, i, 0), strtoll(db_rows_get(r, i, 1), NULL, 10));
	db_rows_free(r);
	return ACD_OK;
}

static json_int_t int_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Contract 4 stats lines: the sensor's own lines give packets per direction; per-approval
 * lines give in_scope/selected/discarded, attributed to the approval's kind. */
static enum acd_status count_packets(struct db_conn *c, const char *const b[2], json_t *out,
                                     struct acd_error *e)
{
	json_t *seen = zeros(directions), *in_scope = zeros(kinds), *selected = zeros(kinds),
	       *discarded = zeros(kinds);
	json_object_set_new(out, "seen", seen);
	json_object_set_new(out, "in_scope", in_scope);
	json_object_set_new(out, "selected", selected);
	json_object_set_new(out, "discarded", discarded);
	struct db_rows *r;
	enum acd_status st = year_query(
	        c,
	        "SELECT s.doc, a.kind FROM sensor_stats s LEFT JOIN approvals a ON a.id = "
	        "s.approval "
	        "WHERE s.from_at >= CAST($1 AS BIGINT) AND s.from_at < CAST($2 AS BIGINT)",
	        b, &r, e);
	if (st != ACD_OK)
		return st;
	for (int i = 0; i < db_rows_count(r); i++) {
		json_t *line = json_loads(db_rows_get(r, i, 0), 0, NULL);
		const char *kind = db_rows_get(r, i, 1);
		json_t *pk = json_object_get(line, "packets");
		if (json_is_object(pk)) {
			for (int d = 0; directions[d]; d++)
				add(seen, directions[d], int_member(pk, directions[d]));
		} else if (kind) {
			add(in_scope, kind, int_member(line, "packets_in_scope"));
			add(selected, kind, int_member(line, "packets_selected"));
			add(discarded, kind, int_member(line, "packets_discarded"));
		}
		json_decref(line);
	}
	db_rows_free(r);
	return ACD_OK;
}

/* The first column of the first row as an integer (SUM over nothing is NULL: 0). */
static enum acd_status scalar(struct db_conn *c, const char *sql, const char *const b[2],
                              json_int_t *n, struct acd_error *e)
{
	struct db_rows *r;
	enum acd_status st = year_query(c, sql, b, &r, e);
	if (st != ACD_OK)
		return st;
	const char *v = db_rows_count(r) ? db_rows_get(r, 0, 0) : NULL;
	*n = v ? strtoll(v, NULL, 10) : 0;
	db_rows_free(r);
	return ACD_OK;
}

static enum acd_status count_records(struct db_conn *c, const char *const b[2], json_t *out,
                                     struct acd_error *e)
{
	json_int_t stored = 0, purged = 0;
	enum acd_status st = scalar(c,
	                            "SELECT SUM(records) FROM ingest_batches WHERE received_at >= "
	                            "CAST($1 AS BIGINT) AND received_at < CAST($2 AS BIGINT)",
	                            b, &stored, e);
	if (st == ACD_OK)
		st = scalar(
		        c,
		        "SELECT SUM(records) FROM purges WHERE at >= CAST($1 AS BIGINT) AND at < "
		        "CAST($2 AS BIGINT)",
		        b, &purged, e);
	json_object_set_new(out, "stored", json_integer(stored));
	json_object_set_new(out, "purged", json_integer(purged));
	return st;
}

static enum acd_status count_exports(struct db_conn *c, const char *const b[2], json_t *uses,
                                     json_t *foreign, struct acd_error *e)
{
	static const char *const classes[] = {"cybersecurity", "other-law",
	                                      "criminal-investigation", "other", NULL};
	static const char *const decisions[] = {"granted", "refused", NULL};
	json_t *granted = zeros(classes), *refused = zeros(classes);
	json_object_set_new(uses, "granted", granted);
	json_object_set_new(uses, "refused", refused);
	json_t *z = zeros(decisions);
	json_object_update(foreign, z);
	json_decref(z);
	struct db_rows *r;
	enum acd_status st = year_query(
	        c,
	        "SELECT purpose_class, decision, recipient_kind, COUNT(*) FROM exports WHERE at >= "
	        "CAST($1 AS BIGINT) AND at < CAST($2 AS BIGINT) GROUP BY purpose_class, decision, "
	        "recipient_kind",
	        b, &r, e);
	if (st != ACD_OK)
		return st;
	for (int i = 0; i < db_rows_count(r); i++) {
		bool ok = strcmp(db_rows_get(r, i, 1), "granted") == 0;
		json_int_t n = strtoll(db_rows_get(r, i, 3), NULL, 10);
		add(ok ? granted : refused, db_rows_get(r, i, 0), n);
		if (strcmp(db_rows_get(r, i, 2), "foreign") == 0)
			add(foreign, db_rows_get(r, i, 1), n);
	}
	db_rows_free(r);
	return ACD_OK;
}

/* Measures by outcome (measure_outcome.h): settled in the year, and those filed in it and
 * still open. */
static enum acd_status count_measures(struct db_conn *c, acd_time from, acd_time to, json_t *out,
                                      struct acd_error *e)
{
	struct measure_outcomes m;
	enum acd_status st = measures_by_outcome(c, from, to, NULL, &m, e);
	if (st != ACD_OK)
		return st;
	json_object_set_new(out, "executed", json_integer(m.executed));
	json_object_set_new(out, "rejected", json_integer(m.rejected));
	json_object_set_new(out, "withdrawn", json_integer(m.withdrawn));
	json_object_set_new(out, "closed-without-execution",
	                    json_integer(m.closed_without_execution));
	json_object_set_new(out, "open", json_integer(m.open));
	return ACD_OK;
}

enum acd_status diet_stats(struct db_conn *c, int year, json_t **out, struct acd_error *e)
{
	if (year < 2000 || year > 2999)
		return acd_fail(e, ACD_EINPUT, "year: a fiscal year 2000-2999");
	char fs[40], ts[40], from[24], to[24];
	acd_time f, t;
	snprintf(fs, sizeof fs, "%04d-04-01T00:00:00+09:00", year);
	snprintf(ts, sizeof ts, "%04d-04-01T00:00:00+09:00", year + 1);
	if (!time_parse(fs, &f) || !time_parse(ts, &t))
		return acd_fail(e, ACD_EINPUT, "year: %d", year);
	snprintf(from, sizeof from, "%" PRId64, (int64_t)f);
	snprintf(to, sizeof to, "%" PRId64, (int64_t)t);
	const char *b[2] = {from, to};
	json_t *o = json_pack("{s:i, s:s, s:s}", "fiscal_year", year, "from", fs, "to", ts);
	json_t *ap = json_object(), *rep = json_object(), *no = json_object(), *pk = json_object(),
	       *rec = json_object(), *uses = json_object(), *fp = json_object(),
	       *me = json_object();
	json_object_set_new(o, "approvals", ap);
	json_object_set_new(o, "reports", rep);
	json_object_set_new(o, "notifications", no);
	json_object_set_new(o, "packets", pk);
	json_object_set_new(o, "records", rec);
	json_object_set_new(o, "other_purpose_uses", uses);
	json_object_set_new(o, "foreign_provisions", fp);
	json_object_set_new(o, "measures", me);
	enum acd_status st = db_begin(c, DB_READ, e);
	if (st == ACD_OK)
		st = count_approvals(c, b, ap, e);
	if (st == ACD_OK)
		st = count_by_sector(
		        c,
		        "SELECT sector, COUNT(*) FROM reports WHERE created_at >= CAST($1 "
		        "AS BIGINT) AND created_at < CAST($2 AS BIGINT) GROUP BY sector",
		        b, rep, e);
	if (st == ACD_OK)
		st = count_by_sector(
		        c,
		        "SELECT sector, COUNT(*) FROM notifications WHERE filed_at >= "
		        "CAST($1 AS BIGINT) AND filed_at < CAST($2 AS BIGINT) GROUP BY "
		        "sector",
		        b, no, e);
	if (st == ACD_OK)
		st = count_packets(c, b, pk, e);
	if (st == ACD_OK)
		st = count_records(c, b, rec, e);
	if (st == ACD_OK)
		st = count_exports(c, b, uses, fp, e);
	if (st == ACD_OK)
		st = count_measures(c, f, t, me, e);
	db_rollback(c); /* read only: nothing to keep */
	if (st != ACD_OK) {
		json_decref(o);
		return st;
	}
	*out = o;
	return ACD_OK;
}

/* ---- HTML ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *p = realloc(b->p, cap);
		if (!p)
			abort(); /* out of memory while printing: nothing sensible to return */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* Keys and values come from the store (sector ids, purpose classes): escape them anyway. */
static void put_text(struct buf *b, const char *s)
{
	char one[2] = {0};
	for (; *s; s++) {
		switch (*s) {
		case '<':
			put(b, "&lt;");
			break;
		case '>':
			put(b, "&gt;");
			break;
		case '&':
			put(b, "&amp;");
			break;
		case '"':
			put(b, "&quot;");
			break;
		default:
			one[0] = *s;
			put(b, one);
		}
	}
}

/* An object as a table: scalars in the value column, objects as nested tables. */
static void put_table(struct buf *b, const json_t *o)
{
	const char *key;
	json_t *v;
	put(b, "<table>\n");
	json_object_foreach((json_t *)o, key, v)
	{
		put(b, "<tr><th>");
		put_text(b, key);
		put(b, "</th><td>");
		if (json_is_object(v)) {
			put_table(b, v);
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY);
			put_text(b, s ? s : "");
			free(s);
		}
		put(b, "</td></tr>\n");
	}
	put(b, "</table>\n");
}

char *diet_stats_html(const json_t *stats)
{
	static const char *const sections[][2] = {
	        {"approvals", "承認 Approvals"},
	        {"reports", "報告 Incident reports"},
	        {"notifications", "届出 Notifications"},
	        {"packets", "通信 Packets"},
	        {"records", "選別後通信情報 Selected records"},
	        {"other_purpose_uses", "他目的利用 Other-purpose uses"},
	        {"foreign_provisions", "外国への提供 Foreign provisions"},
	        {"measures", "アクセス・無害化措置 Measures"}};
	struct buf b = {0};
	char title[128];
	snprintf(title, sizeof title,
	         "国会報告 統計 Annual statistics, fiscal year %" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(stats, "fiscal_year")));
	put(&b, "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
	put_text(&b, title);
	put(&b, "</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
	        "th,td{border:1px solid #888;padding:2px 6px;text-align:left;vertical-align:top}"
	        "@media print{section{break-inside:avoid}}</style></head><body>\n<h1>");
	put_text(&b, title);
	put(&b, "</h1>\n<p>");
	put_text(&b, json_string_value(json_object_get(stats, "from")));
	put(&b, " – ");
	put_text(&b, json_string_value(json_object_get(stats, "to")));
	put(&b, "</p>\n");
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		json_t *v = json_object_get(stats, sections[i][0]);
		put(&b, "<section><h2>");
		put_text(&b, sections[i][1]);
		put(&b, "</h2>\n");
		if (json_is_object(v))
			put_table(&b, v);
		put(&b, "</section>\n");
	}
	put(&b, "</body></html>\n");
	return b.p;
}
