/* worker.c — see worker.h. The per-packet path, in the order data flows. */
#include "worker.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "capture.h"
#include "decode.h"
#include "handoff.h"
#include "log.h"
#include "record.h"

#define RECORD_FLUSH_BYTES (256 * 1024)

/* What a selector hit needs to know: set for the packet being processed. */
struct hit_ctx {
	struct worker *w;
	struct flow *f;
	acd_time ts;
	uint64_t live; /* approvals in scope and in force at this packet */
	int field;
	const char *name;
};

void sensor_input_error(struct sensor *sn, const char *fmt, ...)
{
	pthread_mutex_lock(&sn->error_lock);
	if (sn->input_error[0] == '\0') {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(sn->input_error, sizeof sn->input_error, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&sn->error_lock);
}

/* The share of the whole work that reading, decoding and handing out every packet takes:
 * worker 0 does it for all, so it follows fewer flows itself. Measured on the bench with two
 * threads: with 0.3 (worker 0 following a third of the flows) worker 0 took 59% of the
 * samples and the other 39%; with 0.5 (none) 49% each. */
#define READER_SHARE 0.5
#define OWNER_SCALE  4096u

void worker_shares(struct sensor *sn)
{
	int n = sn->threads;
	double first = 1.0 / n;
	if (n > 1 && sn->handoffs) {
		first = (1.0 / n - READER_SHARE) / (1.0 - READER_SHARE);
		if (first < 0)
			first = 0;
	}
	uint32_t upto = (uint32_t)(first * OWNER_SCALE + 0.5);
	sn->owner_upto[0] = upto;
	for (int i = 1; i < n; i++)
		sn->owner_upto[i] =
		        upto + (uint32_t)((double)(OWNER_SCALE - upto) * i / (n - 1) + 0.5);
	sn->owner_upto[n - 1] = OWNER_SCALE;
}

/* The worker that follows an address pair whose symmetric hash is h. */
static int owner_of(const struct sensor *sn, uint32_t h)
{
	uint32_t x = (uint32_t)(((uint64_t)h * OWNER_SCALE) >> 32);
	int i = 0;
	while (x >= sn->owner_upto[i])
		i++;
	return i;
}

bool worker_init(struct worker *w, struct sensor *sn, int id)
{
	memset(w, 0, sizeof *w);
	w->sn = sn;
	w->id = id;
	uint32_t from = id ? sn->owner_upto[id - 1] : 0;
	uint32_t share =
	        (uint32_t)((uint64_t)sn->max_flows * (sn->owner_upto[id] - from) / OWNER_SCALE);
	if (!flow_table_init(&w->flows, share ? share : 1) || !frag_table_init(&w->frags))
		return false;
	if (sn->sel.matcher && !(w->scratch = matcher_scratch_new(sn->sel.matcher)))
		return false;
	slab_init(&w->streams, matcher_stream_block(sn->sel.matcher));
	slab_init(&w->sels, sizeof(struct flow_sel));
	if (id == 0 && sn->handoffs) {
		if (!(w->handed_sec = malloc((size_t)sn->threads * sizeof *w->handed_sec)))
			return false;
		for (int i = 0; i < sn->threads; i++)
			w->handed_sec[i] = INT64_MIN;
	}
	return true;
}

void worker_destroy(struct worker *w)
{
	flow_table_destroy(&w->flows);
	frag_table_destroy(&w->frags);
	matcher_scratch_free(w->scratch);
	slab_destroy(&w->streams);
	slab_destroy(&w->sels);
	linebuf_free(&w->records);
	free(w->handed_sec);
}

/* ---- selection --------------------------------------------------------------------------- */

static void select_flow(struct hit_ctx *c, size_t ap, size_t sel)
{
	if (!(c->live >> ap & 1))
		return;
	if (record_hit(c->f, &c->w->sels, (uint16_t)ap, (uint16_t)sel, c->field, c->name))
		c->f->selected |= 1ull << ap;
}

static void on_selector(size_t ap, size_t sel, void *ctx)
{
	select_flow(ctx, ap, sel);
}

static void on_content(const struct matcher_pattern *p, void *ctx)
{
	select_flow(ctx, p->approval, p->selector);
}

/* The approvals of this flow that may select at time ts. */
static uint64_t live_mask(const struct selection *s, uint64_t scope, acd_time ts)
{
	uint64_t live = 0;
	for (size_t i = 0; scope >> i; i++)
		if ((scope >> i & 1) && selection_in_force(s, i, ts))
			live |= 1ull << i;
	return live;
}

/* ---- flushing ---------------------------------------------------------------------------- */

/* Ends the flow's current record segment: counts it for every approval in scope and writes
 * the records of the approvals that selected it (and are still in force). */
static void flush_segment(struct worker *w, struct flow *f)
{
	uint64_t pk = f->packets + f->rpackets;
	if (pk == 0)
		return;
	const struct selection *s = &w->sn->sel;
	for (size_t ap = 0; f->in_scope >> ap; ap++) {
		if (!(f->in_scope >> ap & 1))
			continue;
		struct approval_counts *c = &w->cur.ap[ap];
		c->in_scope += pk;
		if ((f->selected >> ap & 1) && f->sel && selection_in_force(s, ap, f->last)) {
			c->selected += pk;
			c->flows_selected++;
			record_format(f, s, ap, w->sn->sensor_id, w->id_epoch_ms,
			              f->ordinal * SELECTION_MAX_APPROVALS + ap, &w->records);
			w->nrecords++;
		} else {
			c->discarded += pk;
		}
	}
	if (w->records.len >= RECORD_FLUSH_BYTES) {
		exporter_records(&w->sn->out, &w->records, w->nrecords);
		w->nrecords = 0;
	}
}

/* Flushes a flow and releases what it points to. Its matcher streams are closed, which
 * wipes their state, unless the caller wipes all stream states at once (worker_finish). */
static void finish_flow(struct worker *w, struct flow *f, bool close_streams)
{
	flush_segment(w, f);
	if (close_streams) {
		matcher_stream_close(f->hs[0]);
		matcher_stream_close(f->hs[1]);
	}
	f->hs[0] = f->hs[1] = NULL;
	record_free(f, &w->sels);
}

/* Flushes and forgets a flow. */
static void end_flow(struct worker *w, struct flow *f)
{
	finish_flow(w, f, true);
	flow_table_remove(&w->flows, f);
}

static void expire(struct worker *w)
{
	frag_table_expire(&w->frags, w->now);
	struct flow *f;
	while ((f = flow_table_oldest(&w->flows)) && f->seen_at + w->sn->idle_timeout <= w->now)
		end_flow(w, f);
	while ((f = flow_table_oldest_segment(&w->flows)) &&
	       f->seg_at + w->sn->active_timeout <= w->now) {
		flush_segment(w, f);
		f->packets = f->bytes = f->rpackets = f->rbytes = 0;
		f->tcp_flags = 0;
		f->seg_at = w->now;
		flow_table_restart_segment(&w->flows, f);
	}
}

static acd_time interval_start(const struct worker *w, acd_time t)
{
	acd_time iv = w->sn->stats_interval;
	return t - ((t % iv) + iv) % iv;
}

static void close_interval(struct worker *w, acd_time to)
{
	exporter_records(&w->sn->out, &w->records, w->nrecords);
	w->nrecords = 0;
	w->cur.to = to;
	w->cur.flows_evicted = w->flows.evictions;
	w->flows.evictions = 0;
	w->cur.orphan_fragments = w->frags.orphans;
	w->frags.orphans = 0;
	stats_submit(&w->sn->stats, &w->cur);
	acd_time from = w->cur.from;
	memset(&w->cur, 0, sizeof w->cur);
	w->cur.from = from;
}

/* Advances the worker's clock. With files every worker sees every packet's time, so expiry
 * and interval boundaries fall at the same packets whatever the number of threads. */
static void advance(struct worker *w, acd_time t, bool step_each_interval)
{
	if (!w->started) {
		w->started = true;
		w->now = t;
		w->cur.from = interval_start(w, t);
		w->next_tick = t;
	}
	if (t > w->now)
		w->now = t;
	if (w->now < w->next_tick)
		return;
	w->next_tick = (w->now / ACD_USEC + 1) * ACD_USEC;
	expire(w);
	while (w->now >= w->cur.from + w->sn->stats_interval) {
		acd_time end = w->cur.from + w->sn->stats_interval;
		close_interval(w, end);
		w->cur.from = step_each_interval ? end : interval_start(w, w->now);
	}
}

/* ---- per packet -------------------------------------------------------------------------- */

static enum pkt_class classify(bool src_dom, bool dst_dom)
{
	if (src_dom)
		return dst_dom ? PC_DOMESTIC_DOMESTIC : PC_DOMESTIC_FOREIGN;
	return dst_dom ? PC_FOREIGN_DOMESTIC : PC_FOREIGN_FOREIGN;
}

static struct flow *new_flow(struct worker *w, const struct packet *p, uint32_t hash, bool src_dom,
                             bool dst_dom, acd_time ts)
{
	const struct selection *s = &w->sn->sel;
	uint64_t scope = selection_scope(s, src_dom, &p->dst, dst_dom);
	scope = live_mask(s, scope, ts);
	if (scope == 0)
		return NULL; /* no approval may look at it: nothing of it is kept */
	struct flow_key key = {p->src, p->dst, p->sport, p->dport, p->proto};
	struct flow *f = flow_table_insert(&w->flows, hash, &key);
	if (!f) {
		end_flow(w, flow_table_oldest(&w->flows));
		w->flows.evictions++;
		f = flow_table_insert(&w->flows, hash, &key);
	}
	f->in_scope = scope;
	f->direction = !src_dom && !dst_dom ? DIR_FOREIGN_FOREIGN
	               : src_dom            ? DIR_DOMESTIC_FOREIGN
	                                    : DIR_FOREIGN_DOMESTIC;
	f->seg_at = w->now;
	struct hit_ctx c = {w, f, ts, scope, -1, NULL};
	selection_match_ip(s, scope, &f->key, src_dom, on_selector, &c);
	return f;
}

static void account(struct worker *w, struct flow *f, const struct packet *p, bool reverse,
                    acd_time ts, uint64_t ordinal)
{
	if (f->packets + f->rpackets == 0) {
		f->first = f->last = ts;
		f->ordinal = ordinal;
	}
	if (reverse) {
		f->rpackets++;
		f->rbytes += p->ip_bytes;
	} else {
		f->packets++;
		f->bytes += p->ip_bytes;
	}
	if (ts > f->last)
		f->last = ts;
	f->tcp_flags |= p->tcp_flags;
	if (p->has_icmp && !f->has_icmp) {
		f->has_icmp = true;
		f->icmp_type = p->icmp_type;
		f->icmp_code = p->icmp_code;
	}
	f->seen_at = w->now;
	flow_table_touch(&w->flows, f);
}

/* A name seen in the payload: domain selectors first (so a selecting name is also the one
 * kept), then, for a selected flow, remember it. */
static void name_seen(struct hit_ctx *c, enum name_field field, const char *name)
{
	if (!name[0])
		return;
	c->field = (int)field;
	c->name = name;
	selection_match_domain(&c->w->sn->sel, c->live, name, on_selector, c);
	c->field = -1;
	c->name = NULL;
	record_seen_name(c->f, field, name);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* HTTP Host for matching: lower case, port cut off. */
static void host_name(const char *host, char *out, size_t len)
{
	size_t n = strnlen(host, len - 1);
	memcpy(out, host, n);
	out[n] = '\0';
	lower_ascii(out);
	char *colon = strrchr(out, ':');
	if (colon && out[0] != '[')
		*colon = '\0';
}

static void extract_names(struct hit_ctx *c, const struct packet *p, bool reverse)
{
	struct flow *f = c->f;
	char name[APP_NAME_MAX], ja3[APP_JA3_HEX], method[APP_METHOD_MAX], ua[APP_UA_MAX];
	char host[APP_NAME_MAX];
	switch ((enum app_proto)f->app) {
	case APP_DNS:
		if (dns_query_name(p->payload, p->payload_len, p->proto == 6, name, sizeof name))
			name_seen(c, NAME_DNS, name);
		break;
	case APP_TLS:
		/* JA3 is kept only for a selected flow: its digest is made only for one, or for
		 * the one this very ClientHello's SNI selects (parsed again then, rarely). */
		if (!reverse && tls_client_hello(p->payload, p->payload_len, name, sizeof name,
		                                 f->sel ? ja3 : NULL)) {
			bool had_sel = f->sel != NULL;
			name_seen(c, NAME_TLS, name);
			if (f->sel && !f->sel->ja3[0] &&
			    (had_sel || tls_client_hello(p->payload, p->payload_len, NULL, 0, ja3)))
				memcpy(f->sel->ja3, ja3, sizeof ja3);
		}
		break;
	case APP_HTTP:
		if (!reverse && http_request(p->payload, p->payload_len, method, sizeof method,
		                             host, sizeof host, ua, sizeof ua)) {
			host_name(host, name, sizeof name);
			name_seen(c, NAME_HTTP, name);
			if (f->sel && !f->sel->http_method[0])
				snprintf(f->sel->http_method, sizeof f->sel->http_method, "%s",
				         method);
			record_seen_ua(f, ua);
		}
		break;
	default:
		break;
	}
}

static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static void scan_stream(struct hit_ctx *c, int dir, const uint8_t *data, uint32_t len)
{
	const struct matcher *m = c->w->sn->sel.matcher;
	if (!c->f->hs[dir] && !(c->f->hs[dir] = matcher_stream_open(m)))
		return;
	matcher_stream_scan(m, c->f->hs[dir], c->w->scratch, data, len, on_content, c);
}

/* Bytes that arrive after later ones: scanned alone if they fill a remembered hole, else
 * they were scanned already (retransmission or overlap) and are skipped. */
static void fill_hole(struct hit_ctx *c, struct tcp_dir *t, uint32_t start, const uint8_t *data,
                      uint32_t len)
{
	uint32_t end = start + len;
	for (int i = 0; i < t->nholes; i++) {
		uint32_t lo = t->holes[i].lo, hi = t->holes[i].hi;
		if (!seq_lt(start, hi) || !seq_lt(lo, end))
			continue;
		uint32_t a = seq_lt(start, lo) ? lo : start, b = seq_lt(hi, end) ? hi : end;
		matcher_block_scan(c->w->sn->sel.matcher, c->w->scratch, data + (a - start), b - a,
		                   on_content, c);
		/* Shrink the hole to what is still missing on its larger side. */
		if (a == lo && b == hi)
			t->holes[i] = t->holes[--t->nholes];
		else if (a == lo)
			t->holes[i].lo = b;
		else
			t->holes[i].hi = a;
		return;
	}
}

/* TCP: each direction's bytes in sequence order, each byte once (Contract 2). */
static void scan_tcp(struct hit_ctx *c, const struct packet *p, bool reverse)
{
	struct tcp_dir *t = &c->f->tcp[reverse];
	uint32_t start = p->tcp_seq + ((p->tcp_flags & TCPF_SYN) ? 1 : 0);
	const uint8_t *data = p->payload;
	uint32_t len = p->payload_len;
	if (!t->init) {
		t->init = true;
		t->next_seq = start;
	}
	uint32_t end = start + len;
	if (!seq_lt(t->next_seq, end)) {
		fill_hole(c, t, start, data, len);
		return;
	}
	if (seq_lt(start, t->next_seq)) {
		uint32_t skip = t->next_seq - start;
		fill_hole(c, t, start, data, skip);
		data += skip;
		len -= skip;
	} else if (start != t->next_seq) {
		/* A gap: remember it, and restart the stream so no match spans missing bytes. */
		if (t->nholes == TCP_HOLES)
			t->holes[0] = t->holes[--t->nholes];
		t->holes[t->nholes].lo = t->next_seq;
		t->holes[t->nholes++].hi = start;
		matcher_stream_close(c->f->hs[reverse]);
		c->f->hs[reverse] = NULL;
	}
	scan_stream(c, reverse, data, len);
	t->next_seq = end;
}

static void inspect(struct worker *w, struct flow *f, const struct packet *p, bool reverse,
                    acd_time ts)
{
	if (p->payload_len == 0)
		return;
	const struct selection *s = &w->sn->sel;
	struct hit_ctx c = {w, f, ts, live_mask(s, f->in_scope, ts), -1, NULL};
	if (f->app == APP_UNDECIDED && !p->is_fragment)
		f->app = (uint8_t)app_detect(p->proto, p->payload, p->payload_len);
	if (f->selected || (c.live & s->domain_mask))
		extract_names(&c, p, reverse);
	if (!(c.live & s->content_mask))
		return;
	if (p->proto == 6 && !p->is_fragment)
		scan_tcp(&c, p, reverse);
	else
		matcher_block_scan(s->matcher, w->scratch, p->payload, p->payload_len, on_content,
		                   &c);
}

/* A fragment after the first: counted in its flow and scanned alone, never parsed. One that
 * comes before its first fragment is only counted, in the frag table, until that arrives. */
static void later_fragment(struct worker *w, struct packet *p, acd_time ts, uint64_t ordinal)
{
	uint16_t sport, dport;
	bool reverse;
	if (!frag_table_get(&w->frags, &p->src, &p->dst, p->proto, p->frag_id, w->now, &sport,
	                    &dport)) {
		frag_table_early(&w->frags, &p->src, &p->dst, p->proto, p->frag_id, p->ip_bytes, ts,
		                 w->now);
		return;
	}
	uint32_t h = flow_hash(&p->src, &p->dst, sport, dport, p->proto);
	struct flow *f =
	        flow_table_find(&w->flows, h, &p->src, &p->dst, sport, dport, p->proto, &reverse);
	if (!f)
		return;
	p->tcp_flags = 0;
	p->has_icmp = false;
	account(w, f, p, reverse, ts, ordinal);
	inspect(w, f, p, reverse, ts);
}

/* Fragments that came before their first fragment: same addresses, so same orientation. */
static void credit_early(struct flow *f, const struct frag_early *e, bool reverse)
{
	if (reverse) {
		f->rpackets += e->packets;
		f->rbytes += e->bytes;
	} else {
		f->packets += e->packets;
		f->bytes += e->bytes;
	}
	if (e->first < f->first)
		f->first = e->first;
}

/* Live: the kernel gave the packet to this worker. Files: decoding failures are shared out
 * by input position (h = the position). */
static inline bool owns(const struct worker *w, uint32_t h)
{
	return w->sn->threads == 1 || w->sn->live ||
	       h % (uint32_t)w->sn->threads == (uint32_t)w->id;
}

/* What decoding a packet tells before its turn: a function of its bytes, the prefix table and
 * the approvals loaded when it is read. The look-ahead (read_ahead) computes it a few packets
 * early to fetch the packet's flow while others are processed; process() then goes on from it.
 * Domestic-to-domestic packets are decoded to layer 3 only, here as everywhere. */
struct pkt_peek {
	struct packet p;
	enum decode_status l3, l4;
	bool owned;   /* this worker follows its address pair */
	int owner;    /* the worker that does (files with several workers) */
	bool sd, dd;  /* source, destination domestic */
	bool l4_done; /* decode_l4 ran (result in l4): the packet's bytes are read further */
	bool hashed;  /* a first fragment or whole packet with ports: hash is its flow's */
	uint32_t hash;
};

static uint64_t kinds_for(const struct selection *s, enum pkt_class pc)
{
	return pc == PC_FOREIGN_FOREIGN
	               ? s->kind_mask[KIND_FOREIGN_FOREIGN]
	               : s->kind_mask[KIND_FOREIGN_DOMESTIC] | s->kind_mask[KIND_AGREEMENT];
}

/* Decodes as far as the worker that follows the packet needs. With handoffs, worker 0
 * decodes every packet for whichever worker follows it (k->owner); otherwise a worker decodes
 * only the packets it follows itself. */
static void peek(const struct worker *w, int dlt, const uint8_t *data, uint32_t caplen,
                 struct pkt_peek *k)
{
	const struct sensor *sn = w->sn;
	k->l4_done = k->hashed = false;
	k->owner = w->id;
	k->l3 = decode_l3(dlt, data, caplen, &k->p);
	if (k->l3 != DECODE_OK)
		return;
	if (sn->handoffs) {
		k->owner = owner_of(sn, flow_hash(&k->p.src, &k->p.dst, 0, 0, 0));
		k->owned = k->owner == w->id;
	} else {
		k->owned = sn->threads == 1 || owns(w, flow_hash(&k->p.src, &k->p.dst, 0, 0, 0));
		if (!k->owned)
			return;
	}
	k->sd = prefix_table_is_domestic(sn->prefixes, &k->p.src);
	k->dd = prefix_table_is_domestic(sn->prefixes, &k->p.dst);
	enum pkt_class pc = classify(k->sd, k->dd);
	if (pc == PC_DOMESTIC_DOMESTIC)
		return; /* 内内通信: counted, never parsed further */
	if (!kinds_for(&sn->sel, pc))
		return; /* no approval could ever select it: nothing more is read */
	k->l4 = decode_l4(&k->p);
	k->l4_done = true;
	if (k->l4 != DECODE_OK || (k->p.is_fragment && !k->p.frag_first))
		return;
	k->hash = flow_hash(&k->p.src, &k->p.dst, k->p.sport, k->p.dport, k->p.proto);
	k->hashed = true;
}

static void process(struct worker *w, acd_time ts, struct pkt_peek *k)
{
	const struct sensor *sn = w->sn;
	uint64_t n = w->packets_read++;
	/* Files: the first packet's time is the run's epoch for record ids (record_id); every
	 * worker sees the first packet (worker 0 hands the others a tick at it), so all of them
	 * take the same one. Live: set at start. */
	if (n == 0 && !sn->live)
		w->id_epoch_ms = ts > 0 ? (uint64_t)ts / 1000 : 0;
	/* Record ids come from the input position; live workers interleave theirs. */
	uint64_t ordinal = sn->live ? n * (uint64_t)sn->threads + (uint64_t)w->id : n;
	advance(w, ts, sn->live != NULL);
	if (k->l3 != DECODE_OK) {
		if (owns(w, (uint32_t)n)) {
			if (k->l3 == DECODE_NOT_IP)
				w->cur.not_ip++;
			else
				w->cur.decode_errors++;
		}
		return;
	}
	if (!k->owned)
		return;
	bool sd = k->sd, dd = k->dd;
	enum pkt_class pc = classify(sd, dd);
	w->cur.packets[pc]++;
	w->cur.bytes[pc] += k->p.ip_bytes;
	if (!k->l4_done)
		return; /* domestic to domestic, or no approval could select it (peek) */
	struct packet *p = &k->p;
	if (k->l4 != DECODE_OK) {
		w->cur.decode_errors++;
		return;
	}
	if (p->is_fragment && !p->frag_first) {
		later_fragment(w, p, ts, ordinal);
		return;
	}
	bool reverse = false;
	uint32_t h = k->hash; /* peek hashed every packet that gets this far */
	struct flow *f = flow_table_find(&w->flows, h, &p->src, &p->dst, p->sport, p->dport,
	                                 p->proto, &reverse);
	/* Before new_flow may drop it: early fragments of an unfollowed flow go with it. */
	struct frag_early early;
	bool credit =
	        p->is_fragment && frag_table_put(&w->frags, &p->src, &p->dst, p->proto, p->frag_id,
	                                         p->sport, p->dport, w->now, &early);
	if (!f && !(f = new_flow(w, p, h, sd, dd, ts)))
		return;
	account(w, f, p, reverse, ts, ordinal);
	if (credit)
		credit_early(f, &early, reverse);
	inspect(w, f, p, reverse, ts);
}

void worker_packet(struct worker *w, acd_time ts, int dlt, const uint8_t *data, uint32_t caplen)
{
	struct pkt_peek k;
	peek(w, dlt, data, caplen, &k);
	process(w, ts, &k);
}

static void finish_each(struct flow *f, void *ctx)
{
	struct worker *w = ctx;
	finish_flow(w, f, !w->streams_in_slab);
}

void worker_finish(struct worker *w)
{
	if (!w->started) {
		w->started = true;
		w->now = w->sn->start_time;
		w->cur.from = interval_start(w, w->now);
	}
	frag_table_expire(&w->frags, INT64_MAX);
	/* Every stream state is in the slab when this thread named it to the matcher: one pass
	 * over the slab wipes them all, where 160,000 closes took ~6 ms on the bench. */
	flow_table_each(&w->flows, finish_each, w);
	if (w->streams_in_slab)
		slab_wipe_all(&w->streams);
	flow_table_clear(&w->flows);
	close_interval(w, w->now);
}

/* ---- input loops ------------------------------------------------------------------------- */

static acd_time pcap_time(const struct pcap_pkthdr *h)
{
	return (acd_time)h->ts.tv_sec * ACD_USEC + h->ts.tv_usec;
}

/* Packets read ahead of the one processed, so that each one's flow bucket, then its entry,
 * then (a packet with payload) its matcher streams are fetched into the cache while the
 * packets before it are processed (flow_table_prefetch_*): on the bench's 150,000 flows, two
 * dependent cache misses per packet were 40% of the time, and the stream state a third for
 * payload packets.
 * Packets are processed in input order, exactly as one by one; the look-ahead only hints.
 * libpcap reuses its buffer at every read, so the payload of a packet read further (peek's
 * l4_done) is copied into its slot; the others (domestic to domestic, unselectable, another
 * worker's, undecodable) are not read again and not copied. */
struct ahead_slot {
	uint8_t *data; /* the payload's copy, where k.p.payload points until it is processed */
	uint32_t cap;
	acd_time ts;
	struct pkt_peek k;
};

/* What of a peeked packet is read after peek: its payload only (app detection, names,
 * content). Every header field peek needs later is already decoded into k.p, so the copy that
 * outlives libpcap's buffer (look-ahead slot or handoff entry) holds the payload alone, and a
 * packet without payload (over half of them on the bench) is not copied at all. */
static uint32_t kept_bytes(const struct pkt_peek *k)
{
	return k->l4_done && k->p.payload ? k->p.payload_len : 0;
}

/* Points k.p at the copy of its payload (`copy`, kept_bytes(k) long); no pointer into
 * libpcap's buffer stays behind. */
static void keep_payload(struct packet *p, const uint8_t *copy)
{
	p->l4 = NULL;
	p->payload = p->payload ? copy : NULL;
}

/* The packet's flow is this worker's and is looked up in its table (with several workers
 * reading one file, worker 0 peeks every packet but follows only its own). */
static bool follows(const struct pkt_peek *k)
{
	return k->hashed && k->owned;
}

/* Copies the payload into the slot; false when out of memory. */
static bool slot_keep(struct ahead_slot *s)
{
	uint32_t len = kept_bytes(&s->k);
	if (len > s->cap) {
		uint32_t cap = len < 65536 ? 65536 : len;
		uint8_t *d = realloc(s->data, cap);
		if (!d)
			return false;
		s->data = d;
		s->cap = cap;
	}
	if (len)
		memcpy(s->data, s->k.p.payload, len);
	keep_payload(&s->k.p, s->data);
	return true;
}

/* ---- files with several workers: worker 0 reads and hands out ---------------------------- */

enum hand_kind { HAND_PACKET, HAND_TICK, HAND_END };

/* One entry of a handoff ring; a packet's payload follows at HAND_DATA (kept_bytes), and
 * k.p.payload points into it. */
struct hand_entry {
	uint8_t kind;
	acd_time ts;  /* the packet's time */
	acd_time now; /* the packet clock after it: the largest time read so far */
	uint64_t n;   /* its position in the input */
	struct pkt_peek k;
};
#define HAND_DATA ((sizeof(struct hand_entry) + 15) & ~(size_t)15)

static int64_t second_of(acd_time t)
{
	return t >= 0 ? t / ACD_USEC : -((-t + ACD_USEC - 1) / ACD_USEC);
}

static void hand_entry(struct worker *w, int to, enum hand_kind kind, acd_time ts, uint64_t n,
                       const struct pkt_peek *k)
{
	struct handoff *h = &w->sn->handoffs[to];
	/* Only packets of the link types decode_l3 reads are kept, and libpcap gives those at
	 * most 262,144 bytes: far below handoff_max_entry(). */
	uint32_t keep = kind == HAND_PACKET && k ? kept_bytes(k) : 0;
	struct hand_entry *e = handoff_reserve(h, HAND_DATA + keep);
	e->kind = (uint8_t)kind;
	e->ts = ts;
	e->now = w->read_now;
	e->n = n;
	if (kind != HAND_PACKET) {
		handoff_commit(h);
		return;
	}
	e->k = *k;
	e->k.owned = true;
	struct packet *p = &e->k.p;
	uint8_t *d = (uint8_t *)e + HAND_DATA;
	if (keep)
		memcpy(d, p->payload, keep);
	keep_payload(p, d);
	handoff_commit(h);
	w->handed_sec[to] = second_of(w->read_now);
}

/* Worker 0, at reading packet n: the packet goes to the worker that follows it (undecodable
 * ones by position), and every other worker gets a tick when the clock entered a new second
 * since the last entry it got, which is where its timeouts and intervals may fall. */
static void hand_out(struct worker *w, acd_time ts, uint64_t n, struct pkt_peek *k)
{
	const struct sensor *sn = w->sn;
	if (!w->read_started || ts > w->read_now)
		w->read_now = ts;
	w->read_started = true;
	int to = k->l3 == DECODE_OK ? k->owner : (int)(n % (uint64_t)sn->threads);
	if (to != 0) {
		hand_entry(w, to, HAND_PACKET, ts, n, k);
		k->owned = false; /* worker 0 only moves its clock on */
		k->l4_done = k->hashed = false;
	}
	int64_t sec = second_of(w->read_now);
	for (int i = 1; i < sn->threads; i++)
		if (i != to && w->handed_sec[i] != sec) {
			hand_entry(w, i, HAND_TICK, ts, n, NULL);
			w->handed_sec[i] = sec;
		}
}

/* Worker 0 at the end of its input: every other worker ends at the same clock. */
static void hand_end(struct worker *w)
{
	for (int i = 1; i < w->sn->threads; i++) {
		hand_entry(w, i, HAND_END, 0, 0, NULL);
		handoff_publish(&w->sn->handoffs[i]);
	}
}

/* A worker other than 0: one entry, in input order. */
static void take(struct worker *w, struct hand_entry *e)
{
	w->packets_read = e->n;
	if (e->kind == HAND_PACKET) {
		advance(w, e->now, false);
		process(w, e->ts, &e->k);
		return;
	}
	/* A tick: what process() does for a packet this worker does not follow. */
	w->packets_read++;
	if (e->n == 0)
		w->id_epoch_ms = e->ts > 0 ? (uint64_t)e->ts / 1000 : 0;
	advance(w, e->now, false);
}

/* Look-ahead distances, in packets before a packet's turn: its bucket is fetched AHEAD
 * packets before, its entry (the bucket now cached) AHEAD_ENTRY before, and AHEAD_STATE before
 * (the entry now cached) the chain's next entry if the first is another flow's, or for a packet
 * with payload its matcher stream and record fields.
 * 8/4/2 measured best of 16/8/4, 12/6/3, 8/4/1 and 8/5/2 (bench/README.md). */
#define AHEAD       8
#define AHEAD_ENTRY 4
#define AHEAD_STATE 2

/* A worker other than 0: takes its entries until the end, with the same look-ahead as
 * read_ahead (the ring already holds the packets ahead). */
static void take_all(struct worker *w)
{
	struct handoff *h = &w->sn->handoffs[w->id];
	struct {
		struct hand_entry *e;
		size_t end;
	} ring[AHEAD];
	unsigned head = 0, count = 0;
	for (;;) {
		size_t end;
		struct hand_entry *e = handoff_next(h, &end);
		if (e->kind == HAND_END) {
			for (; count; count--, head = (head + 1) % AHEAD) {
				take(w, ring[head].e);
				handoff_release(h, ring[head].end);
			}
			if (w->started && e->now > w->now)
				w->now = e->now;
			handoff_release(h, end);
			return;
		}
		if (count == AHEAD) {
			take(w, ring[head].e);
			handoff_release(h, ring[head].end);
			head = (head + 1) % AHEAD;
			count--;
		}
		unsigned at = (head + count) % AHEAD;
		ring[at].e = e;
		ring[at].end = end;
		if (e->kind == HAND_PACKET && e->k.hashed)
			flow_table_prefetch_bucket(&w->flows, e->k.hash);
		count++;
		if (count >= AHEAD_ENTRY) {
			const struct hand_entry *m = ring[(head + AHEAD_ENTRY - 1) % AHEAD].e;
			if (m->kind == HAND_PACKET && m->k.hashed)
				flow_table_prefetch_entry(&w->flows, m->k.hash,
				                          m->k.p.payload_len > 0);
		}
		if (count >= AHEAD_STATE) {
			const struct hand_entry *m = ring[(head + AHEAD_STATE - 1) % AHEAD].e;
			if (m->kind == HAND_PACKET && m->k.hashed)
				flow_table_prefetch_state(&w->flows, m->k.hash, &m->k.p.src,
				                          m->k.p.sport, m->k.p.payload_len > 0);
		}
	}
}

/* Reads one file to its end through the look-ahead; pcap_next_ex's last code, or
 * PCAP_ERROR after a failed copy (its reason already the sensor's input error). */
static int read_ahead(struct worker *w, pcap_t *h, int dlt)
{
	struct ahead_slot ring[AHEAD] = {0};
	unsigned head = 0, count = 0;
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(h, &hdr, &data)) == 1) {
		if (count == AHEAD) {
			process(w, ring[head].ts, &ring[head].k);
			head = (head + 1) % AHEAD;
			count--;
		}
		struct ahead_slot *s = &ring[(head + count) % AHEAD];
		s->ts = pcap_time(hdr);
		peek(w, dlt, data, hdr->caplen, &s->k);
		if (w->sn->handoffs)
			hand_out(w, s->ts, w->packets_read + count, &s->k);
		/* A packet handed to another worker is neither copied nor looked up here. */
		if (s->k.l4_done && !s->k.owned) {
			keep_payload(&s->k.p, NULL);
		} else if (s->k.l4_done && !slot_keep(s)) {
			sensor_input_error(w->sn, "out of memory for a packet of %u bytes",
			                   hdr->caplen);
			rc = PCAP_ERROR; /* the first input error is the one reported */
			break;
		}
		if (follows(&s->k))
			flow_table_prefetch_bucket(&w->flows, s->k.hash);
		count++;
		if (count >= AHEAD_ENTRY) {
			const struct ahead_slot *m = &ring[(head + AHEAD_ENTRY - 1) % AHEAD];
			if (follows(&m->k))
				flow_table_prefetch_entry(&w->flows, m->k.hash,
				                          m->k.p.payload_len > 0);
		}
		if (count >= AHEAD_STATE) {
			const struct ahead_slot *m = &ring[(head + AHEAD_STATE - 1) % AHEAD];
			if (follows(&m->k))
				flow_table_prefetch_state(&w->flows, m->k.hash, &m->k.p.src,
				                          m->k.p.sport, m->k.p.payload_len > 0);
		}
	}
	for (; count; count--, head = (head + 1) % AHEAD)
		process(w, ring[head].ts, &ring[head].k);
	for (unsigned i = 0; i < AHEAD; i++)
		free(ring[i].data);
	return rc;
}

/* Names the worker's slab to the matcher for the calling thread (its allocator hook has no
 * context argument): every stream state this worker opens from now on is in it, which lets
 * worker_finish wipe them all in one pass. */
static void use_stream_slab(struct worker *w)
{
	matcher_thread_slab(&w->streams);
	w->streams_in_slab = true;
}

void *worker_run_files(void *arg)
{
	struct worker *w = arg;
	struct sensor *sn = w->sn;
	char errbuf[PCAP_ERRBUF_SIZE];
	use_stream_slab(w);
	if (w->id > 0) { /* worker 0 reads for it */
		take_all(w);
		goto done;
	}
	for (size_t i = 0; i < sn->ninputs && !atomic_load(&sn->stop); i++) {
		struct capture_file cf;
		if (capture_open_file(sn->inputs[i], &cf, errbuf) != ACD_OK) {
			sensor_input_error(sn, "%s: %s", sn->inputs[i], errbuf);
			break;
		}
		pcap_t *h = cf.pcap;
		int dlt = pcap_datalink(h);
		uint64_t before = w->packets_read;
		int rc = read_ahead(w, h, dlt);
		if (rc == PCAP_ERROR) {
			sensor_input_error(sn, "%s: after packet %llu: %s", sn->inputs[i],
			                   (unsigned long long)(w->packets_read - before),
			                   pcap_geterr(h));
			capture_close_file(&cf);
			break;
		}
		capture_close_file(&cf);
	}
	if (sn->handoffs)
		hand_end(w);
done:
	worker_finish(w);
	matcher_thread_slab(NULL);
	atomic_fetch_add(&sn->workers_done, 1);
	pthread_kill(sn->main_thread, SIGUSR1);
	return NULL;
}

static void live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct worker *w = (struct worker *)user;
	worker_packet(w, pcap_time(h), pcap_datalink(w->sn->live[w->id]), data, h->caplen);
}

void *worker_run_live(void *arg)
{
	struct worker *w = arg;
	struct sensor *sn = w->sn;
	pcap_t *h = sn->live[w->id];
	use_stream_slab(w);
	w->id_epoch_ms = sn->start_time > 0 ? (uint64_t)sn->start_time / 1000 : 0;
	/* Every worker starts its clock at the same moment, so all of them report every
	 * statistics interval and the merger can close each one. */
	advance(w, sn->start_time, true);
	while (!atomic_load(&sn->stop)) {
		int rc = pcap_dispatch(h, -1, live_packet, (u_char *)w);
		if (rc == PCAP_ERROR) {
			sensor_input_error(sn, "%s: %s", sn->interface, pcap_geterr(h));
			break;
		}
		/* Quiet links still close their statistics intervals on the wall clock. */
		advance(w, time_now(), true);
	}
	w->now = w->now > time_now() ? w->now : time_now();
	worker_finish(w);
	matcher_thread_slab(NULL);
	atomic_fetch_add(&sn->workers_done, 1);
	pthread_kill(sn->main_thread, SIGUSR1);
	return NULL;
}
