/*
 * fuzz_ingest_record.c — libFuzzer harness for what acdd checks on every ingested record
 * (record_well_formed, then record_within against a fixed approval of each kind and a fixed
 * prefix table), on records that jansson accepted. The input is one line of an NDJSON batch,
 * parsed as acdd parses each line (json_loadb, JSON_REJECT_DUPLICATES; decision 0018).
 *
 * Checks: refusals say why; a record accepted under any approval is well formed, names only
 * that approval's selectors, and claims the direction its addresses have; under the
 * foreign-foreign approval neither end is domestic.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "record_check.h"

static const char prefixes[] = "133.0.0.0/8\n2001:db8:1::/48\n";

static const char *const approvals[] = {
        "{\"id\":\"APR-FF\",\"kind\":\"foreign-foreign\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"198.51.100.0/24\"},"
        "{\"id\":\"S2\",\"type\":\"domain\",\"value\":\"example-bad.net\"},"
        "{\"id\":\"S3\",\"type\":\"content\",\"value\":\"2f62696e2f7368\",\"label\":\"sh\"}]}",
        "{\"id\":\"APR-FD\",\"kind\":\"foreign-domestic\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"0.0.0.0/0\"}]}",
        "{\"id\":\"APR-AG\",\"kind\":\"agreement\",\"facility\":\"t-1\","
        "\"valid_from\":\"2020-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\","
        "\"selectors\":[{\"id\":\"S1\",\"type\":\"ip\",\"value\":\"::/0\"}],"
        "\"agreement_party\":{\"operator\":\"OP-1\",\"prefixes\":[\"133.5.0.0/16\"]}}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prefix_table *pt;
	static struct approval a[3];
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
	json_t *rec = json_loadb((const char *)p, size, JSON_REJECT_DUPLICATES, NULL);
	free(p);
	char why[300];
	why[0] = '\0';
	if (!record_well_formed(rec, why, sizeof why)) {
		if (!why[0])
			abort();
		json_decref(rec);
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		why[0] = '\0';
		acd_time revoked = i == 2 ? (acd_time)1900000000 * ACD_USEC : INT64_MAX;
		if (!record_within(rec, &a[i], revoked, pt, why, sizeof why)) {
			if (!why[0])
				abort();
			continue;
		}
		size_t k;
		json_t *sid;
		json_array_foreach(json_object_get(rec, "selectors"), k, sid)
		{
			const char *s = json_string_value(sid);
			if (!s || (strcmp(s, "S1") && strcmp(s, "S2") && strcmp(s, "S3")))
				abort();
		}
		struct ip_addr src, dst;
		if (!ipaddr_parse(json_string_value(json_object_get(rec, "src")), &src) ||
		    !ipaddr_parse(json_string_value(json_object_get(rec, "dst")), &dst))
			abort();
		bool sd = prefix_table_is_domestic(pt, &src),
		     dd = prefix_table_is_domestic(pt, &dst);
		if (sd && dd)
			abort();
		if (i == 0 && (sd || dd))
			abort();
	}
	json_decref(rec);
	return 0;
}
