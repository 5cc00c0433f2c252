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
	assert_int_equal(spool_write(&s, "000000000002-aa-000001", "{\"b\":2}", 7), 0);
	assert_int_equal(spool_write(&s, "000000000001-aa-000000", "{\"b\":1}", 7), 0);
	snprintf(path, sizeof path, "%s/000000000001-aa-000000.batch", dir);
	mode_is(path, 0600);
	char(*names)[SPOOL_NAME_MAX];
	assert_int_equal(spool_list(&s, &names), 2);
	assert_string_equal(names[0], "000000000001-aa-000000");
	assert_string_equal(names[1], "000000000002-aa-000001");
	free(names);
	const char *data;
	size_t len;
	assert_int_equal(spool_read(&s, "000000000002-aa-000001", &data, &len), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(data, "{\"b\":2}", 7);
	spool_release(data, len);
	assert_int_equal(spool_read(&s, "000000000009-aa-000009", &data, &len), ENOENT);
	spool_remove(&s, "000000000002-aa-000001");
	size_t refused;
	assert_int_equal(spool_count(&s, &refused), 1);
	assert_int_equal(refused, 0);
	spool_close(&s);
}

static void test_refuse_keeps_the_reason(void **state)
{
	(void)state;
	char dir[256], path[300];
	snprintf(dir, sizeof dir, "%s/b", root);
	struct spool s;
	struct acd_error e;
	assert_int_equal(spool_open(&s, dir, &e), ACD_OK);
	assert_int_equal(spool_write(&s, "n1", "{}", 2), 0);
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
