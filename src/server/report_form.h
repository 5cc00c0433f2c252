/*
 * report_form.h — the unified incident report form (統一様式, DOMAIN.md §3) as JSON: which
 * fields exist, their types and allowed values, and which a first report must have. A first
 * report may be fragmentary; follow-ups carry any subset.
 */
#ifndef ACD_REPORT_FORM_H
#define ACD_REPORT_FORM_H

#include <jansson.h>
#include <stdbool.h>

/* TLP levels from narrowest (0, red) to widest (4, clear); -1 when unknown. */
int tlp_rank(const char *tlp);

/* Checks `body` against the form. On failure returns false with `field` set to the offending
 * field's name (a static string or one inside body) and `msg` saying what is wrong. */
bool report_form_check(json_t *body, bool first, const char **field, char *msg, size_t msglen);

#endif
