/* approval.c — see approval.h. Document parsing with jansson, then signature and rules. */
#include "approval.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPROVAL_FILE_MAX (1u << 20)
#define SIG_FILE_MAX      4096

static const char *const kind_names[] = {"foreign-foreign", "foreign-domestic", "agreement"};

const char *approval_kind_name(enum approval_kind k)
{
	return kind_names[k];
}

bool approval_kind_parse(const char *s, enum approval_kind *out)
{
	for (int k = 0; k < 3; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum approval_kind)k;
			return true;
		}
	return false;
}

bool ip_net_parse(const char *s, struct ip_net *out)
{
	char buf[80];
	if (strlen(s) >= sizeof buf)
		return false;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!ipaddr_parse(buf, &out->addr))
		return false;
	unsigned max = out->addr.family == 4 ? 32 : 128;
	out->bits = max;
	if (slash) {
		const char *p = slash + 1;
		unsigned v = 0;
		if (!*p || strlen(p) > 3)
			return false;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return false;
			v = v * 10 + (unsigned)(*p - '0');
		}
		if (v > max)
			return false;
		out->bits = v;
	}
	/* Host bits beyond the prefix would make the selector mean something else than written. */
	for (unsigned i = out->bits; i < max; i++)
		if (out->addr.b[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool ip_net_contains(const struct ip_net *n, const struct ip_addr *a)
{
	return ipaddr_prefix_eq(&n->addr, a, n->bits);
}

bool domain_matches(const char *name, const char *domain)
{
	size_t ln = strlen(name), ld = strlen(domain);
	if (ln < ld || strcmp(name + ln - ld, domain) != 0)
		return false;
	return ln == ld || name[ln - ld - 1] == '.';
}

/* Lower-cases and checks a domain selector: letters, digits, '-', '_', non-empty labels. */
static bool normalise_domain(const char *in, char *out, size_t outlen)
{
	size_t n = strlen(in);
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= outlen || n > 253)
		return false;
	char prev = '.';
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)in[i]);
		if (!(isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'))
			return false;
		if (c == '.' && (prev == '.' || i == n - 1))
			return false;
		out[i] = prev = c;
	}
	out[n] = '\0';
	return true;
}

static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > max)
		return false;
	size_t bin = 0;
	if (sodium_hex2bin(out, max, s, n, NULL, &bin, NULL) != 0)
		return false;
	*len = bin;
	return bin == n / 2;
}

static enum acd_status bad(struct acd_error *e, const char *field, const char *what)
{
	return acd_fail(e, ACD_EINPUT, "approval: field '%s': %s", field, what);
}

/* Copies a required string member into buf; ACD_EINPUT when missing, not a string or long. */
static enum acd_status get_str(json_t *obj, const char *key, char *buf, size_t len,
                               struct acd_error *e)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return bad(e, key, "missing or not a string");
	if (json_string_length(v) == 0 || json_string_length(v) >= len)
		return bad(e, key, "empty or too long");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(e, key, "contains a NUL character");
	strcpy(buf, json_string_value(v));
	return ACD_OK;
}

static enum acd_status get_time(json_t *obj, const char *key, acd_time *out, struct acd_error *e)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || !time_parse(json_string_value(v), out))
		return bad(e, key, "missing or not an RFC 3339 date-time");
	return ACD_OK;
}

static enum acd_status parse_selector(json_t *js, struct selector *s, struct acd_error *e)
{
	/* Room for the longest content selector (two hex digits a byte) and more, so that a
	 * content one byte too long gets the content error rather than "too long". */
	char type[16], value[4 * SELECTOR_CONTENT_MAX];
	if (!json_is_object(js))
		return bad(e, "selectors", "an entry is not an object");
	enum acd_status st;
	if ((st = get_str(js, "id", s->id, sizeof s->id, e)) ||
	    (st = get_str(js, "type", type, sizeof type, e)) ||
	    (st = get_str(js, "value", value, sizeof value, e)))
		return st;
	json_t *label = json_object_get(js, "label");
	if (label && !json_is_null(label) &&
	    (st = get_str(js, "label", s->label, sizeof s->label, e)))
		return st;
	if (strcmp(type, "ip") == 0) {
		s->type = SEL_IP;
		if (!ip_net_parse(value, &s->net))
			return bad(e, "selectors.value", "not an IP address or CIDR");
	} else if (strcmp(type, "domain") == 0) {
		s->type = SEL_DOMAIN;
		if (!normalise_domain(value, s->domain, sizeof s->domain))
			return bad(e, "selectors.value", "not a domain name");
	} else if (strcmp(type, "content") == 0) {
		s->type = SEL_CONTENT;
		if (!parse_hex(value, s->content, sizeof s->content, &s->content_len))
			return bad(e, "selectors.value", "not hex bytes (1 to 256 bytes)");
	} else {
		return bad(e, "selectors.type", "not one of ip, domain, content");
	}
	return ACD_OK;
}

static enum acd_status parse_selectors(json_t *root, struct approval *a, struct acd_error *e)
{
	json_t *arr = json_object_get(root, "selectors");
	if (!json_is_array(arr))
		return bad(e, "selectors", "missing or not an array");
	a->n_selectors = json_array_size(arr);
	a->selectors = calloc(a->n_selectors ? a->n_selectors : 1, sizeof *a->selectors);
	if (!a->selectors)
		return bad(e, "selectors", "out of memory");
	for (size_t i = 0; i < a->n_selectors; i++) {
		enum acd_status st = parse_selector(json_array_get(arr, i), &a->selectors[i], e);
		if (st)
			return st;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->selectors[j].id, a->selectors[i].id) == 0)
				return bad(e, "selectors.id", "duplicate selector id");
	}
	return ACD_OK;
}

static enum acd_status parse_party(json_t *root, struct approval *a, struct acd_error *e)
{
	json_t *p = json_object_get(root, "agreement_party");
	if (!p || json_is_null(p))
		return ACD_OK;
	if (!json_is_object(p))
		return bad(e, "agreement_party", "not an object");
	enum acd_status st = get_str(p, "operator", a->party_operator, sizeof a->party_operator, e);
	if (st)
		return st;
	json_t *arr = json_object_get(p, "prefixes");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return bad(e, "agreement_party.prefixes", "missing or empty");
	a->n_party_prefixes = json_array_size(arr);
	a->party_prefixes = calloc(a->n_party_prefixes, sizeof *a->party_prefixes);
	if (!a->party_prefixes)
		return bad(e, "agreement_party.prefixes", "out of memory");
	for (size_t i = 0; i < a->n_party_prefixes; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_string(v) ||
		    !ip_net_parse(json_string_value(v), &a->party_prefixes[i]))
			return bad(e, "agreement_party.prefixes", "not a CIDR");
	}
	return ACD_OK;
}

enum acd_status approval_parse(const uint8_t *json, size_t len, struct approval *out,
                               struct acd_error *e)
{
	memset(out, 0, sizeof *out);
	json_error_t jerr;
	json_t *root = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return acd_fail(e, ACD_EINPUT, "approval: not valid JSON at line %d column %d: %s",
		                jerr.line, jerr.column, jerr.text);
	char kind[32];
	enum acd_status st = ACD_OK;
	if (!json_is_object(root))
		st = bad(e, "(document)", "not a JSON object");
	if (!st)
		st = get_str(root, "id", out->id, sizeof out->id, e);
	if (!st)
		st = get_str(root, "kind", kind, sizeof kind, e);
	if (!st && !approval_kind_parse(kind, &out->kind))
		st = bad(e, "kind", "not one of foreign-foreign, foreign-domestic, agreement");
	if (!st)
		st = get_str(root, "facility", out->facility, sizeof out->facility, e);
	if (!st)
		st = get_time(root, "valid_from", &out->valid_from, e);
	if (!st)
		st = get_time(root, "valid_until", &out->valid_until, e);
	if (!st && out->valid_until < out->valid_from)
		st = bad(e, "valid_until", "before valid_from");
	if (!st)
		st = parse_selectors(root, out, e);
	if (!st)
		st = parse_party(root, out, e);
	json_decref(root);
	crypto_generichash(out->digest, sizeof out->digest, json, len, NULL, 0);
	if (st)
		approval_free(out);
	return st;
}

enum acd_status approval_check_rules(const struct approval *a, const char *facility, acd_time now,
                                     const struct revocations *rev, struct acd_error *e)
{
	char t1[TIME_STRLEN], t2[TIME_STRLEN];
	if (facility && strcmp(a->facility, facility) != 0)
		return acd_fail(e, ACD_EREFUSED, "approval %s: for facility '%s', not '%s'", a->id,
		                a->facility, facility);
	if (now < a->valid_from || now > a->valid_until) {
		time_format(a->valid_from, t1, sizeof t1);
		time_format(a->valid_until, t2, sizeof t2);
		return acd_fail(e, ACD_EREFUSED, "approval %s: not valid now (valid %s to %s)",
		                a->id, t1, t2);
	}
	if (a->n_selectors == 0)
		return acd_fail(e, ACD_EREFUSED, "approval %s: has no selectors", a->id);
	if ((a->kind == KIND_AGREEMENT) != (a->n_party_prefixes > 0))
		return acd_fail(e, ACD_EREFUSED,
		                "approval %s: agreement_party must be present exactly when kind is "
		                "agreement",
		                a->id);
	if (rev && revocations_lookup(rev, a->id) <= now)
		return acd_fail(e, ACD_EREFUSED, "approval %s: revoked", a->id);
	return ACD_OK;
}

/* Reads PATH.sig and checks it over `doc` with whichever key verifies; *by_office tells which. */
static enum acd_status check_signature(const char *path, const uint8_t *doc, size_t len,
                                       const struct approval_keys *keys, bool *by_office,
                                       struct acd_error *e)
{
	char sigpath[PATH_MAX];
	if (snprintf(sigpath, sizeof sigpath, "%s.sig", path) >= (int)sizeof sigpath)
		return acd_fail(e, ACD_EREFUSED, "%s: path too long", path);
	uint8_t *sig;
	size_t siglen;
	struct acd_error ignored;
	if (file_read_all(sigpath, SIG_FILE_MAX, &sig, &siglen, &ignored) != ACD_OK)
		return acd_fail(e, ACD_EREFUSED,
		                "%s: refused: signature file %s missing or unreadable", path,
		                sigpath);
	bool ok = false;
	if (keys->has_commission &&
	    sig_verify_b64(doc, len, (const char *)sig, siglen, keys->commission)) {
		ok = true;
		*by_office = false;
	} else if (keys->has_office &&
	           sig_verify_b64(doc, len, (const char *)sig, siglen, keys->office)) {
		ok = true;
		*by_office = true;
	}
	free(sig);
	if (!ok)
		return acd_fail(
		        e, ACD_EREFUSED, "%s: refused: signature does not verify under %s", path,
		        keys->has_commission || keys->has_office ? "the given keys"
		                                                 : "any key (no key given)");
	return ACD_OK;
}

enum acd_status approval_load(const char *path, const struct approval_keys *keys,
                              const char *facility, acd_time now, const struct revocations *rev,
                              struct approval *out, struct acd_error *e)
{
	uint8_t *doc;
	size_t len;
	enum acd_status st = file_read_all(path, APPROVAL_FILE_MAX, &doc, &len, e);
	if (st)
		return st;
	bool by_office = false;
	st = check_signature(path, doc, len, keys, &by_office, e);
	if (!st) {
		st = approval_parse(doc, len, out, e);
		if (st && e) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			acd_fail(e, st, "%s: %s", path, why);
		}
	}
	free(doc);
	if (st)
		return st;
	/* The kind fixes who must have signed: the commission for measures without consent, the
	 * office for agreement approvals. A valid signature by the other key is still a refusal. */
	bool want_office = out->kind == KIND_AGREEMENT;
	if (by_office != want_office) {
		st = acd_fail(e, ACD_EREFUSED,
		              "%s: refused: a %s approval must be signed by the %s key", path,
		              approval_kind_name(out->kind), want_office ? "office" : "commission");
	} else {
		st = approval_check_rules(out, facility, now, rev, e);
	}
	if (st)
		approval_free(out);
	return st;
}

void approval_free(struct approval *a)
{
	free(a->selectors);
	free(a->party_prefixes);
	a->selectors = NULL;
	a->party_prefixes = NULL;
	a->n_selectors = a->n_party_prefixes = 0;
}

/* One REVOKE file; false (with a reason in `why`) when it cannot take effect. */
static bool load_revocation(const char *path, const struct approval_keys *keys,
                            struct revocation *r, char *why, size_t whylen)
{
	uint8_t *doc;
	size_t len;
	struct acd_error e;
	bool by_office;
	if (file_read_all(path, APPROVAL_FILE_MAX, &doc, &len, &e)) {
		snprintf(why, whylen, "%s", e.msg);
		return false;
	}
	if (check_signature(path, doc, len, keys, &by_office, &e)) {
		free(doc);
		snprintf(why, whylen, "%s", e.msg);
		return false;
	}
	json_t *root = json_loadb((const char *)doc, len, 0, NULL);
	free(doc);
	json_t *id = json_object_get(root, "revokes"), *at = json_object_get(root, "at");
	bool ok = json_is_string(id) && json_string_length(id) < sizeof r->id &&
	          json_is_string(at) && time_parse(json_string_value(at), &r->at);
	if (ok)
		strcpy(r->id, json_string_value(id));
	else
		snprintf(why, whylen, "%s: malformed revocation (needs \"revokes\" and \"at\")",
		         path);
	json_decref(root);
	return ok;
}

static bool is_revoke_name(const char *name)
{
	size_t n = strlen(name);
	return strncmp(name, "REVOKE-", 7) == 0 && n > 12 && strcmp(name + n - 5, ".json") == 0;
}

enum acd_status revocations_load(const char *dir, const struct approval_keys *keys,
                                 struct revocations *out, void (*warn)(const char *msg),
                                 struct acd_error *e)
{
	out->items = NULL;
	out->n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return acd_fail(e, ACD_EINPUT, "%s: cannot open revocations directory", dir);
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d)) != NULL) {
		if (!is_revoke_name(de->d_name))
			continue;
		char path[PATH_MAX], why[600];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct revocation r;
		if (!load_revocation(path, keys, &r, why, sizeof why)) {
			if (warn)
				warn(why);
			continue;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct revocation *p = realloc(out->items, cap * sizeof *p);
			if (!p) {
				closedir(d);
				return acd_fail(e, ACD_EINPUT, "out of memory");
			}
			out->items = p;
		}
		out->items[out->n++] = r;
	}
	closedir(d);
	return ACD_OK;
}

void revocations_free(struct revocations *r)
{
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

acd_time revocations_lookup(const struct revocations *r, const char *id)
{
	acd_time at = INT64_MAX;
	for (size_t i = 0; r && i < r->n; i++)
		if (strcmp(r->items[i].id, id) == 0 && r->items[i].at < at)
			at = r->items[i].at;
	return at;
}
