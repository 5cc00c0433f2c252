/*
 * fuzz_approval.c — libFuzzer harness for the approval document (approval_parse) and its rules
 * (approval_check_rules at a fixed time, against a small fixed revocation list).
 *
 * The input is the JSON document in an exactly-sized heap copy. Checks:
 * - a failure is ACD_EINPUT with a message starting "approval:" and nothing left allocated;
 * - a parsed approval keeps the contract's invariants: NUL-terminated non-empty id and
 *   facility, a known kind, valid_from <= valid_until, unique selector ids, content of 1 to
 *   SELECTOR_CONTENT_MAX bytes, domains lower case without empty labels or a trailing dot, IP
 *   selectors that contain their own address, and a party exactly with an operator;
 * - the rules answer ACD_OK or ACD_EREFUSED, never anything else, and refuse whenever the
 *   facility differs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "fuzz_input.h"

#define FIXED_NOW ((acd_time)1792065600 * ACD_USEC) /* 2026-10-15T12:00:00Z */

static void check_string(const char *s, size_t cap, bool nonempty)
{
	const char *nul = memchr(s, '\0', cap);
	if (!nul || (nonempty && nul == s))
		abort();
}

static void check_net(const struct ip_net *n)
{
	if (!((n->addr.family == 4 && n->bits <= 32) || (n->addr.family == 6 && n->bits <= 128)))
		abort();
	if (!ip_net_contains(n, &n->addr))
		abort();
}

static void check_selector(const struct selector *s)
{
	check_string(s->id, sizeof s->id, true);
	check_string(s->label, sizeof s->label, false);
	switch (s->type) {
	case SEL_IP:
		check_net(&s->net);
		break;
	case SEL_DOMAIN: {
		check_string(s->domain, sizeof s->domain, true);
		size_t n = strlen(s->domain);
		if (s->domain[0] == '.' || s->domain[n - 1] == '.' || strstr(s->domain, ".."))
			abort();
		for (size_t i = 0; i < n; i++)
			if (s->domain[i] >= 'A' && s->domain[i] <= 'Z')
				abort();
		if (!domain_matches(s->domain, s->domain))
			abort();
		break;
	}
	case SEL_CONTENT:
		if (s->content_len == 0 || s->content_len > SELECTOR_CONTENT_MAX)
			abort();
		break;
	default:
		abort();
	}
}

static void check_approval(const struct approval *a)
{
	check_string(a->id, sizeof a->id, true);
	check_string(a->facility, sizeof a->facility, true);
	check_string(a->party_operator, sizeof a->party_operator, false);
	if (a->kind != KIND_FOREIGN_FOREIGN && a->kind != KIND_FOREIGN_DOMESTIC &&
	    a->kind != KIND_AGREEMENT)
		abort();
	if (a->valid_from > a->valid_until)
		abort();
	if (a->n_selectors > 0 && !a->selectors)
		abort();
	for (size_t i = 0; i < a->n_selectors; i++) {
		check_selector(&a->selectors[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->selectors[i].id, a->selectors[j].id) == 0)
				abort();
	}
	if ((a->party_operator[0] != '\0') != (a->n_party_prefixes > 0))
		abort();
	for (size_t i = 0; i < a->n_party_prefixes; i++)
		check_net(&a->party_prefixes[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_exact_copy(data, size);
	if (!p)
		return 0;
	struct approval a;
	struct acd_error e;
	enum acd_status st = approval_parse(p, size, &a, &e);
	if (st != ACD_OK) {
		if (st != ACD_EINPUT || e.status != ACD_EINPUT ||
		    strncmp(e.msg, "approval:", 9) != 0 || a.selectors || a.party_prefixes)
			abort();
		free(p);
		return 0;
	}
	check_approval(&a);

	struct revocation items[] = {{"APR-2026-0001", FIXED_NOW - 1},
	                             {"APR-2026-0002", FIXED_NOW + 1}};
	struct revocations rev = {items, 2};
	st = approval_check_rules(&a, "tokyo-1", FIXED_NOW, &rev, &e);
	if (st != ACD_OK && st != ACD_EREFUSED)
		abort();
	if (st == ACD_OK && strcmp(a.facility, "tokyo-1") != 0)
		abort();
	if (st == ACD_OK && (FIXED_NOW < a.valid_from || FIXED_NOW > a.valid_until))
		abort();
	if (st == ACD_OK && strcmp(a.id, "APR-2026-0001") == 0)
		abort();
	enum acd_status any = approval_check_rules(&a, NULL, FIXED_NOW, NULL, &e);
	if (any != ACD_OK && any != ACD_EREFUSED)
		abort();
	if (st == ACD_OK && any != ACD_OK) /* fewer checks can only allow more */
		abort();
	approval_free(&a);
	if (a.selectors || a.party_prefixes || a.n_selectors || a.n_party_prefixes)
		abort();
	free(p);
	return 0;
}
