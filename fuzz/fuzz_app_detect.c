/*
 * fuzz_app_detect.c — libFuzzer harness for app_detect and app_name.
 *
 * The first input byte picks the transport (even: TCP, odd: UDP); the rest is the first
 * payload of a flow, parsed from an exactly-sized heap copy so that a one-byte over-read is
 * an AddressSanitizer error. The result must be a valid enum value, UNDECIDED exactly for an
 * empty payload, with a lower-case name for every detected protocol; a protocol that is only
 * spoken over one transport must not be detected over the other. Nothing is printed.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

static void check(uint8_t ipproto, enum app_proto a, size_t len)
{
	if ((int)a < (int)APP_UNDECIDED || (int)a > (int)APP_OTHER)
		abort();
	if ((a == APP_UNDECIDED) != (len == 0))
		abort();
	const char *name = app_name(a);
	if ((name == NULL) != (a == APP_UNDECIDED || a == APP_OTHER))
		abort();
	for (const char *c = name; c && *c; c++)
		if (*c < 'a' || *c > 'z')
			abort();
	bool tcp_only =
	        a == APP_TLS || a == APP_HTTP || a == APP_SSH || a == APP_SMTP || a == APP_FTP;
	bool udp_only = a == APP_QUIC || a == APP_NTP;
	if ((ipproto == 17 && tcp_only) || (ipproto == 6 && udp_only))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > UINT32_MAX)
		return 0;
	uint8_t ipproto = (data[0] & 1) ? 17 : 6;
	size_t len = size - 1;
	uint8_t *p = malloc(len ? len : 1);
	if (!p)
		return 0;
	if (len)
		memcpy(p, data + 1, len);
	check(ipproto, app_detect(ipproto, p, (uint32_t)len), len);
	if (app_detect(1, p, (uint32_t)len) != APP_OTHER)
		abort();
	free(p);
	return 0;
}
