/*
 * matcher.h — content selectors (command-information signatures) matched by Hyperscan.
 *
 * All content selectors of all approvals compile into one literal database, twice: in
 * streaming mode for TCP (each direction of a flow is one stream, fed in sequence order) and
 * in block mode for datagrams, fragments and late segments that fill a hole. Pattern ids
 * index a table of (approval, selector). Stream state is the only payload-derived memory a
 * flow keeps; it lives in memory from matcher's own allocator, which zeroes it when freed.
 */
#ifndef ACD_MATCHER_H
#define ACD_MATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "approval.h"
#include "error.h"

struct hs_stream;
struct matcher;
struct matcher_scratch;

struct matcher_pattern {
	uint16_t approval; /* index into the sensor's approvals */
	uint16_t selector; /* index into that approval's selectors */
};

/* Called for each match; returns nothing, scanning always goes on to the end of the data. */
typedef void (*matcher_hit)(const struct matcher_pattern *p, void *ctx);

/* Installs the zeroing allocator for stream state. Call once, before any thread starts. */
void matcher_global_init(void);

/* Compiles every content selector of the n approvals; *out is NULL when there are none. */
enum acd_status matcher_build(const struct approval *const *approvals, size_t n,
                              struct matcher **out, struct acd_error *e);
void matcher_free(struct matcher *m);
size_t matcher_pattern_count(const struct matcher *m);
/* The approvals (bit per approval index) that have at least one content selector. */
uint64_t matcher_approvals(const struct matcher *m);

/* Bytes of one stream state with its allocation header: the block size of a stream slab. */
size_t matcher_stream_block(const struct matcher *m);
/* Stream states the calling thread opens from now on come from s (NULL: from malloc); s
 * must outlive them. */
struct slab;
void matcher_thread_slab(struct slab *s);

struct matcher_scratch *matcher_scratch_new(const struct matcher *m);
void matcher_scratch_free(struct matcher_scratch *s);

struct hs_stream *matcher_stream_open(const struct matcher *m);
void matcher_stream_scan(const struct matcher *m, struct hs_stream *st, struct matcher_scratch *s,
                         const uint8_t *data, size_t len, matcher_hit hit, void *ctx);
/* Ends the stream without reporting further matches; its state is zeroed and freed. */
void matcher_stream_close(struct hs_stream *st);
void matcher_block_scan(const struct matcher *m, struct matcher_scratch *s, const uint8_t *data,
                        size_t len, matcher_hit hit, void *ctx);

#endif
