/* uploader.c — see uploader.h. */
#include "uploader.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "libcurl_lazy.h"
#include "log.h"
#include "timefmt.h"

#define BACKOFF_FIRST_USEC 100000LL   /* 0.1 s: a restarting acdd is back quickly */
#define BACKOFF_CAP_USEC   30000000LL /* 30 s: never hammer a server that is down */
#define REPLY_MAX          4096       /* of the server's answer, kept for the reason */
#define CONNECT_MS         5000L      /* a refused or silent port is a transient failure */
#define STALL_SECONDS      60         /* a transfer slower than 1 B/s this long is dead */

/* A batch sealed but not yet on disk. */
struct sealed {
	struct sealed *next;
	char name[SPOOL_NAME_MAX];
	char *body;
	size_t len;
};

struct uploader;

/* One sender thread: its own connection (libcurl easy handle, kept alive) and the answer to
 * its batch in flight. */
struct sender {
	struct uploader *u;
	pthread_t thread;
	CURL *curl;
	char reply[REPLY_MAX];
	size_t reply_len;
};

struct uploader {
	struct uploader_config cfg;
	char url[2048];
	struct spool *sp;
	pthread_mutex_t lock;
	pthread_cond_t sealed_cv, room_cv, send_cv, done_cv, stop_cv;

	/* The open batch: its record lines and its stats lines, each '\n'-terminated. */
	struct linebuf rec, st;
	uint64_t nrec, nst;
	int64_t opened_at; /* monotonic usec of its first line */

	struct sealed *head, *tail;
	size_t nsealed;

	/* On disk, in send order; names[first..n) are not yet taken by a sender. */
	char (*names)[SPOOL_NAME_MAX];
	size_t first, n, cap;

	char pub[SPOOL_PUB_B64]; /* base64 of this run's public key, as in signature lines */
	uint64_t last_ms;
	uint32_t run, counter;
	bool input_done, spooled_all;
	size_t senders_running;
	atomic_bool stop;
	atomic_bool failing; /* the server is failing: logged once, and once when it recovers */
	size_t lost;

	pthread_t spooler;
	struct sender senders[UPLOADER_SENDERS];
};

static int64_t mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct timespec mono_at(int64_t usec)
{
	return (struct timespec){.tv_sec = usec / 1000000, .tv_nsec = (usec % 1000000) * 1000};
}

static void wait_until(pthread_cond_t *cv, pthread_mutex_t *m, int64_t usec)
{
	struct timespec ts = mono_at(usec);
	pthread_cond_timedwait(cv, m, &ts);
}

/* The length of the first `max` '\n'-terminated lines of p (all of p if it has fewer) and,
 * in *n, how many lines that is: counted rather than trusted, since a batch's header must
 * announce exactly the lines that follow it. */
static size_t lines_prefix(const char *p, size_t len, uint64_t max, uint64_t *n)
{
	const char *q = p, *end = p + len;
	for (*n = 0; *n < max && q < end; ++*n) {
		q = memchr(q, '\n', (size_t)(end - q));
		if (!q)
			return len;
		q++;
	}
	return (size_t)(q - p);
}

/* A name that sorts after every earlier one of this sensor (milliseconds, kept monotonic
 * within the run) and is unique across runs and restarts (a random run part, a counter). */
static void next_name(struct uploader *u, char name[SPOOL_NAME_MAX])
{
	uint64_t ms = (uint64_t)(time_now() / 1000);
	if (ms < u->last_ms)
		ms = u->last_ms;
	u->last_ms = ms;
	snprintf(name, SPOOL_NAME_MAX, "%012" PRIx64 "-%08" PRIx32 "-%06" PRIx32, ms, u->run,
	         u->counter++);
}

/* Turns the open batch into the exact body that will be spooled, signed and posted. */
static void seal_locked(struct uploader *u)
{
	if (u->rec.len == 0 && u->st.len == 0)
		return;
	struct sealed *s = calloc(1, sizeof *s);
	if (!s)
		fatalx(1, "out of memory for a batch");
	next_name(u, s->name);
	struct linebuf b = {0};
	char head[256];
	int hl = snprintf(head, sizeof head,
	                  "{\"batch\":\"%s:%s\",\"sensor\":\"%s\",\"records\":%" PRIu64
	                  ",\"stats\":%" PRIu64 "}\n",
	                  u->cfg.sensor_id, s->name, u->cfg.sensor_id, u->nrec, u->nst);
	linebuf_append(&b, head, (size_t)hl);
	linebuf_append(&b, u->rec.data ? u->rec.data : "", u->rec.len);
	linebuf_append(&b, u->st.data ? u->st.data : "", u->st.len);
	s->body = b.data;
	s->len = b.len;
	u->rec.len = u->st.len = 0;
	u->nrec = u->nst = 0;
	if (u->tail)
		u->tail->next = s;
	else
		u->head = s;
	u->tail = s;
	u->nsealed++;
	pthread_cond_signal(&u->sealed_cv);
}

static void hand_over(struct uploader *u, struct linebuf *b, const char *p, size_t len)
{
	if (len == 0)
		return;
	pthread_mutex_lock(&u->lock);
	while (len > 0) {
		/* Back-pressure instead of unbounded memory: wait while the disk is behind. */
		while (u->nsealed >= UPLOADER_QUEUE_MAX)
			pthread_cond_wait(&u->room_cv, &u->lock);
		if (u->rec.len == 0 && u->st.len == 0)
			u->opened_at = mono_usec();
		/* Record lines beyond what the open batch takes go to the next one, so a batch
		 * never holds more than --batch-records records. The lines go in as they are (the
		 * batch is NDJSON). */
		uint64_t n;
		size_t take = lines_prefix(
		        p, len, b == &u->rec ? u->cfg.batch_records - u->nrec : UINT64_MAX, &n);
		linebuf_append(b, p, take);
		*(b == &u->rec ? &u->nrec : &u->nst) += n;
		if (u->nrec >= u->cfg.batch_records ||
		    u->rec.len + u->st.len >= UPLOADER_BATCH_BYTES)
			seal_locked(u);
		p += take;
		len -= take;
	}
	pthread_mutex_unlock(&u->lock);
}

void uploader_records(struct uploader *u, const char *lines, size_t len, uint64_t n)
{
	(void)n; /* counted again as the lines are appended */
	hand_over(u, &u->rec, lines, len);
}

void uploader_stats(struct uploader *u, const char *lines, size_t len, uint64_t n)
{
	(void)n;
	hand_over(u, &u->st, lines, len);
}

static void push_name_locked(struct uploader *u, const char *name)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 256;
		void *q = realloc(u->names, u->cap * sizeof *u->names);
		if (!q)
			fatalx(1, "out of memory for the spool's names");
		u->names = q;
	}
	snprintf(u->names[u->n++], SPOOL_NAME_MAX, "%s", name);
	pthread_cond_signal(&u->send_cv); /* one name: one idle sender is enough */
}

/* Signs one sealed batch and writes it with its signature, retrying a failing disk each
 * second until the drain gives up. Signed here, once: not again at every attempt to send it,
 * and off the senders' path. */
static void spool_one(struct uploader *u, struct sealed *s)
{
	int rc;
	bool warned = false;
	char sig[SPOOL_SIG_B64];
	sig_sign_b64((const uint8_t *)s->body, s->len, u->cfg.key, sig, sizeof sig);
	while ((rc = spool_write(u->sp, s->name, u->pub, sig, s->body, s->len)) != 0) {
		if (!warned)
			log_warnx("%s: cannot spool batch %s: %s; retrying", u->sp->dir, s->name,
			          strerror(rc));
		warned = true;
		if (atomic_load(&u->stop)) {
			log_warnx("batch %s was never spooled: its lines are lost", s->name);
			pthread_mutex_lock(&u->lock);
			u->lost++;
			pthread_mutex_unlock(&u->lock);
			return;
		}
		struct timespec second = {1, 0};
		nanosleep(&second, NULL);
	}
	pthread_mutex_lock(&u->lock);
	push_name_locked(u, s->name);
	pthread_mutex_unlock(&u->lock);
}

static void *spooler_main(void *arg)
{
	struct uploader *u = arg;
	pthread_mutex_lock(&u->lock);
	for (;;) {
		bool open = u->rec.len || u->st.len;
		if (open && (u->input_done || mono_usec() >= u->opened_at + UPLOADER_BATCH_USEC))
			seal_locked(u);
		struct sealed *s = u->head;
		if (s) {
			u->head = s->next;
			if (!u->head)
				u->tail = NULL;
			pthread_mutex_unlock(&u->lock);
			spool_one(u, s);
			sodium_memzero(s->body, s->len);
			free(s->body);
			free(s);
			pthread_mutex_lock(&u->lock);
			u->nsealed--;
			pthread_cond_broadcast(&u->room_cv);
			continue;
		}
		if (u->input_done)
			break;
		wait_until(&u->sealed_cv, &u->lock,
		           open ? u->opened_at + UPLOADER_BATCH_USEC : mono_usec() + 1000000);
	}
	u->spooled_all = true;
	pthread_cond_broadcast(&u->send_cv);
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
	struct sender *s = arg;
	size_t len = size * n, room = sizeof s->reply - 1 - s->reply_len;
	memcpy(s->reply + s->reply_len, p, len < room ? len : room);
	s->reply_len += len < room ? len : room;
	s->reply[s->reply_len] = '\0';
	return len;
}

/* Aborts a transfer once the drain's deadline passed. */
static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&((struct uploader *)arg)->stop) ? 1 : 0;
}

enum outcome { SENT, TRANSIENT };

static bool permanent(long status)
{
	return status == 400 || status == 401 || status == 403 || status == 409 || status == 413 ||
	       status == 415;
}

static void refuse(struct sender *s, const char *name, long status)
{
	struct uploader *u = s->u;
	char reason[REPLY_MAX + 64], msg[512] = "";
	snprintf(reason, sizeof reason, "HTTP %ld\n%s\n", status, s->reply);
	json_t *j = json_loads(s->reply, 0, NULL);
	const char *m = json_string_value(json_object_get(j, "message"));
	snprintf(msg, sizeof msg, "%s", m ? m : "no reason given");
	json_decref(j);
	int rc = spool_refuse(u->sp, name, reason);
	log_warnx("batch %s:%s refused by the server (HTTP %ld): %s; moved to %s/refused%s%s",
	          u->cfg.sensor_id, name, status, msg, u->sp->dir, rc ? ": " : "",
	          rc ? strerror(rc) : "");
}

/* Posts one spooled batch; SENT covers acknowledged (deleted) and refused (moved aside). */
static enum outcome send_one(struct sender *s, const char *name)
{
	struct uploader *u = s->u;
	struct spool_batch b;
	int rc = spool_read(u->sp, name, &b);
	if (rc == ENOENT)
		return SENT;
	if (rc != 0) {
		log_warnx("%s/%s.batch: %s", u->sp->dir, name, strerror(rc));
		return TRANSIENT;
	}
	/* Signed when spooled; signed now when spooled by an older sensor or under a key this
	 * sensor no longer has (the key was rotated while the batch waited). */
	char sig[SPOOL_SIG_B64], sigh[160], idh[256];
	if (b.sig[0] && strcmp(b.pub, u->pub) == 0)
		memcpy(sig, b.sig, sizeof sig);
	else
		sig_sign_b64((const uint8_t *)b.body, b.len, u->cfg.key, sig, sizeof sig);
	snprintf(sigh, sizeof sigh, "X-ACD-Signature: %s", sig);
	snprintf(idh, sizeof idh, "X-ACD-Sensor: %s", u->cfg.sensor_id);
	struct curl_slist *h = libcurl.slist_append(NULL, "Content-Type: application/x-ndjson");
	h = libcurl.slist_append(h, "Expect:"); /* no 100-continue round trip on loopback */
	h = libcurl.slist_append(h, idh);
	h = libcurl.slist_append(h, sigh);
	libcurl.easy_setopt(s->curl, CURLOPT_HTTPHEADER, h);
	libcurl.easy_setopt(s->curl, CURLOPT_POSTFIELDS, b.body);
	libcurl.easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b.len);
	s->reply_len = 0;
	s->reply[0] = '\0';
	CURLcode cr = libcurl.easy_perform(s->curl);
	long status = 0;
	libcurl.easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	libcurl.slist_free_all(h);
	/* A mapping of the spool file: no copy of the records stays behind in the heap. */
	spool_release(&b);
	if (cr == CURLE_OK && status >= 200 && status < 300) {
		spool_remove(u->sp, name);
		if (atomic_exchange(&u->failing, false))
			log_info("server %s takes batches again", u->url);
		return SENT;
	}
	if (cr == CURLE_OK && permanent(status)) {
		refuse(s, name, status);
		return SENT;
	}
	if (!atomic_exchange(&u->failing, true) && !atomic_load(&u->stop))
		log_warnx("server %s: %s; batches stay in %s, retrying", u->url,
		          cr != CURLE_OK ? libcurl.easy_strerror(cr) : "transient refusal",
		          u->sp->dir);
	log_debug("batch %s: %s, HTTP %ld %s", name, libcurl.easy_strerror(cr), status, s->reply);
	return TRANSIENT;
}

static int64_t next_backoff(int64_t prev)
{
	int64_t d = prev ? prev * 2 : BACKOFF_FIRST_USEC;
	return d > BACKOFF_CAP_USEC ? BACKOFF_CAP_USEC : d;
}

/* Sends the batch this sender took until it is acknowledged or refused, or the drain
 * stops; transient failures wait a backoff first. Only this sender holds the name, and the
 * file stays in the spool until a 2xx: at least once. */
static void deliver(struct sender *s, const char *name)
{
	struct uploader *u = s->u;
	int64_t backoff = 0;
	while (send_one(s, name) == TRANSIENT && !atomic_load(&u->stop)) {
		/* Full jitter over the upper half: sensors restarted together spread out. */
		backoff = next_backoff(backoff);
		int64_t until = mono_usec() + backoff / 2 +
		                (int64_t)randombytes_uniform((uint32_t)(backoff / 2) + 1);
		pthread_mutex_lock(&u->lock);
		while (!atomic_load(&u->stop) && mono_usec() < until)
			wait_until(&u->stop_cv, &u->lock, until);
		pthread_mutex_unlock(&u->lock);
	}
}

/* Takes the next waiting batch in name order, delivers it, and again, until the spooler
 * is done and nothing waits, or the drain stops. UPLOADER_SENDERS of these run, so one
 * batch is checked and parsed by acdd while another is being stored. */
static void *sender_main(void *arg)
{
	struct sender *s = arg;
	struct uploader *u = s->u;
	pthread_mutex_lock(&u->lock);
	while (!atomic_load(&u->stop)) {
		if (u->first == u->n) {
			if (u->spooled_all)
				break;
			pthread_cond_wait(&u->send_cv, &u->lock);
			continue;
		}
		char name[SPOOL_NAME_MAX];
		memcpy(name, u->names[u->first++], sizeof name);
		pthread_mutex_unlock(&u->lock);
		deliver(s, name);
		pthread_mutex_lock(&u->lock);
	}
	if (--u->senders_running == 0)
		pthread_cond_broadcast(&u->done_cv);
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

static bool json_safe(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static void set_url(struct uploader *u, const char *base)
{
	const char *tail = "/api/v1/ingest";
	size_t n = strlen(base), k = strlen(tail);
	if (n >= k && strcmp(base + n - k, tail) == 0)
		snprintf(u->url, sizeof u->url, "%s", base);
	else
		snprintf(u->url, sizeof u->url, "%.*s%s",
		         (int)(n && base[n - 1] == '/' ? n - 1 : n), base, tail);
}

static bool setup_curl(struct uploader *u, struct sender *s, struct acd_error *e)
{
	s->u = u;
	s->curl = libcurl.easy_init();
	if (!s->curl)
		return acd_fail(e, ACD_EINPUT, "libcurl could not start"), false;
	CURL *c = s->curl;
	libcurl.easy_setopt(c, CURLOPT_URL, u->url);
	libcurl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	libcurl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	libcurl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_MS);
	libcurl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	libcurl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)STALL_SECONDS);
	libcurl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_reply);
	libcurl.easy_setopt(c, CURLOPT_WRITEDATA, s);
	libcurl.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	libcurl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	libcurl.easy_setopt(c, CURLOPT_XFERINFODATA, u);
	libcurl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a batch goes where it was told */
	if (u->cfg.ca_file)
		libcurl.easy_setopt(c, CURLOPT_CAINFO, u->cfg.ca_file);
	return true;
}

static bool load_spooled(struct uploader *u, struct acd_error *e)
{
	char(*names)[SPOOL_NAME_MAX];
	long n = spool_list(u->sp, &names);
	if (n < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", u->sp->dir, strerror(errno)), false;
	for (long i = 0; i < n; i++)
		push_name_locked(u, names[i]);
	free(names);
	if (n > 0)
		log_info("%ld batches left in %s by an earlier run are sent first", n, u->sp->dir);
	return true;
}

struct uploader *uploader_start(const struct uploader_config *cfg, struct spool *sp,
                                struct acd_error *e)
{
	if (!json_safe(cfg->sensor_id))
		return acd_fail(e, ACD_EINPUT, "--sensor-id: no quotes, backslashes or controls"),
		       NULL;
	struct uploader *u = calloc(1, sizeof *u);
	if (!u)
		return acd_fail(e, ACD_EINPUT, "out of memory"), NULL;
	u->cfg = *cfg;
	if (!u->cfg.batch_records)
		u->cfg.batch_records = UPLOADER_BATCH_RECORDS;
	u->sp = sp;
	u->run = randombytes_random();
	b64_encode(u->cfg.key + 32, KEY_PUBLIC_BYTES, u->pub, sizeof u->pub); /* sk = seed, pk */
	set_url(u, cfg->url);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->sealed_cv, &ca);
	pthread_cond_init(&u->room_cv, &ca);
	pthread_cond_init(&u->send_cv, &ca);
	pthread_cond_init(&u->done_cv, &ca);
	pthread_cond_init(&u->stop_cv, &ca);
	pthread_condattr_destroy(&ca);
	bool ok = load_spooled(u, e);
	for (size_t i = 0; ok && i < UPLOADER_SENDERS; i++)
		ok = setup_curl(u, &u->senders[i], e);
	if (!ok) {
		for (size_t i = 0; i < UPLOADER_SENDERS; i++)
			if (u->senders[i].curl)
				libcurl.easy_cleanup(u->senders[i].curl);
		free(u->names);
		free(u);
		return NULL;
	}
	/* The threads start with every signal blocked: SIGHUP/SIGTERM are main's to take with
	 * sigtimedwait, and a SIGPIPE from a server gone mid-write must not end the sensor. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_create(&u->spooler, NULL, spooler_main, u);
	u->senders_running = UPLOADER_SENDERS;
	for (size_t i = 0; i < UPLOADER_SENDERS; i++)
		pthread_create(&u->senders[i].thread, NULL, sender_main, &u->senders[i]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return u;
}

size_t uploader_finish(struct uploader *u, int64_t drain_usec, bool (*stop_now)(void),
                       size_t *refused)
{
	pthread_mutex_lock(&u->lock);
	u->input_done = true;
	pthread_cond_signal(&u->sealed_cv);
	int64_t deadline = mono_usec() + drain_usec;
	for (int64_t now; u->senders_running > 0 && (now = mono_usec()) < deadline;) {
		if (stop_now) {
			pthread_mutex_unlock(&u->lock);
			bool stop = stop_now();
			pthread_mutex_lock(&u->lock);
			if (stop)
				break;
		}
		wait_until(&u->done_cv, &u->lock,
		           stop_now && now + UPLOADER_POLL_USEC < deadline
		                   ? now + UPLOADER_POLL_USEC
		                   : deadline);
	}
	atomic_store(&u->stop, true);
	pthread_cond_broadcast(&u->send_cv);
	pthread_cond_broadcast(&u->stop_cv);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->spooler, NULL);
	for (size_t i = 0; i < UPLOADER_SENDERS; i++) {
		pthread_join(u->senders[i].thread, NULL);
		libcurl.easy_cleanup(u->senders[i].curl);
	}
	size_t left = spool_count(u->sp, refused) + u->lost;
	sodium_memzero(u->cfg.key, sizeof u->cfg.key);
	linebuf_free(&u->rec);
	linebuf_free(&u->st);
	free(u->names);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->sealed_cv);
	pthread_cond_destroy(&u->room_cv);
	pthread_cond_destroy(&u->send_cv);
	pthread_cond_destroy(&u->done_cv);
	pthread_cond_destroy(&u->stop_cv);
	free(u);
	return left;
}
