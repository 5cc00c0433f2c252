/* stats.c — see stats.h. */
#include "stats.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct stats_pending {
	int reported;
	struct interval_stats s;
};

static const char *const class_names[PC_COUNT] = {"domestic-domestic", "foreign-foreign",
                                                  "foreign-domestic", "domestic-foreign"};

void stats_merger_init(struct stats_merger *m, int workers, const char *sensor_id,
                       const struct selection *sel, struct exporter *out)
{
	memset(m, 0, sizeof *m);
	pthread_mutex_init(&m->lock, NULL);
	m->workers = workers;
	m->sensor_id = sensor_id;
	m->sel = sel;
	m->out = out;
}

void stats_merger_destroy(struct stats_merger *m)
{
	if (m->n)
		log_warnx("%zu statistics intervals were never completed by all workers", m->n);
	free(m->q);
	pthread_mutex_destroy(&m->lock);
}

void stats_add(struct interval_stats *into, const struct interval_stats *s)
{
	for (int c = 0; c < PC_COUNT; c++) {
		into->packets[c] += s->packets[c];
		into->bytes[c] += s->bytes[c];
	}
	into->decode_errors += s->decode_errors;
	into->not_ip += s->not_ip;
	into->orphan_fragments += s->orphan_fragments;
	into->flows_evicted += s->flows_evicted;
	for (int i = 0; i < SELECTION_MAX_APPROVALS; i++) {
		into->ap[i].in_scope += s->ap[i].in_scope;
		into->ap[i].selected += s->ap[i].selected;
		into->ap[i].discarded += s->ap[i].discarded;
		into->ap[i].flows_selected += s->ap[i].flows_selected;
	}
	if (s->to > into->to)
		into->to = s->to;
}

static void emit_line(struct linebuf *b, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!s)
		fatalx(1, "out of memory formatting statistics");
	linebuf_add(b, s, strlen(s));
	free(s);
}

static json_t *by_class(const uint64_t *v)
{
	json_t *o = json_object();
	for (int c = 0; c < PC_COUNT; c++)
		json_object_set_new(o, class_names[c], json_integer((json_int_t)v[c]));
	return o;
}

static void write_interval(struct stats_merger *m, const struct interval_stats *s)
{
	char from[TIME_STRLEN], to[TIME_STRLEN];
	time_format(s->from, from, sizeof from);
	time_format(s->to, to, sizeof to);
	struct linebuf b = {0};
	emit_line(&b, json_pack("{s:s, s:s, s:n, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I}", "type",
	                        "stats", "sensor", m->sensor_id, "approval", "from", from, "to", to,
	                        "packets", by_class(s->packets), "bytes", by_class(s->bytes),
	                        "decode_errors", (json_int_t)s->decode_errors, "not_ip",
	                        (json_int_t)s->not_ip, "orphan_fragments",
	                        (json_int_t)s->orphan_fragments, "flows_evicted",
	                        (json_int_t)s->flows_evicted));
	for (size_t i = 0; i < m->sel->n; i++) {
		const struct approval_counts *a = &s->ap[i];
		emit_line(&b, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "type",
		                        "stats", "sensor", m->sensor_id, "approval",
		                        m->sel->ap[i].a.id, "from", from, "to", to,
		                        "packets_in_scope", (json_int_t)a->in_scope,
		                        "packets_selected", (json_int_t)a->selected,
		                        "packets_discarded", (json_int_t)a->discarded,
		                        "flows_selected", (json_int_t)a->flows_selected));
	}
	exporter_stats(m->out, &b, 1 + m->sel->n);
	linebuf_free(&b);
}

void stats_submit(struct stats_merger *m, const struct interval_stats *s)
{
	pthread_mutex_lock(&m->lock);
	size_t i = 0;
	while (i < m->n && m->q[i].s.from != s->from)
		i++;
	if (i == m->n) {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 8;
			m->q = realloc(m->q, m->cap * sizeof *m->q);
			if (!m->q)
				fatalx(1, "out of memory for statistics");
		}
		/* Keep the queue ordered by `from`. */
		while (i > 0 && m->q[i - 1].s.from > s->from)
			i--;
		memmove(&m->q[i + 1], &m->q[i], (m->n - i) * sizeof *m->q);
		memset(&m->q[i], 0, sizeof *m->q);
		m->q[i].s.from = s->from;
		m->n++;
	}
	stats_add(&m->q[i].s, s);
	m->q[i].reported++;
	/* Write every completed interval at the head of the queue, in time order. */
	while (m->n > 0 && m->q[0].reported >= m->workers) {
		write_interval(m, &m->q[0].s);
		acd_time keep_from = m->total.from ? m->total.from : m->q[0].s.from;
		stats_add(&m->total, &m->q[0].s);
		m->total.from = keep_from;
		memmove(&m->q[0], &m->q[1], (m->n - 1) * sizeof *m->q);
		m->n--;
	}
	pthread_mutex_unlock(&m->lock);
}
