/*
 * acd.c — the command line for all of acd: finds the verb and hands over to it.
 * `--db URL` may come before or after the verb (Contract 5); verbs that need no store ignore it.
 * So may `--server URL`, `--token T` and `--token-file F`, which the JSON API verbs use.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
        {{"init", NULL},
         cmd_init,
         "[--db URL] init             create the store and its keys; prints the admin token"},
        {{"user", "add"},
         cmd_user_add,
         "[--db URL] user add --role ROLE --org ORG --name NAME [--sector ID]\n"
         "                [--consent-at TIME] [--clearance LEVEL] [--handler] "
         "[--anonymous-reader]"},
        {{"sensor", "add"},
         cmd_sensor_add,
         "[--db URL] sensor add --id ID --facility NAME --public-key BASE64"},
        {{"audit", "verify"},
         cmd_audit_verify,
         "[--db URL] audit verify     exit 0 when the audit chain is intact, 1 naming the first "
         "bad entry"},
        {{"keys", "rotate"},
         cmd_keys_rotate,
         "[--db URL] keys rotate commission|office   new signing key, every document re-signed"},
        {{"purge", NULL},
         cmd_purge,
         "[--db URL] purge [--config FILE] [--now TIME]   delete what outlived its retention"},
        {{"stats", "diet"},
         cmd_stats_diet,
         "[--db URL] stats diet --year YYYY [--html]   the Diet report's annual statistics"},
};

/* Set once by main from the command line, read by the verbs. */
static const char *db_url = "sqlite:acd.db";
static const char *keys_dir, *server_url, *token_arg, *token_file;

const char *cli_db_url(void)
{
	return db_url;
}

const char *cli_keys_dir(void)
{
	return keys_dir;
}

const char *cli_server_url(void)
{
	return server_url ? server_url : getenv("ACD_SERVER");
}

/* A token file holds the token on its first line, or is what `acd init` / `acd user add`
 * printed ({"admin_token": …} or {"token": …}). */
static char *read_token_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[1024] = "";
	bool ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	char *tok = NULL;
	json_t *j = ok && line[0] == '{' ? json_loads(line, 0, NULL) : NULL;
	if (j) {
		const char *t = json_string_value(json_object_get(j, "token"));
		if (!t)
			t = json_string_value(json_object_get(j, "admin_token"));
		tok = t ? strdup(t) : NULL;
		json_decref(j);
	} else if (ok && line[0]) {
		tok = strdup(line);
	}
	sodium_memzero(line, sizeof line);
	return tok;
}

bool cli_token(char **out)
{
	*out = NULL;
	if (token_arg)
		return (*out = strdup(token_arg)) != NULL;
	if (token_file)
		return (*out = read_token_file(token_file)) != NULL;
	const char *env = getenv("ACD_TOKEN");
	if (env)
		return (*out = strdup(env)) != NULL;
	return true;
}

/* The options every verb may be given, before or after it. */
static const struct {
	const char *name;
	const char **slot;
} global_options[] = {{"--db", &db_url},
                      {"--keys", &keys_dir},
                      {"--server", &server_url},
                      {"--token", &token_arg},
                      {"--token-file", &token_file}};

/* Takes the global options (`--NAME VALUE` or `--NAME=VALUE`) out of argv wherever they
 * stand; false when one lacks its value. */
static bool take_global_options(int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		bool taken = false;
		for (size_t k = 0; k < sizeof global_options / sizeof global_options[0]; k++) {
			size_t n = strlen(global_options[k].name);
			if (strncmp(a, global_options[k].name, n) != 0 || (a[n] && a[n] != '='))
				continue;
			if (!a[n] && i + 1 >= *argc)
				return false;
			*global_options[k].slot = a[n] ? a + n + 1 : argv[++i];
			taken = true;
			break;
		}
		if (!taken)
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
	fprintf(stderr, "usage: acd [--db URL] [--keys DIR] VERB …\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(stderr, "  acd %s\n", verbs[i].help);
	fprintf(stderr,
	        "usage: acd [--server URL] [--token T | --token-file F] VERB … (JSON API)\n");
	cmd_http_usage(stderr);
	fprintf(stderr, "FILE is a JSON body, - for stdin; see acd(1).\n");
	return 2;
}

int main(int argc, char **argv)
{
	log_init("acd", 0);
	if (sodium_init() < 0)
		fatalx(2, "libsodium failed to initialise");
	if (!take_global_options(&argc, argv)) {
		fprintf(stderr,
		        "acd: --db, --keys, --server, --token and --token-file need a value\n");
		return 2;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage();
	int matched, rc = cmd_http(argc, argv, &matched);
	if (matched)
		return rc;
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
