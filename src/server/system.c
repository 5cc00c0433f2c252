/*
 * system.c — the endpoints about acdd itself: /healthz, /metrics (Prometheus text format) and
 * the OpenAPI 3 document built from the route table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "openapi.h"

int api_healthz(struct request *rq, struct reply *rp)
{
	struct db_rows *r;
	struct acd_error e = {0};
	if (db_query(rq->c, "SELECT 1", NULL, 0, &r, &e) != ACD_OK)
		return reply_json(rp, 503,
		                  json_pack("{s:s, s:s}", "status", "unavailable", "store", e.msg));
	db_rows_free(r);
	return reply_json(rp, 200,
	                  json_pack("{s:s, s:s, s:i}", "status", "ok", "store",
	                            db_kind(rq->srv->db) == DB_SQLITE ? "sqlite" : "postgresql",
	                            "schema_version", db_schema_version(rq->srv->db)));
}

/* A growing text buffer for the metrics page. */
struct text {
	char *buf;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap * 2 + (size_t)(n > 0 ? n : 0) + 64;
		char *b = realloc(t->buf, cap);
		if (!b)
			return;
		t->buf = b;
		t->cap = cap;
	}
}

int api_metrics(struct request *rq, struct reply *rp)
{
	struct metrics *m = &rq->srv->metrics;
	struct text t = {.buf = malloc(4096), .cap = 4096};
	if (!t.buf)
		return reply_error(rp, 500, "internal", NULL, "out of memory");
	t.buf[0] = '\0';
	add(&t, "# HELP acdd_requests_total HTTP requests by route and status class.\n"
	        "# TYPE acdd_requests_total counter\n");
	for (size_t i = 0; i < route_count && i < METRICS_MAX_ROUTES; i++)
		for (int c = 0; c < 5; c++) {
			unsigned long long n = atomic_load(&m->by_route[i][c]);
			if (n)
				add(&t,
				    "acdd_requests_total{method=\"%s\",route=\"%s\",code=\"%dxx\"} "
				    "%llu\n",
				    routes[i].method, routes[i].pattern, c + 1, n);
		}
	for (int c = 0; c < 5; c++) {
		unsigned long long n = atomic_load(&m->unrouted[c]);
		if (n)
			add(&t, "acdd_requests_total{route=\"none\",code=\"%dxx\"} %llu\n", c + 1,
			    n);
	}
	add(&t, "# HELP acdd_request_seconds Request latency.\n"
	        "# TYPE acdd_request_seconds histogram\n");
	unsigned long long cum = 0;
	for (int b = 0; b <= METRICS_BUCKETS; b++) {
		cum += atomic_load(&m->latency_bucket[b]);
		if (b < METRICS_BUCKETS)
			add(&t, "acdd_request_seconds_bucket{le=\"%g\"} %llu\n",
			    metrics_bucket_seconds[b], cum);
		else
			add(&t, "acdd_request_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	}
	add(&t, "acdd_request_seconds_sum %.6f\nacdd_request_seconds_count %llu\n",
	    (double)atomic_load(&m->latency_sum_us) / 1e6, cum);
	unsigned long long groups, changes;
	writer_counts(rq->srv->writer, &groups, &changes);
	add(&t,
	    "# HELP acdd_commit_groups_total Durable commits (one fsync each).\n"
	    "# TYPE acdd_commit_groups_total counter\nacdd_commit_groups_total %llu\n"
	    "# HELP acdd_changes_total Changes committed through the group-commit writer.\n"
	    "# TYPE acdd_changes_total counter\nacdd_changes_total %llu\n",
	    groups, changes);
	rp->status = 200;
	rp->text = t.buf;
	rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
}

int api_openapi(struct request *rq, struct reply *rp)
{
	(void)rq;
	return reply_json(rp, 200, openapi_document());
}
