/* report_form.c — see report_form.h. */
#include "report_form.h"

#include <stdio.h>
#include <string.h>

#include "timefmt.h"

static const char *const tlps[] = {"red", "amber+strict", "amber", "green", "clear", NULL};
static const char *const urgencies[] = {"alert", "caution", "reference", NULL};
static const char *const event_types[] = {"precursor",      "leak",    "destruction",
                                          "unavailability", "malware", "code-execution",
                                          "intrusion",      "other",   NULL};
static const char *const causes[] = {"suspicious-mail",
                                     "id-spoofing",
                                     "ddos",
                                     "illicit-acquisition",
                                     "insider",
                                     "improper-operation",
                                     "operation-error",
                                     "management-error",
                                     "suspicious-file-run",
                                     "suspicious-site-visit",
                                     "contractor-error",
                                     "equipment-failure",
                                     "vulnerability",
                                     "spillover",
                                     "disaster",
                                     "other",
                                     "unknown",
                                     NULL};
static const char *const system_states[] = {"none", "stopped", "partial", "restored", NULL};
static const char *const press[] = {"done", "planned", "none", NULL};
static const char *const ppc[] = {"done", "checking", "not-needed", NULL};
static const char *const next_steps[] = {"ongoing", "investigating", "studying", "done", NULL};
static const char *const indicator_types[] = {"ipv4",   "ipv6", "cidr",  "domain", "url",
                                              "sha256", "md5",  "email", "cve",    NULL};

enum kind { K_ENUM, K_TEXT, K_TIME, K_BOOL, K_CAUSES, K_IMPACT, K_TIMELINE, K_INDICATORS };

struct field {
	const char *name;
	enum kind kind;
	const char *const *values; /* for K_ENUM */
	bool required_first;
	size_t max; /* for K_TEXT */
};

static const struct field fields[] = {
        {"urgency", K_ENUM, urgencies, true, 0},
        {"tlp", K_ENUM, tlps, true, 0},
        {"sector", K_TEXT, NULL, true, 32},
        {"operator", K_TEXT, NULL, true, 63},
        {"event_type", K_ENUM, event_types, true, 0},
        {"causes", K_CAUSES, causes, false, 0},
        {"discovered_at", K_TIME, NULL, false, 0},
        {"occurred_at", K_TIME, NULL, false, 0},
        {"summary", K_TEXT, NULL, true, 20000},
        {"affected_systems", K_TEXT, NULL, false, 4000},
        {"impact", K_IMPACT, NULL, false, 0},
        {"timeline", K_TIMELINE, NULL, false, 0},
        {"next_steps", K_ENUM, next_steps, false, 0},
        {"lessons", K_TEXT, NULL, false, 20000},
        {"indicators", K_INDICATORS, indicator_types, false, 0},
        {"anonymous", K_BOOL, NULL, false, 0},
};

int tlp_rank(const char *tlp)
{
	for (int i = 0; tlp && tlps[i]; i++)
		if (strcmp(tlp, tlps[i]) == 0)
			return i;
	return -1;
}

static bool one_of(const char *s, const char *const *values)
{
	for (int i = 0; s && values[i]; i++)
		if (strcmp(s, values[i]) == 0)
			return true;
	return false;
}

/* Lists the allowed values into msg. */
static void want_one_of(const char *name, const char *const *values, char *msg, size_t len)
{
	int n = snprintf(msg, len, "%s: one of", name);
	for (int i = 0; values[i] && n > 0 && (size_t)n < len; i++)
		n += snprintf(msg + n, len - (size_t)n, " %s", values[i]);
}

static bool check_impact(json_t *v, const char **field, char *msg, size_t len)
{
	static const struct {
		const char *name;
		const char *const *values;
	} enums[] = {
	        {"system_state", system_states}, {"press_release", press}, {"ppc_report", ppc}};
	const char *key;
	json_t *x;
	json_object_foreach(v, key, x)
	{
		bool known = false;
		for (size_t i = 0; i < 3; i++)
			if (strcmp(key, enums[i].name) == 0) {
				known = true;
				if (!one_of(json_string_value(x), enums[i].values)) {
					*field = enums[i].name;
					want_one_of(key, enums[i].values, msg, len);
					return false;
				}
			}
		if (!strcmp(key, "service_level_deviation") || !strcmp(key, "spread_possible")) {
			known = true;
			if (!json_is_boolean(x)) {
				*field = key;
				snprintf(msg, len, "impact.%s: true or false", key);
				return false;
			}
		}
		if (!strcmp(key, "others_contacted")) {
			known = true;
			if (!json_is_string(x) || json_string_length(x) > 4000) {
				*field = key;
				snprintf(msg, len,
				         "impact.others_contacted: text of at most 4000 bytes");
				return false;
			}
		}
		if (!known) {
			*field = key;
			snprintf(msg, len, "impact.%s: not a field of the form", key);
			return false;
		}
	}
	return true;
}

static bool check_list(const struct field *f, json_t *v, const char **field, char *msg, size_t len)
{
	if (!json_is_array(v) || json_array_size(v) > 1000) {
		snprintf(msg, len, "%s: a list of at most 1000 items", f->name);
		return false;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
	{
		if (f->kind == K_CAUSES && !one_of(json_string_value(x), f->values)) {
			want_one_of("causes[]", f->values, msg, len);
			return false;
		}
		if (f->kind == K_TIMELINE) {
			acd_time t;
			const char *at = json_string_value(json_object_get(x, "at"));
			json_t *text = json_object_get(x, "text");
			if (!json_is_object(x) || json_object_size(x) != 2 || !at ||
			    !time_parse(at, &t) || !json_is_string(text) ||
			    json_string_length(text) > 4000) {
				snprintf(msg, len,
				         "timeline[%zu]: {\"at\": RFC 3339, \"text\": text}", i);
				return false;
			}
		}
		if (f->kind == K_INDICATORS) {
			json_t *value = json_object_get(x, "value");
			if (!json_is_object(x) || json_object_size(x) != 2 ||
			    !one_of(json_string_value(json_object_get(x, "type")), f->values) ||
			    !json_is_string(value) || json_string_length(value) == 0 ||
			    json_string_length(value) > 2048) {
				want_one_of("indicators[].type", f->values, msg, len);
				snprintf(msg + strlen(msg), len - strlen(msg),
				         " (item %zu: {\"type\", \"value\"})", i);
				return false;
			}
		}
	}
	(void)field;
	return true;
}

/* Checks one present field's value. */
static bool check_value(const struct field *f, json_t *v, const char **field, char *msg, size_t len)
{
	acd_time t;
	switch (f->kind) {
	case K_ENUM:
		if (one_of(json_string_value(v), f->values))
			return true;
		want_one_of(f->name, f->values, msg, len);
		return false;
	case K_TEXT:
		if (json_is_string(v) && json_string_length(v) <= f->max)
			return true;
		snprintf(msg, len, "%s: text of at most %zu bytes", f->name, f->max);
		return false;
	case K_TIME:
		if (json_is_string(v) && time_parse(json_string_value(v), &t))
			return true;
		snprintf(msg, len, "%s: an RFC 3339 date-time", f->name);
		return false;
	case K_BOOL:
		if (json_is_boolean(v))
			return true;
		snprintf(msg, len, "%s: true or false", f->name);
		return false;
	case K_IMPACT:
		if (json_is_object(v))
			return check_impact(v, field, msg, len);
		snprintf(msg, len, "impact: an object");
		return false;
	default:
		return check_list(f, v, field, msg, len);
	}
}

bool report_form_check(json_t *body, bool first, const char **field, char *msg, size_t msglen)
{
	const size_t nf = sizeof fields / sizeof fields[0];
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		const struct field *f = NULL;
		for (size_t i = 0; i < nf && !f; i++)
			if (strcmp(fields[i].name, key) == 0)
				f = &fields[i];
		*field = key;
		if (!f) {
			snprintf(msg, msglen, "%s: not a field of the report form", key);
			return false;
		}
		*field = f->name;
		if (!check_value(f, v, field, msg, msglen)) {
			if (f->kind != K_IMPACT)
				*field = f->name;
			return false;
		}
	}
	for (size_t i = 0; first && i < nf; i++)
		if (fields[i].required_first && !json_object_get(body, fields[i].name)) {
			*field = fields[i].name;
			snprintf(msg, msglen, "%s: required in a first report", fields[i].name);
			return false;
		}
	return true;
}
