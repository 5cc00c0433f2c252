/* testutil.h — small helpers shared by the cmocka unit tests. */
#ifndef ACD_TESTUTIL_H
#define ACD_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Writes `text` to a fresh file under a per-test temporary directory; returns its path
 * (static storage, valid until the next call). */
const char *tu_write_temp(const char *name, const char *text);
/* Converts a hex string ("45 00 00 1c", spaces allowed) into buf; returns the byte count. */
size_t tu_hex(const char *hex, uint8_t *buf, size_t buflen);

#endif
