/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tu_write_temp(const char *name, const char *text)
{
	static char dir[64];
	static char path[256];
	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "/tmp/acd-unit-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

size_t tu_hex(const char *hex, uint8_t *buf, size_t buflen)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		if (!isxdigit((unsigned char)*p))
			continue;
		int v = isdigit((unsigned char)*p) ? *p - '0'
		                                   : (tolower((unsigned char)*p) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			if (n == buflen)
				abort();
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}
