/* cmd_prefixes.c — `acd prefixes check`: load a Contract 1 table and classify addresses. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "prefix_table.h"

int cmd_prefixes_check(int argc, char **argv)
{
	static const struct option opts[] = {{"country", required_argument, NULL, 'c'}, {0}};
	const char *country = "JP";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'c')
			return 2;
		country = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: acd prefixes check [--country CC] FILE [ADDRESS …]\n");
		return 2;
	}
	struct prefix_table *t;
	struct acd_error e;
	if (prefix_table_load(argv[optind], country, &t, &e) != ACD_OK) {
		fprintf(stderr, "acd: prefixes check: %s\n", e.msg);
		return 2;
	}
	struct prefix_table_summary s;
	prefix_table_summary(t, &s);
	json_t *lookups = json_object();
	int rc = 0;
	for (int i = optind + 1; i < argc; i++) {
		struct ip_addr a;
		if (!ipaddr_parse(argv[i], &a)) {
			fprintf(stderr, "acd: prefixes check: '%s' is not an IP address\n",
			        argv[i]);
			rc = 2;
			break;
		}
		json_object_set_new(
		        lookups, argv[i],
		        json_string(prefix_table_is_domestic(t, &a) ? "domestic" : "foreign"));
	}
	prefix_table_free(t);
	if (rc) {
		json_decref(lookups);
		return rc;
	}
	return cli_print_json(json_pack(
	        "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "file", argv[optind], "cidr_lines",
	        (json_int_t)s.cidr_lines, "rir_lines", (json_int_t)s.rir_lines, "rir_skipped",
	        (json_int_t)s.rir_skipped, "foreign_lines", (json_int_t)s.foreign_lines,
	        "ipv4_intervals", (json_int_t)s.v4_intervals, "ipv6_intervals",
	        (json_int_t)s.v6_intervals, "lookup", lookups));
}
