/*
 * fuzz_decode.c — libFuzzer harness for the packet decoder.
 *
 * The first input byte picks one of the supported link types; the rest is the captured frame.
 * After decode_l3 and decode_l4 every byte the results point at is read, so that a bound one
 * byte too long shows up under AddressSanitizer, and the results' invariants are checked.
 * The sums are never printed: the harness follows the secrecy rule like the sensor does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"

static const int link_types[] = {1, 113, 276, 12, 14, 101, 228, 229, 0, 108};

/* Reads every byte of [p, p+len) and checks the span lies inside the frame. */
static uint32_t touch(const uint8_t *p, uint32_t len, const uint8_t *frame, size_t size)
{
	if (len == 0)
		return 0;
	if (!p || p < frame || p + len > frame + size)
		abort();
	uint32_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > UINT32_MAX)
		return 0;
	int dlt = link_types[data[0] % (sizeof link_types / sizeof link_types[0])];
	const uint8_t *frame = data + 1;
	size_t caplen = size - 1;
	struct packet pkt;
	volatile uint32_t sink = 0;

	enum decode_status st = decode_l3(dlt, frame, (uint32_t)caplen, &pkt);
	if (st != DECODE_OK)
		return 0;
	if (pkt.tunnel_depth > DECODE_MAX_TUNNELS || (pkt.src.family != 4 && pkt.src.family != 6) ||
	    pkt.src.family != pkt.dst.family || (pkt.is_fragment == false && !pkt.frag_first))
		abort();
	if (!pkt.l4 || pkt.l4 < frame || pkt.l4 > frame + caplen)
		abort();
	sink += touch(pkt.l4, pkt.l4_len, frame, caplen);

	if (decode_l4(&pkt) != DECODE_OK)
		return 0;
	if (pkt.payload_len &&
	    (pkt.payload < pkt.l4 || pkt.payload + pkt.payload_len > pkt.l4 + pkt.l4_len))
		abort();
	if (!pkt.payload_len && pkt.payload)
		abort();
	sink += touch(pkt.payload, pkt.payload_len, frame, caplen);
	(void)sink;
	return 0;
}
