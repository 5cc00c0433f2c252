/*
 * cpe.h — CPE 2.3 names in the formatted-string binding (NISTIR 7695 §6.2), as operators give
 * them in a notification of a specific critical computer (特定重要電子計算機の届出) so that
 * vulnerability information can be matched to what they actually run:
 *
 *   cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:
 *           target_hw:other
 *
 * Thirteen colon-separated components; `part` is a (application), o (operating system),
 * h (hardware), or * / -. Every other attribute is `*` (ANY), `-` (NA) or a value of
 * [A-Za-z0-9._-] and backslash-quoted punctuation (`\:` is a colon inside a value), with at
 * most a leading and a trailing run of unquoted wildcards (`?…` or one `*`); `language` is an
 * RFC 5646 tag (`en`, `ja-JP`, `es-419`). This is the grammar of NIST's cpe-naming_2.3.xsd
 * (cpe23Type), so a name this parser accepts is one the NVD dictionary accepts.
 *
 * The parser reads outside bytes: it never reads past `len`, needs no NUL, allocates
 * nothing, and reports spans into the caller's buffer. Cost: one pass, O(len).
 */
#ifndef ACD_CPE_H
#define ACD_CPE_H

#include <stdbool.h>
#include <stddef.h>

#define CPE_ATTRS   11
#define CPE_MAX_LEN 1024 /* longer names are refused: no real product needs more */

enum cpe_attr {
	CPE_PART,
	CPE_VENDOR,
	CPE_PRODUCT,
	CPE_VERSION,
	CPE_UPDATE,
	CPE_EDITION,
	CPE_LANGUAGE,
	CPE_SW_EDITION,
	CPE_TARGET_SW,
	CPE_TARGET_HW,
	CPE_OTHER
};

struct cpe_span {
	size_t off, len; /* into the parsed text, still quoted as written */
};

struct cpe_name {
	struct cpe_span attr[CPE_ATTRS];
};

/* The attribute names in order ("part", "vendor" …). */
extern const char *const cpe_attr_names[CPE_ATTRS];

/* Parses s[0..len). On failure returns false and writes into why (when not NULL) which
 * component is wrong and how ("product: '?' only at the start or end of a value"). */
bool cpe_parse(const char *s, size_t len, struct cpe_name *out, char *why, size_t whylen);

/* The attribute's value with the quoting backslashes removed ("a\:b" becomes "a:b"); writes
 * at most buflen-1 bytes and a NUL and returns the full unquoted length. */
size_t cpe_unquote(const char *s, const struct cpe_span *a, char *buf, size_t buflen);

#endif
