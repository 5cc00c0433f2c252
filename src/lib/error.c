/* error.c — see error.h. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

enum acd_status acd_fail(struct acd_error *e, enum acd_status status, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->status = status;
	}
	return status;
}
