/*
 * fuzz_tls.c — libFuzzer harness for tls_client_hello.
 *
 * The input is parsed from an exactly-sized heap copy (a one-byte over-read is an
 * AddressSanitizer error), once with a full-sized SNI buffer and once with a tiny one. The
 * SNI must be NUL-terminated inside its buffer, lower-case printable (0x21–0x7e), at most 253
 * characters; the JA3 digest empty or 32 lower-case hex digits; both empty when the parser
 * says false. Nothing is printed: the harness keeps the secrecy rule like the sensor does.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fuzz_input.h"

static void check_result(const char *sni, size_t snilen, const char *ja3, bool ok)
{
	const char *nul = memchr(sni, '\0', snilen);
	if (!nul)
		abort();
	size_t n = (size_t)(nul - sni);
	if (n > 253 || (!ok && n != 0) || (n > 0 && sni[n - 1] == '.'))
		abort();
	for (size_t i = 0; i < n; i++)
		if (sni[i] < 0x21 || sni[i] > 0x7e || (sni[i] >= 'A' && sni[i] <= 'Z'))
			abort();
	nul = memchr(ja3, '\0', APP_JA3_HEX);
	if (!nul)
		abort();
	size_t j = (size_t)(nul - ja3);
	if ((j != 0 && j != 32) || (!ok && j != 0))
		abort();
	for (size_t i = 0; i < j; i++)
		if (!((ja3[i] >= '0' && ja3[i] <= '9') || (ja3[i] >= 'a' && ja3[i] <= 'f')))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	char sni[APP_NAME_MAX], small[6], ja3[APP_JA3_HEX], ja3b[APP_JA3_HEX];
	memset(sni, 'Z', sizeof sni);
	memset(ja3, 'Z', sizeof ja3);
	bool ok = tls_client_hello(p, (uint32_t)size, sni, sizeof sni, ja3);
	check_result(sni, sizeof sni, ja3, ok);
	memset(small, 'Z', sizeof small);
	memset(ja3b, 'Z', sizeof ja3b);
	bool ok2 = tls_client_hello(p, (uint32_t)size, small, sizeof small, ja3b);
	check_result(small, sizeof small, ja3b, ok2);
	/* The SNI buffer's size may drop a name, but never changes what the bytes are. */
	if (ok != ok2 || strcmp(ja3, ja3b) != 0)
		abort();
	free(p);
	return 0;
}
