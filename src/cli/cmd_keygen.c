/* cmd_keygen.c — `acd keygen`: a new Ed25519 key pair in the key-file format of keyfile.h. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "keyfile.h"

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {0}};
	const char *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o')
			return 2;
		out = optarg;
	}
	if (!out && optind < argc)
		out = argv[optind];
	if (!out) {
		fprintf(stderr, "usage: acd keygen --out PATH\n");
		return 2;
	}
	struct acd_error e;
	if (key_generate(out, &e) != ACD_OK) {
		fprintf(stderr, "acd: keygen: %s\n", e.msg);
		return 2;
	}
	uint8_t pk[KEY_PUBLIC_BYTES];
	char pubpath[4096], b64[64];
	snprintf(pubpath, sizeof pubpath, "%s.pub", out);
	if (key_read_public(pubpath, pk, &e) != ACD_OK) {
		fprintf(stderr, "acd: keygen: %s\n", e.msg);
		return 2;
	}
	b64_encode(pk, sizeof pk, b64, sizeof b64);
	return cli_print_json(
	        json_pack("{s:s, s:s, s:s}", "private", out, "public", pubpath, "public_key", b64));
}
