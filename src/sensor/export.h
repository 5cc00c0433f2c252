/*
 * export.h — where selected records and statistics go: `records.jsonl` and `stats.jsonl` in
 * the --out directory (Contract 3), created 0600 and appended to, never truncated, so that a
 * second run into the same directory loses nothing. Writers hand over whole lines only, and
 * each hand-over is one locked write() loop: a crash leaves complete lines behind.
 */
#ifndef ACD_EXPORT_H
#define ACD_EXPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct uploader;

struct exporter {
	int records_fd, stats_fd; /* -1 in --server mode */
	struct uploader *up;      /* --server mode: lines go into batches (uploader.h) */
	pthread_mutex_t lock;
	uint64_t records, stats;
	int failed; /* errno of the first failed write, 0 while all is well */
};

/* A growable buffer of complete lines a worker fills before handing them over. */
struct linebuf {
	char *data;
	size_t len, cap;
};

enum acd_status exporter_open(struct exporter *x, const char *dir, struct acd_error *e);
/* --server mode: the same hand-over, into the uploader's batches instead of files. */
void exporter_open_uploader(struct exporter *x, struct uploader *up);
void exporter_close(struct exporter *x);
/* Writes `n` complete record lines held in b, then empties b. */
void exporter_records(struct exporter *x, struct linebuf *b, uint64_t n);
void exporter_stats(struct exporter *x, struct linebuf *b, uint64_t n);
/* fsync both files. */
void exporter_sync(struct exporter *x);

/* mkdir -p DIR, each level it creates 0700; -1 with errno set on failure. */
int make_private_dirs(const char *dir);

/* Appends one line (a '\n' is added). */
void linebuf_add(struct linebuf *b, const char *line, size_t len);
/* Appends bytes as they are: a line built in pieces, which must end with '\n' before the
 * buffer is handed to the exporter (only complete lines are ever written). */
void linebuf_append(struct linebuf *b, const char *p, size_t len);
void linebuf_free(struct linebuf *b);

#endif
