/*
 * http_client.h — the one HTTP exchange the `acd` verbs need: send a request with a bearer
 * token and an optional JSON body to acdd, collect the status and the whole answer. Built on
 * libcurl (docs/decisions/0009). Redirects are never followed (the token would go with them)
 * and only http:// and https:// are spoken. Cost: one connection per request.
 */
#ifndef ACD_HTTP_CLIENT_H
#define ACD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct http_answer {
	long status; /* the HTTP status; 0 when the server could not be reached */
	char *body;  /* the answer's bytes, NUL-terminated; free with http_answer_free */
	size_t len;
	char err[256]; /* why status is 0 */
};

/* Sends METHOD SERVER+TARGET (TARGET already URL-encoded: path and query) with
 * "Authorization: Bearer TOKEN" when token is non-NULL and body (application/json) when
 * non-NULL. Returns the answer's status, 0 when there was none (ans->err says why). */
long http_exchange(const char *server, const char *token, const char *method, const char *target,
                   const char *body, size_t body_len, struct http_answer *ans);
void http_answer_free(struct http_answer *ans);

/* Appends s percent-encoded (RFC 3986 unreserved characters stay) to buf of size cap, NUL
 * terminated; false when it does not fit. */
bool http_append_escaped(char *buf, size_t cap, const char *s);

/* Appends s as it is; false when it does not fit. */
bool http_append_raw(char *buf, size_t cap, const char *s);

#endif
