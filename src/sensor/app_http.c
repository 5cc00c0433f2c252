/*
 * app_http.c — the HTTP/1.x request fields acd extracts (Contract 4 `http_method`,
 * `http_host`, `http_user_agent`).
 *
 * The request line must be "METHOD SP target SP HTTP/1.0|HTTP/1.1" followed by CRLF, LF or
 * the end of the bytes. The target (path and query) is stepped over byte by byte and never
 * copied. Then complete header lines (ended by LF) are read until the empty line or the end
 * of the bytes; a line cut by the end of the bytes is ignored. Only the names are compared,
 * and only the values of Host and User-Agent are copied, each at most once (the first
 * occurrence). Cookies, other headers and the body are never touched.
 *
 * Values lose leading and trailing spaces and tabs; a byte outside printable ASCII ends a
 * value (0x21–0x7e for Host, 0x20–0x7e for User-Agent). The User-Agent is cut at `ualen`.
 * The Host is folded to lower case and loses a trailing dot (also one before ":port"); a Host
 * that does not fit `hostlen` or has an empty label is left empty instead of cut or mended,
 * because the result could match a domain selector the real name does not.
 */
#include "app.h"

#include <string.h>

static const char *const http_methods[] = {
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE",
};

/* Length of the method at p (followed by SP), or 0. */
static size_t http_method_len(const uint8_t *p, uint32_t len)
{
	for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++) {
		size_t n = strlen(http_methods[i]);
		if (len > n && memcmp(p, http_methods[i], n) == 0 && p[n] == ' ')
			return n;
	}
	return 0;
}

/* Steps over "SP target SP HTTP/1.x" and the line end after the method; returns the offset
 * of the first header line, or 0 when the request line is not one. */
static uint32_t http_skip_request_line(const uint8_t *p, uint32_t len, uint32_t pos)
{
	uint32_t start = ++pos; /* the SP after the method */
	while (pos < len && p[pos] != ' ') {
		if (p[pos] < 0x21 || p[pos] == 0x7f)
			return 0;
		pos++;
	}
	if (pos == start || len - pos < 9)
		return 0;
	pos++;
	if (memcmp(p + pos, "HTTP/1.0", 8) != 0 && memcmp(p + pos, "HTTP/1.1", 8) != 0)
		return 0;
	pos += 8;
	if (pos == len)
		return pos;
	if (p[pos] == '\n')
		return pos + 1;
	if (p[pos] == '\r' && (pos + 1 == len || p[pos + 1] == '\n'))
		return pos + 1 == len ? len : pos + 2;
	return 0;
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive comparison of the header name [p, p+n) with a lower-case name. */
static bool header_is(const uint8_t *p, uint32_t n, const char *name)
{
	if (n != strlen(name))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c != (uint8_t)name[i])
			return false;
	}
	return true;
}

/* Copies the value in [at, end) into out: leading OWS skipped, bytes below `lo` or above
 * 0x7e end it, trailing OWS dropped. Returns false when it did not fit (out holds the cut
 * value). */
static bool header_value(const uint8_t *p, uint32_t at, uint32_t end, uint8_t lo, char *out,
                         size_t outlen)
{
	while (at < end && is_ows(p[at]))
		at++;
	size_t o = 0;
	bool fits = true;
	for (; at < end && p[at] >= lo && p[at] <= 0x7e; at++) {
		if (o + 1 >= outlen) {
			fits = false;
			break;
		}
		out[o++] = (char)p[at];
	}
	while (o > 0 && is_ows((uint8_t)out[o - 1]))
		o--;
	out[o] = '\0';
	return fits;
}

/* Host as a name: lower case, no trailing dot before the end or before ":port"; dropped when
 * a label is empty. */
static void host_normalise(char *h)
{
	size_t n = strlen(h);
	for (size_t i = 0; i < n; i++)
		if (h[i] >= 'A' && h[i] <= 'Z')
			h[i] = (char)(h[i] - 'A' + 'a');
	if (h[0] == '.' || strstr(h, "..")) {
		h[0] = '\0'; /* an empty label: no host name, nothing a selector should see */
		return;
	}
	char *colon = strrchr(h, ':');
	if (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	else if (colon && colon > h && colon[-1] == '.')
		memmove(colon - 1, colon, strlen(colon) + 1);
	if (strstr(h, ".:") || (n > 0 && h[n - 1] == '.'))
		h[0] = '\0'; /* a dot left where a label should end: not a name */
}

/* One header line [at, end) (no line end): copies Host or User-Agent if it is one. */
static void http_header_line(const uint8_t *p, uint32_t at, uint32_t end, char *host,
                             size_t hostlen, char *ua, size_t ualen)
{
	uint32_t colon = at;
	while (colon < end && p[colon] != ':')
		colon++;
	if (colon == end)
		return;
	if (hostlen > 0 && host[0] == '\0' && header_is(p + at, colon - at, "host")) {
		if (!header_value(p, colon + 1, end, 0x21, host, hostlen))
			host[0] = '\0';
		host_normalise(host);
	} else if (ualen > 0 && ua[0] == '\0' && header_is(p + at, colon - at, "user-agent")) {
		header_value(p, colon + 1, end, 0x20, ua, ualen);
	}
}

/* Reads header lines from pos until the empty line or the end of the bytes. */
static void http_headers(const uint8_t *p, uint32_t len, uint32_t pos, char *host, size_t hostlen,
                         char *ua, size_t ualen)
{
	while (pos < len) {
		uint32_t eol = pos;
		while (eol < len && p[eol] != '\n')
			eol++;
		if (eol == len)
			return; /* a line cut by the segment end: its value may be cut too */
		uint32_t end = eol;
		if (end > pos && p[end - 1] == '\r')
			end--;
		if (end == pos)
			return;      /* the empty line: the body follows, which is not ours */
		if (!is_ows(p[pos])) /* obs-fold continuation lines are ignored */
			http_header_line(p, pos, end, host, hostlen, ua, ualen);
		pos = eol + 1;
	}
}

static void out_clear(char *out, size_t outlen)
{
	if (out && outlen > 0)
		out[0] = '\0';
}

bool http_request(const uint8_t *p, uint32_t len, char *method, size_t methodlen, char *host,
                  size_t hostlen, char *ua, size_t ualen)
{
	out_clear(method, methodlen);
	out_clear(host, host ? hostlen : 0);
	out_clear(ua, ua ? ualen : 0);
	if (!host)
		hostlen = 0;
	if (!ua)
		ualen = 0;
	size_t mlen = http_method_len(p, len);
	if (mlen == 0)
		return false;
	uint32_t pos = http_skip_request_line(p, len, (uint32_t)mlen);
	if (pos == 0)
		return false;
	if (method && methodlen > 0) {
		size_t n = mlen < methodlen - 1 ? mlen : methodlen - 1;
		memcpy(method, p, n);
		method[n] = '\0';
	}
	http_headers(p, len, pos, host, hostlen, ua, ualen);
	return true;
}
