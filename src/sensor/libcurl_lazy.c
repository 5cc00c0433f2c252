/* libcurl_lazy.c — see libcurl_lazy.h. */
#include "libcurl_lazy.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

struct libcurl libcurl;

enum acd_status libcurl_load(struct acd_error *e)
{
	static const struct {
		const char *name;
		size_t at;
	} fns[] = {
	        {"curl_global_init", offsetof(struct libcurl, global_init)},
	        {"curl_easy_init", offsetof(struct libcurl, easy_init)},
	        {"curl_easy_setopt", offsetof(struct libcurl, easy_setopt)},
	        {"curl_easy_perform", offsetof(struct libcurl, easy_perform)},
	        {"curl_easy_getinfo", offsetof(struct libcurl, easy_getinfo)},
	        {"curl_easy_cleanup", offsetof(struct libcurl, easy_cleanup)},
	        {"curl_easy_strerror", offsetof(struct libcurl, easy_strerror)},
	        {"curl_slist_append", offsetof(struct libcurl, slist_append)},
	        {"curl_slist_free_all", offsetof(struct libcurl, slist_free_all)},
	};
	if (libcurl.global_init)
		return ACD_OK;
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return acd_fail(e, ACD_EINPUT, "cannot load libcurl (needed for --server): %s",
		                dlerror());
	struct libcurl l;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		void *f = dlsym(h, fns[i].name);
		if (!f)
			return acd_fail(e, ACD_EINPUT, "libcurl.so.4 has no %s", fns[i].name);
		/* POSIX: a function pointer and void * convert both ways (dlsym's contract). */
		memcpy((char *)&l + fns[i].at, &f, sizeof f);
	}
	if (l.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return acd_fail(e, ACD_EINPUT, "libcurl failed to initialise");
	libcurl = l;
	return ACD_OK;
}
