/*
 * spool.h — the sensor's on-disk queue of batches for the server (--spool DIR).
 *
 * A batch is one file `NAME.batch`: a signature line `ed25519 PUB SIG` (base64 of the public
 * key that signed and of the Ed25519 signature over the body), then the exact body that is
 * posted (an NDJSON header line, then Contract 4 lines, nothing else: no packet, no payload
 * byte). The batch is signed once, when it is spooled, not at every attempt to send it; a
 * file without the line (spooled by an older sensor) is signed when it is sent. Names sort in the
 * order the batches were made, so a later run sends what an earlier one left, first and in order.
 * A batch the server refuses for good moves to `DIR/refused/` with `NAME.batch.reason` (the
 * HTTP status and the server's message) beside it, for the operator.
 *
 * Invariants: a `.batch` file is complete or absent — it is written as `NAME.tmp`, fsynced,
 * renamed, and the directory fsynced before spool_write returns, so a batch that was spooled
 * survives a crash of the sensor or the machine. Directories are 0700, files 0600: the spool
 * holds selected communications information (選別後通信情報).
 * Cost: two fsyncs a batch (file, directory); batches are thousands of records.
 * Not thread-safe by itself: the uploader writes from one thread and reads, removes and
 * refuses from its sender threads, each on a batch no other thread holds — distinct names
 * through *at() calls on the shared directory descriptors, so they do not interfere.
 */
#ifndef ACD_SPOOL_H
#define ACD_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define SPOOL_NAME_MAX 64

struct spool {
	int dirfd, refusedfd, lockfd;
	char dir[4096];
};

/* Creates DIR and DIR/refused (0700, parents too) when missing and opens them; an existing
 * directory is made owner-only. Takes DIR/.lock (flock, held until spool_close): a second
 * sensor on the same spool is refused, since both would send, delete and refuse the same
 * files and each take the other's batches in flight for gone. Then removes `*.tmp` left by
 * a crash (never acknowledged, never complete). */
enum acd_status spool_open(struct spool *s, const char *dir, struct acd_error *e);
void spool_close(struct spool *s);
/* Hands the spool (directories and batches) to uid/gid, so that it stays writable after
 * root is dropped. */
enum acd_status spool_give(struct spool *s, uid_t uid, gid_t gid, struct acd_error *e);

#define SPOOL_PUB_B64 45 /* base64 of 32 bytes and its NUL */
#define SPOOL_SIG_B64 89 /* of 64 bytes */

/* A batch read back from the spool. */
struct spool_batch {
	const char *body; /* the bytes to post, not NUL-terminated */
	size_t len;
	char pub[SPOOL_PUB_B64], sig[SPOOL_SIG_B64]; /* "" when the file has no signature line */
	const char *map;
	size_t maplen;
};

/* Writes NAME.batch atomically and durably, with the signature line when pub and sig are
 * given; 0 or an errno. */
int spool_write(struct spool *s, const char *name, const char *pub, const char *sig,
                const char *data, size_t len);
/* Maps NAME.batch read-only into *b; 0 or an errno. A first line that is not a well-formed
 * signature line is left in the body (no signature): acdd then refuses the batch as not
 * NDJSON, with its reason. Give it back with spool_release. */
int spool_read(struct spool *s, const char *name, struct spool_batch *b);
void spool_release(struct spool_batch *b);
/* Removes NAME.batch (acknowledged: a resend after a crash would be a duplicate anyway). */
void spool_remove(struct spool *s, const char *name);
/* Moves NAME.batch to refused/ and writes refused/NAME.batch.reason; 0 or an errno. */
int spool_refuse(struct spool *s, const char *name, const char *reason);

/* The names (without `.batch`) of the waiting batches, sorted; *names malloc'd, one
 * SPOOL_NAME_MAX slot each. Returns the count, or -1 on error. */
long spool_list(struct spool *s, char (**names)[SPOOL_NAME_MAX]);
/* Batches left: waiting plus refused. */
size_t spool_count(struct spool *s, size_t *refused);

#endif
