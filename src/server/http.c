/* http.c — see http.h. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body_pool.h"
#include "keyfile.h"
#include "log.h"
#include "server.h"

struct http_daemon {
	struct MHD_Daemon *mhd;
	uint8_t *cert, *key; /* PEM text libmicrohttpd reads while it runs */
};

/* What one request collects across libmicrohttpd's calls. */
struct pending {
	char *body;
	size_t len, cap, limit;
	bool too_big;
	acd_time started;
};

int reply_json(struct reply *rp, int status, json_t *body)
{
	rp->status = status;
	json_decref(rp->json);
	rp->json = body;
	return status;
}

int reply_error(struct reply *rp, int status, const char *code, const char *field, const char *fmt,
                ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return reply_json(
	        rp, status,
	        json_pack("{s:s, s:s, s:s?}", "error", code, "message", msg, "field", field));
}

const char *http_header(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *request_query(const struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *request_json(struct request *rq, struct reply *rp)
{
	const char *ct = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		reply_error(rp, 415, "unsupported_media_type", NULL,
		            "the body must be application/json");
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadb(rq->body ? rq->body : "", rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		reply_error(rp, 400, "malformed_json", NULL, "malformed JSON at byte %d: %s",
		            je.position, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		reply_error(rp, 400, "malformed_json", NULL, "the body must be a JSON object");
		return NULL;
	}
	return v;
}

/* Matches path against a route pattern, capturing {…} segments into buf/params. */
static bool route_match(const char *pattern, const char *path, char *buf, size_t buflen,
                        const char *params[HTTP_MAX_PARAMS])
{
	int np = 0;
	size_t used = 0;
	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *pend = strchr(pattern, '}');
			size_t n = strcspn(path, "/");
			if (!pend || n == 0 || np == HTTP_MAX_PARAMS || used + n + 1 > buflen)
				return false;
			memcpy(buf + used, path, n);
			buf[used + n] = '\0';
			params[np++] = buf + used;
			used += n + 1;
			pattern = pend + 1;
			path += n;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

/* Finds the route; *path_known tells a wrong method (405) from an unknown path (404). */
static int route_find(const char *method, const char *path, char *buf, size_t buflen,
                      const char *params[HTTP_MAX_PARAMS], bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < route_count; i++) {
		if (!route_match(routes[i].pattern, path, buf, buflen, params))
			continue;
		*path_known = true;
		if (strcmp(routes[i].method, method) == 0)
			return (int)i;
	}
	return -1;
}

/* Authenticates the bearer token; false with a 401 reply otherwise. */
static bool authenticate(struct request *rq, struct reply *rp)
{
	const char *h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
		reply_error(rp, 401, "unauthenticated", NULL, "missing bearer token");
		return false;
	}
	char hash[TOKEN_HASH_HEX];
	struct acd_error e = {0};
	token_hash(&rq->srv->keys, h + 7, hash);
	if (!identity_lookup(rq->c, hash, &rq->who, &e)) {
		if (e.status != ACD_OK)
			reply_error(rp, 503, "store_unavailable", NULL, "%s", e.msg);
		else
			reply_error(rp, 401, "unauthenticated", NULL, "unknown or disabled token");
		return false;
	}
	return true;
}

/* Routes, authenticates, checks the role and runs the handler. */
static int dispatch(struct request *rq, struct reply *rp, int *route_index)
{
	char buf[512];
	bool known;
	int ri = route_find(rq->method, rq->path, buf, sizeof buf, rq->params, &known);
	*route_index = ri;
	if (ri < 0)
		return known ? reply_error(rp, 405, "method_not_allowed", NULL,
		                           "%s is not allowed on %s", rq->method, rq->path)
		             : reply_error(rp, 404, "not_found", NULL, "no such resource");
	const struct route *r = &routes[ri];
	if (r->roles == 0)
		return r->fn(rq, rp);
	if (!authenticate(rq, rp))
		return rp->status;
	if (!(r->roles & ROLE_BIT(rq->who.role)))
		return reply_error(rp, 403, "forbidden", NULL, "role %s may not %s %s",
		                   role_name(rq->who.role), rq->method, r->pattern);
	return r->fn(rq, rp);
}

/* Sends the reply; API answers are never cached (they carry protected data). */
static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *rp)
{
	char *text;
	const char *ctype = "application/json";
	if (rp->json) {
		text = json_dumps(rp->json, JSON_COMPACT);
		json_decref(rp->json);
	} else {
		text = rp->text ? rp->text : strdup("");
		ctype = rp->content_type ? rp->content_type : "text/plain; charset=utf-8";
	}
	struct MHD_Response *resp =
	        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Appends an upload chunk, or only notes that the body passed the limit. A body without a
 * declared length grows by doubling until it is large, then moves to a pooled buffer. */
static void collect(struct pending *p, const char *data, size_t n)
{
	if (p->too_big || p->len + n > p->limit) {
		p->too_big = true;
		return;
	}
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		while (cap < p->len + n + 1)
			cap *= 2;
		char *b;
		if (cap >= BODY_POOL_MIN) {
			b = body_pool_take(p->len + n, &cap);
			if (b && p->len)
				memcpy(b, p->body, p->len);
			if (b)
				body_pool_give(p->body, p->cap);
		} else {
			b = realloc(p->body, cap);
		}
		if (!b) {
			p->too_big = true;
			return;
		}
		p->body = b;
		p->cap = cap;
	}
	memcpy(p->body + p->len, data, n);
	p->len += n;
	p->body[p->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
	(void)version;
	struct server *srv = cls;
	struct pending *p = *req_cls;
	if (!p) {
		p = calloc(1, sizeof *p);
		if (!p)
			return MHD_NO;
		p->started = time_now();
		/* Sensors' batches may be larger than anything a person submits. */
		p->limit = strcmp(url, "/api/v1/ingest") == 0 ? INGEST_BODY_LIMIT : HTTP_BODY_LIMIT;
		*req_cls = p;
		/* A body declared over the limit is refused before a byte of it is read. */
		const char *cl =
		        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
		if (declared > p->limit) {
			struct reply rp = {0};
			reply_error(&rp, 413, "payload_too_large", NULL,
			            "the body is over the limit of %zu bytes", p->limit);
			metrics_observe(&srv->metrics, -1, 413, 0);
			return send_reply(conn, &rp);
		}
		/* The whole body in one buffer: a sensor's 10 MB batch grown by doubling would be
		 * copied several times over, and a pooled one has its pages already. */
		if (declared > 0 && (p->body = body_pool_take((size_t)declared, &p->cap)))
			p->body[0] = '\0';
		return MHD_YES;
	}
	if (*upload_data_size) {
		collect(p, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct request rq = {.srv = srv,
	                     .conn = conn,
	                     .method = method,
	                     .path = url,
	                     .body = p->body,
	                     .body_len = p->len};
	struct reply rp = {.status = 500};
	int ri = -1;
	if (p->too_big) {
		reply_error(&rp, 413, "payload_too_large", NULL,
		            "the body is over the limit of %zu bytes", p->limit);
	} else {
		rq.c = db_acquire(srv->db);
		dispatch(&rq, &rp, &ri);
		db_release(srv->db, rq.c);
	}
	metrics_observe(&srv->metrics, ri, rp.status, (long long)(time_now() - p->started));
	return send_reply(conn, &rp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	struct pending *p = *req_cls;
	if (p) {
		body_pool_give(p->body, p->cap);
		free(p);
		*req_cls = NULL;
	}
}

/* Parses "HOST:PORT" or "[V6]:PORT". */
static bool parse_listen(const char *s, struct sockaddr_storage *ss)
{
	char host[256];
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof host)
		return false;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return false;
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1;
	}
	v4->sin_family = AF_INET;
	v4->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &v4->sin_addr) == 1;
}

/* Loads the TLS certificate and key (PEM) into d; false with e set when unreadable. */
static bool load_tls(struct http_daemon *d, const char *cert, const char *key, struct acd_error *e)
{
	size_t len;
	if (file_read_all(cert, 1 << 20, &d->cert, &len, e) != ACD_OK)
		return false;
	if (file_read_all(key, 1 << 20, &d->key, &len, e) != ACD_OK)
		return false;
	return true;
}

struct http_daemon *http_start(struct server *srv, const char *listen, const char *tls_cert,
                               const char *tls_key, struct acd_error *e)
{
	struct sockaddr_storage ss;
	if (!parse_listen(listen, &ss)) {
		acd_fail(e, ACD_EINPUT, "--listen: '%s' is not HOST:PORT", listen);
		return NULL;
	}
	if (!tls_cert != !tls_key) {
		acd_fail(e, ACD_EINPUT, "--tls-cert and --tls-key go together");
		return NULL;
	}
	struct http_daemon *d = calloc(1, sizeof *d);
	if (!d || (tls_cert && !load_tls(d, tls_cert, tls_key, e))) {
		if (d) {
			free(d->cert);
			free(d->key);
		}
		free(d);
		return NULL;
	}
	/* A thread per connection: a request waits in its thread for its group's fsync, and in a
	 * thread pool every other connection that thread serves would wait behind it (about 60%
	 * fewer audited reads a second in bench/server). At most acdd's --threads requests hold a
	 * store connection at once (the pool, db_acquire); the others wait there for one. */
	unsigned flags =
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls_cert)
		flags |= MHD_USE_TLS;
	/* With TLS off, the two HTTPS options are given NULL and ignored. */
	d->mhd = MHD_start_daemon(
	        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &ss,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
	        tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, (const char *)d->cert,
	        MHD_OPTION_HTTPS_MEM_KEY, (const char *)d->key, MHD_OPTION_END);
	if (!d->mhd) {
		free(d->cert);
		free(d->key);
		free(d);
		acd_fail(e, ACD_EINPUT, "--listen %s: cannot serve there (address in use%s?)",
		         listen, tls_cert ? ", or a bad certificate or key" : "");
		return NULL;
	}
	return d;
}

void http_stop(struct http_daemon *d)
{
	MHD_stop_daemon(d->mhd);
	free(d->cert);
	if (d->key)
		sodium_memzero(d->key, strlen((char *)d->key));
	free(d->key);
	free(d);
}
