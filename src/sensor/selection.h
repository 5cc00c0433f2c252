/*
 * selection.h — which approvals a flow falls under, and whether a selector selects it.
 *
 * Contract 2 in code. The set of approvals is fixed when the sensor starts (at most
 * SELECTION_MAX_APPROVALS, one bit each in a flow's masks); at run time an approval can only
 * lose force — by expiry, revocation, or its file changing — never gain it. `in_force_until`
 * is the one field that changes while workers run: an atomic the reloader lowers and the
 * workers read for every decision, so a revoked approval selects nothing from then on.
 */
#ifndef ACD_SELECTION_H
#define ACD_SELECTION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "approval.h"
#include "flow_table.h"
#include "matcher.h"
#include "prefix_table.h"

#define SELECTION_MAX_APPROVALS 64

struct approval_rt {
	struct approval a;
	const char *path;
	_Atomic int64_t in_force_until; /* packet times after this select nothing; INT64_MIN: off */
	bool has_ip, has_domain;
};

struct selection {
	struct approval_rt *ap;
	size_t n;
	const struct prefix_table *prefixes;
	struct matcher *matcher; /* NULL when no approval has content selectors */
	uint64_t kind_mask[3];   /* approvals of each kind */
	uint64_t domain_mask;    /* approvals with domain selectors */
	uint64_t content_mask;   /* approvals with content selectors */
};

/* The approvals whose kind admits a flow started by `src` towards `dst`, given which ends
 * are domestic. Domestic-to-domestic admits nothing. */
uint64_t selection_scope(const struct selection *s, bool src_dom, const struct ip_addr *dst,
                         bool dst_dom);

/* True when approval i may select at packet time t. */
static inline bool selection_in_force(const struct selection *s, size_t i, acd_time t)
{
	const struct approval_rt *rt = &s->ap[i];
	return t >= rt->a.valid_from &&
	       t <= atomic_load_explicit(&rt->in_force_until, memory_order_relaxed);
}

/* IP selectors: calls hit(approval, selector) for each ip selector of an approval in `mask`
 * that matches the flow (the foreign end only, except under foreign-foreign where either
 * end is foreign). */
void selection_match_ip(const struct selection *s, uint64_t mask, const struct flow_key *k,
                        bool src_dom, void (*hit)(size_t ap, size_t sel, void *ctx), void *ctx);
/* Domain selectors against one extracted name (lower case). */
void selection_match_domain(const struct selection *s, uint64_t mask, const char *name,
                            void (*hit)(size_t ap, size_t sel, void *ctx), void *ctx);

/* Re-checks every approval against its file, the revocations and the wall clock, lowering
 * in_force_until where needed; logs each change. Safe while workers run. */
void selection_reload(struct selection *s, const struct approval_keys *keys, const char *facility,
                      const char *revocations_dir);

#endif
