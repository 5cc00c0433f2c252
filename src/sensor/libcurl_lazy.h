/*
 * libcurl_lazy.h — libcurl, loaded only when the sensor sends to acdd (--server).
 *
 * Linked at build time, libcurl and the ~35 libraries it needs (TLS, Kerberos, LDAP, SSH, …)
 * were loaded and relocated at every start: 15 ms of CPU, a twentieth of a bench run that
 * writes files and never sends anything. The uploader calls libcurl through this table; the
 * functions are libcurl's own, looked up by name in its stable ABI (soname libcurl.so.4).
 */
#ifndef ACD_LIBCURL_LAZY_H
#define ACD_LIBCURL_LAZY_H

#include <curl/curl.h>

#include "error.h"

struct libcurl {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

extern struct libcurl libcurl;

/* Loads libcurl and runs curl_global_init (once; before any thread, as libcurl asks). */
enum acd_status libcurl_load(struct acd_error *e);

#endif
