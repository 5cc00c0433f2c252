/* record_line.c — see record_line.h. Names follow RFC 8259's grammar; where jansson's
 * reading is narrower or wider than the RFC (depth, integer range, real overflow), the
 * comment says so. */
#include "record_line.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson's JSON_PARSER_MAX_DEPTH: it counts every value, the outer object being 1. */
#define JSON_DEPTH_MAX 2048

const struct record_key_spec record_key_specs[RECORD_KEYS] = {
        {"type", 4, RT_STR},
        {"id", 2, RT_STR},
        {"sensor", 6, RT_STR},
        {"approval", 8, RT_STR},
        {"selectors", 9, RT_ARRAY},
        {"direction", 9, RT_STR},
        {"first", 5, RT_STR},
        {"last", 4, RT_STR},
        {"proto", 5, RT_INT},
        {"src", 3, RT_STR},
        {"sport", 5, RT_INT_NULL},
        {"dst", 3, RT_STR},
        {"dport", 5, RT_INT_NULL},
        {"packets", 7, RT_INT},
        {"bytes", 5, RT_INT},
        {"rpackets", 8, RT_INT},
        {"rbytes", 6, RT_INT},
        {"tcp_flags", 9, RT_STR_NULL},
        {"icmp_type", 9, RT_INT_NULL},
        {"icmp_code", 9, RT_INT_NULL},
        {"app", 3, RT_STR_NULL},
        {"dns_qname", 9, RT_STR_NULL},
        {"tls_sni", 7, RT_STR_NULL},
        {"tls_ja3", 7, RT_STR_NULL},
        {"http_method", 11, RT_STR_NULL},
        {"http_host", 9, RT_STR_NULL},
        {"http_user_agent", 15, RT_STR_NULL},
        {"signatures", 10, RT_ARRAY},
};

/* A decoded key of an object still open; s NULL marks where an object's keys begin. */
struct record_line_span {
	const char *s;
	size_t n;
};

struct parser {
	const unsigned char *start, *p, *end;
	struct record_line *l;
	char *out; /* next free byte of l->text */
	char *why;
	size_t whylen;
};

static bool refuse(struct parser *ps, enum record_line_refusal r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static bool refuse(struct parser *ps, enum record_line_refusal r, const char *fmt, ...)
{
	ps->l->refusal = r;
	int n = 0;
	if (r == RL_NOT_JSON)
		n = snprintf(ps->why, ps->whylen, "at byte %zu: ", (size_t)(ps->p - ps->start));
	if (n < 0 || (size_t)n >= ps->whylen)
		return false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->why + n, ps->whylen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* The next byte, or -1 at the end. */
static int peek(const struct parser *ps)
{
	return ps->p < ps->end ? *ps->p : -1;
}

/* " (the line ends)" when p is at its end, for a message saying what was expected. */
static const char *at_end(const struct parser *ps)
{
	return ps->p == ps->end ? " (the line ends)" : "";
}

/* How much of key `s` (n bytes) a message shows: at most 60 bytes, never half a UTF-8
 * sequence (the reply is JSON, which must stay valid UTF-8). */
static int key_shown(const char *s, size_t n)
{
	if (n <= 60)
		return (int)n;
	n = 60;
	while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u)
		n--;
	return (int)n;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The length of the valid UTF-8 sequence (2 to 4 bytes) at p, 0 when it is not one:
 * overlong forms, surrogates and code points beyond U+10FFFF are not. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	uint32_t cp, min;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1Fu, min = 0x80;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0Fu, min = 0x800;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0u) != 0x80u)
			return 0;
		cp = cp << 6 | (p[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* The four hex digits at p as a number, or -1. */
static int32_t hex4(const unsigned char *p, const unsigned char *end)
{
	if (end - p < 4)
		return -1;
	int32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static char *utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* The \u escape at p (pointing at the backslash): one code point, two escapes for a
 * surrogate pair. Advances p; -1 (why set) when malformed, a lone surrogate, or U+0000. */
static int32_t unicode_escape(struct parser *ps)
{
	int32_t cp = hex4(ps->p + 2, ps->end);
	if (cp < 0)
		return refuse(ps, RL_NOT_JSON, "a \\u escape without four hex digits"), -1;
	if (cp == 0)
		return refuse(ps, RL_NOT_JSON, "\\u0000 in a string (jansson refuses NUL)"), -1;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return refuse(ps, RL_NOT_JSON, "a lone low surrogate \\u%04X", (unsigned)cp), -1;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		const unsigned char *q = ps->p + 6;
		int32_t lo =
		        q + 1 < ps->end && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2, ps->end) : -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return refuse(ps, RL_NOT_JSON,
			              "a high surrogate \\u%04X not followed by a low one",
			              (unsigned)cp),
			       -1;
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	ps->p += 6;
	return cp;
}

/* True when none of the 8 bytes in v is a control character, non-ASCII, '"' or '\\' (the
 * zero-byte tests of "Bit Twiddling Hacks": no false "true"; a false "false" only sends those
 * bytes down the byte-at-a-time path). */
static bool plain8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
	uint64_t special = (v & highs) | ((v - ones * 0x20) & ~v & highs) |
	                   ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
	return special == 0;
}

/* The string at p (pointing at its opening quote), decoded into l->text and NUL-terminated.
 * Advances p past the closing quote. */
static bool string(struct parser *ps, const char **s, size_t *n)
{
	char *o = ps->out, *begin = o;
	ps->p++;
	for (;;) {
		const unsigned char *p = ps->p;
		/* The common case: printable ASCII up to the next quote or backslash, eight bytes
		 * at a time while they are all plain. */
		uint64_t v;
		while (ps->end - p >= 8 && (memcpy(&v, p, 8), plain8(v))) {
			memcpy(o, &v, 8);
			o += 8;
			p += 8;
		}
		while (p < ps->end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			*o++ = (char)*p++;
		ps->p = p;
		if (p == ps->end)
			return refuse(ps, RL_NOT_JSON, "a string without its closing quote");
		if (*p == '"')
			break;
		if (*p < 0x20)
			return refuse(ps, RL_NOT_JSON, "control character 0x%02x in a string", *p);
		if (*p >= 0x80) {
			size_t k = utf8_sequence(p, ps->end);
			if (!k)
				return refuse(ps, RL_NOT_JSON, "invalid UTF-8 (byte 0x%02x)", *p);
			memcpy(o, p, k);
			o += k;
			ps->p += k;
			continue;
		}
		int c = p + 1 < ps->end ? p[1] : -1;
		if (c == 'u') {
			int32_t cp = unicode_escape(ps);
			if (cp < 0)
				return false;
			o = utf8_put(o, (uint32_t)cp);
			continue;
		}
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		default:
			return refuse(ps, RL_NOT_JSON, "an invalid escape in a string");
		}
		ps->p += 2;
	}
	ps->p++;
	*o++ = '\0';
	*s = begin;
	*n = (size_t)(o - 1 - begin);
	ps->out = o;
	return true;
}

/* The number at p: an integer (no fraction, no exponent) that must fit in int64, as
 * jansson's strtoll; else a real, which jansson refuses only when it overflows a double. */
static bool number(struct parser *ps, struct record_value *v)
{
	const unsigned char *p = ps->p, *end = ps->end, *start = p;
	bool neg = p < end && *p == '-', real = false, over = false;
	uint64_t acc = 0;
	p += neg;
	if (p == end || !is_digit(*p))
		return refuse(ps, RL_NOT_JSON, "an invalid number");
	if (*p == '0' && p + 1 < end && is_digit(p[1]))
		return ps->p = p + 1, refuse(ps, RL_NOT_JSON, "a number with a leading zero");
	for (; p < end && is_digit(*p); p++) {
		over = over || acc > (UINT64_MAX - 9) / 10;
		acc = acc * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			return ps->p = p,
			       refuse(ps, RL_NOT_JSON, "a number without digits after '.'");
		while (p < end && is_digit(*p))
			p++;
		real = true;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return ps->p = p, refuse(ps, RL_NOT_JSON, "a number without an exponent");
		while (p < end && is_digit(*p))
			p++;
		real = true;
	}
	if (real) {
		/* l->text has room: what was decoded so far is shorter than what was read. */
		size_t n = (size_t)(p - start);
		memcpy(ps->out, start, n);
		ps->out[n] = '\0';
		errno = 0;
		double d = strtod(ps->out, NULL);
		if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
			return refuse(ps, RL_NOT_JSON, "a real number overflowing a double");
		v->kind = RJ_REAL;
	} else {
		if (over || acc > (uint64_t)INT64_MAX + neg)
			return refuse(ps, RL_NOT_JSON, "an integer beyond 64 bits");
		v->kind = RJ_INT;
		v->num = !neg                        ? (int64_t)acc
		         : acc > (uint64_t)INT64_MAX ? INT64_MIN
		                                     : -(int64_t)acc;
	}
	ps->p = p;
	return true;
}

/* true, false or null: jansson reads a run of letters and compares the whole run. */
static bool literal(struct parser *ps, struct record_value *v)
{
	const unsigned char *p = ps->p;
	while (p < ps->end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		p++;
	size_t n = (size_t)(p - ps->p);
	if (n == 4 && !memcmp(ps->p, "null", 4))
		v->kind = RJ_NULL;
	else if ((n == 4 && !memcmp(ps->p, "true", 4)) || (n == 5 && !memcmp(ps->p, "false", 5)))
		v->kind = RJ_BOOL;
	else
		return refuse(ps, RL_NOT_JSON, "an invalid token");
	ps->p = p;
	return true;
}

/* Grows l->keys to hold one more. */
static bool key_push(struct parser *ps, const char *s, size_t n)
{
	struct record_line *l = ps->l;
	if (l->keys_n == l->keys_cap) {
		size_t cap = l->keys_cap ? 2 * l->keys_cap : 64;
		struct record_line_span *k = realloc(l->keys, cap * sizeof *k);
		if (!k)
			return refuse(ps, RL_NO_MEMORY, "out of memory");
		l->keys = k;
		l->keys_cap = cap;
	}
	l->keys[l->keys_n++] = (struct record_line_span){s, n};
	return true;
}

static int span_cmp(const void *a, const void *b)
{
	const struct record_line_span *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->s, y->s, n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Closes the innermost object of l->keys: refuses a key it holds twice. */
static bool keys_close(struct parser *ps)
{
	struct record_line *l = ps->l;
	size_t base = l->keys_n;
	while (l->keys[base - 1].s)
		base--;
	struct record_line_span *k = l->keys + base;
	size_t n = l->keys_n - base;
	if (n > 1)
		qsort(k, n, sizeof *k, span_cmp);
	for (size_t i = 1; i < n; i++)
		if (k[i].n == k[i - 1].n && !memcmp(k[i].s, k[i - 1].s, k[i].n))
			return refuse(ps, RL_NOT_JSON, "duplicate key \"%.*s\" in an object",
			              key_shown(k[i].s, k[i].n), k[i].s);
	l->keys_n = base - 1;
	return true;
}

/* A key and its colon; p at what should be the key's opening quote. */
static bool member_key(struct parser *ps, const char **s, size_t *n)
{
	if (peek(ps) != '"')
		return refuse(ps, RL_NOT_JSON, "a key expected%s", at_end(ps));
	if (!string(ps, s, n))
		return false;
	skip_space(ps);
	if (peek(ps) != ':')
		return refuse(ps, RL_NOT_JSON, "':' expected after the key \"%.*s\"",
		              key_shown(*s, *n), *s);
	ps->p++;
	skip_space(ps);
	return true;
}

/* Any JSON value at p, nested `depth` deep (the line's object being 1): checked, its kind
 * in *v, its content dropped. Iterative, so that 2048 levels cost no stack. */
static bool any_value(struct parser *ps, size_t depth, struct record_value *v)
{
	uint8_t in_object[JSON_DEPTH_MAX / 8 + 1] = {0};
	size_t level = 0; /* containers open inside this value */
	const char *s;
	size_t n;
	struct record_value scratch;
	for (;;) {
		/* A value is expected at p. */
		if (depth + level > JSON_DEPTH_MAX)
			return refuse(ps, RL_NOT_JSON, "values nested over %d deep",
			              JSON_DEPTH_MAX);
		int c = peek(ps);
		struct record_value *dst = level ? &scratch : v;
		bool closing = false; /* an empty container just ended */
		if (c == '{' || c == '[') {
			ps->p++;
			skip_space(ps);
			if (c == '{')
				in_object[level / 8] |= (uint8_t)(1u << level % 8);
			else
				in_object[level / 8] &= (uint8_t) ~(1u << level % 8);
			dst->kind = c == '{' ? RJ_OBJECT : RJ_ARRAY;
			level++;
			if (c == '{' && !key_push(ps, NULL, 0))
				return false;
			if (peek(ps) != (c == '{' ? '}' : ']')) {
				if (c == '{' && (!member_key(ps, &s, &n) || !key_push(ps, s, n)))
					return false;
				continue;
			}
			ps->p++;
			closing = true;
		} else if (c == '"') {
			if (!string(ps, &s, &n))
				return false;
			dst->kind = RJ_STRING;
		} else if (c == '-' || is_digit(c)) {
			if (!number(ps, dst))
				return false;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			if (!literal(ps, dst))
				return false;
		} else {
			return refuse(ps, RL_NOT_JSON, "a value expected%s", at_end(ps));
		}
		/* A value ended: close the containers it ends, or go on to the next member. */
		for (;;) {
			if (closing) {
				if (in_object[(level - 1) / 8] >> (level - 1) % 8 & 1 &&
				    !keys_close(ps))
					return false;
				level--;
			}
			if (level == 0)
				return true;
			bool obj = in_object[(level - 1) / 8] >> (level - 1) % 8 & 1;
			skip_space(ps);
			c = peek(ps);
			if (c == ',') {
				ps->p++;
				skip_space(ps);
				if (obj && (!member_key(ps, &s, &n) || !key_push(ps, s, n)))
					return false;
				break;
			}
			if (c != (obj ? '}' : ']'))
				return refuse(ps, RL_NOT_JSON, "',' or '%c' expected%s",
				              obj ? '}' : ']', at_end(ps));
			ps->p++;
			closing = true;
		}
	}
}

/* A Contract 4 value, kept; a container is checked and only its kind noted. */
static bool member_value(struct parser *ps, struct record_value *v)
{
	int c = peek(ps);
	if (c == '"')
		return v->kind = RJ_STRING, string(ps, &v->str, &v->len);
	if (c == '-' || is_digit(c))
		return number(ps, v);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return literal(ps, v);
	return any_value(ps, 2, v);
}

/* Appends `s` to *arr (capacity *cap). */
static bool item_push(struct parser *ps, const char ***arr, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		const char **a = realloc(*arr, c * sizeof *a);
		if (!a)
			return refuse(ps, RL_NO_MEMORY, "out of memory");
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = s;
	return true;
}

/* One element of `signatures`: an object's "id" when a string, else NULL. */
static bool signature(struct parser *ps, const char **id)
{
	struct record_value v = {0};
	*id = NULL;
	if (peek(ps) != '{')
		return any_value(ps, 3, &v);
	ps->p++;
	skip_space(ps);
	if (!key_push(ps, NULL, 0))
		return false;
	if (peek(ps) == '}')
		return ps->p++, keys_close(ps);
	for (;;) {
		const char *k;
		size_t n;
		if (!member_key(ps, &k, &n) || !key_push(ps, k, n))
			return false;
		if (n == 2 && !memcmp(k, "id", 2) && peek(ps) == '"') {
			size_t len;
			if (!string(ps, id, &len))
				return false;
		} else if (!any_value(ps, 4, &v)) {
			return false;
		}
		skip_space(ps);
		if (peek(ps) == '}')
			return ps->p++, keys_close(ps);
		if (peek(ps) != ',')
			return refuse(ps, RL_NOT_JSON, "',' or '}' expected in signatures%s",
			              at_end(ps));
		ps->p++;
		skip_space(ps);
	}
}

/* `selectors` or `signatures` when an array: each element kept as record_line.h says. */
static bool element_array(struct parser *ps, enum record_key k)
{
	struct record_line *l = ps->l;
	l->v[k].kind = RJ_ARRAY;
	ps->p++;
	skip_space(ps);
	if (peek(ps) == ']')
		return ps->p++, true;
	for (;;) {
		const char *s = NULL;
		size_t n;
		struct record_value v = {0};
		if (k == RK_SIGNATURES) {
			if (!signature(ps, &s) ||
			    !item_push(ps, &l->signature_ids, &l->n_signatures, &l->sig_cap, s))
				return false;
		} else {
			bool ok = peek(ps) == '"' ? string(ps, &s, &n) : any_value(ps, 3, &v);
			if (!ok || !item_push(ps, &l->selectors, &l->n_selectors, &l->sel_cap, s))
				return false;
		}
		skip_space(ps);
		if (peek(ps) == ']')
			return ps->p++, true;
		if (peek(ps) != ',')
			return refuse(ps, RL_NOT_JSON, "',' or ']' expected in %s, %s",
			              record_key_specs[k].name, at_end(ps));
		ps->p++;
		skip_space(ps);
	}
}

/* Which of Contract 4's keys `s` is, -1 for none; `hint` (the key expected next in a line
 * the sensor wrote) is tried first. */
static int key_index(const char *s, size_t n, int hint)
{
	if (hint < RECORD_KEYS && record_key_specs[hint].len == n &&
	    !memcmp(record_key_specs[hint].name, s, n))
		return hint;
	for (int k = 0; k < RECORD_KEYS; k++)
		if (record_key_specs[k].len == n && !memcmp(record_key_specs[k].name, s, n))
			return k;
	return -1;
}

/* The members of the line's object; p past its '{' and any space. */
static bool members(struct parser *ps)
{
	struct record_line *l = ps->l;
	int hint = 0;
	if (!key_push(ps, NULL, 0)) /* the keys beyond Contract 4's, for the duplicate check */
		return false;
	if (peek(ps) == '}')
		return ps->p++, keys_close(ps);
	for (;;) {
		const char *s;
		size_t n;
		if (!member_key(ps, &s, &n))
			return false;
		int k = key_index(s, n, hint);
		struct record_value other = {0};
		if (k >= 0 && l->v[k].kind != RJ_ABSENT)
			return refuse(ps, RL_NOT_JSON, "duplicate key \"%s\"", s);
		if (k < 0 && !key_push(ps, s, n))
			return false;
		bool ok;
		if ((k == RK_SELECTORS || k == RK_SIGNATURES) && peek(ps) == '[')
			ok = element_array(ps, (enum record_key)k);
		else
			ok = member_value(ps, k >= 0 ? &l->v[k] : &other);
		if (!ok)
			return false;
		hint = k + 1;
		l->n_keys++;
		skip_space(ps);
		if (peek(ps) == '}')
			return ps->p++, keys_close(ps);
		if (peek(ps) != ',')
			return refuse(ps, RL_NOT_JSON, "',' or '}' expected after \"%s\", %s",
			              k >= 0 ? record_key_specs[k].name : "a key", at_end(ps));
		ps->p++;
		skip_space(ps);
	}
}

bool record_line_parse(const char *line, size_t len, struct record_line *out, char *why,
                       size_t whylen)
{
	struct parser ps = {(const unsigned char *)line,
	                    (const unsigned char *)line,
	                    (const unsigned char *)line + len,
	                    out,
	                    NULL,
	                    why,
	                    whylen};
	memset(out->v, 0, sizeof out->v);
	out->n_keys = out->n_selectors = out->n_signatures = out->keys_n = 0;
	if (why && whylen)
		why[0] = '\0';
	if (out->text_cap < len + 1) {
		char *t = realloc(out->text, len + 1);
		if (!t)
			return refuse(&ps, RL_NO_MEMORY, "out of memory");
		out->text = t;
		out->text_cap = len + 1;
	}
	ps.out = out->text;
	if (memchr(line, '\0', len)) {
		ps.p = memchr(line, '\0', len);
		return refuse(&ps, RL_NOT_JSON, "a NUL byte");
	}
	skip_space(&ps);
	int c = peek(&ps);
	if (c == '[') {
		struct record_value v;
		if (!any_value(&ps, 1, &v))
			return false;
	} else if (c == '{') {
		ps.p++;
		skip_space(&ps);
		if (!members(&ps))
			return false;
	} else {
		return refuse(&ps, RL_NOT_JSON, "'{' expected%s", at_end(&ps));
	}
	skip_space(&ps);
	if (ps.p != ps.end)
		return refuse(&ps, RL_NOT_JSON, "the end of the line expected after the object");
	if (c == '[')
		return refuse(&ps, RL_NOT_OBJECT, "not a JSON object");
	return true;
}

void record_line_free(struct record_line *l)
{
	free(l->text);
	free(l->keys);
	free(l->selectors);
	free(l->signature_ids);
	*l = (struct record_line){0};
}
