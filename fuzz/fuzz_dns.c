/*
 * fuzz_dns.c — libFuzzer harness for dns_query_name.
 *
 * The input is parsed both as a UDP message and as a TCP one (length prefix), each time from
 * an exactly-sized heap copy so that a one-byte over-read is an AddressSanitizer error. The
 * output must be NUL-terminated inside its buffer, at most 253 characters, lower-case
 * printable (0x21–0x7e) with no trailing dot, and empty whenever the parser says false.
 * Nothing is printed: the harness keeps the secrecy rule like the sensor does.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fuzz_input.h"

static void check_name(const char *out, size_t outlen, bool ok)
{
	const char *nul = memchr(out, '\0', outlen);
	if (!nul)
		abort();
	size_t n = (size_t)(nul - out);
	if (n > 253 || (ok && n == 0) || (!ok && n != 0) || (n > 0 && out[n - 1] == '.'))
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] < 0x21 || out[i] > 0x7e || (out[i] >= 'A' && out[i] <= 'Z'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	char out[APP_NAME_MAX];
	for (int tcp = 0; tcp <= 1; tcp++) {
		memset(out, 'Z', sizeof out);
		bool ok = dns_query_name(p, (uint32_t)size, tcp, out, sizeof out);
		check_name(out, sizeof out, ok);
	}
	char small[8];
	memset(small, 'Z', sizeof small);
	check_name(small, sizeof small,
	           dns_query_name(p, (uint32_t)size, false, small, sizeof small));
	free(p);
	return 0;
}
