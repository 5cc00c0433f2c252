/* agreement_cover.c — see agreement_cover.h. */
#include "agreement_cover.h"

#include <inttypes.h>
#include <stdio.h>

#include "approval.h"

/* The agreement conditions both questions share, as SQL over alias `a` and parameter $2. */
#define AGREEMENT_IN_FORCE                                                                         \
	"a.valid_from <= $2 AND $2 < a.valid_until AND (a.withdrawn_at IS NULL OR $2 < "           \
	"a.withdrawn_at)"

bool agreement_covers(struct db_conn *c, const char *operator, const char * cidr, acd_time at)
{
	struct ip_net want;
	if (!c || !operator|| !cidr || !ip_net_parse(cidr, &want))
		return false;
	char ats[24];
	snprintf(ats, sizeof ats, "%" PRId64, (int64_t)at);
	const char *p[2] = {operator, ats };
	struct db_rows *r;
	if (db_query(c,
	             "SELECT p.prefix FROM agreements a JOIN agreement_prefixes p ON p.agreement = "
	             "a.id WHERE a.operator = $1 AND " AGREEMENT_IN_FORCE,
	             p, 2, &r, NULL) != ACD_OK)
		return false;
	bool covered = false;
	for (int i = 0; i < db_rows_count(r) && !covered; i++) {
		struct ip_net have;
		covered = ip_net_parse(db_rows_get(r, i, 0), &have) &&
		          have.addr.family == want.addr.family && have.bits <= want.bits &&
		          ip_net_contains(&have, &want.addr);
	}
	db_rows_free(r);
	return covered;
}

bool consent_covers(struct db_conn *c, const char *operator, const char * purpose,
                    const char *recipient, acd_time at)
{
	if (!c || !operator|| !purpose || !recipient)
		return false;
	char ats[24];
	snprintf(ats, sizeof ats, "%" PRId64, (int64_t)at);
	const char *p[4] = {operator, ats, purpose, recipient};
	struct db_rows *r;
	if (db_query(
	            c,
	            "SELECT k.id FROM agreements a JOIN agreement_consents k ON k.agreement = a.id "
	            "WHERE a.operator = $1 AND " AGREEMENT_IN_FORCE " AND k.purpose = $3 AND "
	            "k.recipient = $4 AND k.created_at <= $2 AND $2 < k.valid_until AND "
	            "(k.withdrawn_at IS NULL OR $2 < k.withdrawn_at)",
	            p, 4, &r, NULL) != ACD_OK)
		return false;
	bool covered = db_rows_count(r) > 0;
	db_rows_free(r);
	return covered;
}
