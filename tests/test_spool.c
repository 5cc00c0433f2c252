/* test_spool.c — the sensor's spool: owner-only, complete batches only, in the order made,
 * refused batches aside with their reason, crash leftovers (.tmp) gone at the next start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

static char root[] = "/tmp/acd-test-spool-XXXXXX";

static void mode_is(const char *path, mode_t want)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, want);
}

static void test_write_list_read_remove(void **state)
{
	(void)state;
	char dir[256], path[300];
	snprintf(dir, sizeof dir, "%s/a/spool", root);
	struct spool s;
	struct acd_error e;
	assert_int_equal(spool_open(&s, dir, &e), ACD_OK);
	mode_is(dir, 0700);
	snprintf(path, sizeof path, "%s/refused", dir);
	mode_is(path, 0700);
	/* Written out of order: listed in name order, which is the order batches were made. */
	assert_int_equal(spool_write(&s, "000000000002-aa-000001", NULL, NULL, "{\"b\":2}", 7), 0);
	assert_int_equal(spool_write(&s, "000000000001-aa-000000", NULL, NULL, "{\"b\":1}", 7), 0);
	snprintf(path, sizeof path, "%s/000000000001-aa-000000.batch", dir);
	mode_is(path, 0600);
	char(*names)[SPOOL_NAME_MAX];
	assert_int_equal(spool_list(&s, &names), 2);
	assert_string_equal(names[0], "000000000001-aa-000000");
	assert_string_equal(names[1], "000000000002-aa-000001");
	free(names);
	struct spool_batch b;
	assert_int_equal(spool_read(&s, "000000000002-aa-000001", &b), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.body, "{\"b\":2}", 7);
	assert_string_equal(b.sig, ""); /* none written: the sender signs it */
	spool_release(&b);
	assert_int_equal(spool_read(&s, "000000000009-aa-000009", &b), ENOENT);
	spool_remove(&s, "000000000002-aa-000001");
	size_t refused;
	assert_int_equal(spool_count(&s, &refused), 1);
	assert_int_equal(refused, 0);
	spool_close(&s);
}

static const char PUB[] = "KnuZAeqtAsDv8JsnPZsPC6nqhcwXsO/hfCuo3eNaF2M=";
static const char SIG[] = "q2OtrUSHFbPBY1bnqyUlBJJ5YhGhfhMa1y9dOgPF4YBWgHNPfOCkKrVKE5iBLMCc"
                          "nVyoQVgsK9DPXBdSq7p6Dg==";

static void write_raw(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
}

/* A batch is signed when it is spooled: the signature line comes back apart from the body,
 * which is exactly what was written. A first line that only looks like one stays in the
 * body, unsigned, for acdd to refuse. */
static void test_signature_line(void **state)
{
	(void)state;
	char dir[256], path[300], text[512];
	snprintf(dir, sizeof dir, "%s/d", root);
	struct spool s;
	struct acd_error e;
	assert_int_equal(spool_open(&s, dir, &e), ACD_OK);
	assert_int_equal(spool_write(&s, "signed", PUB, SIG, "{\"b\":1}\n", 8), 0);
	snprintf(path, sizeof path, "%s/signed.batch", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof text, f));
	fclose(f);
	char want[512];
	snprintf(want, sizeof want, "ed25519 %s %s\n", PUB, SIG);
	assert_string_equal(text, want);
	struct spool_batch b;
	assert_int_equal(spool_read(&s, "signed", &b), 0);
	assert_string_equal(b.pub, PUB);
	assert_string_equal(b.sig, SIG);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.body, "{\"b\":1}\n", 8);
	spool_release(&b);
	const char *bad[] = {
	        "ed25519 %s\n{}\n",         /* no signature */
	        "ed25519 %s %sA\n{}\n",     /* a signature too long */
	        "ed25519 %s %.87s\n{}\n",   /* too short */
	        "ed25519 %s %s",            /* no end of line */
	        "ed25519  %s %s\n{}\n",     /* two spaces */
	        "ed25519 %s %.86s!=\n{}\n", /* not base64 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(path, sizeof path, "%s/bad%zu.batch", dir, i);
		snprintf(text, sizeof text, bad[i], PUB, SIG);
		write_raw(path, text);
		char name[16];
		snprintf(name, sizeof name, "bad%zu", i);
		assert_int_equal(spool_read(&s, name, &b), 0);
		assert_string_equal(b.sig, "");
		assert_string_equal(b.pub, "");
		assert_int_equal(b.len, strlen(text));
		assert_memory_equal(b.body, text, b.len);
		spool_release(&b);
	}
	spool_close(&s);
}

/* One sensor per spool: a second open of the same directory is refused while the first holds
 * it, with a message that says so, and succeeds once the first is closed. */
static void test_second_sensor_on_a_spool_is_refused(void **state)
{
	(void)state;
	char dir[256];
	snprintf(dir, sizeof dir, "%s/e", root);
	struct spool a, b;
	struct acd_error e;
	assert_int_equal(spool_open(&a, dir, &e), ACD_OK);
	assert_int_equal(spool_open(&b, dir, &e), ACD_EINPUT);
	assert_non_null(strstr(e.msg, "in use by another acd-sensor"));
	assert_non_null(strstr(e.msg, dir));
	assert_int_equal(b.dirfd, -1); /* nothing left open by the refusal */
	assert_int_equal(b.lockfd, -1);
	spool_close(&a);
	assert_int_equal(spool_open(&b, dir, &e), ACD_OK);
	spool_close(&b);
}

static void test_refuse_keeps_the_reason(void **state)
{
	(void)state;
	char dir[256], path[300];
	snprintf(dir, sizeof dir, "%s/b", root);
	struct spool s;
	struct acd_error e;
	assert_int_equal(spool_open(&s, dir, &e), ACD_OK);
	assert_int_equal(spool_write(&s, "n1", NULL, NULL, "{}", 2), 0);
	assert_int_equal(spool_refuse(&s, "n1", "HTTP 401\nbad signature\n"), 0);
	char(*names)[SPOOL_NAME_MAX];
	assert_int_equal(spool_list(&s, &names), 0);
	free(names);
	size_t refused;
	assert_int_equal(spool_count(&s, &refused), 1);
	assert_int_equal(refused, 1);
	snprintf(path, sizeof path, "%s/refused/n1.batch.reason", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char buf[64] = "";
	assert_non_null(fgets(buf, sizeof buf, f));
	assert_string_equal(buf, "HTTP 401\n");
	fclose(f);
	mode_is(path, 0600);
	spool_close(&s);
}

static void test_crash_leftovers_removed_and_loose_modes_tightened(void **state)
{
	(void)state;
	char dir[256], path[300];
	snprintf(dir, sizeof dir, "%s/c", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/half.batch.tmp", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"batch\":", 9), 9);
	close(fd);
	struct spool s;
	struct acd_error e;
	assert_int_equal(spool_open(&s, dir, &e), ACD_OK);
	mode_is(dir, 0700);
	assert_int_equal(access(path, F_OK), -1);
	size_t refused;
	assert_int_equal(spool_count(&s, &refused), 0);
	spool_close(&s);
}

int main(void)
{
	if (!mkdtemp(root))
		return 1;
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_write_list_read_remove),
	        cmocka_unit_test(test_signature_line),
	        cmocka_unit_test(test_second_sensor_on_a_spool_is_refused),
	        cmocka_unit_test(test_refuse_keeps_the_reason),
	        cmocka_unit_test(test_crash_leftovers_removed_and_loose_modes_tightened),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
