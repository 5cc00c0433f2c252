/* cmd_approval.c — `acd approval sign|verify`: Contract 2 documents from the command line. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "cli.h"

int cmd_approval_sign(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'}, {0}};
	const char *keypath = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c != 'k')
			return 2;
		keypath = optarg;
	}
	if (!keypath || optind >= argc) {
		fprintf(stderr, "usage: acd approval sign --key PRIVATE-KEY FILE …\n");
		return 2;
	}
	struct acd_error e;
	uint8_t sk[KEY_SECRET_BYTES];
	if (key_read_secret(keypath, sk, &e) != ACD_OK) {
		fprintf(stderr, "acd: approval sign: %s\n", e.msg);
		return 2;
	}
	json_t *signed_files = json_array();
	for (int i = optind; i < argc; i++) {
		uint8_t *doc;
		size_t len;
		char sig[128], sigpath[PATH_MAX];
		if (file_read_all(argv[i], 1u << 20, &doc, &len, &e) != ACD_OK) {
			fprintf(stderr, "acd: approval sign: %s\n", e.msg);
			json_decref(signed_files);
			return 2;
		}
		sig_sign_b64(doc, len, sk, sig, sizeof sig);
		free(doc);
		snprintf(sigpath, sizeof sigpath, "%s.sig", argv[i]);
		FILE *f = fopen(sigpath, "w");
		if (!f || fprintf(f, "%s\n", sig) < 0 || fclose(f) != 0) {
			fprintf(stderr, "acd: approval sign: cannot write %s\n", sigpath);
			json_decref(signed_files);
			return 2;
		}
		json_array_append_new(signed_files,
		                      json_pack("{s:s, s:s}", "file", argv[i], "sig", sigpath));
	}
	return cli_print_json(json_pack("{s:o}", "signed", signed_files));
}

static json_t *selectors_json(const struct approval *a)
{
	static const char *const type_names[] = {"ip", "domain", "content"};
	json_t *arr = json_array();
	for (size_t i = 0; i < a->n_selectors; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "id", a->selectors[i].id, "type",
		                                     type_names[a->selectors[i].type]));
	return arr;
}

static int load_key(const char *path, uint8_t *pk, bool *has)
{
	struct acd_error e;
	if (!path)
		return 0;
	if (key_read_public(path, pk, &e) != ACD_OK) {
		fprintf(stderr, "acd: approval verify: %s\n", e.msg);
		return 3; /* Contract 3: a missing key refuses the approval */
	}
	*has = true;
	return 0;
}

int cmd_approval_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"commission-key", required_argument, NULL, 'c'},
	                                     {"office-key", required_argument, NULL, 'o'},
	                                     {"facility", required_argument, NULL, 'f'},
	                                     {"revocations", required_argument, NULL, 'r'},
	                                     {"at", required_argument, NULL, 'a'},
	                                     {0}};
	const char *ckey = NULL, *okey = NULL, *facility = NULL, *revdir = NULL;
	acd_time now = time_now();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ckey = optarg;
			break;
		case 'o':
			okey = optarg;
			break;
		case 'f':
			facility = optarg;
			break;
		case 'r':
			revdir = optarg;
			break;
		case 'a':
			if (!time_parse(optarg, &now)) {
				fprintf(stderr,
				        "acd: approval verify: --at: not an RFC 3339 time\n");
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: acd approval verify [--commission-key F] [--office-key F] "
		                "[--facility NAME] [--revocations DIR] [--at TIME] FILE\n");
		return 2;
	}
	struct approval_keys keys = {0};
	int rc = load_key(ckey, keys.commission, &keys.has_commission);
	if (!rc)
		rc = load_key(okey, keys.office, &keys.has_office);
	if (rc)
		return rc;
	struct acd_error e;
	struct revocations rev = {0};
	if (revdir && revocations_load(revdir, &keys, &rev, NULL, &e) != ACD_OK) {
		fprintf(stderr, "acd: approval verify: %s\n", e.msg);
		return 2;
	}
	struct approval a;
	enum acd_status st = approval_load(argv[optind], &keys, facility, now, &rev, &a, &e);
	revocations_free(&rev);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: approval verify: %s\n", e.msg);
		return (int)st;
	}
	char from[TIME_STRLEN], until[TIME_STRLEN];
	time_format(a.valid_from, from, sizeof from);
	time_format(a.valid_until, until, sizeof until);
	json_t *out =
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", a.id, "kind",
	                  approval_kind_name(a.kind), "facility", a.facility, "valid_from", from,
	                  "valid_until", until, "selectors", selectors_json(&a), "valid", 1);
	approval_free(&a);
	return cli_print_json(out);
}
