/* body_pool.c — see body_pool.h. */
#include "body_pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "hugemem.h"
#include "http.h"

#define LARGE_CAP ((size_t)INGEST_BODY_LIMIT + 1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *kept[BODY_POOL_KEEP];
static size_t nkept;

char *body_pool_take(size_t len, size_t *cap)
{
	if (len + 1 < BODY_POOL_MIN) {
		*cap = len + 1;
		return malloc(len + 1);
	}
	if (len + 1 > LARGE_CAP)
		return NULL;
	char *b = NULL;
	pthread_mutex_lock(&lock);
	if (nkept > 0)
		b = kept[--nkept];
	pthread_mutex_unlock(&lock);
	if (!b) {
		size_t mapped;
		b = huge_map(LARGE_CAP, &mapped);
	}
	*cap = LARGE_CAP;
	return b;
}

void body_pool_give(char *buf, size_t cap)
{
	if (buf && cap == LARGE_CAP) {
		pthread_mutex_lock(&lock);
		if (nkept < BODY_POOL_KEEP) {
			kept[nkept++] = buf;
			buf = NULL;
		}
		pthread_mutex_unlock(&lock);
		huge_unmap(buf, LARGE_CAP);
		return;
	}
	free(buf);
}
