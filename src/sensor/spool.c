/* spool.c — see spool.h. */
#include "spool.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "keyfile.h"
#include "log.h"

static int open_dir(int at, const char *path)
{
	int fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	/* An existing spool may have been made with a looser mode: it never stays so. */
	if (fd >= 0 && fchmod(fd, 0700) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Removes the `.tmp` files a crash left: they were never complete, so never sent. */
static void remove_tmp(int dirfd)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return;
	rewinddir(d); /* the dup shares its offset with dirfd */
	struct dirent *de;
	while ((de = readdir(d)))
		if (has_suffix(de->d_name, ".tmp"))
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

enum acd_status spool_open(struct spool *s, const char *dir, struct acd_error *e)
{
	memset(s, 0, sizeof *s);
	s->dirfd = s->refusedfd = s->lockfd = -1;
	if (snprintf(s->dir, sizeof s->dir, "%s", dir) >= (int)sizeof s->dir)
		return acd_fail(e, ACD_EINPUT, "--spool: path too long");
	if (make_private_dirs(dir) < 0 || (s->dirfd = open_dir(AT_FDCWD, dir)) < 0)
		return acd_fail(e, ACD_EINPUT, "%s: %s", dir, strerror(errno));
	/* Readable by others, holding nothing: a spool a root sensor used stays lockable. */
	s->lockfd = openat(s->dirfd, ".lock", O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		spool_close(s);
		return err == EWOULDBLOCK
		               ? acd_fail(e, ACD_EINPUT, "%s: in use by another acd-sensor", dir)
		               : acd_fail(e, ACD_EINPUT, "%s/.lock: %s", dir, strerror(err));
	}
	if ((mkdirat(s->dirfd, "refused", 0700) < 0 && errno != EEXIST) ||
	    (s->refusedfd = open_dir(s->dirfd, "refused")) < 0) {
		acd_fail(e, ACD_EINPUT, "%s/refused: %s", dir, strerror(errno));
		spool_close(s);
		return ACD_EINPUT;
	}
	remove_tmp(s->dirfd);
	remove_tmp(s->refusedfd);
	return ACD_OK;
}

void spool_close(struct spool *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->refusedfd >= 0)
		close(s->refusedfd);
	if (s->lockfd >= 0)
		close(s->lockfd); /* and with it the lock */
	s->dirfd = s->refusedfd = s->lockfd = -1;
}

static int give_dir(int fd, uid_t uid, gid_t gid)
{
	if (fchown(fd, uid, gid) < 0)
		return -1;
	DIR *d = fdopendir(dup(fd));
	if (!d)
		return -1;
	rewinddir(d);
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "refused") != 0 &&
		    fchownat(fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			rc = -1;
	closedir(d);
	return rc;
}

enum acd_status spool_give(struct spool *s, uid_t uid, gid_t gid, struct acd_error *e)
{
	if (give_dir(s->dirfd, uid, gid) < 0 || give_dir(s->refusedfd, uid, gid) < 0)
		return acd_fail(e, ACD_EINPUT,
		                "%s: cannot hand the spool to the unprivileged user: %s", s->dir,
		                strerror(errno));
	return ACD_OK;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* NAME.tmp (head, then data) → fsync → rename to `final` in dirfd → fsync the directory. */
static int write_durably(int dirfd, const char *final, const char *head, const char *data,
                         size_t len)
{
	char tmp[SPOOL_NAME_MAX + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp", final);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno;
	int rc = write_all(fd, head, strlen(head));
	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = errno;
	close(fd);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, final) < 0)
		rc = errno;
	if (rc == 0 && fsync(dirfd) < 0)
		rc = errno;
	if (rc != 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

int spool_write(struct spool *s, const char *name, const char *pub, const char *sig,
                const char *data, size_t len)
{
	char file[SPOOL_NAME_MAX + 8], head[16 + SPOOL_PUB_B64 + SPOOL_SIG_B64] = "";
	snprintf(file, sizeof file, "%s.batch", name);
	if (pub && sig)
		snprintf(head, sizeof head, "ed25519 %s %s\n", pub, sig);
	return write_durably(s->dirfd, file, head, data, len);
}

/* Copies the word at *p into out and moves *p past it when it is exactly want-1 characters
 * of base64 (b64_decode decides) for `bytes` bytes, followed by `end`; false otherwise. */
static bool b64_word(const char **p, const char *limit, char *out, size_t want, size_t bytes,
                     char end)
{
	size_t n = want - 1, got = 0;
	uint8_t raw[KEY_SIG_BYTES];
	if ((size_t)(limit - *p) <= n || (*p)[n] != end ||
	    !b64_decode(*p, n, raw, sizeof raw, &got) || got != bytes)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + 1;
	return true;
}

/* The signature line, when the file starts with a well-formed one. */
static void split_signature(struct spool_batch *b)
{
	const char *p = b->map, *limit = b->map + b->maplen;
	static const char tag[] = "ed25519 ";
	if (b->maplen < sizeof tag || memcmp(p, tag, sizeof tag - 1) != 0)
		return;
	p += sizeof tag - 1;
	if (!b64_word(&p, limit, b->pub, sizeof b->pub, KEY_PUBLIC_BYTES, ' ') ||
	    !b64_word(&p, limit, b->sig, sizeof b->sig, KEY_SIG_BYTES, '\n')) {
		b->pub[0] = b->sig[0] = '\0';
		return;
	}
	b->body = p;
	b->len = (size_t)(limit - p);
}

/* Mapped, not read into a buffer: the batch was just written, so its pages are in the page
 * cache, and a copy of megabytes into fresh memory faulted every page of it in. Nothing
 * truncates a batch file (it is written as NAME.tmp and renamed; acknowledged ones are
 * unlinked, which leaves a mapping intact), so the mapping cannot lose its pages. */
int spool_read(struct spool *s, const char *name, struct spool_batch *b)
{
	memset(b, 0, sizeof *b);
	char file[SPOOL_NAME_MAX + 8];
	snprintf(file, sizeof file, "%s.batch", name);
	int fd = openat(s->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		int rc = errno;
		close(fd);
		return rc;
	}
	if (st.st_size <= 0) { /* a batch has its header line at least */
		close(fd);
		return EIO;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	int rc = m == MAP_FAILED ? errno : 0;
	close(fd);
	if (rc)
		return rc;
	b->map = b->body = m;
	b->maplen = b->len = (size_t)st.st_size;
	split_signature(b);
	return 0;
}

void spool_release(struct spool_batch *b)
{
	if (b->map)
		munmap((void *)b->map, b->maplen);
	b->map = NULL;
}

void spool_remove(struct spool *s, const char *name)
{
	char file[SPOOL_NAME_MAX + 8];
	snprintf(file, sizeof file, "%s.batch", name);
	if (unlinkat(s->dirfd, file, 0) < 0)
		log_warn("%s/%s: cannot remove an acknowledged batch", s->dir, file);
}

int spool_refuse(struct spool *s, const char *name, const char *reason)
{
	char file[SPOOL_NAME_MAX + 8], why[SPOOL_NAME_MAX + 16];
	snprintf(file, sizeof file, "%s.batch", name);
	snprintf(why, sizeof why, "%s.batch.reason", name);
	/* The reason first: a refused batch is never without it. */
	int rc = write_durably(s->refusedfd, why, "", reason, strlen(reason));
	if (rc == 0 && renameat(s->dirfd, file, s->refusedfd, file) < 0)
		rc = errno;
	if (rc == 0 && (fsync(s->refusedfd) < 0 || fsync(s->dirfd) < 0))
		rc = errno;
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

long spool_list(struct spool *s, char (**names)[SPOOL_NAME_MAX])
{
	DIR *d = fdopendir(dup(s->dirfd));
	if (!d)
		return -1;
	rewinddir(d);
	size_t n = 0, cap = 0;
	char(*v)[SPOOL_NAME_MAX] = NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (!has_suffix(de->d_name, ".batch") || len - 6 >= SPOOL_NAME_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			void *q = realloc(v, cap * sizeof *v);
			if (!q) {
				free(v);
				closedir(d);
				return -1;
			}
			v = q;
		}
		memcpy(v[n], de->d_name, len - 6);
		v[n++][len - 6] = '\0';
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, by_name);
	*names = v;
	return (long)n;
}

static size_t count_batches(int dirfd)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return 0;
	rewinddir(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += has_suffix(de->d_name, ".batch");
	closedir(d);
	return n;
}

size_t spool_count(struct spool *s, size_t *refused)
{
	*refused = count_batches(s->refusedfd);
	return count_batches(s->dirfd) + *refused;
}
