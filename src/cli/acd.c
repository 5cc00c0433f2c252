/*
 * acd.c — the command line for all of acd: finds the verb and hands over to it.
 * `--db URL` may come before or after the verb (Contract 5); verbs that need no store ignore it.
 */
#include <sodium.h>
#include <stdio.h>
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
};

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
