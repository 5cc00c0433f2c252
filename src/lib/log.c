/* log.c — see log.h. The program name and verbosity are set once in main before threads start. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "acd";
static int log_verbose;

void log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
}

/* One fprintf of a preformatted line, so lines from several threads do not interleave. */
static void log_emit(const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (suffix)
		fprintf(stderr, "%s: %s: %s\n", log_prog, msg, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (!log_verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, err);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

void fatal(int status, const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, err);
	va_end(ap);
	exit(status);
}

void fatalx(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
	exit(status);
}
