/* http_client.c — see http_client.h. */
#include "http_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcurl's write callback: grows the answer buffer. */
static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct http_answer *a = arg;
	size_t add = size * n;
	char *b = realloc(a->body, a->len + add + 1);
	if (!b)
		return 0; /* libcurl then fails the transfer with CURLE_WRITE_ERROR */
	memcpy(b + a->len, data, add);
	a->body = b;
	a->len += add;
	a->body[a->len] = '\0';
	return add;
}

/* Builds the header list; the token line is wiped from our copy once libcurl has it. */
static struct curl_slist *headers(const char *token, bool has_body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
	if (has_body)
		h = curl_slist_append(h, "Content-Type: application/json");
	/* A 100-continue round trip only slows down small JSON bodies. */
	h = curl_slist_append(h, "Expect:");
	if (token) {
		size_t n = strlen(token) + sizeof "Authorization: Bearer ";
		char *line = malloc(n);
		if (line) {
			snprintf(line, n, "Authorization: Bearer %s", token);
			h = curl_slist_append(h, line);
			memset(line, 0, n);
			free(line);
		}
	}
	return h;
}

long http_exchange(const char *server, const char *token, const char *method, const char *target,
                   const char *body, size_t body_len, struct http_answer *ans)
{
	memset(ans, 0, sizeof *ans);
	size_t ulen = strlen(server) + strlen(target) + 1;
	char *url = malloc(ulen);
	CURL *cu = curl_easy_init();
	if (!url || !cu) {
		snprintf(ans->err, sizeof ans->err, "out of memory");
		free(url);
		curl_easy_cleanup(cu);
		return 0;
	}
	/* "http://host:port/" and "/api/…" must not make "//api". */
	size_t sl = strlen(server);
	snprintf(url, ulen, "%.*s%s", (int)(sl && server[sl - 1] == '/' ? sl - 1 : sl), server,
	         target);
	struct curl_slist *h = headers(token, body != NULL);
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, ans);
	if (body) {
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	CURLcode rc = curl_easy_perform(cu);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &ans->status);
	} else {
		snprintf(ans->err, sizeof ans->err, "%s: %s", url,
		         errbuf[0] ? errbuf : curl_easy_strerror(rc));
		ans->status = 0;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
	free(url);
	return ans->status;
}

void http_answer_free(struct http_answer *ans)
{
	free(ans->body);
	ans->body = NULL;
	ans->len = 0;
}

bool http_append_escaped(char *buf, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(buf);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		             (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		if (n + (plain ? 1 : 3) >= cap)
			return false;
		if (plain) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	buf[n] = '\0';
	return true;
}

bool http_append_raw(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf), add = strlen(s);
	if (n + add >= cap)
		return false;
	memcpy(buf + n, s, add + 1);
	return true;
}
