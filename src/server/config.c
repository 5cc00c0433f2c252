/* config.c — see config.h. */
#include "config.h"

#include <jansson.h>
#include <string.h>

#define HOUR (3600 * ACD_USEC)
#define DAY  (24 * HOUR)

void config_defaults(struct config *c)
{
	c->first_report = 24 * HOUR;
	c->followup = 7 * DAY;
	c->final_report = 30 * DAY;
	time_parse("2027-11-01T00:00:00+09:00", &c->enforced_at);
	c->transition_months = 6;
	/* The Act says "on introduction"; a month of grace until an ordinance fixes a period. */
	c->notification_due = 30 * DAY;
	/* The Act says the commission is notified afterwards without a period; a day until an
	 * ordinance fixes one (docs/decisions/0014-measures-workflow.md). */
	c->commission_notice = 24 * HOUR;
	c->retain_records = 365 * DAY;
	c->retain_stats = 1830 * DAY;
	c->purge_interval = 24 * HOUR;
}

/* Reads a positive number of `unit`s from obj[key] when present. */
static enum acd_status read_span(json_t *obj, const char *key, acd_time unit, acd_time *out,
                                 const char *path, struct acd_error *e)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return ACD_OK;
	if (!json_is_number(v) || json_number_value(v) <= 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s must be a positive number", path, key);
	*out = (acd_time)(json_number_value(v) * (double)unit);
	return ACD_OK;
}

/* Reads obj[key] in `unit`s when present: 0 (off) or at least a second. */
static enum acd_status read_interval(json_t *obj, const char *key, acd_time unit, acd_time *out,
                                     const char *path, struct acd_error *e)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return ACD_OK;
	double n = json_is_number(v) ? json_number_value(v) : -1;
	acd_time span = (acd_time)(n * (double)unit);
	if (n < 0 || (n > 0 && span < ACD_USEC))
		return acd_fail(e, ACD_EINPUT, "%s: %s must be 0 (off) or at least one second",
		                path, key);
	*out = span;
	return ACD_OK;
}

/* Refuses keys the file should not have, so a misspelt deadline is not silently ignored. */
static enum acd_status only_keys(json_t *obj, const char *const *known, const char *where,
                                 const char *path, struct acd_error *e)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool ok = false;
		for (int i = 0; known[i]; i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (!ok)
			return acd_fail(e, ACD_EINPUT, "%s: unknown key %s%s", path, where, key);
	}
	return ACD_OK;
}

enum acd_status config_load(const char *path, struct config *c, struct acd_error *e)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return acd_fail(e, ACD_EINPUT, "%s:%d: %s", path, je.line,
		                root ? "not a JSON object" : je.text);
	}
	static const char *const top[] = {"report_deadlines", "notification_transition", "measures",
	                                  "retention", NULL};
	static const char *const dl[] = {"first_hours", "followup_days", "final_days", NULL};
	static const char *const tr[] = {"enforced_at", "months", "due_days", NULL};
	static const char *const ms[] = {"commission_notice_hours", NULL};
	json_t *mj = json_object_get(root, "measures");
	json_t *d = json_object_get(root, "report_deadlines");
	json_t *t = json_object_get(root, "notification_transition");
	enum acd_status st = only_keys(root, top, "", path, e);
	if (st == ACD_OK && d)
		st = json_is_object(d)
		             ? only_keys(d, dl, "report_deadlines.", path, e)
		             : acd_fail(e, ACD_EINPUT, "%s: report_deadlines: object", path);
	if (st == ACD_OK && d)
		st = read_span(d, "first_hours", HOUR, &c->first_report, path, e);
	if (st == ACD_OK && d)
		st = read_span(d, "followup_days", DAY, &c->followup, path, e);
	if (st == ACD_OK && d)
		st = read_span(d, "final_days", DAY, &c->final_report, path, e);
	if (st == ACD_OK && t)
		st = json_is_object(t)
		             ? only_keys(t, tr, "notification_transition.", path, e)
		             : acd_fail(e, ACD_EINPUT, "%s: notification_transition: object", path);
	if (st == ACD_OK && t)
		st = read_span(t, "due_days", DAY, &c->notification_due, path, e);
	if (st == ACD_OK && t && json_object_get(t, "enforced_at")) {
		const char *s = json_string_value(json_object_get(t, "enforced_at"));
		if (!s || !time_parse(s, &c->enforced_at))
			st = acd_fail(e, ACD_EINPUT, "%s: enforced_at: RFC 3339 time", path);
	}
	if (st == ACD_OK && t && json_object_get(t, "months")) {
		json_t *m = json_object_get(t, "months");
		if (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > 120)
			st = acd_fail(e, ACD_EINPUT, "%s: months: an integer 1-120", path);
		else
			c->transition_months = (int)json_integer_value(m);
	}
	if (st == ACD_OK && mj)
		st = json_is_object(mj) ? only_keys(mj, ms, "measures.", path, e)
		                        : acd_fail(e, ACD_EINPUT, "%s: measures: object", path);
	if (st == ACD_OK && mj)
		st = read_span(mj, "commission_notice_hours", HOUR, &c->commission_notice, path, e);
	json_t *rt = json_object_get(root, "retention");
	static const char *const rk[] = {"records_days", "stats_days", "purge_interval_hours",
	                                 NULL};
	if (st == ACD_OK && rt)
		st = json_is_object(rt) ? only_keys(rt, rk, "retention.", path, e)
		                        : acd_fail(e, ACD_EINPUT, "%s: retention: object", path);
	if (st == ACD_OK && rt)
		st = read_span(rt, "records_days", DAY, &c->retain_records, path, e);
	if (st == ACD_OK && rt)
		st = read_span(rt, "stats_days", DAY, &c->retain_stats, path, e);
	if (st == ACD_OK && rt)
		st = read_interval(rt, "purge_interval_hours", HOUR, &c->purge_interval, path, e);
	json_decref(root);
	return st;
}
