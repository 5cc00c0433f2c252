/*
 * test_agreement_cover.c — agreement_covers and consent_covers (agreement_cover.h), the
 * questions other parts ask before acting under an agreement (当事者協定) or a consent to
 * other-purpose use (他目的利用): covered only inside an agreement's prefixes and validity and
 * before its withdrawal; a consent only for its exact purpose and recipient, while it and its
 * agreement stand. Runs on a fresh SQLite store and on a fresh schema of the PostgreSQL test
 * cluster (ACD_TEST_PG_URL_FILE; skipped without it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agreement_cover.h"
#include "db.h"

struct store {
	char dir[64];
	char schema[40];
	struct db *db;
	struct db_conn *c;
};

static bool pg_url(char *out, size_t len)
{
	const char *file = getenv("ACD_TEST_PG_URL_FILE");
	FILE *f = file && *file ? fopen(file, "r") : NULL;
	if (!f)
		return false;
	bool ok = fgets(out, (int)len, f) != NULL;
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return ok && out[0];
}

static void pg_admin(const char *base, const char *sql)
{
	PGconn *pg = PQconnectdb(base);
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("test cluster: %s", PQerrorMessage(pg));
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(res);
	PQfinish(pg);
}

static void exec_ok(struct db_conn *c, const char *sql)
{
	struct acd_error e = {0};
	if (db_exec(c, sql, NULL, 0, NULL, &e) != ACD_OK)
		fail_msg("%s: %s", sql, e.msg);
}

/* Two operators; op-a has agreement AG1 (in force 1000-2000) and AG2 (the same, withdrawn at
 * 1500), consents C1 (p/r, 1100-1800), C2 (p2/r, withdrawn at 1300), C3 (p3/r under AG2). */
static void seed(struct db_conn *c)
{
	exec_ok(c, "INSERT INTO orgs (id, kind, name, sector, created_at) VALUES "
	           "('op-a', 'operator', 'A', 'electricity', 0), "
	           "('op-b', 'operator', 'B', 'electricity', 0)");
	exec_ok(c, "INSERT INTO users (id, org, role, name, token_hash, created_at) VALUES "
	           "('U1', 'op-a', 'operator', 'a', 'h1', 0)");
	exec_ok(c, "INSERT INTO agreements (id, num, operator, valid_from, valid_until, filed_by, "
	           "created_at, withdrawn_at, withdrawn_by) VALUES "
	           "('AG1', 1, 'op-a', 1000, 2000, 'U1', 900, NULL, NULL), "
	           "('AG2', 2, 'op-a', 1000, 2000, 'U1', 900, 1500, 'U1')");
	exec_ok(c, "INSERT INTO agreement_prefixes (agreement, prefix) VALUES "
	           "('AG1', '133.5.0.0/16'), ('AG1', '2001:db8:1::/48'), ('AG2', '10.0.0.0/8')");
	exec_ok(c, "INSERT INTO agreement_consents (id, num, agreement, purpose, scope, recipient, "
	           "valid_until, given_by, created_at, withdrawn_at) VALUES "
	           "('C1', 1, 'AG1', 'p', 's', 'r', 1800, 'U1', 1100, NULL), "
	           "('C2', 2, 'AG1', 'p2', 's', 'r', 1800, 'U1', 1100, 1300), "
	           "('C3', 3, 'AG2', 'p3', 's', 'r', 1900, 'U1', 1100, NULL)");
}

static int setup(void **state, bool pg)
{
	char base[400], url[512];
	if (pg && !pg_url(base, sizeof base)) {
		*state = NULL;
		return 0;
	}
	struct store *s = calloc(1, sizeof *s);
	assert_non_null(s);
	if (pg) {
		snprintf(s->schema, sizeof s->schema, "cover_%ld", (long)getpid());
		char sql[96];
		snprintf(sql, sizeof sql, "CREATE SCHEMA %s", s->schema);
		pg_admin(base, sql);
		snprintf(url, sizeof url, "%s%coptions=-csearch_path%%3D%s", base,
		         strchr(base, '?') ? '&' : '?', s->schema);
	} else {
		snprintf(s->dir, sizeof s->dir, "/tmp/acd-cover-XXXXXX");
		assert_non_null(mkdtemp(s->dir));
		snprintf(url, sizeof url, "sqlite:%s/acd.db", s->dir);
	}
	struct acd_error e = {0};
	if (db_open(url, 1, &s->db, &e) != ACD_OK)
		fail_msg("db_open %s: %s", url, e.msg);
	s->c = db_acquire(s->db);
	seed(s->c);
	*state = s;
	return 0;
}

static int setup_sqlite(void **state)
{
	return setup(state, false);
}

static int setup_pg(void **state)
{
	return setup(state, true);
}

static int teardown(void **state)
{
	struct store *s = *state;
	if (!s)
		return 0;
	db_release(s->db, s->c);
	db_close(s->db);
	char base[400], cmd[128];
	if (s->schema[0] && pg_url(base, sizeof base)) {
		snprintf(cmd, sizeof cmd, "DROP SCHEMA %s CASCADE", s->schema);
		pg_admin(base, cmd);
	}
	if (s->dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", s->dir);
	}
	free(s);
	return 0;
}

static struct db_conn *conn(void **state)
{
	if (!*state)
		skip();
	return ((struct store *)*state)->c;
}

static void test_agreement_covers_its_prefixes_only(void **state)
{
	struct db_conn *c = conn(state);
	assert_true(agreement_covers(c, "op-a", "133.5.0.0/16", 1500));
	assert_true(agreement_covers(c, "op-a", "133.5.1.0/24", 1500));
	assert_true(agreement_covers(c, "op-a", "133.5.255.255", 1500));
	assert_true(agreement_covers(c, "op-a", "2001:db8:1:2::/64", 1500));
	assert_true(agreement_covers(c, "op-a", "2001:db8:1::1", 1500));
	assert_false(agreement_covers(c, "op-a", "133.5.0.0/15", 1500)); /* wider than the prefix */
	assert_false(agreement_covers(c, "op-a", "133.6.0.0/24", 1500));
	assert_false(agreement_covers(c, "op-a", "2001:db8::/32", 1500));
	assert_false(agreement_covers(c, "op-a", "::ffff:133.5.0.1", 1500)); /* not IPv4 */
	assert_false(agreement_covers(c, "op-b", "133.5.1.0/24", 1500));     /* not the party */
}

static void test_agreement_covers_only_while_in_force(void **state)
{
	struct db_conn *c = conn(state);
	assert_false(agreement_covers(c, "op-a", "133.5.1.0/24", 999));
	assert_true(agreement_covers(c, "op-a", "133.5.1.0/24", 1000));
	assert_true(agreement_covers(c, "op-a", "133.5.1.0/24", 1999));
	assert_false(agreement_covers(c, "op-a", "133.5.1.0/24", 2000));
	/* AG2 is withdrawn at 1500: it covered before, never from then on. */
	assert_true(agreement_covers(c, "op-a", "10.1.0.0/16", 1499));
	assert_false(agreement_covers(c, "op-a", "10.1.0.0/16", 1500));
	assert_false(agreement_covers(c, "op-a", "10.1.0.0/16", 1999));
}

static void test_agreement_covers_refuses_what_it_cannot_read(void **state)
{
	struct db_conn *c = conn(state);
	assert_false(agreement_covers(c, "op-a", "133.5.0.1/16", 1500)); /* host bits */
	assert_false(agreement_covers(c, "op-a", "133.5.0.0/33", 1500));
	assert_false(agreement_covers(c, "op-a", "not an address", 1500));
	assert_false(agreement_covers(c, "op-a", "", 1500));
	assert_false(agreement_covers(c, "op-a", NULL, 1500));
	assert_false(agreement_covers(c, NULL, "133.5.1.0/24", 1500));
	assert_false(agreement_covers(NULL, "op-a", "133.5.1.0/24", 1500));
}

static void test_consent_covers_exact_purpose_and_recipient(void **state)
{
	struct db_conn *c = conn(state);
	assert_true(consent_covers(c, "op-a", "p", "r", 1200));
	assert_false(consent_covers(c, "op-a", "P", "r", 1200));
	assert_false(consent_covers(c, "op-a", "p", "r2", 1200));
	assert_false(consent_covers(c, "op-a", "p", "%", 1200));
	assert_false(consent_covers(c, "op-b", "p", "r", 1200));
	assert_false(consent_covers(c, "op-a", NULL, "r", 1200));
}

static void test_consent_covers_only_while_it_and_its_agreement_stand(void **state)
{
	struct db_conn *c = conn(state);
	assert_false(consent_covers(c, "op-a", "p", "r", 1099)); /* before it was given */
	assert_true(consent_covers(c, "op-a", "p", "r", 1799));
	assert_false(consent_covers(c, "op-a", "p", "r", 1800)); /* expired */
	assert_true(consent_covers(c, "op-a", "p2", "r", 1299));
	assert_false(consent_covers(c, "op-a", "p2", "r", 1300)); /* withdrawn */
	assert_true(consent_covers(c, "op-a", "p3", "r", 1499));
	assert_false(consent_covers(c, "op-a", "p3", "r", 1500)); /* its agreement withdrawn */
}

#define BOTH(t)                                                                                    \
	cmocka_unit_test_setup_teardown(t, setup_sqlite, teardown),                                \
	        cmocka_unit_test_setup_teardown(t, setup_pg, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        BOTH(test_agreement_covers_its_prefixes_only),
	        BOTH(test_agreement_covers_only_while_in_force),
	        BOTH(test_agreement_covers_refuses_what_it_cannot_read),
	        BOTH(test_consent_covers_exact_purpose_and_recipient),
	        BOTH(test_consent_covers_only_while_it_and_its_agreement_stand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
