/*
 * cmd_http.c — the `acd` verbs that talk to acdd over its JSON API (Contract 5): one table
 * row per verb says the HTTP method, the path (each {} filled from the next argument,
 * percent-encoded), the flags that become query parameters or body fields, and where the body
 * comes from. A verb prints the server's JSON answer as one line on stdout and exits 0 on 2xx;
 * otherwise it prints `acd: VERB: STATUS message (field)` on stderr and exits 2 on 4xx, 5 on
 * 5xx or when the server cannot be reached.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_client.h"

enum body_from {
	BODY_NONE,     /* no body (GET) */
	BODY_FILE,     /* FILE or - (stdin), after the path arguments */
	BODY_OPT_FILE, /* FILE when given, otherwise {} */
	BODY_FLAGS,    /* a JSON object built from the verb's body flags */
};

enum flag_kind { Q_VALUE, B_VALUE, B_TRUE };

/* `--opt VALUE` (or `--opt`, B_TRUE) becoming query parameter or body field `name`. */
struct flag {
	const char *opt, *name;
	enum flag_kind kind;
};

/* Lists with "[filters]" whose names the server owns: any `--name VALUE` passes through as
 * query parameter name (dashes become underscores); the server refuses what it does not know. */
static const struct flag any_filter[] = {{"*", NULL, Q_VALUE}, {NULL, NULL, 0}};
static const struct flag report_list[] = {
        {"--sector", "sector", Q_VALUE},     {"--urgency", "urgency", Q_VALUE},
        {"--tlp", "tlp", Q_VALUE},           {"--event-type", "event_type", Q_VALUE},
        {"--operator", "operator", Q_VALUE}, {"--limit", "limit", Q_VALUE},
        {"--after", "after", Q_VALUE},       {NULL, NULL, 0}};
static const struct flag purpose[] = {{"--purpose", "purpose", Q_VALUE}, {NULL, NULL, 0}};
static const struct flag approval_list[] = {
        {"--state", "state", Q_VALUE}, {"--kind", "kind", Q_VALUE}, {NULL, NULL, 0}};
static const struct flag decision[] = {
        {"--decision", "decision", B_VALUE}, {"--reason", "reason", B_VALUE}, {NULL, NULL, 0}};
static const struct flag reason[] = {{"--reason", "reason", B_VALUE}, {NULL, NULL, 0}};
static const struct flag response[] = {
        {"--response", "response", B_VALUE}, {"--reason", "reason", B_VALUE}, {NULL, NULL, 0}};
static const struct flag records[] = {{"--approval", "approval", Q_VALUE},
                                      {"--purpose", "purpose", Q_VALUE},
                                      {"--limit", "limit", Q_VALUE},
                                      {"--after", "after", Q_VALUE},
                                      {NULL, NULL, 0}};
static const struct flag stats[] = {{"--approval", "approval", Q_VALUE}, {NULL, NULL, 0}};
static const struct flag scope[] = {{"--tlp", "tlp", B_VALUE},
                                    {"--consent", "consent", B_TRUE},
                                    {"--reason", "reason", B_VALUE},
                                    {NULL, NULL, 0}};

struct http_verb {
	const char *words[2];
	const char *method, *path; /* path: "{}" takes the next argument */
	enum body_from body;
	const struct flag *flags;
	const char *args; /* the usage after the verb words */
};

#define V1 "/api/v1"
static const struct http_verb http_verbs[] = {
        {{"report", "submit"}, "POST", V1 "/reports", BODY_FILE, NULL, "FILE"},
        {{"report", "followup"}, "POST", V1 "/reports/{}/followups", BODY_FILE, NULL, "ID FILE"},
        {{"report", "show"}, "GET", V1 "/reports/{}", BODY_NONE, purpose, "ID [--purpose TEXT]"},
        {{"report", "list"},
         "GET",
         V1 "/reports",
         BODY_NONE,
         report_list,
         "[--sector S] [--urgency U] [--tlp T] [--event-type E] [--operator O] [--limit N] "
         "[--after ID]"},
        {{"report", "scope"},
         "POST",
         V1 "/reports/{}/scope",
         BODY_FLAGS,
         scope,
         "ID --tlp T [--consent] [--reason TEXT]"},
        {{"report", "overdue"}, "GET", V1 "/reports/overdue", BODY_NONE, NULL, ""},
        {{"notification", "submit"}, "POST", V1 "/notifications", BODY_FILE, NULL, "FILE"},
        {{"notification", "change"},
         "POST",
         V1 "/notifications/{}/changes",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"notification", "retire"},
         "POST",
         V1 "/notifications/{}/retire",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"notification", "show"},
         "GET",
         V1 "/notifications/{}",
         BODY_NONE,
         purpose,
         "ID [--purpose TEXT]"},
        {{"notification", "list"},
         "GET",
         V1 "/notifications",
         BODY_NONE,
         any_filter,
         "[--FILTER VALUE …]"},
        {{"notification", "transition"},
         "GET",
         V1 "/notifications/transition",
         BODY_NONE,
         NULL,
         ""},
        {{"agreement", "create"}, "POST", V1 "/agreements", BODY_FILE, NULL, "FILE"},
        {{"agreement", "show"}, "GET", V1 "/agreements/{}", BODY_NONE, NULL, "ID"},
        {{"agreement", "list"},
         "GET",
         V1 "/agreements",
         BODY_NONE,
         any_filter,
         "[--FILTER VALUE …]"},
        {{"agreement", "withdraw"},
         "POST",
         V1 "/agreements/{}/withdraw",
         BODY_OPT_FILE,
         NULL,
         "ID [FILE]"},
        {{"consent", "add"},
         "POST",
         V1 "/agreements/{}/consents",
         BODY_FILE,
         NULL,
         "AGREEMENT FILE"},
        {{"consent", "list"}, "GET", V1 "/agreements/{}/consents", BODY_NONE, NULL, "AGREEMENT"},
        {{"consent", "withdraw"},
         "POST",
         V1 "/agreements/{}/consents/{}/withdraw",
         BODY_OPT_FILE,
         NULL,
         "AGREEMENT CONSENT [FILE]"},
        {{"approval", "request"}, "POST", V1 "/approvals", BODY_FILE, NULL, "FILE"},
        {{"approval", "list"},
         "GET",
         V1 "/approvals",
         BODY_NONE,
         approval_list,
         "[--state S] [--kind K]"},
        {{"approval", "show"}, "GET", V1 "/approvals/{}", BODY_NONE, NULL, "ID"},
        {{"approval", "decide"},
         "POST",
         V1 "/approvals/{}/decision",
         BODY_FLAGS,
         decision,
         "ID --decision approve|reject|revise [--reason TEXT]"},
        {{"approval", "document"}, "GET", V1 "/approvals/{}/document", BODY_NONE, NULL, "ID"},
        {{"approval", "revoke"},
         "POST",
         V1 "/approvals/{}/revoke",
         BODY_FLAGS,
         reason,
         "ID [--reason TEXT]"},
        {{"approval", "revocation"}, "GET", V1 "/approvals/{}/revocation", BODY_NONE, NULL, "ID"},
        {{"approval", "keys"}, "GET", V1 "/keys", BODY_NONE, NULL, ""},
        {{"records", "list"},
         "GET",
         V1 "/records",
         BODY_NONE,
         records,
         "--approval ID --purpose TEXT [--limit N] [--after CURSOR]"},
        {{"stats", "show"}, "GET", V1 "/stats", BODY_NONE, stats, "[--approval ID]"},
        {{"officer", "designate"}, "POST", V1 "/measures/officers", BODY_FILE, NULL, "FILE"},
        {{"officer", "list"}, "GET", V1 "/measures/officers", BODY_NONE, NULL, ""},
        {{"officer", "revoke"},
         "POST",
         V1 "/measures/officers/{}/revoke",
         BODY_FLAGS,
         reason,
         "ID --reason TEXT"},
        {{"measure", "file"}, "POST", V1 "/measures", BODY_FILE, NULL, "FILE"},
        {{"measure", "list"},
         "GET",
         V1 "/measures",
         BODY_NONE,
         any_filter,
         "[--state S] [--overdue 1]"},
        {{"measure", "show"}, "GET", V1 "/measures/{}", BODY_NONE, NULL, "ID"},
        {{"measure", "outcomes"},
         "GET",
         V1 "/measures/outcomes",
         BODY_NONE,
         any_filter,
         "--from TIME --until TIME [--agency A]"},
        {{"measure", "request-approval"},
         "POST",
         V1 "/measures/{}/approval-request",
         BODY_OPT_FILE,
         NULL,
         "ID [FILE]"},
        {{"measure", "decide"},
         "POST",
         V1 "/measures/{}/decision",
         BODY_FLAGS,
         decision,
         "ID --decision approve|reject [--reason TEXT]"},
        {{"measure", "consultation"},
         "POST",
         V1 "/measures/{}/consultation",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"measure", "execution"},
         "POST",
         V1 "/measures/{}/executions",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"measure", "commission-notice"},
         "POST",
         V1 "/measures/{}/commission-notice",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"measure", "commission-response"},
         "POST",
         V1 "/measures/{}/commission-response",
         BODY_FLAGS,
         response,
         "ID --response acknowledged|objection [--reason TEXT]"},
        {{"measure", "administrator-notice"},
         "POST",
         V1 "/measures/{}/administrator-notice",
         BODY_FILE,
         NULL,
         "ID FILE"},
        {{"measure", "withdraw"},
         "POST",
         V1 "/measures/{}/withdraw",
         BODY_OPT_FILE,
         NULL,
         "ID [FILE]"},
        {{"measure", "close"}, "POST", V1 "/measures/{}/close", BODY_OPT_FILE, NULL, "ID [FILE]"},
        {{"sensor", "register"}, "POST", V1 "/sensors", BODY_FILE, NULL, "FILE"},
        {{"sensor", "list"}, "GET", V1 "/sensors", BODY_NONE, NULL, ""},
};

#define N_HTTP_VERBS (sizeof http_verbs / sizeof http_verbs[0])
#define TARGET_MAX   4096

/* What one invocation collected from its arguments. */
struct call {
	const struct http_verb *v;
	char verb[64]; /* "report submit", for messages */
	char target[TARGET_MAX];
	json_t *flag_body;
	const char *file;
};

static int fail_usage(const struct call *c, const char *what)
{
	fprintf(stderr, "acd: %s: %s\nusage: acd %s %s\n", c->verb, what, c->verb, c->v->args);
	return 2;
}

/* Finds the flag spec for argv word a; NULL when the verb has none such. */
static const struct flag *find_flag(const struct flag *f, const char *a)
{
	for (; f && f->opt; f++)
		if (strcmp(f->opt, a) == 0 ||
		    (strcmp(f->opt, "*") == 0 && strncmp(a, "--", 2) == 0 && a[2] && a[2] != '-'))
			return f;
	return NULL;
}

/* Appends "?name=value" or "&name=value", both percent-encoded; false when too long. */
static bool add_query(struct call *c, const char *name, const char *value)
{
	char key[64];
	snprintf(key, sizeof key, "%s", name);
	for (char *k = key; *k; k++)
		if (*k == '-')
			*k = '_';
	char sep[2] = {strchr(c->target, '?') ? '&' : '?', '\0'};
	return http_append_raw(c->target, TARGET_MAX, sep) &&
	       http_append_escaped(c->target, TARGET_MAX, key) &&
	       http_append_raw(c->target, TARGET_MAX, "=") &&
	       http_append_escaped(c->target, TARGET_MAX, value);
}

/* Takes the flags out of argv (compacting the positional arguments to the front); returns 0
 * or the exit status of a usage error. */
static int take_flags(struct call *c, int *argc, char **argv)
{
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		const struct flag *f = strncmp(a, "--", 2) == 0 ? find_flag(c->v->flags, a) : NULL;
		if (!f) {
			if (strncmp(a, "--", 2) == 0 || (a[0] == '-' && a[1]))
				return fail_usage(c, "unknown option");
			argv[out++] = argv[i];
			continue;
		}
		if (f->kind == B_TRUE) {
			json_object_set_new(c->flag_body, f->name, json_true());
			continue;
		}
		if (i + 1 >= *argc)
			return fail_usage(c, "an option lacks its value");
		const char *val = argv[++i];
		if (f->kind == B_VALUE)
			json_object_set_new(c->flag_body, f->name, json_string(val));
		else if (!add_query(c, f->name ? f->name : a + 2, val))
			return fail_usage(c, "the request is too long");
	}
	*argc = out;
	return 0;
}

/* Fills the path's {} from the positional arguments; the one left over is the body file. */
static int fill_path(struct call *c, int argc, char **argv, char *path, size_t cap)
{
	int used = 0;
	path[0] = '\0';
	for (const char *p = c->v->path; *p;) {
		if (strncmp(p, "{}", 2) == 0) {
			if (used >= argc)
				return fail_usage(c, "missing argument");
			if (!argv[used][0] || !http_append_escaped(path, cap, argv[used]))
				return fail_usage(c, "an id is empty or too long");
			used++;
			p += 2;
			continue;
		}
		size_t n = strlen(path);
		if (n + 1 >= cap)
			return fail_usage(c, "the request is too long");
		path[n] = *p++;
		path[n + 1] = '\0';
	}
	bool file = c->v->body == BODY_FILE || c->v->body == BODY_OPT_FILE;
	if (file && used < argc)
		c->file = argv[used++];
	if (c->v->body == BODY_FILE && !c->file)
		return fail_usage(c, "missing FILE (or - for stdin)");
	if (used < argc)
		return fail_usage(c, "too many arguments");
	return 0;
}

/* Reads the body from the file or, for "-", from stdin. */
static char *read_body(const char *file, size_t *len)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, got;
	char *b = malloc(cap);
	while (b && (got = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	bool bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		free(b);
		return NULL;
	}
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

/* Prints the answer: JSON on stdout for 2xx, the error line on stderr otherwise. */
static int report_answer(const struct call *c, const struct http_answer *a)
{
	json_t *j = a->body ? json_loadb(a->body, a->len, 0, NULL) : NULL;
	if (a->status >= 200 && a->status < 300) {
		if (j)
			return cli_print_json(j);
		if (a->len)
			printf("%s\n", a->body);
		return 0;
	}
	const char *msg = json_string_value(json_object_get(j, "message"));
	const char *field = json_string_value(json_object_get(j, "field"));
	if (!msg)
		msg = a->len ? a->body : "no message";
	fprintf(stderr, "acd: %s: %ld %s", c->verb, a->status, msg);
	if (field)
		fprintf(stderr, " (%s)", field);
	fputc('\n', stderr);
	json_decref(j);
	return a->status >= 400 && a->status < 500 ? 2 : 5;
}

static int run_call(struct call *c)
{
	const char *server = cli_server_url();
	if (!server)
		return fail_usage(c, "no server: give --server URL or set ACD_SERVER");
	char *token = NULL;
	if (!cli_token(&token)) {
		fprintf(stderr, "acd: %s: cannot read the token file\n", c->verb);
		return 2;
	}
	char *body = NULL;
	size_t len = 0;
	if (c->v->body == BODY_FLAGS || (c->v->body == BODY_OPT_FILE && !c->file)) {
		body = json_dumps(c->flag_body, JSON_COMPACT);
		len = body ? strlen(body) : 0;
	} else if (c->file && !(body = read_body(c->file, &len))) {
		fprintf(stderr, "acd: %s: cannot read %s\n", c->verb,
		        strcmp(c->file, "-") ? c->file : "stdin");
		free(token);
		return 2;
	}
	struct http_answer a;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	long st = http_exchange(server, token, c->v->method, c->target, body, len, &a);
	curl_global_cleanup();
	free(body);
	if (token) {
		memset(token, 0, strlen(token));
		free(token);
	}
	int rc;
	if (st == 0) {
		fprintf(stderr, "acd: %s: server unreachable: %s\n", c->verb, a.err);
		rc = 5;
	} else {
		rc = report_answer(c, &a);
	}
	http_answer_free(&a);
	return rc;
}

int cmd_http(int argc, char **argv, int *matched)
{
	*matched = 0;
	for (size_t i = 0; i < N_HTTP_VERBS; i++) {
		const struct http_verb *v = &http_verbs[i];
		if (argc < 3 || strcmp(argv[1], v->words[0]) || strcmp(argv[2], v->words[1]))
			continue;
		*matched = 1;
		struct call c = {.v = v, .flag_body = json_object()};
		snprintf(c.verb, sizeof c.verb, "%s %s", v->words[0], v->words[1]);
		int n = argc - 3, rc;
		char path[TARGET_MAX];
		if ((rc = take_flags(&c, &n, argv + 3)) == 0 &&
		    (rc = fill_path(&c, n, argv + 3, path, sizeof path)) == 0) {
			/* take_flags wrote the query into target; put the path in front of it. */
			char query[TARGET_MAX];
			snprintf(query, sizeof query, "%s", c.target);
			if (strlen(path) + strlen(query) >= TARGET_MAX)
				rc = fail_usage(&c, "the request is too long");
			else {
				snprintf(c.target, sizeof c.target, "%s%s", path, query);
				rc = run_call(&c);
			}
		}
		json_decref(c.flag_body);
		return rc;
	}
	return 0;
}

void cmd_http_usage(FILE *out)
{
	for (size_t i = 0; i < N_HTTP_VERBS; i++)
		fprintf(out, "  acd %s %s%s%s\n", http_verbs[i].words[0], http_verbs[i].words[1],
		        http_verbs[i].args[0] ? " " : "", http_verbs[i].args);
}
