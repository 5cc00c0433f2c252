/* record.c — see record.h. */
#include "record.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "packet.h"

bool record_hit(struct flow *f, uint16_t ap, uint16_t sel, int field, const char *name)
{
	if (!f->sel && !(f->sel = calloc(1, sizeof *f->sel)))
		return false;
	struct flow_sel *s = f->sel;
	for (size_t i = 0; i < s->nhits; i++)
		if (s->hits[i].approval == ap && s->hits[i].selector == sel)
			return true;
	if (s->nhits == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct sel_hit *p = realloc(s->hits, cap * sizeof *p);
		if (!p)
			return false;
		s->hits = p;
		s->cap = cap;
	}
	struct sel_hit *h = &s->hits[s->nhits++];
	h->approval = ap;
	h->selector = sel;
	h->field = (int8_t)field;
	snprintf(h->name, sizeof h->name, "%s", name ? name : "");
	return true;
}

void record_seen_name(struct flow *f, enum name_field field, const char *name)
{
	if (f->sel && f->sel->name[field][0] == '\0')
		snprintf(f->sel->name[field], sizeof f->sel->name[field], "%s", name);
}

void record_free(struct flow *f)
{
	if (!f->sel)
		return;
	free(f->sel->hits);
	sodium_memzero(f->sel, sizeof *f->sel);
	free(f->sel);
	f->sel = NULL;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *flags_string(uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char letter;
	} order[] = {{TCPF_CWR, 'C'}, {TCPF_ECE, 'E'}, {TCPF_URG, 'U'}, {TCPF_ACK, 'A'},
	             {TCPF_PSH, 'P'}, {TCPF_RST, 'R'}, {TCPF_SYN, 'S'}, {TCPF_FIN, 'F'}};
	char buf[9];
	size_t n = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].letter;
	buf[n] = '\0';
	return json_string(buf);
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static const char *const direction_names[] = {"foreign-foreign", "foreign-domestic",
                                              "domestic-foreign"};

/* The name to report for one field: the one this approval's domain selector matched, else
 * the first one seen. */
static const char *name_for(const struct flow_sel *s, size_t ap, enum name_field field)
{
	for (size_t i = 0; i < s->nhits; i++)
		if (s->hits[i].approval == ap && s->hits[i].field == (int)field)
			return s->hits[i].name;
	return s->name[field];
}

static void add_selectors(json_t *rec, const struct flow_sel *s, const struct approval *a,
                          size_t ap)
{
	json_t *ids = json_array(), *sigs = json_array();
	for (size_t j = 0; j < a->n_selectors; j++) {
		bool hit = false;
		for (size_t i = 0; i < s->nhits && !hit; i++)
			hit = s->hits[i].approval == ap && s->hits[i].selector == j;
		if (!hit)
			continue;
		const struct selector *sel = &a->selectors[j];
		json_array_append_new(ids, json_string(sel->id));
		if (sel->type == SEL_CONTENT)
			json_array_append_new(sigs, json_pack("{s:s, s:o}", "id", sel->id, "label",
			                                      str_or_null(sel->label)));
	}
	json_object_set_new(rec, "selectors", ids);
	json_object_set_new(rec, "signatures", sigs);
}

void record_format(const struct flow *f, const struct selection *s, size_t ap,
                   const char *sensor_id, uint64_t seq, struct linebuf *b)
{
	const struct approval *a = &s->ap[ap].a;
	const struct flow_sel *fs = f->sel;
	char id[160], first[TIME_STRLEN], last[TIME_STRLEN], src[IPADDR_STRLEN], dst[IPADDR_STRLEN];
	snprintf(id, sizeof id, "%s:%012llu", sensor_id, (unsigned long long)seq);
	time_format(f->first, first, sizeof first);
	time_format(f->last, last, sizeof last);
	ipaddr_format(&f->key.src, src, sizeof src);
	ipaddr_format(&f->key.dst, dst, sizeof dst);
	bool ports = has_ports(f->key.proto);
	json_t *r = json_object();
	json_object_set_new(r, "type", json_string("flow"));
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "sensor", json_string(sensor_id));
	json_object_set_new(r, "approval", json_string(a->id));
	add_selectors(r, fs, a, ap);
	json_object_set_new(r, "direction", json_string(direction_names[f->direction]));
	json_object_set_new(r, "first", json_string(first));
	json_object_set_new(r, "last", json_string(last));
	json_object_set_new(r, "proto", json_integer(f->key.proto));
	json_object_set_new(r, "src", json_string(src));
	json_object_set_new(r, "sport", ports ? json_integer(f->key.sport) : json_null());
	json_object_set_new(r, "dst", json_string(dst));
	json_object_set_new(r, "dport", ports ? json_integer(f->key.dport) : json_null());
	json_object_set_new(r, "packets", json_integer((json_int_t)f->packets));
	json_object_set_new(r, "bytes", json_integer((json_int_t)f->bytes));
	json_object_set_new(r, "rpackets", json_integer((json_int_t)f->rpackets));
	json_object_set_new(r, "rbytes", json_integer((json_int_t)f->rbytes));
	json_object_set_new(r, "tcp_flags",
	                    f->key.proto == 6 ? flags_string(f->tcp_flags) : json_null());
	json_object_set_new(r, "icmp_type", f->has_icmp ? json_integer(f->icmp_type) : json_null());
	json_object_set_new(r, "icmp_code", f->has_icmp ? json_integer(f->icmp_code) : json_null());
	json_object_set_new(r, "app", str_or_null(app_name((enum app_proto)f->app)));
	json_object_set_new(r, "dns_qname", str_or_null(name_for(fs, ap, NAME_DNS)));
	json_object_set_new(r, "tls_sni", str_or_null(name_for(fs, ap, NAME_TLS)));
	json_object_set_new(r, "tls_ja3", str_or_null(fs->ja3));
	json_object_set_new(r, "http_method", str_or_null(fs->http_method));
	json_object_set_new(r, "http_host", str_or_null(name_for(fs, ap, NAME_HTTP)));
	json_object_set_new(r, "http_user_agent", str_or_null(fs->http_ua));
	/* `signatures` was added with `selectors`; move it to the end, where Contract 4 has it. */
	json_t *sigs = json_incref(json_object_get(r, "signatures"));
	json_object_del(r, "signatures");
	json_object_set_new(r, "signatures", sigs);
	char *line = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	if (!line)
		fatalx(1, "out of memory formatting a record");
	linebuf_add(b, line, strlen(line));
	free(line);
}
