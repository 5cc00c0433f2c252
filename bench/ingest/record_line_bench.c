/*
 * record_line_bench.c — µs per record line for what acdd's ingest does to each line before
 * record_within: the jansson path it used (json_loadb with JSON_REJECT_DUPLICATES,
 * record_well_formed, json_decref) against record_line_parse and record_line_well_formed
 * (decision 0020). Reads an NDJSON file of Contract 4 records (acd-sensor --out DIR writes
 * DIR/records.jsonl), parses every line `passes` times each way, and prints the best pass of
 * each. Usage: acd-bench-record-line RECORDS.jsonl [PASSES]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record_check.h"
#include "record_line.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass of the jansson path over every line; the count of well-formed ones. */
static size_t pass_jansson(char **lines, const size_t *lens, size_t n)
{
	size_t ok = 0;
	char why[300];
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_loadb(lines[i], lens[i], JSON_REJECT_DUPLICATES, NULL);
		ok += v && record_well_formed(v, why, sizeof why);
		json_decref(v);
	}
	return ok;
}

static size_t pass_record_line(char **lines, const size_t *lens, size_t n, struct record_line *l)
{
	size_t ok = 0;
	char why[300];
	for (size_t i = 0; i < n; i++)
		ok += record_line_parse(lines[i], lens[i], l, why, sizeof why) &&
		      record_line_well_formed(l, why, sizeof why);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: acd-bench-record-line RECORDS.jsonl [PASSES]\n");
		return 2;
	}
	int passes = argc > 2 ? atoi(argv[2]) : 5;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char **lines = NULL;
	size_t *lens = NULL, n = 0, cap = 0, bytes = 0;
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t got;
	while ((got = getline(&buf, &bufcap, f)) > 0) {
		if (buf[got - 1] == '\n')
			buf[--got] = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			lines = realloc(lines, cap * sizeof *lines);
			lens = realloc(lens, cap * sizeof *lens);
			if (!lines || !lens)
				return 1;
		}
		lines[n] = strdup(buf);
		lens[n++] = (size_t)got;
		bytes += (size_t)got;
	}
	free(buf);
	fclose(f);
	if (!n) {
		fprintf(stderr, "%s: no lines\n", argv[1]);
		return 1;
	}
	struct record_line l = {0};
	double best_j = 1e9, best_r = 1e9;
	size_t ok_j = 0, ok_r = 0;
	for (int p = 0; p < passes; p++) {
		double t0 = now();
		ok_j = pass_jansson(lines, lens, n);
		double t1 = now();
		ok_r = pass_record_line(lines, lens, n, &l);
		double t2 = now();
		best_j = t1 - t0 < best_j ? t1 - t0 : best_j;
		best_r = t2 - t1 < best_r ? t2 - t1 : best_r;
	}
	printf("%zu lines, %.0f bytes a line on average, best of %d passes\n", n,
	       (double)bytes / (double)n, passes);
	printf("jansson (json_loadb + record_well_formed): %.3f us/line, %zu well formed\n",
	       best_j * 1e6 / (double)n, ok_j);
	printf("record_line_parse + record_line_well_formed: %.3f us/line, %zu well formed\n",
	       best_r * 1e6 / (double)n, ok_r);
	printf("speed-up: %.1fx\n", best_j / best_r);
	record_line_free(&l);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	return ok_j == ok_r ? 0 : 1;
}
