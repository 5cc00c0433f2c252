/*
 * record_line.h — a strict parser for exactly one selected-record line of an ingest batch
 * (Contract 4: one flat JSON object of 28 keys), filling a flat struct instead of building a
 * jansson tree (decision 0020). It accepts exactly the lines jansson accepts the way acdd
 * called it (json_loadb, JSON_REJECT_DUPLICATES, no JSON_DECODE_ANY, no JSON_ALLOW_NUL):
 * RFC 8259 JSON, valid UTF-8, no control character in a string, \u escapes decoded (surrogate
 * pairs joined, a lone surrogate and \u0000 refused), integers that fit in int64 (a number
 * with a fraction or an exponent is a real, and a real overflowing a double is refused),
 * values nested at most 2048 deep, no key twice in any object, nothing after the value. It
 * also refuses any NUL byte (jansson would skip one after a number or a literal; the batch
 * framing refuses them before). fuzz_record_line checks the agreement with jansson.
 *
 * Of the 28 keys it keeps every value (strings decoded, NUL-terminated; integers; null); of
 * `selectors` each element's text (NULL for an element that is no string), of `signatures`
 * each element's "id" (NULL for an element that is no object with a string "id"). Other keys
 * and other values are checked as JSON, counted and dropped. Strings point into a buffer the
 * struct owns; it is reused from line to line, so a parse invalidates the previous line's.
 *
 * Cost: one pass over the line, no allocation once the buffers have grown to the longest line
 * (decoded text never outgrows the line: a string loses at least its two quotes).
 */
#ifndef ACD_RECORD_LINE_H
#define ACD_RECORD_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Contract 4's keys, in the order record_well_formed checks them. */
enum record_key {
	RK_TYPE,
	RK_ID,
	RK_SENSOR,
	RK_APPROVAL,
	RK_SELECTORS,
	RK_DIRECTION,
	RK_FIRST,
	RK_LAST,
	RK_PROTO,
	RK_SRC,
	RK_SPORT,
	RK_DST,
	RK_DPORT,
	RK_PACKETS,
	RK_BYTES,
	RK_RPACKETS,
	RK_RBYTES,
	RK_TCP_FLAGS,
	RK_ICMP_TYPE,
	RK_ICMP_CODE,
	RK_APP,
	RK_DNS_QNAME,
	RK_TLS_SNI,
	RK_TLS_JA3,
	RK_HTTP_METHOD,
	RK_HTTP_HOST,
	RK_HTTP_USER_AGENT,
	RK_SIGNATURES,
	RECORD_KEYS
};

/* The JSON type Contract 4 gives a key: a string, a non-negative integer, either or null,
 * or an array. */
enum record_key_type { RT_STR, RT_INT, RT_STR_NULL, RT_INT_NULL, RT_ARRAY };

struct record_key_spec {
	const char *name;
	size_t len;
	enum record_key_type type;
};
extern const struct record_key_spec record_key_specs[RECORD_KEYS];

/* What a line held under one key. */
enum record_json { RJ_ABSENT, RJ_NULL, RJ_BOOL, RJ_INT, RJ_REAL, RJ_STRING, RJ_ARRAY, RJ_OBJECT };

struct record_value {
	enum record_json kind;
	const char *str; /* RJ_STRING: decoded, NUL-terminated, no NUL inside */
	size_t len;      /* of str */
	int64_t num;     /* RJ_INT */
};

/* Why a parse refused the line. */
enum record_line_refusal {
	RL_NOT_JSON,   /* not JSON as jansson reads it: acdd replies malformed_json */
	RL_NOT_OBJECT, /* JSON, but an array */
	RL_NO_MEMORY,
};

struct record_line {
	struct record_value v[RECORD_KEYS];
	size_t n_keys;                    /* distinct keys of the object, Contract 4's or not */
	const char **selectors;           /* element i's text; NULL when it is no string */
	size_t n_selectors;               /* when v[RK_SELECTORS] is an array */
	const char **signature_ids;       /* element i's "id"; NULL when none or not a string */
	size_t n_signatures;              /* when v[RK_SIGNATURES] is an array */
	enum record_line_refusal refusal; /* set when record_line_parse returns false */

	/* Storage, reused from line to line: start zeroed, end with record_line_free. */
	char *text;
	size_t text_cap;
	struct record_line_span *keys; /* keys of the objects open, for the duplicate check */
	size_t keys_n, keys_cap;
	size_t sel_cap, sig_cap;
};

/* Parses `line` (len bytes; need not be NUL-terminated) into *out. False when it is not a
 * JSON object as jansson would read it, with out->refusal and `why` (the byte offset and
 * what is wrong, naming the key where one is at fault). A parsed object may still lack
 * Contract 4's keys or types: record_line_well_formed (record_check.h) says. */
bool record_line_parse(const char *line, size_t len, struct record_line *out, char *why,
                       size_t whylen);

/* The string under `k`, or NULL when the line has none there. */
static inline const char *record_line_str(const struct record_line *l, enum record_key k)
{
	return l->v[k].kind == RJ_STRING ? l->v[k].str : NULL;
}

void record_line_free(struct record_line *l);

#endif
