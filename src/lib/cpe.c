/* cpe.c — see cpe.h. */
#include "cpe.h"

#include <stdio.h>
#include <string.h>

const char *const cpe_attr_names[CPE_ATTRS] = {"part",      "vendor",    "product",  "version",
                                               "update",    "edition",   "language", "sw_edition",
                                               "target_sw", "target_hw", "other"};

/* What may follow a backslash: the xsd's quoted punctuation. A quoted '-', '.' or '_' is
 * not in it (they need no quoting), so "\." is refused as the NVD refuses it. */
static const char quotable[] = "\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~";

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_plain(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

static bool fail(char *why, size_t whylen, int attr, const char *what)
{
	if (why && whylen)
		snprintf(why, whylen, "%s: %s", attr < 0 ? "cpe" : cpe_attr_names[attr], what);
	return false;
}

/* One attribute value: "*", "-", or [wildcards] body [wildcards], where the wildcards are
 * a run of '?' or a single '*' and the body is at least one plain or quoted character. */
static bool check_value(const char *v, size_t n, int attr, char *why, size_t whylen)
{
	if (n == 0)
		return fail(why, whylen, attr, "empty (use * for any value, - for none)");
	if (n == 1 && (v[0] == '*' || v[0] == '-'))
		return true;
	size_t i = 0;
	if (v[0] == '*')
		i = 1;
	else
		while (i < n && v[i] == '?')
			i++;
	size_t body = 0;
	while (i < n && v[i] != '*' && v[i] != '?') {
		if (v[i] == '\\') {
			if (i + 1 >= n || !memchr(quotable, v[i + 1], sizeof quotable - 1))
				return fail(why, whylen, attr,
				            "a backslash quotes only punctuation other than - . _");
			i += 2;
		} else if (is_plain(v[i])) {
			i++;
		} else {
			return fail(
			        why, whylen, attr,
			        "characters other than A-Z a-z 0-9 - . _ must be quoted with \\");
		}
		body++;
	}
	if (body == 0)
		return fail(why, whylen, attr, "a wildcard needs a value beside it");
	if (i < n && v[i] == '*')
		i++;
	else
		while (i < n && v[i] == '?')
			i++;
	if (i != n)
		return fail(why, whylen, attr, "? and * only at the start or end of a value");
	return true;
}

/* RFC 5646 as the xsd restricts it: 2-3 letters, optionally "-" and 2 letters or 3 digits. */
static bool check_language(const char *v, size_t n, char *why, size_t whylen)
{
	if (n == 1 && (v[0] == '*' || v[0] == '-'))
		return true;
	size_t i = 0;
	while (i < n && ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z')))
		i++;
	bool ok = i >= 2 && i <= 3;
	if (ok && i < n) {
		size_t rest = n - i - 1, letters = 0, digits = 0;
		ok = v[i] == '-';
		for (size_t k = i + 1; ok && k < n; k++) {
			letters += (v[k] >= 'a' && v[k] <= 'z') || (v[k] >= 'A' && v[k] <= 'Z');
			digits += v[k] >= '0' && v[k] <= '9';
		}
		ok = ok && ((rest == 2 && letters == 2) || (rest == 3 && digits == 3));
	}
	return ok ? true : fail(why, whylen, CPE_LANGUAGE, "an RFC 5646 tag such as ja or ja-JP");
}

bool cpe_parse(const char *s, size_t len, struct cpe_name *out, char *why, size_t whylen)
{
	static const char prefix[] = "cpe:2.3:";
	if (len > CPE_MAX_LEN)
		return fail(why, whylen, -1, "longer than 1024 bytes");
	if (len < sizeof prefix - 1 || memcmp(s, prefix, sizeof prefix - 1) != 0)
		return fail(why, whylen, -1, "must start with cpe:2.3:");
	size_t i = sizeof prefix - 1;
	int attr = 0;
	for (;;) {
		size_t start = i;
		/* A component ends at an unquoted ':'; a quoted one belongs to the value. */
		while (i < len && s[i] != ':')
			i += s[i] == '\\' && i + 1 < len ? 2 : 1;
		if (attr == CPE_ATTRS)
			return fail(why, whylen, -1, "more than 13 components");
		out->attr[attr] = (struct cpe_span){start, i - start};
		attr++;
		if (i >= len)
			break;
		i++; /* the ':' */
	}
	if (attr != CPE_ATTRS)
		return fail(why, whylen, -1,
		            "fewer than 13 components (cpe:2.3: and 11 attributes)");
	const struct cpe_span *p = &out->attr[CPE_PART];
	if (p->len != 1 || !strchr("aoh*-", s[p->off]) || s[p->off] == '\0')
		return fail(why, whylen, CPE_PART,
		            "one of a (application), o (OS), h (hardware), * or -");
	for (int k = 1; k < CPE_ATTRS; k++) {
		const struct cpe_span *a = &out->attr[k];
		bool ok = k == CPE_LANGUAGE ? check_language(s + a->off, a->len, why, whylen)
		                            : check_value(s + a->off, a->len, k, why, whylen);
		if (!ok)
			return false;
	}
	return true;
}

size_t cpe_unquote(const char *s, const struct cpe_span *a, char *buf, size_t buflen)
{
	size_t n = 0;
	for (size_t i = a->off; i < a->off + a->len; i++) {
		if (s[i] == '\\' && i + 1 < a->off + a->len)
			i++;
		if (n + 1 < buflen)
			buf[n] = s[i];
		n++;
	}
	if (buflen)
		buf[n < buflen ? n : buflen - 1] = '\0';
	return n;
}
