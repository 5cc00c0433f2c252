/*
 * fuzz_input.h — shared by the libFuzzer harnesses: the input copied into a buffer of
 * exactly its size, so AddressSanitizer catches a parser reading one byte too far (libFuzzer's
 * own buffer may have slack behind it). NULL when the input is too large for a 32-bit length.
 */
#ifndef ACD_FUZZ_INPUT_H
#define ACD_FUZZ_INPUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline uint8_t *fuzz_exact_copy(const uint8_t *data, size_t size)
{
	if (size > UINT32_MAX)
		return NULL;
	uint8_t *p = malloc(size ? size : 1);
	if (p && size)
		memcpy(p, data, size);
	return p;
}

#endif
