/* openapi.c — see openapi.h. */
#include "openapi.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

/* The request bodies; field names and values are those the handlers check. */
static const char schemas[] =
        "{"
        "\"Error\": {\"type\": \"object\", \"required\": [\"error\", \"message\", \"field\"],"
        " \"properties\": {\"error\": {\"type\": \"string\"}, \"message\": {\"type\": \"string\"},"
        " \"field\": {\"type\": [\"string\", \"null\"]}}},"
        "\"Indicator\": {\"type\": \"object\", \"required\": [\"type\", \"value\"], "
        "\"properties\": {"
        " \"type\": {\"enum\": [\"ipv4\", \"ipv6\", \"cidr\", \"domain\", \"url\", \"sha256\","
        "  \"md5\", \"email\", \"cve\"]}, \"value\": {\"type\": \"string\", \"maxLength\": 2048}}},"
        "\"Report\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"urgency\", \"tlp\", \"sector\", \"operator\", \"event_type\", "
        "\"summary\"],"
        " \"properties\": {"
        "  \"urgency\": {\"enum\": [\"alert\", \"caution\", \"reference\"]},"
        "  \"tlp\": {\"enum\": [\"red\", \"amber+strict\", \"amber\", \"green\", \"clear\"]},"
        "  \"sector\": {\"type\": \"string\"}, \"operator\": {\"type\": \"string\"},"
        "  \"event_type\": {\"enum\": [\"precursor\", \"leak\", \"destruction\", "
        "\"unavailability\","
        "   \"malware\", \"code-execution\", \"intrusion\", \"other\"]},"
        "  \"causes\": {\"type\": \"array\", \"items\": {\"enum\": [\"suspicious-mail\","
        "   \"id-spoofing\", \"ddos\", \"illicit-acquisition\", \"insider\", "
        "\"improper-operation\","
        "   \"operation-error\", \"management-error\", \"suspicious-file-run\","
        "   \"suspicious-site-visit\", \"contractor-error\", \"equipment-failure\","
        "   \"vulnerability\", \"spillover\", \"disaster\", \"other\", \"unknown\"]}},"
        "  \"discovered_at\": {\"type\": \"string\", \"format\": \"date-time\"},"
        "  \"occurred_at\": {\"type\": \"string\", \"format\": \"date-time\"},"
        "  \"summary\": {\"type\": \"string\", \"maxLength\": 20000},"
        "  \"affected_systems\": {\"type\": \"string\", \"maxLength\": 4000},"
        "  \"impact\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {"
        "   \"system_state\": {\"enum\": [\"none\", \"stopped\", \"partial\", \"restored\"]},"
        "   \"service_level_deviation\": {\"type\": \"boolean\"},"
        "   \"spread_possible\": {\"type\": \"boolean\"},"
        "   \"press_release\": {\"enum\": [\"done\", \"planned\", \"none\"]},"
        "   \"ppc_report\": {\"enum\": [\"done\", \"checking\", \"not-needed\"]},"
        "   \"others_contacted\": {\"type\": \"string\"}}},"
        "  \"timeline\": {\"type\": \"array\", \"items\": {\"type\": \"object\","
        "   \"required\": [\"at\", \"text\"], \"properties\": {\"at\": {\"type\": \"string\","
        "   \"format\": \"date-time\"}, \"text\": {\"type\": \"string\"}}}},"
        "  \"next_steps\": {\"enum\": [\"ongoing\", \"investigating\", \"studying\", \"done\"]},"
        "  \"lessons\": {\"type\": \"string\"},"
        "  \"indicators\": {\"type\": \"array\", \"items\": {\"$ref\": "
        "\"#/components/schemas/Indicator\"}},"
        "  \"anonymous\": {\"type\": \"boolean\"}}},"
        "\"ScopeChange\": {\"type\": \"object\", \"required\": [\"tlp\"], \"properties\": {"
        " \"tlp\": {\"enum\": [\"red\", \"amber+strict\", \"amber\", \"green\", \"clear\"]},"
        " \"consent\": {\"type\": \"boolean\", \"description\": \"the reporter's consent, needed "
        "to widen\"},"
        " \"reason\": {\"type\": \"string\"}}},"
        "\"Notification\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"operator\", \"category\", \"vendor\","
        " \"product\", \"system\", \"introduced_at\"], \"properties\": {"
        " \"operator\": {\"type\": \"string\"}, \"category\": {\"enum\": [\"firewall\", \"vpn\","
        " \"auth-server\", \"os\", \"cloud-service\", \"control-system\", \"server\","
        " \"network-device\", \"other\"]}, \"vendor\": {\"type\": \"string\", \"maxLength\": 200},"
        " \"product\": {\"type\": \"string\", \"maxLength\": 200},"
        " \"version\": {\"type\": [\"string\", \"null\"], \"maxLength\": 100},"
        " \"cpe\": {\"type\": [\"string\", \"null\"], \"maxLength\": 1024,"
        "  \"description\": \"CPE 2.3 formatted string (NISTIR 7695), 13 components\"},"
        " \"system\": {\"type\": \"string\", \"maxLength\": 1000},"
        " \"custom_design\": {\"type\": \"boolean\","
        "  \"description\": \"専用設計品: recorded, exempt from the duty\"},"
        " \"introduced_at\": {\"type\": \"string\", \"format\": \"date-time\"}}},"
        "\"NotificationChange\": {\"type\": \"object\", \"minProperties\": 1,"
        " \"description\": \"Any of Notification's fields but operator, with the same types, plus"
        " an optional reason; a new revision, the history kept.\","
        " \"properties\": {\"reason\": {\"type\": \"string\", \"maxLength\": 2000}}},"
        "\"Retirement\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"reason\"],"
        " \"properties\": {\"retired_at\": {\"type\": \"string\", \"format\": \"date-time\","
        "  \"description\": \"default now; not in the future\"},"
        " \"reason\": {\"type\": \"string\", \"maxLength\": 2000}}},"
        "\"Agreement\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"operator\", \"prefixes\", \"valid_from\","
        " \"valid_until\"], \"properties\": {\"operator\": {\"type\": \"string\"},"
        " \"prefixes\": {\"type\": \"array\", \"minItems\": 1, \"maxItems\": 1000,"
        "  \"items\": {\"type\": \"string\", \"description\": \"IPv4 or IPv6 CIDR\"}},"
        " \"valid_from\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"valid_until\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"signed_by\": {\"type\": \"string\", \"maxLength\": 200}}},"
        "\"Consent\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"purpose\", \"scope\", \"recipient\","
        " \"valid_until\"], \"properties\": {"
        " \"purpose\": {\"type\": \"string\", \"maxLength\": 500,"
        "  \"description\": \"cybersecurity only; criminal investigation is refused\"},"
        " \"scope\": {\"type\": \"string\", \"maxLength\": 2000},"
        " \"recipient\": {\"type\": \"string\", \"maxLength\": 200},"
        " \"valid_until\": {\"type\": \"string\", \"format\": \"date-time\"}}},"
        "\"ApprovalRequest\": {\"type\": \"object\", \"required\": [\"kind\", \"facility\","
        " \"selectors\", \"justification\", \"valid_from\", \"valid_until\"], \"properties\": {"
        " \"kind\": {\"enum\": [\"foreign-foreign\", \"foreign-domestic\", \"agreement\"]},"
        " \"facility\": {\"type\": \"string\"}, \"selectors\": {\"type\": \"array\", \"items\":"
        " {\"type\": \"object\", \"required\": [\"id\", \"type\", \"value\"], \"properties\": {"
        " \"id\": {\"type\": \"string\"}, \"type\": {\"enum\": [\"ip\", \"domain\", \"content\"]},"
        " \"value\": {\"type\": \"string\"}, \"label\": {\"type\": \"string\"}}}},"
        " \"justification\": {\"type\": \"string\"},"
        " \"valid_from\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"valid_until\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"agreement_party\": {\"type\": \"object\", \"properties\": {\"operator\":"
        " {\"type\": \"string\"}, \"prefixes\": {\"type\": \"array\", \"items\": {\"type\":"
        " \"string\"}}}}}},"
        "\"Decision\": {\"type\": \"object\", \"required\": [\"decision\"], \"properties\": {"
        " \"decision\": {\"enum\": [\"approve\", \"reject\", \"revise\"]},"
        " \"reason\": {\"type\": \"string\"}}},"
        "\"Revocation\": {\"type\": \"object\", \"properties\": {\"reason\": {\"type\": "
        "\"string\"}}},"
        "\"IngestBatch\": {\"type\": \"object\", \"description\": \"The header line of an"
        " application/x-ndjson batch. The body is lines each ending in \\\\n: this header,"
        " then exactly `records` Contract 4 record lines, then exactly `stats` Contract 4 stats"
        " lines. X-ACD-Signature covers the exact body bytes; each line is stored as sent.\","
        " \"required\": [\"batch\", \"sensor\", \"records\", \"stats\"], \"properties\": {"
        " \"batch\": {\"type\": \"string\", \"description\": \"SENSOR:UNIQUE\"},"
        " \"sensor\": {\"type\": \"string\"}, \"sent_at\": {\"type\": \"string\","
        " \"format\": \"date-time\"}, \"records\": {\"type\": \"integer\", \"minimum\": 0,"
        " \"description\": \"the number of record lines after the header\"}, \"stats\":"
        " {\"type\": \"integer\", \"minimum\": 0, \"description\": \"the number of stats"
        " lines after the records\"}}},"
        "\"Sensor\": {\"type\": \"object\", \"required\": [\"id\", \"facility\", \"public_key\"],"
        " \"properties\": {\"id\": {\"type\": \"string\"}, \"facility\": {\"type\": \"string\"},"
        " \"public_key\": {\"type\": \"string\", \"description\": \"base64 Ed25519 public key\"}}},"
        "\"Export\": {\"type\": \"object\", \"required\": [\"approval\", \"purpose_class\","
        " \"purpose\", \"recipient\", \"recipient_kind\"], \"properties\": {"
        " \"approval\": {\"type\": \"string\"},"
        " \"purpose_class\": {\"type\": \"string\", \"description\": \"cybersecurity (needs"
        " the party's consent and terms_document), other-law (needs legal_basis with mandatory:"
        " true); criminal-investigation and anything else are refused\"},"
        " \"purpose\": {\"type\": \"string\", \"maxLength\": 500},"
        " \"recipient\": {\"type\": \"string\", \"maxLength\": 200},"
        " \"recipient_kind\": {\"enum\": [\"domestic\", \"foreign\"]},"
        " \"legal_basis\": {\"type\": \"object\", \"required\": [\"law\", \"article\","
        " \"mandatory\"], \"properties\": {\"law\": {\"type\": \"string\"}, \"article\":"
        " {\"type\": \"string\"}, \"mandatory\": {\"type\": \"boolean\"}}},"
        " \"terms_document\": {\"type\": \"object\", \"required\": [\"reference\", \"date\"],"
        " \"properties\": {\"reference\": {\"type\": \"string\"}, \"date\": {\"type\":"
        " \"string\", \"format\": \"date-time\"}, \"handling_measures_confirmed\":"
        " {\"type\": \"boolean\", \"description\": \"required true for a foreign recipient\"}}},"
        " \"records\": {\"type\": \"object\", \"properties\": {\"after\": {\"type\":"
        " \"integer\"}, \"limit\": {\"type\": \"integer\", \"maximum\": 5000}}}}},"
        "\"Withdrawal\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"properties\": {\"reason\": {\"type\": \"string\", \"maxLength\": 2000}}},"
        /* アクセス・無害化措置 */
        "\"MeasureOfficer\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"user\", \"agency\", \"designated_by\", \"valid_from\", \"valid_until\"],"
        " \"properties\": {\"user\": {\"type\": \"string\"},"
        " \"agency\": {\"enum\": [\"police\", \"sdf\"]},"
        " \"designated_by\": {\"type\": \"string\", \"maxLength\": 200},"
        " \"npa\": {\"type\": \"boolean\", \"description\": \"an NPA officer (police only)\"},"
        " \"valid_from\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"valid_until\": {\"type\": \"string\", \"format\": \"date-time\"}}},"
        "\"DesignationRevocation\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"reason\"],"
        " \"properties\": {\"reason\": {\"type\": \"string\", \"maxLength\": 2000}}},"
        "\"MeasureAction\": {\"enum\": [\"access-confirm-programs\", \"delete-malicious-program\","
        " \"shut-down\", \"block-relogin\", \"order-administrator\"]},"
        "\"Measure\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"agency\", \"officer\", \"target\", \"harm\", \"urgency\", \"actions\"],"
        " \"properties\": {\"agency\": {\"enum\": [\"police\", \"sdf\"]},"
        " \"officer\": {\"type\": \"string\"}, \"target\": {\"type\": \"object\","
        "  \"additionalProperties\": false, \"required\": [\"address\", \"location\"],"
        "  \"properties\": {"
        "  \"address\": {\"type\": \"string\", \"description\": \"IPv4 or IPv6 address\"},"
        "  \"location\": {\"enum\": [\"domestic\", \"abroad\"]}}},"
        " \"harm\": {\"type\": \"string\", \"maxLength\": 4000},"
        " \"urgency\": {\"enum\": [\"normal\", \"urgent\"]},"
        " \"actions\": {\"type\": \"array\", \"minItems\": 1, \"uniqueItems\": true,"
        "  \"items\": {\"$ref\": \"#/components/schemas/MeasureAction\"}}}},"
        "\"MeasureDecision\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"decision\"], \"properties\": {"
        " \"decision\": {\"enum\": [\"approve\", \"reject\"]},"
        " \"reason\": {\"type\": \"string\", \"maxLength\": 4000}}},"
        "\"MeasureNotice\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"at\", \"reference\"], \"properties\": {\"at\": {\"type\": \"string\","
        "  \"format\": \"date-time\"}, \"reference\": {\"type\": \"string\", \"maxLength\": 200}}},"
        "\"CommissionResponse\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"response\"], \"description\": \"reason required for an objection\","
        " \"properties\": {\"response\": {\"enum\": [\"acknowledged\", \"objection\"]},"
        " \"reason\": {\"type\": \"string\", \"maxLength\": 4000}}},"
        "\"MeasureExecution\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"required\": [\"at\", \"action\", \"result\"], \"properties\": {"
        " \"at\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"action\": {\"$ref\": \"#/components/schemas/MeasureAction\"},"
        " \"result\": {\"type\": \"string\", \"maxLength\": 4000}}},"
        "\"AdministratorNotice\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"description\": \"exactly one of given_at and reason_not_given\", \"properties\": {"
        " \"given_at\": {\"type\": \"string\", \"format\": \"date-time\"},"
        " \"reason_not_given\": {\"type\": \"string\", \"maxLength\": 2000}}},"
        "\"Note\": {\"type\": \"object\", \"additionalProperties\": false,"
        " \"properties\": {\"note\": {\"type\": \"string\", \"maxLength\": 2000}}}"
        "}";

/* The roles that may call a route, as a list of names. */
static json_t *role_list(unsigned roles)
{
	json_t *a = json_array();
	for (int r = 0; r < ROLE_COUNT; r++)
		if (roles & ROLE_BIT(r))
			json_array_append_new(a, json_string(role_name((enum role)r)));
	return a;
}

/* Sensors post NDJSON batches (ingest.c, decision 0018); everything else takes JSON. */
static const char *body_type(const struct route *r)
{
	return strcmp(r->pattern, "/api/v1/ingest") == 0 ? "application/x-ndjson"
	                                                 : "application/json";
}

static json_t *operation(const struct route *r)
{
	json_t *op = json_pack("{s:s, s:{s:{s:s}}}", "summary", r->summary, "responses", "default",
	                       "description", "Contract 5 error object for 4xx/5xx");
	json_t *resp = json_object_get(op, "responses");
	json_object_set_new(resp, strcmp(r->method, "POST") == 0 ? "201" : "200",
	                    json_pack("{s:s}", "description", "success"));
	if (r->roles) {
		json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
		json_object_set_new(op, "x-roles", role_list(r->roles));
		json_object_set_new(resp, "401",
		                    json_pack("{s:s}", "description", "missing or unknown token"));
		json_object_set_new(resp, "403",
		                    json_pack("{s:s}", "description", "role not allowed"));
	} else {
		json_object_set_new(op, "security", json_array());
	}
	if (r->body_schema) {
		char ref[128], not_type[64];
		const char *type = body_type(r);
		snprintf(ref, sizeof ref, "#/components/schemas/%s", r->body_schema);
		snprintf(not_type, sizeof not_type, "not %s", type);
		json_object_set_new(op, "requestBody",
		                    json_pack("{s:b, s:{s:{s:{s:s}}}}", "required", 1, "content",
		                              type, "schema", "$ref", ref));
		json_object_set_new(resp, "400",
		                    json_pack("{s:s}", "description", "invalid body, field named"));
		json_object_set_new(resp, "413",
		                    json_pack("{s:s}", "description",
		                              strcmp(type, "application/json") != 0
		                                      ? "body over 16 MiB"
		                                      : "body over 1 MiB"));
		json_object_set_new(resp, "415", json_pack("{s:s}", "description", not_type));
	}
	/* Path parameters, from the {…} parts of the pattern. */
	json_t *params = json_array();
	for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		json_array_append_new(params, json_pack("{s:s#, s:s, s:b, s:{s:s}}", "name", p + 1,
		                                        (int)(end - p - 1), "in", "path",
		                                        "required", 1, "schema", "type", "string"));
	}
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	return op;
}

/* ReportFollowup: Report's properties, none required, without the ones fixed by the first
 * report (a follow-up carries any subset; tlp may only narrow). */
static void add_followup_schema(json_t *comp)
{
	json_t *props =
	        json_deep_copy(json_object_get(json_object_get(comp, "Report"), "properties"));
	if (!props)
		return;
	json_object_del(props, "operator");
	json_object_del(props, "sector");
	json_object_del(props, "anonymous");
	json_object_set_new(
	        comp, "ReportFollowup",
	        json_pack("{s:s, s:s, s:b, s:o}", "type", "object", "description",
	                  "Any subset of the first report's fields but operator, sector "
	                  "and anonymous; tlp may only narrow.",
	                  "additionalProperties", 0, "properties", props));
}

json_t *openapi_document(void)
{
	json_t *paths = json_object();
	for (size_t i = 0; i < route_count; i++) {
		const struct route *r = &routes[i];
		json_t *item = json_object_get(paths, r->pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, r->pattern, item);
		}
		char lower[8];
		size_t n = strlen(r->method);
		for (size_t k = 0; k <= n && k < sizeof lower; k++)
			lower[k] = (char)(r->method[k] >= 'A' && r->method[k] <= 'Z'
			                          ? r->method[k] + 32
			                          : r->method[k]);
		json_object_set_new(item, lower, operation(r));
	}
	/* Duplicate keys refused: a schema given twice would silently hide one of them. */
	json_t *comp = json_loads(schemas, JSON_REJECT_DUPLICATES, NULL);
	add_followup_schema(comp);
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:o, s:{s:{s:s, s:s}}}}", "openapi",
	                 "3.0.3", "info", "title", "acdd — Active Cyber Defense central server",
	                 "version", "1", "description",
	                 "The single window for incident reports and notifications, oversight and "
	                 "provision. Errors: {error, message, field}.",
	                 "paths", paths, "components", "schemas", comp ? comp : json_object(),
	                 "securitySchemes", "bearer", "type", "http", "scheme", "bearer");
}
