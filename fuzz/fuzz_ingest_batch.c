/*
 * fuzz_ingest_batch.c — libFuzzer harness for the framing of an ingest batch
 * (batch_frame.h): the body split into NDJSON lines and its header checked, then every
 * following line parsed as acdd parses it and put through record_well_formed.
 *
 * Checks: a refusal has a status, a code and a message; an accepted frame has exactly
 * 1 + records + stats lines, none holding a '\n', a batch id "t-1:…" of at most 128 bytes,
 * and its lines lie inside the body in order.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "batch_frame.h"
#include "fuzz_input.h"
#include "record_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = (char *)fuzz_exact_copy(data, size);
	if (!body)
		return 0;
	struct batch_frame f;
	struct frame_error err = {0};
	if (!batch_frame_parse(body, size, "t-1", &f, &err)) {
		if ((err.status != 400 && err.status != 503) || !err.code || !err.msg[0])
			abort();
		free(body);
		return 0;
	}
	if (f.n_lines != 1 + f.n_records + f.n_stats || strncmp(f.id, "t-1:", 4) != 0 ||
	    strlen(f.id) > BATCH_ID_MAX)
		abort();
	const char *prev = body - 1;
	for (size_t i = 0; i < f.n_lines; i++) {
		const char *line = f.lines[i];
		size_t len = strlen(line);
		if (line <= prev || line + len >= body + size || memchr(line, '\n', len))
			abort();
		prev = line + len;
	}
	char why[300];
	for (size_t at = 2; at <= f.n_lines; at++) {
		err.msg[0] = '\0';
		json_t *v = batch_frame_object(&f, at, "records[0]", &err);
		if (!v) {
			if (!err.msg[0])
				abort();
			continue;
		}
		why[0] = '\0';
		if (!record_well_formed(v, why, sizeof why) && !why[0])
			abort();
		json_decref(v);
	}
	batch_frame_free(&f);
	free(body);
	return 0;
}
