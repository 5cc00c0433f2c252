/*
 * server.h — what every part of acdd shares: the store, the keys kept outside it, the
 * group-commit writer, the configuration and the metrics. One instance lives in main; the
 * handlers reach it through the request.
 */
#ifndef ACD_SERVER_H
#define ACD_SERVER_H

#include "config.h"
#include "db.h"
#include "keys.h"
#include "metrics.h"
#include "prefix_table.h"
#include "writer.h"

struct server {
	struct db *db;
	struct keys keys;
	struct writer *writer;
	struct config cfg;
	struct metrics metrics;
	struct prefix_table *prefixes; /* acdd's own copy, to check ingested records; may be NULL */
};

#endif
