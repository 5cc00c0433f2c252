/*
 * test_frag_table.c — IP fragments that arrive before their first fragment: counted while they
 * wait (bounded, no payload kept), credited to their flow when the first fragment comes, and
 * orphans when it never does. First the frag table alone, for IPv4 and IPv6 datagrams, then a
 * worker fed hand-built IPv4 and IPv6 fragments in reverse order, checked on the records and
 * statistics it writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>

#include "frag_table.h"
#include "sensor.h"
#include "testutil.h"
#include "worker.h"

#define T0 ((acd_time)1791536400 * ACD_USEC) /* 2026-10-09T09:00:00Z */

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;
	assert_true(ipaddr_parse(s, &a));
	return a;
}

/* ---- the table alone ------------------------------------------------------------------- */

static struct frag_table *table(void)
{
	static struct frag_table t;
	assert_true(frag_table_init(&t));
	return &t;
}

static void early_then_first(const char *src, const char *dst, uint8_t proto, uint32_t id)
{
	struct frag_table *t = table();
	struct ip_addr s = ip(src), d = ip(dst);
	frag_table_early(t, &s, &d, proto, id, 564, T0 + 10, T0 + 10);
	frag_table_early(t, &s, &d, proto, id, 1252, T0 + 5, T0 + 20); /* earlier packet time */
	uint16_t sp, dp;
	assert_false(frag_table_get(t, &s, &d, proto, id, T0 + 20, &sp, &dp));
	struct frag_early e = {0};
	assert_true(frag_table_put(t, &s, &d, proto, id, 5000, 7000, T0 + 30, &e));
	assert_int_equal(e.packets, 2);
	assert_int_equal(e.bytes, 564 + 1252);
	assert_int_equal(e.first, T0 + 5);
	assert_true(frag_table_get(t, &s, &d, proto, id, T0 + 40, &sp, &dp));
	assert_int_equal(sp, 5000);
	assert_int_equal(dp, 7000);
	/* Credited once: a repeated first fragment finds nothing waiting. */
	assert_false(frag_table_put(t, &s, &d, proto, id, 5000, 7000, T0 + 50, &e));
	frag_table_expire(t, INT64_MAX);
	assert_int_equal(t->orphans, 0);
	frag_table_destroy(t);
}

static void test_early_then_first_ipv4(void **state)
{
	(void)state;
	early_then_first("198.51.100.7", "203.0.113.9", 17, 0x1234);
}

static void test_early_then_first_ipv6(void **state)
{
	(void)state;
	/* IPv6 ids are 32 bits: the high half must matter too. */
	early_then_first("2001:db8:f::7", "2001:db8:f::9", 58, 0xdeadbeef);
}

/* Source, destination, protocol and id all name the datagram: a first fragment that differs
 * in any of them takes nothing, and the waiting fragments end as orphans. */
static void test_other_datagrams_take_nothing(void **state)
{
	(void)state;
	const char *pairs[][2] = {{"198.51.100.7", "203.0.113.9"},
	                          {"2001:db8:f::7", "2001:db8:f::9"}};
	for (size_t i = 0; i < 2; i++) {
		struct frag_table *t = table();
		struct ip_addr s = ip(pairs[i][0]), d = ip(pairs[i][1]), o = ip(pairs[i][1]);
		o.b[o.family == 4 ? 3 : 15] ^= 1;
		frag_table_early(t, &s, &d, 17, 0x10001, 100, T0, T0);
		struct frag_early e;
		assert_false(
		        frag_table_put(t, &d, &s, 17, 0x10001, 1, 2, T0 + 1, &e)); /* reverse */
		assert_false(
		        frag_table_put(t, &s, &o, 17, 0x10001, 1, 2, T0 + 1, &e)); /* other dst */
		assert_false(frag_table_put(t, &s, &d, 6, 0x10001, 1, 2, T0 + 1, &e));  /* proto */
		assert_false(frag_table_put(t, &s, &d, 17, 0x00001, 1, 2, T0 + 1, &e)); /* id */
		frag_table_expire(t, INT64_MAX);
		assert_int_equal(t->orphans, 1);
		frag_table_destroy(t);
	}
}

/* Waiting fragments lapse after FRAG_TIMEOUT of the worker's clock, oldest first, and then
 * count as orphans; a first fragment after that credits nothing. */
static void test_early_fragments_expire_in_order(void **state)
{
	(void)state;
	struct frag_table *t = table();
	struct ip_addr s = ip("198.51.100.7"), d = ip("203.0.113.9");
	/* Twelve datagrams, one a second, two fragments each (few enough not to collide). */
	for (uint32_t i = 0; i < 12; i++) {
		acd_time at = T0 + i * ACD_USEC;
		frag_table_early(t, &s, &d, 17, i * 0x9e3779b1u, 100, at, at);
		frag_table_early(t, &s, &d, 17, i * 0x9e3779b1u, 100, at, at);
	}
	assert_int_equal(t->orphans, 0);
	frag_table_expire(t, T0 + FRAG_TIMEOUT);
	assert_int_equal(t->orphans, 0); /* the oldest is exactly FRAG_TIMEOUT old: kept */
	frag_table_expire(t, T0 + 3 * ACD_USEC + FRAG_TIMEOUT);
	assert_int_equal(t->orphans, 2 * 3);
	struct frag_early e;
	assert_false(frag_table_put(t, &s, &d, 17, 1 * 0x9e3779b1u, 1, 2, T0 + 34 * ACD_USEC, &e));
	assert_true(frag_table_put(t, &s, &d, 17, 8 * 0x9e3779b1u, 1, 2, T0 + 34 * ACD_USEC, &e));
	assert_int_equal(e.packets, 2);
	/* Lapsed but not yet expired at a tick: refused at lookup, and an orphan then. */
	assert_false(frag_table_put(t, &s, &d, 17, 4 * 0x9e3779b1u, 1, 2, T0 + 35 * ACD_USEC, &e));
	assert_int_equal(t->orphans, 2 * 4);
	frag_table_expire(t, INT64_MAX);
	assert_int_equal(t->orphans, 2 * 11);
	assert_int_equal(t->early_head, FRAG_NONE);
	assert_int_equal(t->early_tail, FRAG_NONE);
	frag_table_destroy(t);
}

/* The table is bounded: far more waiting datagrams than slots replace one another, every
 * fragment ends either credited or an orphan, and none is counted twice. */
static void test_bounded_and_every_fragment_accounted(void **state)
{
	(void)state;
	struct frag_table *t = table();
	struct ip_addr s = ip("2001:db8:f::7"), d = ip("2001:db8:f::9");
	uint32_t n = 3 * FRAG_SLOTS;
	uint64_t credited = 0;
	for (uint32_t id = 0; id < n; id++)
		frag_table_early(t, &s, &d, 17, id * 2654435761u, 100, T0, T0);
	for (uint32_t id = 0; id < n; id++) {
		struct frag_early e;
		if (frag_table_put(t, &s, &d, 17, id * 2654435761u, 1, 2, T0, &e))
			credited += e.packets;
	}
	frag_table_expire(t, INT64_MAX);
	assert_true(credited > 0);
	assert_true(t->orphans > 0);
	assert_int_equal(credited + t->orphans, n);
	frag_table_destroy(t);
}

/* ---- a worker ---------------------------------------------------------------------------- */

struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The UDP datagram (header + `len` bytes of 'x') that the fragments below cut up. */
static size_t udp_datagram(uint8_t *out, uint16_t sport, uint16_t dport, size_t len)
{
	put16(out, sport);
	put16(out + 2, dport);
	put16(out + 4, (unsigned)(8 + len));
	put16(out + 6, 0);
	memset(out + 8, 'x', len);
	return 8 + len;
}

/* One IPv4 fragment of `data` from byte `off`, `n` bytes. */
static void frag4(struct frame *f, const char *src, const char *dst, uint16_t id,
                  const uint8_t *data, size_t off, size_t n, bool more)
{
	uint8_t *h = f->b;
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, (unsigned)(20 + n));
	put16(h + 4, id);
	put16(h + 6, (unsigned)(off / 8) | (more ? 0x2000 : 0));
	h[8] = 64;
	h[9] = 17;
	assert_int_equal(inet_pton(AF_INET, src, h + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, h + 16), 1);
	memcpy(h + 20, data + off, n);
	f->n = 20 + n;
}

/* One IPv6 fragment (fragment header after the fixed header). */
static void frag6(struct frame *f, const char *src, const char *dst, uint32_t id,
                  const uint8_t *data, size_t off, size_t n, bool more)
{
	uint8_t *h = f->b;
	memset(h, 0, 48);
	h[0] = 0x60;
	put16(h + 4, (unsigned)(8 + n));
	h[6] = 44;
	h[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, src, h + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, h + 24), 1);
	h[40] = 17;
	put16(h + 42, (unsigned)off | (more ? 1 : 0));
	put16(h + 44, id >> 16);
	put16(h + 46, id & 0xffff);
	memcpy(h + 48, data + off, n);
	f->n = 48 + n;
}

struct rig {
	struct sensor sn;
	struct worker w[3];
	int nworkers;
	char dir[64];
};

static void rig_start(struct rig *r, int threads)
{
	memset(r, 0, sizeof *r);
	struct acd_error e;
	const char *pfx = "133.0.0.0/8\ndomestic 2001:db8:1::/48\n";
	assert_int_equal(prefix_table_parse(pfx, strlen(pfx), "test", NULL, &r->sn.prefixes, &e),
	                 ACD_OK);
	const char *doc = "{\"id\":\"FF\",\"kind\":\"foreign-foreign\",\"facility\":\"t-1\","
	                  "\"valid_from\":\"2020-01-01T00:00:00Z\","
	                  "\"valid_until\":\"2035-01-01T00:00:00Z\",\"selectors\":["
	                  "{\"id\":\"A4\",\"type\":\"ip\",\"value\":\"0.0.0.0/0\"},"
	                  "{\"id\":\"A6\",\"type\":\"ip\",\"value\":\"::/0\"}]}";
	struct selection *s = &r->sn.sel;
	s->ap = calloc(1, sizeof *s->ap);
	assert_non_null(s->ap);
	assert_int_equal(approval_parse((const uint8_t *)doc, strlen(doc), &s->ap[0].a, &e),
	                 ACD_OK);
	atomic_init(&s->ap[0].in_force_until, s->ap[0].a.valid_until);
	s->ap[0].has_ip = true;
	s->kind_mask[KIND_FOREIGN_FOREIGN] = 1;
	s->n = 1;
	s->prefixes = r->sn.prefixes;
	r->sn.sensor_id = r->sn.facility = "t-1";
	r->sn.threads = threads;
	r->sn.idle_timeout = 60 * ACD_USEC;
	r->sn.active_timeout = 300 * ACD_USEC;
	r->sn.stats_interval = 60 * ACD_USEC;
	r->sn.max_flows = 1024;
	r->sn.start_time = T0;
	pthread_mutex_init(&r->sn.error_lock, NULL);
	snprintf(r->dir, sizeof r->dir, "/tmp/acd-unit-frag-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	assert_int_equal(exporter_open(&r->sn.out, r->dir, &e), ACD_OK);
	stats_merger_init(&r->sn.stats, threads, "t-1", s, &r->sn.out);
	r->nworkers = threads;
	worker_shares(&r->sn);
	for (int i = 0; i < threads; i++)
		assert_true(worker_init(&r->w[i], &r->sn, i));
}

/* Every worker sees every packet, as with --read. */
static void rig_packet(struct rig *r, acd_time ts, int dlt, const struct frame *f)
{
	for (int i = 0; i < r->nworkers; i++)
		worker_packet(&r->w[i], ts, dlt, f->b, (uint32_t)f->n);
}

static json_t *read_lines(const char *dir, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	json_t *all = json_array();
	char line[8192];
	while (fgets(line, sizeof line, fp)) {
		json_t *o = json_loads(line, 0, NULL);
		assert_non_null(o);
		json_array_append_new(all, o);
	}
	fclose(fp);
	return all;
}

/* Ends the run; returns the records and sets *orphans from the statistics. */
static json_t *rig_finish(struct rig *r, json_int_t *orphans)
{
	for (int i = 0; i < r->nworkers; i++)
		worker_finish(&r->w[i]);
	for (int i = 0; i < r->nworkers; i++)
		worker_destroy(&r->w[i]);
	stats_merger_destroy(&r->sn.stats);
	exporter_close(&r->sn.out);
	json_t *recs = read_lines(r->dir, "records.jsonl"), *st = read_lines(r->dir, "stats.jsonl");
	*orphans = 0;
	size_t i;
	json_t *o;
	json_array_foreach(st, i, o)
	{
		if (json_is_null(json_object_get(o, "approval")))
			*orphans += json_integer_value(json_object_get(o, "orphan_fragments"));
	}
	json_decref(st);
	char path[128];
	snprintf(path, sizeof path, "%s/records.jsonl", r->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/stats.jsonl", r->dir);
	unlink(path);
	rmdir(r->dir);
	approval_free(&r->sn.sel.ap[0].a);
	free(r->sn.sel.ap);
	prefix_table_free(r->sn.prefixes);
	return recs;
}

static json_int_t num(json_t *rec, const char *key)
{
	return json_integer_value(json_object_get(rec, key));
}

/* A 3000-byte UDP datagram cut in three and sent last fragment first, an answer back, and a
 * datagram whose first fragment never comes. */
static void reverse_order_run(bool v6, int threads, json_t **recs_out, json_int_t *orphans)
{
	static uint8_t data[4096];
	size_t len = udp_datagram(data, 5000, 7000, 3000 - 8);
	const char *a = v6 ? "2001:db8:f::7" : "198.51.100.7";
	const char *b = v6 ? "2001:db8:f::9" : "203.0.113.9";
	int dlt = v6 ? 229 : 228;
	size_t offs[3] = {2464, 1232, 0};
	struct frame f;
	struct rig r;
	rig_start(&r, threads);
	for (int i = 0; i < 3; i++) {
		size_t off = offs[i], n = off + 1232 < len ? 1232 : len - off;
		if (v6)
			frag6(&f, a, b, 0x12345678, data, off, n, off + n < len);
		else
			frag4(&f, a, b, 0x4321, data, off, n, off + n < len);
		rig_packet(&r, T0 + (acd_time)i * 1000, dlt, &f);
	}
	/* The answer, unfragmented. */
	uint8_t answer[64];
	size_t alen = udp_datagram(answer, 7000, 5000, 4);
	if (v6)
		frag6(&f, b, a, 0, answer, 0, alen, false); /* an atomic fragment: not a fragment */
	else
		frag4(&f, b, a, 0x99, answer, 0, alen, false);
	rig_packet(&r, T0 + 5000, dlt, &f);
	/* Two later fragments of a datagram whose first fragment is lost. */
	for (int i = 1; i <= 2; i++) {
		if (v6)
			frag6(&f, a, b, 0x0badf00d, data, (size_t)i * 1232, 1232, true);
		else
			frag4(&f, a, b, 0x0bad, data, (size_t)i * 1232, 1232, true);
		rig_packet(&r, T0 + 6000 + i, dlt, &f);
	}
	*recs_out = rig_finish(&r, orphans);
}

static void check_reverse_order(bool v6)
{
	json_int_t orphans;
	json_t *recs;
	reverse_order_run(v6, 1, &recs, &orphans);
	assert_int_equal(json_array_size(recs), 1);
	json_t *rec = json_array_get(recs, 0);
	unsigned hdr = v6 ? 48 : 20; /* IPv6 counts its fragment header as payload length */
	assert_string_equal(json_string_value(json_object_get(rec, "src")),
	                    v6 ? "2001:db8:f::7" : "198.51.100.7");
	assert_int_equal(num(rec, "sport"), 5000);
	assert_int_equal(num(rec, "dport"), 7000);
	assert_int_equal(num(rec, "packets"), 3);
	assert_int_equal(num(rec, "bytes"), 3 * hdr + 3000);
	assert_int_equal(num(rec, "rpackets"), 1);
	assert_int_equal(num(rec, "rbytes"), hdr + 8 + 4);
	/* The flow starts at its earliest packet, the last fragment sent first. */
	assert_string_equal(json_string_value(json_object_get(rec, "first")),
	                    "2026-10-09T09:00:00.000000Z");
	assert_int_equal(orphans, 2);
	/* Two and three workers: the same record and the same orphan count. */
	for (int n = 2; n <= 3; n++) {
		json_int_t o2;
		json_t *recs2;
		reverse_order_run(v6, n, &recs2, &o2);
		assert_true(json_equal(recs, recs2));
		assert_int_equal(o2, orphans);
		json_decref(recs2);
	}
	json_decref(recs);
}

static void test_worker_credits_early_fragments_ipv4(void **state)
{
	(void)state;
	check_reverse_order(false);
}

static void test_worker_credits_early_fragments_ipv6(void **state)
{
	(void)state;
	check_reverse_order(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_early_then_first_ipv4),
	        cmocka_unit_test(test_early_then_first_ipv6),
	        cmocka_unit_test(test_other_datagrams_take_nothing),
	        cmocka_unit_test(test_early_fragments_expire_in_order),
	        cmocka_unit_test(test_bounded_and_every_fragment_accounted),
	        cmocka_unit_test(test_worker_credits_early_fragments_ipv4),
	        cmocka_unit_test(test_worker_credits_early_fragments_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
