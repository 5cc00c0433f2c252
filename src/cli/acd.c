/*
 * acd.c — the command line for all of acd: finds the verb and hands over to it.
 * `--db URL` may come before or after the verb (Contract 5); verbs that need no store ignore it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "log.h"

struct verb {
	const char *words[2];
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct verb verbs[] = {
        {{"keygen", NULL},
         cmd_keygen,
         "keygen --out PATH            new Ed25519 key pair (PATH, PATH.pub)"},
        {{"approval", "sign"}, cmd_approval_sign, "approval sign --key PRIV FILE  write FILE.sig"},
        {{"approval", "verify"},
         cmd_approval_verify,
         "approval verify [--commission-key F] [--office-key F] [--facility NAME]\n"
         "                [--revocations DIR] [--at TIME] FILE"},
        {{"prefixes", "check"},
         cmd_prefixes_check,
         "prefixes check [--country CC] FILE [ADDRESS …]"},
        {{"init", NULL}, cmd_init, "[--db URL] init             create the store and its keys; prints the admin token"},
        {{"user", "add"},
         cmd_user_add,
         "[--db URL] user add --role ROLE --org ORG --name NAME [--sector ID]\n"
         "                [--consent-at TIME] [--clearance LEVEL] [--handler] [--anonymous-reader]"},
        {{"sensor", "add"},
         cmd_sensor_add,
         "[--db URL] sensor add --id ID --facility NAME --public-key BASE64"},
        {{"audit", "verify"},
         cmd_audit_verify,
         "[--db URL] audit verify     exit 0 when the audit chain is intact, 1 naming the first bad entry"},
        {{"purge", NULL},
         cmd_purge,
         "[--db URL] purge [--config FILE] [--now TIME]   delete what outlived its retention"},
        {{"stats", "diet"},
         cmd_stats_diet,
         "[--db URL] stats diet --year YYYY [--html]   the Diet report's annual statistics"},
};

/* Set once by main from the command line, read by the verbs. */
static const char *db_url = "sqlite:acd.db";
static const char *keys_dir;

const char *cli_db_url(void)
{
	return db_url;
}

const char *cli_keys_dir(void)
{
	return keys_dir;
}

/* Takes `--db URL`/`--db=URL` and `--keys DIR` out of argv wherever they stand; false when one
 * lacks its value. */
static bool take_global_options(int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char **slot = NULL;
		const char *a = argv[i];
		if (strcmp(a, "--db") == 0 || strcmp(a, "--keys") == 0) {
			slot = a[2] == 'd' ? &db_url : &keys_dir;
			if (i + 1 >= *argc)
				return false;
			*slot = argv[++i];
			continue;
		}
		if (strncmp(a, "--db=", 5) == 0 || strncmp(a, "--keys=", 7) == 0) {
			slot = a[2] == 'd' ? &db_url : &keys_dir;
			*slot = strchr(a, '=') + 1;
			continue;
		}
		argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return true;
}

int cli_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(v);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: acd VERB …\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(stderr, "  acd %s\n", verbs[i].help);
	return 2;
}

int main(int argc, char **argv)
{
	log_init("acd", 0);
	if (sodium_init() < 0)
		fatalx(2, "libsodium failed to initialise");
	if (!take_global_options(&argc, argv)) {
		fprintf(stderr, "acd: --db and --keys need a value\n");
		return 2;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage();
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		const struct verb *v = &verbs[i];
		if (strcmp(argv[1], v->words[0]) != 0)
			continue;
		if (!v->words[1])
			return v->run(argc - 1, argv + 1);
		if (argc >= 3 && strcmp(argv[2], v->words[1]) == 0)
			return v->run(argc - 2, argv + 2);
	}
	fprintf(stderr, "acd: unknown verb '%s'\n", argv[1]);
	return usage();
}
