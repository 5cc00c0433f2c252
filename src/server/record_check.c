/* record_check.c — see record_check.h. */
#include "record_check.h"

#include <stdio.h>
#include <string.h>

static bool type_ok(json_t *v, enum record_key_type t)
{
	switch (t) {
	case RT_STR:
		return json_is_string(v);
	case RT_INT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case RT_STR_NULL:
		return json_is_string(v) || json_is_null(v);
	case RT_INT_NULL:
		return (json_is_integer(v) && json_integer_value(v) >= 0) || json_is_null(v);
	default:
		return json_is_array(v);
	}
}

bool record_well_formed(json_t *rec, char *why, size_t len)
{
	if (!json_is_object(rec)) {
		snprintf(why, len, "not a JSON object");
		return false;
	}
	for (size_t i = 0; i < RECORD_KEYS; i++)
		if (!type_ok(json_object_get(rec, record_key_specs[i].name),
		             record_key_specs[i].type)) {
			snprintf(why, len, "%s: missing or of the wrong type",
			         record_key_specs[i].name);
			return false;
		}
	if (json_object_size(rec) != RECORD_KEYS) {
		snprintf(why, len, "keys beyond Contract 4's");
		return false;
	}
	if (strcmp(json_string_value(json_object_get(rec, "type")), "flow") != 0) {
		snprintf(why, len, "type: not \"flow\"");
		return false;
	}
	return true;
}

static const struct selector *find_selector(const struct approval *a, const char *id)
{
	for (size_t i = 0; i < a->n_selectors; i++)
		if (strcmp(a->selectors[i].id, id) == 0)
			return &a->selectors[i];
	return NULL;
}

/* An ip selector selects a foreign-foreign record by either end, any other kind's by the
 * foreign end only (Contract 2). */
static bool ip_selected(const struct approval *a, const struct selector *s,
                        const struct ip_addr *src, const struct ip_addr *dst, bool src_domestic)
{
	if (a->kind == KIND_FOREIGN_FOREIGN)
		return ip_net_contains(&s->net, src) || ip_net_contains(&s->net, dst);
	return ip_net_contains(&s->net, src_domestic ? dst : src);
}

/* True when the name n (nl bytes; NULL when the record has none) is the domain or under
 * it, compared in lower case and without a trailing dot. */
static bool name_matches(const char *n, size_t nl, const char *domain)
{
	char lower[DOMAIN_MAX];
	if (!n || nl >= sizeof lower)
		return false;
	for (size_t k = 0; k <= nl; k++)
		lower[k] = (char)(n[k] >= 'A' && n[k] <= 'Z' ? n[k] + 32 : n[k]);
	if (nl > 0 && lower[nl - 1] == '.')
		lower[nl - 1] = '\0';
	return domain_matches(lower, domain);
}

/* How one form of a record (a jansson tree, or a line record_line_parse read) answers a
 * domain selector and a content selector; selector_holds does the rest for both. */
struct record_form {
	bool (*names_match)(const void *rec, const char *domain);
	bool (*signature_listed)(const void *rec, const struct selector *s);
};

/* The i-th selector the record names, `id`: one of the approval's, and matching the record
 * (ip: by the kind's rule; domain: a name the record carries; content: the record lists its
 * signature). */
static bool selector_holds(const struct approval *a, const char *id, size_t i,
                           const struct ip_addr *src, const struct ip_addr *dst, bool src_domestic,
                           const void *rec, const struct record_form *form, char *why, size_t len)
{
	const struct selector *s = find_selector(a, id ? id : "");
	if (!s) {
		snprintf(why, len, "selectors[%zu]: not a selector of %s", i, a->id);
		return false;
	}
	bool match = s->type == SEL_IP       ? ip_selected(a, s, src, dst, src_domestic)
	             : s->type == SEL_DOMAIN ? form->names_match(rec, s->domain)
	                                     : form->signature_listed(rec, s);
	if (!match)
		snprintf(why, len, "selectors[%zu]: %s does not match this record", i, s->id);
	return match;
}

static bool json_names_match(const void *rec, const char *domain)
{
	static const char *const keys[] = {"dns_qname", "tls_sni", "http_host"};
	for (int i = 0; i < 3; i++) {
		const char *n = json_string_value(json_object_get(rec, keys[i]));
		if (name_matches(n, n ? strlen(n) : 0, domain))
			return true;
	}
	return false;
}

static bool json_signature_listed(const void *rec, const struct selector *s)
{
	size_t i;
	json_t *sig;
	json_array_foreach(json_object_get(rec, "signatures"), i, sig)
	{
		const char *id = json_string_value(json_object_get(sig, "id"));
		if (id && strcmp(id, s->id) == 0)
			return true;
	}
	return false;
}

static const struct record_form json_form = {json_names_match, json_signature_listed};

/* The direction the addresses give, and whether the kind allows it. */
static bool direction_fits(const char *claimed, const struct approval *a,
                           const struct prefix_table *pt, const struct ip_addr *src,
                           const struct ip_addr *dst, char *why, size_t len)
{
	bool sdom = prefix_table_is_domestic(pt, src), ddom = prefix_table_is_domestic(pt, dst);
	const char *actual = sdom ? (ddom ? "domestic-domestic" : "domestic-foreign")
	                          : (ddom ? "foreign-domestic" : "foreign-foreign");
	if (strcmp(claimed, actual) != 0) {
		snprintf(why, len, "direction: the addresses make it %s, not %s", actual, claimed);
		return false;
	}
	bool ok = false;
	if (a->kind == KIND_FOREIGN_FOREIGN)
		ok = !sdom && !ddom;
	else if (a->kind == KIND_FOREIGN_DOMESTIC)
		ok = sdom != ddom;
	else
		for (size_t i = 0; i < a->n_party_prefixes && !sdom; i++)
			ok = ok || ip_net_contains(&a->party_prefixes[i], dst);
	if (!ok)
		snprintf(why, len, "direction: %s traffic lies outside a %s approval", actual,
		         approval_kind_name(a->kind));
	return ok;
}

bool record_within(json_t *rec, const struct approval *a, acd_time revoked_at,
                   const struct prefix_table *pt, char *why, size_t len)
{
	struct ip_addr src, dst;
	acd_time first, last;
	if (!ipaddr_parse(json_string_value(json_object_get(rec, "src")), &src) ||
	    !ipaddr_parse(json_string_value(json_object_get(rec, "dst")), &dst)) {
		snprintf(why, len, "src/dst: not IP addresses");
		return false;
	}
	if (!time_parse(json_string_value(json_object_get(rec, "first")), &first) ||
	    !time_parse(json_string_value(json_object_get(rec, "last")), &last) || last < first) {
		snprintf(why, len, "first/last: not RFC 3339 times in order");
		return false;
	}
	if (first < a->valid_from || last > a->valid_until) {
		snprintf(why, len, "first/last: outside the approval's validity");
		return false;
	}
	if (last >= revoked_at) {
		snprintf(why, len, "last: after the approval was revoked");
		return false;
	}
	if (!direction_fits(json_string_value(json_object_get(rec, "direction")), a, pt, &src, &dst,
	                    why, len))
		return false;
	/* The foreign end: what an ip selector may match under foreign-domestic and agreement. */
	bool src_domestic = prefix_table_is_domestic(pt, &src);
	json_t *sels = json_object_get(rec, "selectors");
	if (json_array_size(sels) == 0) {
		snprintf(why, len, "selectors: a selected record names the selectors that matched");
		return false;
	}
	size_t i;
	json_t *sid;
	json_array_foreach(sels, i, sid)
	{
		if (!selector_holds(a, json_string_value(sid), i, &src, &dst, src_domestic, rec,
		                    &json_form, why, len))
			return false;
	}
	return true;
}

/* ---- the same checks on a line record_line_parse read (what ingest uses) ---- */

static bool line_type_ok(const struct record_value *v, enum record_key_type t)
{
	bool nonneg_int = v->kind == RJ_INT && v->num >= 0;
	switch (t) {
	case RT_STR:
		return v->kind == RJ_STRING;
	case RT_INT:
		return nonneg_int;
	case RT_STR_NULL:
		return v->kind == RJ_STRING || v->kind == RJ_NULL;
	case RT_INT_NULL:
		return nonneg_int || v->kind == RJ_NULL;
	default:
		return v->kind == RJ_ARRAY;
	}
}

bool record_line_well_formed(const struct record_line *l, char *why, size_t len)
{
	for (size_t i = 0; i < RECORD_KEYS; i++)
		if (!line_type_ok(&l->v[i], record_key_specs[i].type)) {
			snprintf(why, len, "%s: missing or of the wrong type",
			         record_key_specs[i].name);
			return false;
		}
	if (l->n_keys != RECORD_KEYS) {
		snprintf(why, len, "keys beyond Contract 4's");
		return false;
	}
	if (strcmp(l->v[RK_TYPE].str, "flow") != 0) {
		snprintf(why, len, "type: not \"flow\"");
		return false;
	}
	return true;
}

static bool line_names_match(const void *rec, const char *domain)
{
	static const enum record_key keys[] = {RK_DNS_QNAME, RK_TLS_SNI, RK_HTTP_HOST};
	const struct record_line *l = rec;
	for (int i = 0; i < 3; i++) {
		const char *n = record_line_str(l, keys[i]);
		if (name_matches(n, n ? l->v[keys[i]].len : 0, domain))
			return true;
	}
	return false;
}

static bool line_signature_listed(const void *rec, const struct selector *s)
{
	const struct record_line *l = rec;
	for (size_t i = 0; i < l->n_signatures; i++)
		if (l->signature_ids[i] && strcmp(l->signature_ids[i], s->id) == 0)
			return true;
	return false;
}

static const struct record_form line_form = {line_names_match, line_signature_listed};

bool record_line_within(const struct record_line *l, const struct approval *a, acd_time revoked_at,
                        const struct prefix_table *pt, char *why, size_t len)
{
	struct ip_addr src, dst;
	acd_time first, last;
	if (!ipaddr_parse(l->v[RK_SRC].str, &src) || !ipaddr_parse(l->v[RK_DST].str, &dst)) {
		snprintf(why, len, "src/dst: not IP addresses");
		return false;
	}
	if (!time_parse(l->v[RK_FIRST].str, &first) || !time_parse(l->v[RK_LAST].str, &last) ||
	    last < first) {
		snprintf(why, len, "first/last: not RFC 3339 times in order");
		return false;
	}
	if (first < a->valid_from || last > a->valid_until) {
		snprintf(why, len, "first/last: outside the approval's validity");
		return false;
	}
	if (last >= revoked_at) {
		snprintf(why, len, "last: after the approval was revoked");
		return false;
	}
	if (!direction_fits(l->v[RK_DIRECTION].str, a, pt, &src, &dst, why, len))
		return false;
	bool src_domestic = prefix_table_is_domestic(pt, &src);
	if (l->n_selectors == 0) {
		snprintf(why, len, "selectors: a selected record names the selectors that matched");
		return false;
	}
	for (size_t i = 0; i < l->n_selectors; i++)
		if (!selector_holds(a, l->selectors[i], i, &src, &dst, src_domestic, l, &line_form,
		                    why, len))
			return false;
	return true;
}
