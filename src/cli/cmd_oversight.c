/*
 * cmd_oversight.c — the store-direct verbs of retention and oversight: `acd purge` (保存期間を
 * 過ぎた選別後通信情報の消去, on the clock of `--now` when a test or an audit replays it) and
 * `acd stats diet` (the annual statistics for the Diet report, JSON or a printable page).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "diet_stats.h"
#include "keys.h"
#include "retention.h"

int cmd_purge(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"now", required_argument, NULL, 'n'},
	                                     {0}};
	const char *config = NULL, *now_s = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			now_s = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: acd purge [--config FILE] [--now TIME]\n");
		return 2;
	}
	struct config cfg;
	struct acd_error e = {0};
	config_defaults(&cfg);
	if (config && config_load(config, &cfg, &e) != ACD_OK) {
		fprintf(stderr, "acd: purge: %s\n", e.msg);
		return 2;
	}
	acd_time now = time_now();
	if (now_s && !time_parse(now_s, &now)) {
		fprintf(stderr, "acd: purge: --now: '%s' is not an RFC 3339 time\n", now_s);
		return 2;
	}
	struct db *db;
	struct keys k;
	if (!open_store("purge", false, &db, &k))
		return 2;
	struct retention r = {cfg.retain_records, cfg.retain_stats};
	struct purge_result out;
	enum acd_status st = retention_purge(db, &k, &r, now, "cli", &out, &e);
	db_close(db);
	keys_wipe(&k);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: purge: %s\n", e.msg);
		return st == ACD_EDB ? 5 : 2;
	}
	if (!out.scrubbed)
		fprintf(stderr, "acd: purge: the rows are deleted, but %s\n", out.scrub);
	return cli_print_json(json_pack("{s:s, s:I, s:I, s:b, s:s}", "purge", out.id, "records",
	                                (json_int_t)out.records, "stats", (json_int_t)out.stats,
	                                "scrubbed", out.scrubbed, "scrub", out.scrub));
}

int cmd_stats_diet(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"year", required_argument, NULL, 'y'}, {"html", no_argument, NULL, 'h'}, {0}};
	int year = 0, ch;
	bool html = false;
	char *end = NULL;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'y':
			year = (int)strtol(optarg, &end, 10);
			break;
		case 'h':
			html = true;
			break;
		default:
			return 2;
		}
	}
	if (!end || *end || optind != argc || year < 2000 || year > 2999) {
		fprintf(stderr,
		        "usage: acd stats diet --year YYYY [--html]   (fiscal year from 1 April "
		        "YYYY, JST)\n");
		return 2;
	}
	struct db *db;
	struct keys k;
	if (!open_store("stats diet", false, &db, &k))
		return 2;
	keys_wipe(&k);
	json_t *stats = NULL;
	struct acd_error e = {0};
	struct db_conn *c = db_acquire(db);
	enum acd_status st = diet_stats(c, year, &stats, &e);
	db_release(db, c);
	db_close(db);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: stats diet: %s\n", e.msg);
		return st == ACD_EDB ? 5 : 2;
	}
	if (!html)
		return cli_print_json(stats);
	char *page = diet_stats_html(stats);
	fputs(page, stdout);
	free(page);
	json_decref(stats);
	return 0;
}
