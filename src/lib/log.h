/*
 * log.h — the one error and logging idiom of every acd program (after OpenBSD's log.c).
 *
 * Messages go to stderr as "PROGRAM: message". fatal()/fatalx() exit with the given status,
 * so each program keeps its documented exit codes (Contract 3: 2 bad input, 3 refused approval).
 * Nothing that comes from a packet's payload may ever be passed to these functions.
 */
#ifndef ACD_LOG_H
#define ACD_LOG_H

#include <stdarg.h>

void log_init(const char *progname, int verbose);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void fatalx(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
