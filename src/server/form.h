/*
 * form.h — checks a JSON request body against a small table of fields (name, type, limits,
 * required), so each handler states its form as data and every refusal names the field:
 * unknown keys, wrong types, values outside an enumeration, empty or over-long text, times
 * that are not RFC 3339, and anything a field's own check (CPE, CIDR list …) refuses.
 * Optional fields may be null ("none"); required ones may not.
 */
#ifndef ACD_FORM_H
#define ACD_FORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "timefmt.h"

enum form_kind { FORM_TEXT, FORM_ENUM, FORM_TIME, FORM_BOOL, FORM_CUSTOM };

struct form_field {
	const char *name;
	enum form_kind kind;
	bool required;
	size_t max;                /* FORM_TEXT: the longest value in bytes */
	const char *const *values; /* FORM_ENUM: NULL-terminated */
	/* FORM_CUSTOM: true when v is acceptable, else writes "name: what is wrong" to msg. */
	bool (*check)(json_t *v, char *msg, size_t len);
};

/* Checks body against the n fields; `required` false checks a partial update (required
 * fields may be absent). On failure returns false, *field names the field and msg says why. */
bool form_check(json_t *body, const struct form_field *f, size_t n, bool required,
                const char **field, char *msg, size_t len);

/* True when s is one of the NULL-terminated values. */
bool form_one_of(const char *s, const char *const *values);

/* A present time field's value; false when absent, null or not RFC 3339. */
bool form_time(json_t *body, const char *name, acd_time *out);

#endif
