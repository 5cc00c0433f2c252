/*
 * cmd_store.c — the verbs that work on the store directly (no server needed): `acd init`,
 * `acd user add`, `acd audit verify`. They take `--db URL` (before or after the verb) and
 * `--keys DIR` (default: the SQLite path plus ".keys"; see keys.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "db.h"
#include "identity.h"
#include "sensor_registry.h"

bool open_store(const char *verb, bool create_keys, struct db **db, struct keys *k)
{
	struct acd_error e = {0};
	char dir[1024];
	if (cli_keys_dir())
		snprintf(dir, sizeof dir, "%s", cli_keys_dir());
	else
		keys_default_dir(cli_db_url(), dir, sizeof dir);
	enum acd_status st = create_keys ? keys_create(dir, k, &e) : keys_load(dir, k, &e);
	if (st == ACD_OK)
		st = db_open(cli_db_url(), 1, db, &e);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: %s: %s\n", verb, e.msg);
		keys_wipe(k);
		return false;
	}
	return true;
}

struct init_job {
	const struct keys *keys;
	char token[TOKEN_LEN];
	char user[32];
	bool already;
};

static enum acd_status init_admin(struct txn *t, void *arg, struct acd_error *e)
{
	struct init_job *j = arg;
	struct db_rows *r;
	enum acd_status st =
	        db_query(t->c, "SELECT id FROM users WHERE role = 'admin'", NULL, 0, &r, e);
	if (st != ACD_OK)
		return st;
	j->already = db_rows_count(r) > 0;
	db_rows_free(r);
	if (j->already)
		return acd_fail(
		        e, ACD_EINPUT,
		        "the store is already initialised (it has an admin); add users with "
		        "`acd user add`");
	struct new_user u = {.role = ROLE_ADMIN, .org = "acd-admin", .name = "administrator"};
	return identity_add_user(t, j->keys, &u, NULL, j->token, j->user, e);
}

int cmd_init(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct db *db;
	struct keys k;
	if (!open_store("init", true, &db, &k))
		return 2;
	struct init_job j = {.keys = &k};
	struct acd_error e = {0};
	char dir[sizeof k.dir];
	snprintf(dir, sizeof dir, "%s", k.dir);
	enum acd_status st = txn_run(db, &k, init_admin, &j, &e);
	db_close(db);
	keys_wipe(&k);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: init: %s\n", e.msg);
		return 2;
	}
	return cli_print_json(
	        json_pack("{s:s, s:s, s:s}", "admin_token", j.token, "user", j.user, "keys", dir));
}

struct user_job {
	const struct keys *keys;
	struct new_user u;
	char token[TOKEN_LEN];
	char user[32];
};

static enum acd_status add_user(struct txn *t, void *arg, struct acd_error *e)
{
	struct user_job *j = arg;
	return identity_add_user(t, j->keys, &j->u, NULL, j->token, j->user, e);
}

int cmd_user_add(int argc, char **argv)
{
	static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
	                                     {"org", required_argument, NULL, 'o'},
	                                     {"name", required_argument, NULL, 'n'},
	                                     {"sector", required_argument, NULL, 's'},
	                                     {"consent-at", required_argument, NULL, 'c'},
	                                     {"clearance", required_argument, NULL, 'l'},
	                                     {"handler", no_argument, NULL, 'H'},
	                                     {"anonymous-reader", no_argument, NULL, 'A'},
	                                     {0}};
	struct user_job j = {0};
	const char *role = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role = optarg;
			break;
		case 'o':
			j.u.org = optarg;
			break;
		case 'n':
			j.u.name = optarg;
			break;
		case 's':
			j.u.sector = optarg;
			break;
		case 'l':
			j.u.clearance = optarg;
			break;
		case 'H':
			j.u.handler = true;
			break;
		case 'A':
			j.u.anonymous_reader = true;
			break;
		case 'c':
			j.u.has_consent = true;
			if (!time_parse(optarg, &j.u.consent_at)) {
				fprintf(stderr,
				        "acd: user add: --consent-at: '%s' is not an RFC 3339 "
				        "time\n",
				        optarg);
				return 2;
			}
			break;
		default:
			return 2;
		}
	}
	if (!role || !j.u.org || !j.u.name || optind != argc) {
		fprintf(stderr,
		        "usage: acd user add --role ROLE --org ORG --name NAME [--sector ID]\n"
		        "       [--consent-at TIME] [--clearance LEVEL] [--handler]\n"
		        "       [--anonymous-reader]\n");
		return 2;
	}
	if (!role_parse(role, &j.u.role)) {
		fprintf(stderr,
		        "acd: user add: --role: '%s' is not one of operator ministry analyst "
		        "commission council-member council-friend vendor foreign-partner "
		        "measures-officer admin\n",
		        role);
		return 2;
	}
	struct db *db;
	struct keys k;
	if (!open_store("user add", false, &db, &k))
		return 2;
	j.keys = &k;
	struct acd_error e = {0};
	enum acd_status st = txn_run(db, &k, add_user, &j, &e);
	db_close(db);
	keys_wipe(&k);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: user add: %s\n", e.msg);
		return st == ACD_EDB ? 5 : 2;
	}
	return cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "token", j.token, "user", j.user,
	                                "role", role, "org", j.u.org));
}

struct sensor_job {
	const char *id, *facility, *public_key;
	bool exists;
};

static enum acd_status add_sensor(struct txn *t, void *arg, struct acd_error *e)
{
	struct sensor_job *j = arg;
	return sensor_register(t, "cli", "admin", j->id, j->facility, j->public_key, &j->exists, e);
}

int cmd_sensor_add(int argc, char **argv)
{
	static const struct option opts[] = {{"id", required_argument, NULL, 'i'},
	                                     {"facility", required_argument, NULL, 'f'},
	                                     {"public-key", required_argument, NULL, 'k'},
	                                     {0}};
	struct sensor_job j = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			j.id = optarg;
			break;
		case 'f':
			j.facility = optarg;
			break;
		case 'k':
			j.public_key = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!j.id || !j.facility || !j.public_key || optind != argc) {
		fprintf(stderr,
		        "usage: acd sensor add --id ID --facility NAME --public-key BASE64\n");
		return 2;
	}
	struct db *db;
	struct keys k;
	if (!open_store("sensor add", false, &db, &k))
		return 2;
	struct acd_error e = {0};
	enum acd_status st = txn_run(db, &k, add_sensor, &j, &e);
	db_close(db);
	keys_wipe(&k);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: sensor add: %s\n", e.msg);
		return st == ACD_EDB ? 5 : 2;
	}
	return cli_print_json(json_pack("{s:s, s:s}", "id", j.id, "facility", j.facility));
}

int cmd_audit_verify(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct db *db;
	struct keys k;
	if (!open_store("audit verify", false, &db, &k))
		return 2;
	char head[1200];
	snprintf(head, sizeof head, "%s/audit-head", k.dir);
	struct audit_verdict v;
	struct acd_error e = {0};
	struct db_conn *c = db_acquire(db);
	enum acd_status st = audit_verify(c, k.audit_pk, head, &v, &e);
	db_release(db, c);
	db_close(db);
	keys_wipe(&k);
	if (st != ACD_OK) {
		fprintf(stderr, "acd: audit verify: %s\n", e.msg);
		return 2;
	}
	if (!v.intact)
		fprintf(stderr, "acd: audit verify: %s\n", v.message);
	json_t *out = json_pack("{s:b, s:I, s:I}", "intact", v.intact, "entries",
	                        (json_int_t)v.entries, "signed_heads", (json_int_t)v.heads);
	if (!v.intact) {
		json_object_set_new(out, "first_bad", json_integer(v.first_bad));
		json_object_set_new(out, "message", json_string(v.message));
	}
	cli_print_json(out);
	return v.intact ? 0 : 1;
}
