/*
 * uploader.h — the --server exporter: selected records and stats lines go into batches,
 * each batch into the spool (spool.h), and from there to acdd's /api/v1/ingest, signed by
 * the sensor's Ed25519 key (X-ACD-Signature over the exact body bytes, made once when the
 * batch is spooled: decision 0025).
 *
 * Delivery is at least once: a batch is durable in the spool before it is first sent and is
 * removed only on a 2xx answer; its id ("SENSOR:NAME", NAME = the spool name) is fixed when
 * it is spooled, so a resend after a lost answer is a duplicate that acdd acknowledges and
 * does not store again (exactly-once storage).
 *
 * Threads: workers hand over complete lines (uploader_lines: a memory copy under a lock;
 * it waits only when UPLOADER_QUEUE_MAX sealed batches are not yet on disk); a spooler thread
 * seals batches (batch_records records, UPLOADER_BATCH_BYTES bytes or
 * UPLOADER_BATCH_USEC old, whichever first) and writes them durably; UPLOADER_SENDERS sender
 * threads, each with its own connection, take the spooled batches in name order — what
 * earlier runs left first — so that many batches are in flight (acdd parses one while it
 * stores another); each retries its batch's transient failures (connection errors, 5xx,
 * anything not listed below) with capped exponential backoff and jitter. 400, 401, 403, 409,
 * 413 and 415 are permanent: the batch moves to refused/ with the server's reason and one
 * line is logged. Batches may be acknowledged out of name order; acdd does not rely on it.
 */
#ifndef ACD_UPLOADER_H
#define ACD_UPLOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "keyfile.h"
#include "spool.h"

#define UPLOADER_BATCH_RECORDS 20000      /* default of --batch-records */
#define UPLOADER_BATCH_BYTES   (8u << 20) /* acdd takes 16 MiB; one hand-over may overshoot */
#define UPLOADER_BATCH_USEC    1000000
#define UPLOADER_QUEUE_MAX     8
#define UPLOADER_SENDERS       2 /* batches in flight: acdd checks one while it stores one */

struct uploader_config {
	const char *url;        /* http:// or https:// …/api/v1/ingest is appended when missing */
	const char *ca_file;    /* --server-ca, or NULL for the system's trust store */
	const char *sensor_id;  /* X-ACD-Sensor and the batch id's prefix */
	uint64_t batch_records; /* seal a batch at this many record lines */
	uint8_t key[KEY_SECRET_BYTES];
};

struct uploader;

/* Starts the spooler and the senders; batches already in the spool are sent first. */
struct uploader *uploader_start(const struct uploader_config *cfg, struct spool *sp,
                                struct acd_error *e);
/* Hands over `len` bytes of `n` complete lines (each ending in '\n'). */
void uploader_records(struct uploader *u, const char *lines, size_t len, uint64_t n);
void uploader_stats(struct uploader *u, const char *lines, size_t len, uint64_t n);
/* Input is over: seals and spools what is left, then waits until the spool is empty,
 * `drain_usec` passed or stop_now() says to stop (asked every UPLOADER_POLL_USEC; NULL: never),
 * stops the threads and frees u. Everything sealed is spooled either way. Returns the batches
 * left in the spool (waiting or refused); *refused gets the refused ones. */
#define UPLOADER_POLL_USEC 100000
size_t uploader_finish(struct uploader *u, int64_t drain_usec, bool (*stop_now)(void),
                       size_t *refused);

#endif
