/*
 * fuzz_cpe.c — libFuzzer harness for the CPE 2.3 parser (cpe_parse), which reads the `cpe`
 * field of notifications as operators send it.
 *
 * The input is the name, in an exactly-sized heap copy with no terminating NUL. Checks:
 * - the verdict equals that of NIST's own grammar, the cpe23Type pattern of
 *   cpe-naming_2.3.xsd run through POSIX regexec (for inputs without NUL, within the length
 *   limit — the pattern knows no limit);
 * - on success the eleven spans lie inside the input, in order, separated by single colons,
 *   the last ending at the end; unquoting never yields more bytes than the span holds;
 * - on failure the reason names a component ("cpe:", "part:", "vendor:" …).
 */
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpe.h"
#include "fuzz_input.h"

#define VALUE                                                                                      \
	"((\\?*|\\*?)([a-zA-Z0-9._-]|\\\\[]\\\\*?!\"#$%&'()+,/:;<=>@[^`{|}~])+(\\?*|\\*?)|[*-])"
#define LANG "([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?|[*-])"

static const char pattern[] = "^cpe:2\\.3:[aho*-](:" VALUE "){5}(:" LANG ")(:" VALUE "){4}$";

static regex_t *reference(void)
{
	static regex_t re;
	static int ready;
	if (!ready) {
		if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
			abort();
		ready = 1;
	}
	return &re;
}

static void check_spans(const char *s, size_t size, const struct cpe_name *n)
{
	size_t expect = 8; /* after "cpe:2.3:" */
	for (int k = 0; k < CPE_ATTRS; k++) {
		const struct cpe_span *a = &n->attr[k];
		if (a->off != expect || a->off + a->len > size)
			abort();
		expect = a->off + a->len + 1;
		if (k + 1 < CPE_ATTRS && s[a->off + a->len] != ':')
			abort();
		char buf[64];
		if (cpe_unquote(s, a, buf, sizeof buf) > a->len)
			abort();
	}
	if (expect != size + 1)
		abort();
}

static void check_reason(const char *why)
{
	const char *colon = strchr(why, ':');
	if (!colon || colon == why)
		abort();
	if (strncmp(why, "cpe:", 4) == 0)
		return;
	for (int k = 0; k < CPE_ATTRS; k++)
		if ((size_t)(colon - why) == strlen(cpe_attr_names[k]) &&
		    strncmp(why, cpe_attr_names[k], (size_t)(colon - why)) == 0)
			return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * CPE_MAX_LEN)
		return 0;
	char *s = (char *)fuzz_exact_copy(data, size);
	if (!s)
		return 0;
	struct cpe_name n;
	char why[160] = "";
	bool ok = cpe_parse(s, size, &n, why, sizeof why);
	if (ok)
		check_spans(s, size, &n);
	else
		check_reason(why);
	if (size <= CPE_MAX_LEN && !memchr(s, '\0', size)) {
		char *z = malloc(size + 1);
		if (!z)
			abort();
		memcpy(z, s, size);
		z[size] = '\0';
		bool want = regexec(reference(), z, 0, NULL, 0) == 0;
		free(z);
		if (want != ok)
			abort();
	}
	free(s);
	return 0;
}
