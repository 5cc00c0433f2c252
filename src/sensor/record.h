/*
 * record.h — a selected flow's mechanical information and its Contract 4 record line.
 *
 * `struct flow_sel` exists only for flows that at least one approval selected: the names
 * and digests seen from the selection on, and which selectors of which approvals matched.
 * A flow selected by several approvals yields one record per approval, each listing only
 * that approval's selectors, and the name a domain selector of that approval matched.
 */
#ifndef ACD_RECORD_H
#define ACD_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "export.h"
#include "flow_table.h"
#include "selection.h"

enum name_field { NAME_DNS, NAME_TLS, NAME_HTTP, NAME_FIELDS };

struct sel_hit {
	uint16_t approval, selector;
	int8_t field; /* for a domain selector: which name matched (enum name_field), else -1 */
	char *name;   /* the name it matched (a copy, for domain selectors only), else NULL */
};

/* Hits kept inside flow_sel before any allocation: a flow is selected by one or two
 * selectors of one or two approvals nearly always. */
#define SEL_HITS_INLINE 4

/* The names and the User-Agent are copies of what was seen, sized to it: fixed arrays of
 * their maximum length made this 1.1 KiB per selected flow, and with every foreign flow
 * selected (the ingest bench) the sensor spent a seventh of its time clearing fresh pages
 * for them. */
struct flow_sel {
	char *name[NAME_FIELDS]; /* first seen since selection, NULL until then */
	char *http_ua;           /* NULL until seen */
	char ja3[APP_JA3_HEX];
	char http_method[APP_METHOD_MAX];
	uint32_t nhits, cap;
	struct sel_hit *hits; /* `inline_hits` until more are needed */
	struct sel_hit inline_hits[SEL_HITS_INLINE];
};

struct slab;
/* Records that approval `ap`'s selector `sel` matched; name/field for domain hits. Allocates
 * f->sel on first use, from `sels` (a slab of sizeof(struct flow_sel) blocks). False when out
 * of memory (the hit is then not recorded). */
bool record_hit(struct flow *f, struct slab *sels, uint16_t ap, uint16_t sel, int field,
                const char *name);
/* Remembers a name seen after selection, when none of that kind was kept yet. */
void record_seen_name(struct flow *f, enum name_field field, const char *name);
/* Remembers the User-Agent of a selected flow, when none was kept yet. */
void record_seen_ua(struct flow *f, const char *ua);
/* Wipes and frees f->sel (back to `sels`). */
void record_free(struct flow *f, struct slab *sels);

/* A record id, unique per sensor (Contract 4) across runs too: "SENSOR:" then the run's epoch
 * (milliseconds since 1970, 13 digits) and the sequence within the run (18 digits), digits
 * only. Live capture takes the start time as the epoch, files the first packet's time, so the
 * same input gives the same ids again (acdd stores a record once) and runs over other input
 * or after a restart give other ids, where a sequence from zero gave the same ones. */
#define RECORD_ID_MAX 160
void record_id(char *out, size_t len, const char *sensor_id, uint64_t epoch_ms, uint64_t seq);

/* Appends the record of flow f for approval index `ap` as one JSON line to b. */
void record_format(const struct flow *f, const struct selection *s, size_t ap,
                   const char *sensor_id, uint64_t epoch_ms, uint64_t seq, struct linebuf *b);

#endif
