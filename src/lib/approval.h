/*
 * approval.h — the commission's approval (承認) of one acquisition measure, Contract 2.
 *
 * An approval is a JSON document plus a detached base64 Ed25519 signature over its exact
 * bytes. Loading checks, in this order: the signature (commission key for the non-consent
 * kinds, the office key for `agreement`; refused otherwise), the document's form (malformed
 * → ACD_EINPUT), then the rules (facility, validity window on the wall clock, at least one
 * selector, agreement_party present exactly for `agreement`, not revoked → ACD_EREFUSED).
 * A loaded approval is immutable; the sensor keeps whether it is still in force separately.
 */
#ifndef ACD_APPROVAL_H
#define ACD_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ipaddr.h"
#include "keyfile.h"
#include "timefmt.h"

enum approval_kind {
	KIND_FOREIGN_FOREIGN, /* 外外通信: both ends foreign */
	KIND_FOREIGN_DOMESTIC, /* 外内/内外通信: one end domestic, one foreign, either direction */
	KIND_AGREEMENT, /* 当事者協定: flows a foreign address starts towards the party */
};

enum selector_type { SEL_IP, SEL_DOMAIN, SEL_CONTENT };

#define APPROVAL_ID_MAX      64
#define SELECTOR_CONTENT_MAX 256
#define SELECTOR_LABEL_MAX   128
#define DOMAIN_MAX           254

struct ip_net {
	struct ip_addr addr;
	unsigned bits;
};

struct selector {
	char id[APPROVAL_ID_MAX];
	enum selector_type type;
	struct ip_net net;                     /* SEL_IP */
	char domain[DOMAIN_MAX];               /* SEL_DOMAIN: lower case, no trailing dot */
	uint8_t content[SELECTOR_CONTENT_MAX]; /* SEL_CONTENT: the bytes */
	size_t content_len;
	char label[SELECTOR_LABEL_MAX]; /* SEL_CONTENT: "" when absent */
};

struct approval {
	char id[APPROVAL_ID_MAX];
	enum approval_kind kind;
	char facility[128];
	acd_time valid_from, valid_until;
	struct selector *selectors;
	size_t n_selectors;
	char party_operator[APPROVAL_ID_MAX];
	struct ip_net *party_prefixes;
	size_t n_party_prefixes;
	uint8_t digest[32]; /* BLAKE2b-256 of the signed bytes: tells a changed file on re-read */
};

/* A set of revocations read from a --revocations directory. */
struct revocation {
	char id[APPROVAL_ID_MAX];
	acd_time at;
};
struct revocations {
	struct revocation *items;
	size_t n;
};

/* The keys an approval may be signed with; either may be absent (has_* false). */
struct approval_keys {
	bool has_commission, has_office;
	uint8_t commission[KEY_PUBLIC_BYTES];
	uint8_t office[KEY_PUBLIC_BYTES];
};

const char *approval_kind_name(enum approval_kind k);
bool approval_kind_parse(const char *s, enum approval_kind *out);

/* The document alone (no signature, no rules): ACD_EINPUT naming the bad field. */
enum acd_status approval_parse(const uint8_t *json, size_t len, struct approval *out,
                               struct acd_error *e);
/* The rules at wall-clock time `now` for `facility` (NULL skips the facility check). */
enum acd_status approval_check_rules(const struct approval *a, const char *facility, acd_time now,
                                     const struct revocations *rev, struct acd_error *e);
/* Reads PATH and PATH.sig and runs all three checks in the contract's order. */
enum acd_status approval_load(const char *path, const struct approval_keys *keys,
                              const char *facility, acd_time now, const struct revocations *rev,
                              struct approval *out, struct acd_error *e);
void approval_free(struct approval *a);

/* Reads every REVOKE-*.json (+ .sig) in dir. A revocation whose signature does not verify
 * under either key, or that is malformed, is skipped with a warning through `warn` (may be
 * NULL) — it cannot take effect, and it cannot stop the others. Missing dir → ACD_EINPUT. */
enum acd_status revocations_load(const char *dir, const struct approval_keys *keys,
                                 struct revocations *out, void (*warn)(const char *msg),
                                 struct acd_error *e);
void revocations_free(struct revocations *r);
/* When the approval id is revoked, the time from which it is; else INT64_MAX. */
acd_time revocations_lookup(const struct revocations *r, const char *id);

/* Helpers the sensor shares. */
bool ip_net_parse(const char *s, struct ip_net *out);
bool ip_net_contains(const struct ip_net *n, const struct ip_addr *a);
/* True when `name` equals `domain` or is a subdomain of it; both lower case. */
bool domain_matches(const char *name, const char *domain);

#endif
