/* matcher.c — see matcher.h. */
#include "matcher.h"

#include <hs/hs.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

struct matcher {
	hs_database_t *stream_db, *block_db;
	struct matcher_pattern *patterns;
	size_t n;
	uint64_t approvals;
};

struct matcher_scratch {
	hs_scratch_t *scratch;
};

struct scan_ctx {
	const struct matcher *m;
	matcher_hit hit;
	void *ctx;
};

/* Stream state may hold the last bytes of a flow's payload (up to the longest signature minus
 * one): the allocator remembers each block's size so that freeing can wipe it first, and the
 * slab it came from (NULL: malloc). */
struct alloc_hdr {
	size_t size;
	struct slab *slab;
	max_align_t align[];
};

/* The calling worker's slab for stream state: Hyperscan's allocator hook has no context
 * argument, so the worker names it once for its thread (matcher_thread_slab). */
static _Thread_local struct slab *thread_streams;

static void *zeroing_alloc(size_t size)
{
	struct alloc_hdr *h = malloc(sizeof *h + size);
	if (!h)
		return NULL;
	h->size = size;
	h->slab = NULL;
	/* Not a leak: zeroing_free() finds the header again from this pointer. */
	// cppcheck-suppress memleak
	return h->align;
}

static void zeroing_free(void *p)
{
	if (!p)
		return;
	struct alloc_hdr *h = (struct alloc_hdr *)((char *)p - offsetof(struct alloc_hdr, align));
	if (h->slab) {
		slab_free(h->slab, h); /* wipes the whole block */
		return;
	}
	sodium_memzero(p, h->size);
	free(h);
}

/* Stream state from the thread's slab when it has one the state fits in, else malloc. */
static void *stream_alloc(size_t size)
{
	struct slab *s = thread_streams;
	if (!s || sizeof(struct alloc_hdr) + size > s->block)
		return zeroing_alloc(size);
	struct alloc_hdr *h = slab_alloc(s);
	if (!h)
		return NULL;
	h->size = size;
	h->slab = s;
	return h->align;
}

void matcher_global_init(void)
{
	hs_set_stream_allocator(stream_alloc, zeroing_free);
	hs_set_scratch_allocator(zeroing_alloc, zeroing_free);
}

size_t matcher_stream_block(const struct matcher *m)
{
	size_t size = 0;
	if (m && hs_stream_size(m->stream_db, &size) != HS_SUCCESS)
		size = 0;
	return sizeof(struct alloc_hdr) + size;
}

void matcher_thread_slab(struct slab *s)
{
	thread_streams = s;
}

static enum acd_status compile(const struct matcher *m, const char *const *lits, const size_t *lens,
                               const unsigned *ids, unsigned mode, hs_database_t **db,
                               struct acd_error *e)
{
	unsigned *flags = calloc(m->n, sizeof *flags);
	hs_compile_error_t *cerr = NULL;
	if (!flags)
		return acd_fail(e, ACD_EINPUT, "out of memory");
	hs_error_t rc =
	        hs_compile_lit_multi(lits, flags, ids, lens, (unsigned)m->n, mode, NULL, db, &cerr);
	free(flags);
	if (rc != HS_SUCCESS) {
		acd_fail(e, ACD_EINPUT, "content selectors do not compile: %s",
		         cerr ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		return ACD_EINPUT;
	}
	return ACD_OK;
}

enum acd_status matcher_build(const struct approval *const *approvals, size_t n,
                              struct matcher **out, struct acd_error *e)
{
	*out = NULL;
	size_t count = 0;
	for (size_t a = 0; a < n; a++)
		for (size_t s = 0; s < approvals[a]->n_selectors; s++)
			count += approvals[a]->selectors[s].type == SEL_CONTENT;
	if (count == 0)
		return ACD_OK;
	struct matcher *m = calloc(1, sizeof *m);
	const char **lits = calloc(count, sizeof *lits);
	size_t *lens = calloc(count, sizeof *lens);
	unsigned *ids = calloc(count, sizeof *ids);
	if (m)
		m->patterns = calloc(count, sizeof *m->patterns);
	enum acd_status st = ACD_OK;
	if (!m || !lits || !lens || !ids || !m->patterns)
		st = acd_fail(e, ACD_EINPUT, "out of memory");
	for (size_t a = 0; !st && a < n; a++)
		for (size_t s = 0; s < approvals[a]->n_selectors; s++) {
			const struct selector *sel = &approvals[a]->selectors[s];
			if (sel->type != SEL_CONTENT)
				continue;
			lits[m->n] = (const char *)sel->content;
			lens[m->n] = sel->content_len;
			ids[m->n] = (unsigned)m->n;
			m->patterns[m->n] = (struct matcher_pattern){(uint16_t)a, (uint16_t)s};
			m->approvals |= 1ull << a;
			m->n++;
		}
	if (!st)
		st = compile(m, lits, lens, ids, HS_MODE_STREAM, &m->stream_db, e);
	if (!st)
		st = compile(m, lits, lens, ids, HS_MODE_BLOCK, &m->block_db, e);
	free(lits);
	free(lens);
	free(ids);
	if (st) {
		matcher_free(m);
		return st;
	}
	*out = m;
	return ACD_OK;
}

void matcher_free(struct matcher *m)
{
	if (!m)
		return;
	hs_free_database(m->stream_db);
	hs_free_database(m->block_db);
	free(m->patterns);
	free(m);
}

size_t matcher_pattern_count(const struct matcher *m)
{
	return m ? m->n : 0;
}

uint64_t matcher_approvals(const struct matcher *m)
{
	return m ? m->approvals : 0;
}

struct matcher_scratch *matcher_scratch_new(const struct matcher *m)
{
	struct matcher_scratch *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (hs_alloc_scratch(m->stream_db, &s->scratch) != HS_SUCCESS ||
	    hs_alloc_scratch(m->block_db, &s->scratch) != HS_SUCCESS) {
		matcher_scratch_free(s);
		return NULL;
	}
	return s;
}

void matcher_scratch_free(struct matcher_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->scratch);
	free(s);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *vctx)
{
	(void)from;
	(void)to;
	(void)flags;
	struct scan_ctx *c = vctx;
	c->hit(&c->m->patterns[id], c->ctx);
	return 0;
}

struct hs_stream *matcher_stream_open(const struct matcher *m)
{
	hs_stream_t *st = NULL;
	if (hs_open_stream(m->stream_db, 0, &st) != HS_SUCCESS)
		return NULL;
	return st;
}

void matcher_stream_scan(const struct matcher *m, struct hs_stream *st, struct matcher_scratch *s,
                         const uint8_t *data, size_t len, matcher_hit hit, void *ctx)
{
	struct scan_ctx c = {m, hit, ctx};
	hs_scan_stream(st, (const char *)data, (unsigned)len, 0, s->scratch, on_match, &c);
}

void matcher_stream_close(struct hs_stream *st)
{
	if (st)
		hs_close_stream(st, NULL, NULL, NULL);
}

void matcher_block_scan(const struct matcher *m, struct matcher_scratch *s, const uint8_t *data,
                        size_t len, matcher_hit hit, void *ctx)
{
	struct scan_ctx c = {m, hit, ctx};
	hs_scan(m->block_db, (const char *)data, (unsigned)len, 0, s->scratch, on_match, &c);
}
