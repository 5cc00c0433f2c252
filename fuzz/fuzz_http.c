/*
 * fuzz_http.c — libFuzzer harness for http_request.
 *
 * The input is parsed from an exactly-sized heap copy (a one-byte over-read is an
 * AddressSanitizer error), with full-sized and with tiny output buffers. Every output must be
 * NUL-terminated inside its buffer; the method one of the known upper-case tokens (or its cut
 * prefix); the Host printable 0x21–0x7e in lower case; the User-Agent printable 0x20–0x7e; all
 * empty when the parser says false. Nothing is printed: the harness keeps the secrecy rule.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fuzz_input.h"

static size_t check_string(const char *s, size_t size, char lo, bool lower)
{
	const char *nul = memchr(s, '\0', size);
	if (!nul)
		abort();
	for (const char *c = s; c < nul; c++)
		if (*c < lo || *c > 0x7e || (lower && *c >= 'A' && *c <= 'Z'))
			abort();
	return (size_t)(nul - s);
}

static void check_method(const char *m, size_t size, bool ok)
{
	static const char *const methods[] = {"GET",     "POST",    "HEAD",  "PUT",  "DELETE",
	                                      "OPTIONS", "CONNECT", "PATCH", "TRACE"};
	size_t n = check_string(m, size, 'A', false);
	if (!ok) {
		if (n != 0)
			abort();
		return;
	}
	if (n == 0 && size == 1)
		return; /* no room for even one letter */
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (n > 0 && strncmp(m, methods[i], n) == 0 &&
		    (n == strlen(methods[i]) || n == size - 1))
			return;
	abort();
}

static void run(const uint8_t *p, size_t size, size_t mlen, size_t hlen, size_t ulen)
{
	char m[APP_METHOD_MAX], h[APP_NAME_MAX], u[APP_UA_MAX];
	memset(m, 'Z', sizeof m);
	memset(h, 'Z', sizeof h);
	memset(u, 'Z', sizeof u);
	bool ok = http_request(p, (uint32_t)size, m, mlen, h, hlen, u, ulen);
	check_method(m, mlen, ok);
	size_t hn = check_string(h, hlen, 0x21, true);
	size_t un = check_string(u, ulen, 0x20, false);
	if (!ok && (hn != 0 || un != 0))
		abort();
	if (un > 0 && (u[0] == ' ' || u[un - 1] == ' '))
		abort();
	if (hn > 0 && (h[0] == '.' || h[hn - 1] == '.' || strstr(h, "..")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	run(p, size, APP_METHOD_MAX, APP_NAME_MAX, APP_UA_MAX);
	run(p, size, 3, 5, 4);
	run(p, size, 1, 1, 1);
	free(p);
	return 0;
}
