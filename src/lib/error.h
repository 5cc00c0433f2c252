/*
 * error.h — the one error type returned through every layer of libacd (after curl's CURLcode
 * plus message): a status that is also the program's exit code, and one line saying what is
 * wrong and where ("prefixes.txt:12: bad CIDR '10.0.0.0/33'").
 */
#ifndef ACD_ERROR_H
#define ACD_ERROR_H

enum acd_status {
	ACD_OK = 0,
	ACD_EINPUT = 2,   /* bad usage, unreadable or malformed input */
	ACD_EREFUSED = 3, /* an approval refused: signature, validity, facility, revocation … */
	ACD_ESPOOL = 4,   /* records left in the spool */
	ACD_EDB = 5, /* the store failed (I/O, connection, corruption): not the caller's fault */
};

struct acd_error {
	enum acd_status status;
	char msg[512];
};

/* Sets e (when not NULL) and returns status, so callers can `return acd_fail(e, …)`. */
enum acd_status acd_fail(struct acd_error *e, enum acd_status status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
