/*
 * acdd.c — the central server (DOMAIN.md §1–§6): the single window for reports and
 * notifications, agreements, oversight and provision, over one store. main reads like a table
 * of contents: options, keys, store, writer, purger, HTTP, wait for SIGTERM, stop in reverse.
 */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "purger.h"
#include "server.h"

static void usage(void)
{
	fprintf(stderr,
	        "usage: acdd --db sqlite:PATH|postgresql://… --listen HOST:PORT\n"
	        "            [--keys DIR] [--config FILE] [--threads N (requests at once, 128)]\n"
	        "            [--tls-cert PEM --tls-key PEM] [--prefixes FILE [--country CC]]\n");
	exit(2);
}

struct options {
	const char *db, *listen, *keys, *config, *tls_cert, *tls_key, *prefixes, *country;
	int threads;
};

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
	                                         {"listen", required_argument, NULL, 'l'},
	                                         {"keys", required_argument, NULL, 'k'},
	                                         {"config", required_argument, NULL, 'c'},
	                                         {"threads", required_argument, NULL, 't'},
	                                         {"tls-cert", required_argument, NULL, 'C'},
	                                         {"tls-key", required_argument, NULL, 'K'},
	                                         {"prefixes", required_argument, NULL, 'p'},
	                                         {"country", required_argument, NULL, 'y'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int ch;
	/* --threads: requests served at once, each with its own store connection (the pool adds
	 * 3 and stops at 256). A request holds its connection while it waits for its group's
	 * fsync, so this bounds the durable requests in flight: 128 fill groups at the rates
	 * bench/server measures (docs/decisions/0010). */
	*o = (struct options){.threads = 128};
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'k':
			o->keys = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->tls_cert = optarg;
			break;
		case 'K':
			o->tls_key = optarg;
			break;
		case 'p':
			o->prefixes = optarg;
			break;
		case 'y':
			o->country = optarg;
			break;
		case 't':
			o->threads = atoi(optarg);
			if (o->threads < 1 || o->threads > 254)
				fatalx(2, "--threads: 1-254");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->listen)
		usage();
	if (!o->db)
		o->db = "sqlite:acd.db";
}

/* Every ingested batch allocates megabytes (its body, its parsed lines, its chunks) and frees
 * them again. By default glibc serves such sizes with fresh mmaps and returns them at free,
 * so every page of every batch was faulted in anew: a sixth of acdd's CPU in the ingest
 * bench. Served from the heap and kept there, the next batch reuses warm pages. The cost is
 * memory acdd keeps after a burst: up to the trim threshold of freed space at the heap's top. */
static void keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's maximum: above an ingest body (16 MiB) */
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

int main(int argc, char **argv)
{
	struct options o;
	struct server srv = {0};
	struct acd_error e = {0};
	char keydir[1024];
	log_init("acdd", 0);
	keep_freed_memory();
	parse_options(argc, argv, &o);
	if (sodium_init() < 0)
		fatalx(2, "libsodium failed to initialise");
	config_defaults(&srv.cfg);
	if (o.config && config_load(o.config, &srv.cfg, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	if (o.keys)
		snprintf(keydir, sizeof keydir, "%s", o.keys);
	else
		keys_default_dir(o.db, keydir, sizeof keydir);
	if (keys_load(keydir, &srv.keys, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	if (o.prefixes && prefix_table_load(o.prefixes, o.country, &srv.prefixes, &e) != ACD_OK)
		fatalx(2, "%s", e.msg);
	/* A connection per request thread, the writer's, the purger's, and one to spare; at
	 * --threads 254 the purger waits for a free one (the pool holds 256). */
	if (db_open(o.db, o.threads + 3 > 256 ? 256 : o.threads + 3, &srv.db, &e) != ACD_OK)
		fatalx(e.status, "%s", e.msg);
	/* SIGTERM and SIGINT are taken by sigwait below, in this thread only: blocked before
	 * any thread starts, since every thread inherits the mask, and a signal that reached a
	 * thread not blocking it would kill acdd before the head file is written. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv.writer = writer_start(srv.db, &srv.keys, &e);
	if (!srv.writer)
		fatalx(5, "%s", e.msg);
	struct purger *purger = purger_start(&srv, &e);
	if (!purger && srv.cfg.purge_interval > 0)
		fatalx(5, "%s", e.msg);
	struct http_daemon *http = http_start(&srv, o.listen, o.tls_cert, o.tls_key, &e);
	if (!http)
		fatalx(2, "%s", e.msg);
	log_info("serving on %s, store %s", o.listen,
	         db_kind(srv.db) == DB_SQLITE ? "sqlite" : "postgresql");
	int sig;
	sigwait(&stop, &sig);
	log_info("signal %d: stopping", sig);
	http_stop(http);
	purger_stop(purger);
	writer_stop(srv.writer);
	db_close(srv.db);
	if (srv.prefixes)
		prefix_table_free(srv.prefixes);
	keys_wipe(&srv.keys);
	return 0;
}
