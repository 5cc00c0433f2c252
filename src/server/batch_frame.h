/*
 * batch_frame.h — the framing of a sensor's ingest batch (decision 0018): NDJSON, a header
 * line {"batch":"SENSOR:UNIQUE","sensor":"SENSOR","records":N,"stats":M} ("sent_at"
 * optional), then N record lines, then M stats lines, every line ending in '\n'.
 *
 * Pure (no store, no HTTP) so that fuzz_ingest_batch reaches it; ingest.c turns a
 * frame_error into its reply. Parsing writes '\0' over each '\n' of the body, so each line
 * is a C string (a NUL byte inside a line is refused) and the line is the
 * exact bytes the sensor signed. Cost: one pass over the body, one jansson tree of the
 * header; record and stats lines are parsed one at a time by the caller (record lines by
 * record_line_parse, decision 0020; stats lines by batch_frame_object).
 */
#ifndef ACD_BATCH_FRAME_H
#define ACD_BATCH_FRAME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define BATCH_ID_MAX 128

struct batch_frame {
	char id[BATCH_ID_MAX + 1];
	const char **lines; /* line i (0: the header), NUL-terminated inside the body; malloc'd */
	size_t n_lines, n_records, n_stats;
};

/* Why a body was refused: an HTTP status (400; 503 out of memory), Contract 5's code, the
 * field ("" for none) and the message. */
struct frame_error {
	int status;
	const char *code;
	char field[64];
	char msg[320];
};

/* Splits `body` (len bytes; changed in place) into lines and checks the header against
 * `sensor` (X-ACD-Sensor): its fields, the batch id, and that exactly n_records + n_stats
 * lines follow it. False with *err filled on failure; *f is then freed. */
bool batch_frame_parse(char *body, size_t len, const char *sensor, struct batch_frame *f,
                       struct frame_error *err);
/* Line `at` (1-based in the body) as a JSON object, duplicate keys refused; NULL with *err
 * naming `field` and the line when it is empty, not JSON, or not an object. */
json_t *batch_frame_object(const struct batch_frame *f, size_t at, const char *field,
                           struct frame_error *err);
void batch_frame_free(struct batch_frame *f);

#endif
