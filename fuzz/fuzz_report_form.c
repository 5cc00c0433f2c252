/*
 * fuzz_report_form.c — libFuzzer harness for the unified incident report form as acdd checks
 * it (report_form_check) on bodies that jansson accepted, as first reports and as follow-ups.
 *
 * Checks: a refusal names a field and says why in a NUL-terminated message; an accepted first
 * report has every required field; whatever a first report accepts, a follow-up accepts too
 * (follow-ups carry any subset); tlp_rank is within -1..4.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "report_form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	json_t *body = json_loadb((const char *)p, size, JSON_REJECT_DUPLICATES, NULL);
	free(p);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	const char *field = NULL;
	char msg[400];
	msg[0] = '\0';
	bool first = report_form_check(body, true, &field, msg, sizeof msg);
	if (!first && (!field || !memchr(msg, '\0', sizeof msg) || !msg[0]))
		abort();
	static const char *const required[] = {"urgency",  "tlp",        "sector",
	                                       "operator", "event_type", "summary"};
	for (size_t i = 0; first && i < sizeof required / sizeof required[0]; i++)
		if (!json_object_get(body, required[i]))
			abort();
	bool later = report_form_check(body, false, &field, msg, sizeof msg);
	if (first && !later)
		abort();
	int rank = tlp_rank(json_string_value(json_object_get(body, "tlp")));
	if (rank < -1 || rank > 4)
		abort();
	json_decref(body);
	return 0;
}
