/* form.c — see form.h. */
#include "form.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool form_one_of(const char *s, const char *const *values)
{
	for (int i = 0; s && values[i]; i++)
		if (strcmp(s, values[i]) == 0)
			return true;
	return false;
}

bool form_time(json_t *body, const char *name, acd_time *out)
{
	const char *s = json_string_value(json_object_get(body, name));
	return s && time_parse(s, out);
}

/* Text with something in it: a blank value says nothing, so it is refused like a missing one. */
static bool has_text(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

static bool check_one(const struct form_field *f, json_t *v, char *msg, size_t len)
{
	acd_time t;
	switch (f->kind) {
	case FORM_TEXT:
		if (json_is_string(v) && json_string_length(v) <= f->max &&
		    has_text(json_string_value(v)) &&
		    strlen(json_string_value(v)) == json_string_length(v))
			return true;
		snprintf(msg, len, "%s: non-empty text of at most %zu bytes", f->name, f->max);
		return false;
	case FORM_ENUM:
		if (form_one_of(json_string_value(v), f->values))
			return true;
		int n = snprintf(msg, len, "%s: one of", f->name);
		for (int i = 0; f->values[i] && n > 0 && (size_t)n < len; i++)
			n += snprintf(msg + n, len - (size_t)n, " %s", f->values[i]);
		return false;
	case FORM_TIME:
		if (json_is_string(v) && time_parse(json_string_value(v), &t))
			return true;
		snprintf(msg, len, "%s: an RFC 3339 date-time such as 2027-04-01T09:00:00+09:00",
		         f->name);
		return false;
	case FORM_BOOL:
		if (json_is_boolean(v))
			return true;
		snprintf(msg, len, "%s: true or false", f->name);
		return false;
	default:
		return f->check(v, msg, len);
	}
}

bool form_check(json_t *body, const struct form_field *f, size_t n, bool required,
                const char **field, char *msg, size_t len)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		const struct form_field *ff = NULL;
		for (size_t i = 0; i < n && !ff; i++)
			if (strcmp(f[i].name, key) == 0)
				ff = &f[i];
		*field = ff ? ff->name : key;
		if (!ff) {
			snprintf(msg, len, "%s: not a field of this form", key);
			return false;
		}
		if (json_is_null(v) && !ff->required)
			continue;
		if (json_is_null(v)) {
			snprintf(msg, len, "%s: required, may not be null", ff->name);
			return false;
		}
		if (!check_one(ff, v, msg, len))
			return false;
	}
	for (size_t i = 0; required && i < n; i++)
		if (f[i].required && !json_object_get(body, f[i].name)) {
			*field = f[i].name;
			snprintf(msg, len, "%s: required", f[i].name);
			return false;
		}
	return true;
}
