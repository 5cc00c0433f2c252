/*
 * http.h — acdd's HTTP layer on libmicrohttpd (thread pool): collects a request's body up to
 * the documented limit, finds the route, authenticates the bearer token, checks the role,
 * and sends the handler's JSON reply. Errors follow Contract 5:
 * {"error": CODE, "message": TEXT, "field": NAME-or-null}.
 */
#ifndef ACD_HTTP_H
#define ACD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "identity.h"

#define HTTP_BODY_LIMIT      (1024 * 1024)      /* bytes; larger bodies get 413 */
#define INGEST_BODY_LIMIT    (16 * 1024 * 1024) /* bytes, for /api/v1/ingest batches */
#define HTTP_MAX_PARAMS      3
#define HTTP_MAX_CONNECTIONS 1024 /* open at once, a thread each; more are closed at once */

struct server;
struct MHD_Connection;

struct request {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *params[HTTP_MAX_PARAMS]; /* the {…} parts of the route, in order */
	char *body; /* NUL-terminated; the handler may change it in place (ingest splits lines) */
	size_t body_len;
	struct principal who; /* the caller (unset on routes without authentication) */
	struct db_conn *c;    /* a pooled connection for the handler's reads */
};

struct reply {
	int status;
	json_t *json;             /* the body, or NULL when `text` is used */
	char *text;               /* a malloc'd non-JSON body (metrics, HTML) */
	const char *content_type; /* for `text` */
};

/* A route handler fills the reply; its return value is the HTTP status. */
typedef int (*route_fn)(struct request *rq, struct reply *rp);

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/reports/{id}/followups" */
	route_fn fn;
	unsigned roles;          /* ROLE_BIT()s allowed; 0 means no authentication (public) */
	const char *summary;     /* for the OpenAPI document */
	const char *body_schema; /* name of the request body schema, or NULL */
};

extern const struct route routes[];
extern const size_t route_count;

/* Replies with a JSON body (steals the reference). */
int reply_json(struct reply *rp, int status, json_t *body);
/* Replies with Contract 5's error object. */
int reply_error(struct reply *rp, int status, const char *code, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* The request header `name`, or NULL. */
const char *http_header(const struct request *rq, const char *name);
/* The query parameter `name`, or NULL. */
const char *request_query(const struct request *rq, const char *name);
/* Parses the body as a JSON object; on failure fills a 400/415 reply and returns NULL. */
json_t *request_json(struct request *rq, struct reply *rp);

/* Starts serving on HOST:PORT, a thread per connection (at most HTTP_MAX_CONNECTIONS), over
 * TLS when tls_cert and tls_key (PEM files) are given; as many requests run at once as the
 * store pool has connections. NULL on failure (e says why). */
struct http_daemon *http_start(struct server *srv, const char *listen, const char *tls_cert,
                               const char *tls_key, struct acd_error *e);
void http_stop(struct http_daemon *d);

#endif
