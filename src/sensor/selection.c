/* selection.c — see selection.h. */
#include "selection.h"

#include <string.h>

#include "log.h"

uint64_t selection_scope(const struct selection *s, bool src_dom, const struct ip_addr *dst,
                         bool dst_dom)
{
	if (src_dom && dst_dom)
		return 0;
	if (!src_dom && !dst_dom)
		return s->kind_mask[KIND_FOREIGN_FOREIGN];
	uint64_t mask = s->kind_mask[KIND_FOREIGN_DOMESTIC];
	/* Agreement: only flows a foreign address starts towards the party's own prefixes. */
	uint64_t agr = s->kind_mask[KIND_AGREEMENT];
	if (src_dom || !agr)
		return mask;
	for (size_t i = 0; i < s->n; i++) {
		if (!(agr >> i & 1))
			continue;
		const struct approval *a = &s->ap[i].a;
		for (size_t p = 0; p < a->n_party_prefixes; p++)
			if (ip_net_contains(&a->party_prefixes[p], dst)) {
				mask |= 1ull << i;
				break;
			}
	}
	return mask;
}

void selection_match_ip(const struct selection *s, uint64_t mask, const struct flow_key *k,
                        bool src_dom, void (*hit)(size_t ap, size_t sel, void *ctx), void *ctx)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!(mask >> i & 1) || !s->ap[i].has_ip)
			continue;
		const struct approval *a = &s->ap[i].a;
		/* Under foreign-domestic and agreement only the foreign end may be targeted, so no
		 * approval can ever aim at a domestic host. */
		bool ff = a->kind == KIND_FOREIGN_FOREIGN;
		const struct ip_addr *foreign = src_dom ? &k->dst : &k->src;
		for (size_t j = 0; j < a->n_selectors; j++) {
			const struct selector *sel = &a->selectors[j];
			if (sel->type != SEL_IP)
				continue;
			bool m = ff ? ip_net_contains(&sel->net, &k->src) ||
			                         ip_net_contains(&sel->net, &k->dst)
			            : ip_net_contains(&sel->net, foreign);
			if (m)
				hit(i, j, ctx);
		}
	}
}

void selection_match_domain(const struct selection *s, uint64_t mask, const char *name,
                            void (*hit)(size_t ap, size_t sel, void *ctx), void *ctx)
{
	mask &= s->domain_mask;
	for (size_t i = 0; mask && i < s->n; i++) {
		if (!(mask >> i & 1))
			continue;
		const struct approval *a = &s->ap[i].a;
		for (size_t j = 0; j < a->n_selectors; j++)
			if (a->selectors[j].type == SEL_DOMAIN &&
			    domain_matches(name, a->selectors[j].domain))
				hit(i, j, ctx);
	}
}

static void warn_revocation(const char *msg)
{
	log_warnx("revocation ignored: %s", msg);
}

/* Lowers in_force_until to `until` (never raises it); logs when it changes. */
static void lower(struct approval_rt *rt, acd_time until, const char *why)
{
	int64_t cur = atomic_load(&rt->in_force_until);
	while (until < cur) {
		if (atomic_compare_exchange_weak(&rt->in_force_until, &cur, until)) {
			log_warnx("approval %s: %s", rt->a.id, why);
			return;
		}
	}
}

void selection_reload(struct selection *s, const struct approval_keys *keys, const char *facility,
                      const char *revocations_dir)
{
	struct revocations rev = {0};
	struct acd_error e;
	if (revocations_dir &&
	    revocations_load(revocations_dir, keys, &rev, warn_revocation, &e) != ACD_OK)
		log_warnx("revocations not re-read: %s", e.msg);
	acd_time now = time_now();
	for (size_t i = 0; i < s->n; i++) {
		struct approval_rt *rt = &s->ap[i];
		acd_time revoked = revocations_lookup(&rev, rt->a.id);
		if (revoked != INT64_MAX)
			lower(rt, revoked,
			      "revoked; it selects nothing from the revocation time on");
		/* The revocation is applied above from its own time on; handing it to
		 * approval_load as well would refuse the approval outright and take back the
		 * flows it had rightly selected before that time. */
		struct approval again;
		if (approval_load(rt->path, keys, facility, now, NULL, &again, &e) != ACD_OK) {
			lower(rt, INT64_MIN, e.msg);
			continue;
		}
		if (memcmp(again.digest, rt->a.digest, sizeof again.digest) != 0)
			lower(rt, INT64_MIN,
			      "file changed; restart the sensor to load the new one");
		approval_free(&again);
	}
	revocations_free(&rev);
}
