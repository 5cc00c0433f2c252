/*
 * fuzz_record_line.c — differential libFuzzer harness: record_line_parse (record_line.h, what
 * ingest reads every record line with) against the jansson path it replaced (json_loadb with
 * JSON_REJECT_DUPLICATES, then record_well_formed and record_within on the tree).
 *
 * For any input: both refuse or both accept; a refusal is of the same kind (not JSON, or JSON
 * but not an object); on acceptance every Contract 4 key holds the same thing (strings
 * byte-equal after decoding, integers equal, null, the other kinds), the key counts are equal,
 * each selectors element and each signatures element's "id" is the same, record_well_formed
 * says the same (message included), and so does record_within under a fixed approval of each
 * kind. An input holding a NUL byte must be refused (the batch framing refuses it before; jansson
 * would skip a NUL after a number or a literal). Any disagreement aborts.
 *
 * The struct record_line is reused from input to input, as ingest reuses it from line to line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "record_check.h"
#include "record_line.h"

static const char prefixes[] = "133.0.0.0/8\n2001:db8:1::/48\n";

static const char *const approvals[] = {
        "{\"id\":\"APR-FF\",\"kind\":\"foreign-foreign\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"198.51.100.0/24\"},"
        "{\"id\":\"S2\",\"type\":\"domain\",\"value\":\"example-bad.net\"},"
        "{\"id\":\"S3\",\"type\":\"content\",\"value\":\"2f62696e2f7368\",\"label\":\"sh\"}]}",
        "{\"id\":\"APR-FD\",\"kind\":\"foreign-domestic\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"0.0.0.0/0\"},"
        "{\"id\":\"S2\",\"type\":\"domain\",\"value\":\"bench-bad.example\"},"
        "{\"id\":\"S3\",\"type\":\"content\",\"value\":\"41\",\"label\":\"A\"}]}",
        "{\"id\":\"APR-AG\",\"kind\":\"agreement\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"::/0\"},"
        "{\"id\":\"S2\",\"type\":\"domain\",\"value\":\"example\"}],"
        "\"agreement_party\":{\"operator\":\"OP-1\",\"prefixes\":[\"133.5.0.0/16\"]}}",
};

#define AGREE(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

/* The jansson value and the line's hold the same. */
static void same_value(json_t *j, const struct record_value *v)
{
	if (!j) {
		AGREE(v->kind == RJ_ABSENT);
	} else if (json_is_string(j)) {
		AGREE(v->kind == RJ_STRING && v->len == json_string_length(j) &&
		      !memcmp(v->str, json_string_value(j), v->len) && !v->str[v->len] &&
		      strlen(v->str) == v->len);
	} else if (json_is_integer(j)) {
		AGREE(v->kind == RJ_INT && v->num == json_integer_value(j));
	} else if (json_is_real(j)) {
		AGREE(v->kind == RJ_REAL);
	} else if (json_is_boolean(j)) {
		AGREE(v->kind == RJ_BOOL);
	} else if (json_is_null(j)) {
		AGREE(v->kind == RJ_NULL);
	} else if (json_is_object(j)) {
		AGREE(v->kind == RJ_OBJECT);
	} else {
		AGREE(json_is_array(j) && v->kind == RJ_ARRAY);
	}
}

/* A string element (or an "id") of the tree, NULL when not a string, equals the line's. */
static void same_text(json_t *j, const char *s)
{
	if (!json_is_string(j)) {
		AGREE(!s);
		return;
	}
	AGREE(s && strlen(s) == json_string_length(j) && !strcmp(s, json_string_value(j)));
}

static void same_record(json_t *rec, const struct record_line *l)
{
	AGREE(l->n_keys == json_object_size(rec));
	for (int k = 0; k < RECORD_KEYS; k++)
		same_value(json_object_get(rec, record_key_specs[k].name), &l->v[k]);
	json_t *sels = json_object_get(rec, "selectors"),
	       *sigs = json_object_get(rec, "signatures");
	if (json_is_array(sels)) {
		AGREE(l->n_selectors == json_array_size(sels));
		for (size_t i = 0; i < l->n_selectors; i++)
			same_text(json_array_get(sels, i), l->selectors[i]);
	}
	if (json_is_array(sigs)) {
		AGREE(l->n_signatures == json_array_size(sigs));
		for (size_t i = 0; i < l->n_signatures; i++)
			same_text(json_object_get(json_array_get(sigs, i), "id"),
			          l->signature_ids[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prefix_table *pt;
	static struct approval a[3];
	static struct record_line l;
	if (!pt) {
		struct acd_error e;
		if (prefix_table_parse(prefixes, strlen(prefixes), "fuzz", NULL, &pt, &e) != ACD_OK)
			abort();
		for (int i = 0; i < 3; i++)
			if (approval_parse((const uint8_t *)approvals[i], strlen(approvals[i]),
			                   &a[i], &e) != ACD_OK)
				abort();
	}
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	char why[300], jwhy[300];
	why[0] = '\0';
	bool ok = record_line_parse((const char *)p, size, &l, why, sizeof why);
	if (!ok)
		AGREE(why[0] && l.refusal != RL_NO_MEMORY);
	if (memchr(p, '\0', size)) {
		AGREE(!ok && l.refusal == RL_NOT_JSON);
		free(p);
		return 0;
	}
	json_t *rec = json_loadb((const char *)p, size, JSON_REJECT_DUPLICATES, NULL);
	free(p);
	if (!rec) {
		AGREE(!ok && l.refusal == RL_NOT_JSON);
		return 0;
	}
	if (!json_is_object(rec)) {
		AGREE(!ok && l.refusal == RL_NOT_OBJECT);
		json_decref(rec);
		return 0;
	}
	AGREE(ok);
	same_record(rec, &l);
	why[0] = jwhy[0] = '\0';
	bool wf = record_line_well_formed(&l, why, sizeof why);
	AGREE(wf == record_well_formed(rec, jwhy, sizeof jwhy) && !strcmp(why, jwhy));
	for (int i = 0; wf && i < 3; i++) {
		acd_time revoked = i == 2 ? (acd_time)1900000000 * ACD_USEC : INT64_MAX;
		why[0] = jwhy[0] = '\0';
		bool in = record_line_within(&l, &a[i], revoked, pt, why, sizeof why);
		AGREE(in == record_within(rec, &a[i], revoked, pt, jwhy, sizeof jwhy) &&
		      !strcmp(why, jwhy));
	}
	json_decref(rec);
	return 0;
}
