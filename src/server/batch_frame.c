/* batch_frame.c — see batch_frame.h. */
#include "batch_frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool refuse(struct frame_error *err, int status, const char *code, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool refuse(struct frame_error *err, int status, const char *code, const char *field,
                   const char *fmt, ...)
{
	err->status = status;
	err->code = code;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return false;
}

void batch_frame_free(struct batch_frame *f)
{
	free(f->lines);
	f->lines = NULL;
	f->n_lines = 0;
}

json_t *batch_frame_object(const struct batch_frame *f, size_t at, const char *field,
                           struct frame_error *err)
{
	const char *line = f->lines[at - 1];
	if (!line[0])
		return refuse(err, 400, "invalid", field, "%s (line %zu): an empty line", field,
		              at),
		       NULL;
	json_error_t je;
	json_t *v = json_loadb(line, strlen(line), JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return refuse(err, 400, "malformed_json", field,
		              "%s (line %zu): malformed JSON at byte %d: %s", field, at,
		              je.position, je.text),
		       NULL;
	if (!json_is_object(v)) {
		json_decref(v);
		return refuse(err, 400, "invalid", field, "%s (line %zu): not a JSON object", field,
		              at),
		       NULL;
	}
	return v;
}

/* Splits the body into its lines: it must not be empty and must end in '\n'. */
static bool split_lines(char *body, size_t len, struct batch_frame *f, struct frame_error *err)
{
	if (len == 0 || !body)
		return refuse(err, 400, "invalid", "batch",
		              "batch: an empty body (the batch header line is missing)");
	if (body[len - 1] != '\n')
		return refuse(err, 400, "invalid", NULL,
		              "the body must end with \\n: a batch is NDJSON, lines each ending in "
		              "\\n (its last line is unterminated)");
	for (const char *q = body; (q = memchr(q, '\n', (size_t)(body + len - q))); q++)
		f->n_lines++;
	f->lines = calloc(f->n_lines, sizeof *f->lines);
	if (!f->lines)
		return refuse(err, 503, "unavailable", NULL, "out of memory for the batch");
	char *p = body;
	for (size_t i = 0; i < f->n_lines; i++) {
		char *nl = memchr(p, '\n', (size_t)(body + len - p));
		/* A NUL would end the line early for the parser and the stored doc alike. */
		if (memchr(p, '\0', (size_t)(nl - p)))
			return refuse(err, 400, "invalid", NULL,
			              "line %zu: a NUL byte (a batch is NDJSON text)", i + 1);
		*nl = '\0';
		f->lines[i] = p;
		p = nl + 1;
	}
	return true;
}

/* A count in the header: a non-negative integer. */
static bool header_count(json_t *h, const char *key, size_t *out)
{
	json_t *v = json_object_get(h, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (size_t)json_integer_value(v);
	return true;
}

/* The header's fields, against the sensor, and the counts against the lines present. */
static bool read_header(json_t *h, const char *sensor, struct batch_frame *f,
                        struct frame_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(h, key, v)
	{
		if (strcmp(key, "batch") && strcmp(key, "sensor") && strcmp(key, "sent_at") &&
		    strcmp(key, "records") && strcmp(key, "stats"))
			return refuse(err, 400, "invalid", key, "%s: not a field of a batch header",
			              key);
	}
	const char *id = json_string_value(json_object_get(h, "batch"));
	const char *s = json_string_value(json_object_get(h, "sensor"));
	size_t sl = strlen(sensor);
	if (!id || strlen(id) > BATCH_ID_MAX || strncmp(id, sensor, sl) != 0 || id[sl] != ':' ||
	    !id[sl + 1])
		return refuse(err, 400, "invalid", "batch",
		              "batch: \"SENSOR:UNIQUE\" of at most %d bytes", BATCH_ID_MAX);
	if (!s || strcmp(s, sensor) != 0)
		return refuse(err, 400, "invalid", "sensor", "sensor: must equal X-ACD-Sensor (%s)",
		              sensor);
	bool records_ok = header_count(h, "records", &f->n_records);
	if (!records_ok || !header_count(h, "stats", &f->n_stats))
		return refuse(err, 400, "invalid", records_ok ? "stats" : "records",
		              "records and stats: the header's counts of the lines that follow "
		              "(integers, possibly 0)");
	if (f->n_records > f->n_lines - 1 || f->n_stats != f->n_lines - 1 - f->n_records)
		return refuse(err, 400, "invalid", "records",
		              "the header announces %zu records and %zu stats lines, but %zu lines "
		              "follow it",
		              f->n_records, f->n_stats, f->n_lines - 1);
	snprintf(f->id, sizeof f->id, "%s", id);
	return true;
}

bool batch_frame_parse(char *body, size_t len, const char *sensor, struct batch_frame *f,
                       struct frame_error *err)
{
	*f = (struct batch_frame){0};
	bool ok = split_lines(body, len, f, err);
	json_t *h = ok ? batch_frame_object(f, 1, "batch", err) : NULL;
	ok = h && read_header(h, sensor, f, err);
	json_decref(h);
	if (!ok)
		batch_frame_free(f);
	return ok;
}
