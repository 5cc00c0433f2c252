/* export.c — see export.h. */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "uploader.h"

static int open_out(const char *dir, const char *name, struct acd_error *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		acd_fail(e, ACD_EINPUT, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file keeps its content, but never stays readable by others. */
	if (fchmod(fd, 0600) < 0) {
		acd_fail(e, ACD_EINPUT, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* mkdir -p, each new level 0700: the output holds selected communications information. */
int make_private_dirs(const char *dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

enum acd_status exporter_open(struct exporter *x, const char *dir, struct acd_error *e)
{
	memset(x, 0, sizeof *x);
	if (make_private_dirs(dir) < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", dir, strerror(errno));
	x->records_fd = open_out(dir, "records.jsonl", e);
	if (x->records_fd < 0)
		return ACD_EINPUT;
	x->stats_fd = open_out(dir, "stats.jsonl", e);
	if (x->stats_fd < 0) {
		close(x->records_fd);
		return ACD_EINPUT;
	}
	pthread_mutex_init(&x->lock, NULL);
	return ACD_OK;
}

void exporter_open_uploader(struct exporter *x, struct uploader *up)
{
	memset(x, 0, sizeof *x);
	x->records_fd = x->stats_fd = -1;
	x->up = up;
	pthread_mutex_init(&x->lock, NULL);
}

static void write_all(struct exporter *x, int fd, const char *p, size_t len)
{
	while (len > 0 && !x->failed) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			x->failed = errno ? errno : EIO;
			log_warn("writing output failed");
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Asks the kernel to start writing what is in the page cache now, without waiting: the fsync
 * at the end then finds little left to do (on the bench it waited ~5 ms for the 4.5 MB of
 * records written in the last second). A hint: an error only means fsync does it all. */
static void start_writeback(int fd)
{
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void hand_over(struct exporter *x, int fd, struct linebuf *b, uint64_t *count, uint64_t n)
{
	if (b->len == 0)
		return;
	pthread_mutex_lock(&x->lock);
	if (!x->up) {
		write_all(x, fd, b->data, b->len);
		start_writeback(fd);
	} else if (count == &x->records) {
		uploader_records(x->up, b->data, b->len, n);
	} else {
		uploader_stats(x->up, b->data, b->len, n);
	}
	*count += n;
	pthread_mutex_unlock(&x->lock);
	b->len = 0;
}

void exporter_records(struct exporter *x, struct linebuf *b, uint64_t n)
{
	hand_over(x, x->records_fd, b, &x->records, n);
}

void exporter_stats(struct exporter *x, struct linebuf *b, uint64_t n)
{
	hand_over(x, x->stats_fd, b, &x->stats, n);
}

void exporter_sync(struct exporter *x)
{
	if (x->up)
		return; /* the spool makes each batch durable itself */
	pthread_mutex_lock(&x->lock);
	if (fsync(x->records_fd) < 0 || fsync(x->stats_fd) < 0) {
		if (!x->failed)
			x->failed = errno;
		log_warn("fsync of output failed");
	}
	pthread_mutex_unlock(&x->lock);
}

void exporter_close(struct exporter *x)
{
	exporter_sync(x);
	if (!x->up) {
		close(x->records_fd);
		close(x->stats_fd);
	}
	pthread_mutex_destroy(&x->lock);
}

void linebuf_append(struct linebuf *b, const char *p, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + len)
			cap *= 2;
		char *q = realloc(b->data, cap);
		if (!q)
			fatalx(1, "out of memory for output lines");
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

void linebuf_add(struct linebuf *b, const char *line, size_t len)
{
	linebuf_append(b, line, len);
	linebuf_append(b, "\n", 1);
}

void linebuf_free(struct linebuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
