/*
 * acd-sensor — automated selection (自動選別) of communications information.
 *
 * Reads traffic, drops domestic-to-domestic packets unread, follows only the flows that an
 * approval in force may select, and writes the mechanical information of the selected ones
 * (Contract 4); everything else is gone with the packet. main reads like the table of
 * contents: options, refuse early, load, open inputs and outputs, drop root, run workers,
 * re-read approvals on SIGHUP and every minute, report.
 */
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "capture.h"
#include "handoff.h"
#include "libcurl_lazy.h"
#include "log.h"
#include "matcher.h"
#include "sandbox.h"
#include "sensor.h"
#include "spool.h"
#include "uploader.h"
#include "worker.h"

#define RELOAD_SECONDS 60
#define SPOOL_ROOT     "/var/spool/acd-sensor" /* default --spool is SPOOL_ROOT/SENSOR-ID */

struct options {
	const char *prefixes, *country, *commission_key, *office_key, *out, *user;
	const char *server, *sensor_key, *spool, *server_ca;
	long drain_timeout, batch_records;
	const char *approvals[SELECTION_MAX_APPROVALS];
	size_t napprovals;
	bool verbose;
};

static void usage(void)
{
	fprintf(stderr,
	        "usage: acd-sensor --prefixes FILE --facility NAME --approval FILE [--approval "
	        "FILE …]\n"
	        "                  [--commission-key FILE] [--office-key FILE] [--revocations "
	        "DIR]\n"
	        "                  (--read PCAP [--read PCAP …] | --interface IFACE)\n"
	        "                  (--out DIR | --server URL --sensor-key FILE [--spool DIR]\n"
	        "                   [--server-ca FILE] [--drain-timeout S] [--batch-records N])\n"
	        "                  [--sensor-id ID] [--threads N] [--idle-timeout S]\n"
	        "                  [--active-timeout S] [--max-flows N] [--stats-interval S]\n"
	        "                  [--country CC] [--user USER] [--verbose]\n");
	exit(2);
}

static long number(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max)
		fatalx(2, "%s: '%s' is not a number from %ld to %ld", opt, s, min, max);
	return v;
}

static void parse_options(int argc, char **argv, struct sensor *sn, struct options *o)
{
	static const struct option opts[] = {{"prefixes", required_argument, NULL, 'p'},
	                                     {"facility", required_argument, NULL, 'f'},
	                                     {"approval", required_argument, NULL, 'a'},
	                                     {"commission-key", required_argument, NULL, 'c'},
	                                     {"office-key", required_argument, NULL, 'o'},
	                                     {"revocations", required_argument, NULL, 'R'},
	                                     {"read", required_argument, NULL, 'r'},
	                                     {"interface", required_argument, NULL, 'i'},
	                                     {"out", required_argument, NULL, 'O'},
	                                     {"server", required_argument, NULL, 'U'},
	                                     {"sensor-key", required_argument, NULL, 'K'},
	                                     {"spool", required_argument, NULL, 'P'},
	                                     {"server-ca", required_argument, NULL, 'T'},
	                                     {"drain-timeout", required_argument, NULL, 'D'},
	                                     {"batch-records", required_argument, NULL, 'B'},
	                                     {"sensor-id", required_argument, NULL, 's'},
	                                     {"threads", required_argument, NULL, 't'},
	                                     {"idle-timeout", required_argument, NULL, 'I'},
	                                     {"active-timeout", required_argument, NULL, 'A'},
	                                     {"max-flows", required_argument, NULL, 'm'},
	                                     {"stats-interval", required_argument, NULL, 'S'},
	                                     {"country", required_argument, NULL, 'C'},
	                                     {"user", required_argument, NULL, 'u'},
	                                     {"verbose", no_argument, NULL, 'v'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	static const char *inputs[4096];
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->prefixes = optarg;
			break;
		case 'f':
			sn->facility = optarg;
			break;
		case 'a':
			if (o->napprovals == SELECTION_MAX_APPROVALS)
				fatalx(2, "--approval: at most %d approvals",
				       SELECTION_MAX_APPROVALS);
			o->approvals[o->napprovals++] = optarg;
			break;
		case 'c':
			o->commission_key = optarg;
			break;
		case 'o':
			o->office_key = optarg;
			break;
		case 'R':
			sn->revocations_dir = optarg;
			break;
		case 'r':
			if (sn->ninputs == sizeof inputs / sizeof inputs[0])
				fatalx(2, "--read: too many files");
			inputs[sn->ninputs++] = optarg;
			break;
		case 'i':
			sn->interface = optarg;
			break;
		case 'O':
			o->out = optarg;
			break;
		case 'U':
			o->server = optarg;
			break;
		case 'K':
			o->sensor_key = optarg;
			break;
		case 'P':
			o->spool = optarg;
			break;
		case 'T':
			o->server_ca = optarg;
			break;
		case 'D':
			o->drain_timeout = number("--drain-timeout", optarg, 0, 86400);
			break;
		case 'B':
			o->batch_records = number("--batch-records", optarg, 1, 1000000);
			break;
		case 's':
			sn->sensor_id = optarg;
			break;
		case 't':
			sn->threads = (int)number("--threads", optarg, 1, 64);
			break;
		case 'I':
			sn->idle_timeout = number("--idle-timeout", optarg, 1, 86400) * ACD_USEC;
			break;
		case 'A':
			sn->active_timeout =
			        number("--active-timeout", optarg, 1, 86400) * ACD_USEC;
			break;
		case 'm':
			sn->max_flows = (uint32_t)number("--max-flows", optarg, 1, 1L << 28);
			break;
		case 'S':
			sn->stats_interval =
			        number("--stats-interval", optarg, 1, 86400) * ACD_USEC;
			break;
		case 'C':
			o->country = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			usage();
		}
	}
	sn->inputs = inputs;
	if (optind != argc)
		fatalx(2, "unexpected argument '%s'", argv[optind]);
	if (!o->prefixes || !sn->facility || o->napprovals == 0 || (!o->out == !o->server))
		usage();
	if (o->server && !o->sensor_key)
		fatalx(2, "--server needs --sensor-key FILE (the sensor's Ed25519 key)");
	if (!o->server && (o->sensor_key || o->spool || o->server_ca))
		fatalx(2, "--sensor-key, --spool and --server-ca go with --server");
	if ((sn->ninputs > 0) == (sn->interface != NULL))
		fatalx(2, "give either --read (one or more) or --interface");
	if (!sn->sensor_id)
		sn->sensor_id = sn->facility;
}

static void load_prefixes(struct sensor *sn, const struct options *o)
{
	struct acd_error e;
	if (prefix_table_load(o->prefixes, o->country, &sn->prefixes, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	struct prefix_table_summary s;
	prefix_table_summary(sn->prefixes, &s);
	log_debug("prefix table %s: %zu CIDR lines, %zu RIR lines (%zu skipped), %zu foreign",
	          o->prefixes, s.cidr_lines, s.rir_lines, s.rir_skipped, s.foreign_lines);
	char buf[128];
	for (size_t i = 0; prefix_table_foreign_line(sn->prefixes, i, buf, sizeof buf); i++)
		log_info("prefix table: foreign exception %s", buf);
}

static void load_key(const char *path, uint8_t *pk, bool *has)
{
	struct acd_error e;
	if (!path)
		return;
	if (key_read_public(path, pk, &e) != ACD_OK)
		fatalx(3, "refused: %s", e.msg); /* a missing key refuses the approvals it signs */
	*has = true;
}

static void warn_revocation(const char *msg)
{
	log_warnx("revocation ignored: %s", msg);
}

/* What selection_reload reads again once root is gone: each approval with its signature, and
 * the revocations directory. A file the unprivileged user could not read would take its
 * approval out of force at the first re-read, so it is refused now, before any output. */
static enum acd_status check_rereadable(const struct sensor *sn, const struct options *o,
                                        struct acd_error *e)
{
	static char sigs[SELECTION_MAX_APPROVALS][PATH_MAX];
	const char *paths[2 * SELECTION_MAX_APPROVALS + 1];
	size_t n = 0;
	for (size_t i = 0; i < o->napprovals; i++) {
		snprintf(sigs[i], sizeof sigs[i], "%s.sig", o->approvals[i]);
		paths[n++] = o->approvals[i];
		paths[n++] = sigs[i];
	}
	if (sn->revocations_dir)
		paths[n++] = sn->revocations_dir;
	return sandbox_check_readable(o->user, paths, n, e);
}

static void load_approvals(struct sensor *sn, const struct options *o)
{
	struct acd_error e;
	struct revocations rev = {0};
	load_key(o->commission_key, sn->keys.commission, &sn->keys.has_commission);
	load_key(o->office_key, sn->keys.office, &sn->keys.has_office);
	if (sn->revocations_dir &&
	    revocations_load(sn->revocations_dir, &sn->keys, &rev, warn_revocation, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	struct selection *s = &sn->sel;
	s->prefixes = sn->prefixes;
	s->ap = calloc(o->napprovals, sizeof *s->ap);
	const struct approval *list[SELECTION_MAX_APPROVALS];
	acd_time now = time_now();
	for (size_t i = 0; i < o->napprovals; i++) {
		struct approval_rt *rt = &s->ap[i];
		enum acd_status st = approval_load(o->approvals[i], &sn->keys, sn->facility, now,
		                                   &rev, &rt->a, &e);
		if (st != ACD_OK)
			fatalx((int)st, "%s", e.msg);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->ap[j].a.id, rt->a.id) == 0)
				fatalx(2, "%s: approval id %s given twice", o->approvals[i],
				       rt->a.id);
		rt->path = o->approvals[i];
		acd_time revoked = revocations_lookup(&rev, rt->a.id);
		atomic_init(&rt->in_force_until,
		            revoked < rt->a.valid_until ? revoked : rt->a.valid_until);
		for (size_t j = 0; j < rt->a.n_selectors; j++) {
			enum selector_type t = rt->a.selectors[j].type;
			rt->has_ip |= t == SEL_IP;
			rt->has_domain |= t == SEL_DOMAIN;
		}
		s->kind_mask[rt->a.kind] |= 1ull << i;
		if (rt->has_domain)
			s->domain_mask |= 1ull << i;
		list[i] = &rt->a;
		s->n++;
	}
	revocations_free(&rev);
	if (sn->interface && check_rereadable(sn, o, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	/* Only once every approval passed: a refusal is the one line a failed start prints. */
	for (size_t i = 0; i < s->n; i++)
		log_info("approval %s (%s) in force, %zu selectors", s->ap[i].a.id,
		         approval_kind_name(s->ap[i].a.kind), s->ap[i].a.n_selectors);
	if (matcher_build(list, s->n, &s->matcher, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	s->content_mask = matcher_approvals(s->matcher);
}

static void open_inputs(struct sensor *sn)
{
	struct acd_error e;
	for (size_t i = 0; i < sn->ninputs; i++)
		if (capture_check_file(sn->inputs[i], &e) != ACD_OK)
			fatalx(2, "%s", e.msg);
	if (!sn->interface)
		return;
	sn->live = calloc((size_t)sn->threads, sizeof *sn->live);
	if (!sn->live || capture_open_live(sn->interface, sn->threads, sn->live, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
}

/* n zeroed elements on a cache-line boundary, as their _Alignas(64) members need (calloc
 * gives 16 bytes): the workers and the handoff rings are written by different threads, and
 * a line they shared would bounce between the cores with every packet. */
static void *zalloc_lines(size_t n, size_t size)
{
	void *p = aligned_alloc(64, (n * size + 63) / 64 * 64);
	if (!p)
		fatalx(1, "out of memory");
	return memset(p, 0, n * size);
}

/* SIGINT or SIGTERM pending (they are blocked in every thread, so waited for here): the
 * drain stops and what is not yet delivered stays in the spool (exit 4). */
static bool stop_signal(void)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	const struct timespec now = {0, 0};
	int sig = sigtimedwait(&stop, NULL, &now);
	if (sig > 0)
		log_info("stopping the delivery on signal %d; the rest stays in the spool", sig);
	return sig > 0;
}

/* Waits for the workers, re-reading approvals on SIGHUP and every RELOAD_SECONDS; SIGINT
 * and SIGTERM stop a live capture (files end by themselves). */
static void supervise(struct sensor *sn, const sigset_t *sigs)
{
	struct timespec tick = {1, 0};
	int since_reload = 0;
	while (atomic_load(&sn->workers_done) < sn->threads) {
		int sig = sigtimedwait(sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			log_info("stopping on signal %d", sig);
			atomic_store(&sn->stop, true);
			for (int i = 0; sn->live && i < sn->threads; i++)
				pcap_breakloop(sn->live[i]);
		}
		if (sig == SIGHUP || ++since_reload >= RELOAD_SECONDS) {
			selection_reload(&sn->sel, &sn->keys, sn->facility, sn->revocations_dir);
			since_reload = 0;
		}
	}
}

static void run(struct sensor *sn)
{
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sn->main_thread = pthread_self();
	pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* workers inherit the mask; main waits */
	struct worker *w = zalloc_lines((size_t)sn->threads, sizeof *w);
	if (!sn->live && sn->threads > 1) {
		sn->handoffs = zalloc_lines((size_t)sn->threads, sizeof *sn->handoffs);
		for (int i = 1; i < sn->threads; i++)
			if (!handoff_init(&sn->handoffs[i], HANDOFF_BYTES))
				fatalx(1, "out of memory for the packets handed to worker %d", i);
	}
	worker_shares(sn);
	for (int i = 0; i < sn->threads; i++)
		if (!worker_init(&w[i], sn, i))
			fatalx(1, "out of memory for %u flows per worker",
			       sn->max_flows / (unsigned)sn->threads);
	for (int i = 0; i < sn->threads; i++)
		pthread_create(&w[i].thread, NULL, sn->live ? worker_run_live : worker_run_files,
		               &w[i]);
	supervise(sn, &sigs);
	for (int i = 0; i < sn->threads; i++) {
		pthread_join(w[i].thread, NULL);
		worker_destroy(&w[i]);
	}
	for (int i = 1; sn->handoffs && i < sn->threads; i++)
		handoff_destroy(&sn->handoffs[i]);
	free(sn->handoffs);
	sn->handoffs = NULL;
	free(w);
}

/* The spool stays the unprivileged user's to write after root is dropped. */
static void give_spool(struct spool *sp, const char *user)
{
	struct acd_error e;
	struct passwd *pw = getpwnam(user);
	if (!pw)
		fatalx(2, "user '%s' does not exist (needed to drop root)", user);
	if (spool_give(sp, pw->pw_uid, pw->pw_gid, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
}

/* --out DIR: the files; --server URL: the spool and the uploader, which starts sending what
 * an earlier run left at once. */
static struct uploader *open_output(struct sensor *sn, const struct options *o, struct spool *sp)
{
	struct acd_error e;
	if (o->out) {
		if (exporter_open(&sn->out, o->out, &e) != ACD_OK)
			fatalx(2, "%s", e.msg);
		return NULL;
	}
	struct uploader_config cfg = {.url = o->server,
	                              .ca_file = o->server_ca,
	                              .sensor_id = sn->sensor_id,
	                              .batch_records = (uint64_t)o->batch_records};
	if (strncmp(o->server, "http://", 7) != 0 && strncmp(o->server, "https://", 8) != 0)
		fatalx(2, "--server: '%s' is not an http:// or https:// URL", o->server);
	if (libcurl_load(&e) != ACD_OK) /* before any thread, as libcurl asks */
		fatalx(1, "%s", e.msg);
	if (key_read_secret(o->sensor_key, cfg.key, &e) != ACD_OK)
		fatalx(2, "--sensor-key: %s", e.msg);
	char dflt[PATH_MAX];
	snprintf(dflt, sizeof dflt, "%s/%s", SPOOL_ROOT, sn->sensor_id);
	if (spool_open(sp, o->spool ? o->spool : dflt, &e) != ACD_OK)
		fatalx(2, "--spool: %s", e.msg);
	if (sn->live && geteuid() == 0)
		give_spool(sp, o->user);
	struct uploader *up = uploader_start(&cfg, sp, &e);
	sodium_memzero(cfg.key, sizeof cfg.key);
	if (!up)
		fatalx(2, "%s", e.msg);
	exporter_open_uploader(&sn->out, up);
	return up;
}

int main(int argc, char **argv)
{
	static struct sensor sn = {.threads = 1,
	                           .idle_timeout = 60 * ACD_USEC,
	                           .active_timeout = 300 * ACD_USEC,
	                           .stats_interval = 60 * ACD_USEC,
	                           .max_flows = 1u << 20};
	struct options o = {.country = "JP",
	                    .user = "nobody",
	                    .drain_timeout = 60,
	                    .batch_records = UPLOADER_BATCH_RECORDS};
	sandbox_no_core();
	/* Workers allocate per flow (matcher streams, selected flows' record fields). glibc grows
	 * a thread's arena a page at a time, one mprotect call each (4,000 on the bench); a big
	 * top pad makes that a handful. It reserves address space; memory is used only once
	 * touched. */
	mallopt(M_TOP_PAD, 64 << 20);
	log_init("acd-sensor", 0);
	parse_options(argc, argv, &sn, &o);
	log_init("acd-sensor", o.verbose);
	if (sodium_init() < 0)
		fatalx(1, "libsodium failed to initialise");
	matcher_global_init();
	pthread_mutex_init(&sn.error_lock, NULL);
	sn.start_time = time_now();

	load_prefixes(&sn, &o);
	load_approvals(&sn, &o);
	open_inputs(&sn);
	struct acd_error e;
	static struct spool spool;
	struct uploader *up = open_output(&sn, &o, &spool);
	if (sn.live && sandbox_drop_root(o.user, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	stats_merger_init(&sn.stats, sn.threads, sn.sensor_id, &sn.sel, &sn.out);

	run(&sn);

	stats_merger_destroy(&sn.stats);
	const struct interval_stats *t = &sn.stats.total;
	log_debug("done: %llu records, %llu decode errors, %llu not IP",
	          (unsigned long long)sn.out.records, (unsigned long long)t->decode_errors,
	          (unsigned long long)t->not_ip);
	size_t left = 0, refused = 0;
	if (up)
		left = uploader_finish(up, o.drain_timeout * ACD_USEC, stop_signal, &refused);
	int failed = sn.out.failed;
	exporter_close(&sn.out);
	if (failed)
		fatalx(1, "output could not be written completely");
	if (sn.input_error[0])
		fatalx(2, "%s", sn.input_error);
	if (left)
		fatalx(4, "%zu batches remain in the spool %s (%zu of them refused, in refused/)",
		       left, spool.dir, refused);
	return 0;
}
