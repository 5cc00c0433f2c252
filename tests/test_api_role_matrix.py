#!/usr/bin/env python3
"""Deny by default, checked for every endpoint × every role on both stores (PostgreSQL via
ACD_TEST_PG_URL_FILE). The table below says, from the issues and DOMAIN.md rather than from the
code, which roles may call each endpoint: every other role must get 403, a call without a token
401, and an allowed role anything but 401/403 (its resource may still be absent: 404, or its
body invalid: 400). The table must list exactly the endpoints the OpenAPI document describes,
so a new endpoint cannot slip in without a decision about who may call it. Which TLP levels a
role reads within the report endpoints is test_api_reports.py's matrix."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

ROLES = ["operator", "ministry", "analyst", "commission", "council-member", "council-friend",
         "vendor", "foreign-partner", "measures-officer", "admin"]
PUBLIC = "public"
SENSOR = "sensor"
EVERYONE = set(ROLES)
REPORTERS = {"operator", "ministry"}  # operators file; a ministry may file for its operators

ALLOWED = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/keys"): PUBLIC,  # public keys sensors verify approvals with
    ("POST", "/api/v1/ingest"): SENSOR,  # sensors authenticate by signature: no token counts
    ("GET", "/api/v1/me"): EVERYONE,
    ("GET", "/api/v1/sectors"): EVERYONE,
    # Reports: filed by operators (or their ministry); read per TLP by these roles; the
    # commission, vendors, foreign partners, measures officers and admins read no reports.
    ("POST", "/api/v1/reports"): REPORTERS,
    ("GET", "/api/v1/reports"): {"operator", "ministry", "analyst", "council-member",
                                 "council-friend"},
    ("GET", "/api/v1/reports/overdue"): {"ministry", "analyst"},
    ("GET", "/api/v1/reports/{id}"): {"operator", "ministry", "analyst", "council-member",
                                      "council-friend"},
    ("POST", "/api/v1/reports/{id}/followups"): REPORTERS,
    ("POST", "/api/v1/reports/{id}/scope"): REPORTERS,
    # Notifications of critical computers: the operator (or its ministry) files; the
    # ministry and the NCO read.
    ("POST", "/api/v1/notifications"): REPORTERS,
    ("GET", "/api/v1/notifications"): {"operator", "ministry", "analyst"},
    ("GET", "/api/v1/notifications/transition"): {"ministry", "analyst"},
    ("GET", "/api/v1/notifications/{id}"): {"operator", "ministry", "analyst"},
    ("POST", "/api/v1/notifications/{id}/changes"): REPORTERS,
    ("POST", "/api/v1/notifications/{id}/retire"): REPORTERS,
    # Agreements (当事者協定): recorded by the NCO; the party and the commission read;
    # consents are the party's own.
    ("POST", "/api/v1/agreements"): {"analyst"},
    ("GET", "/api/v1/agreements"): {"operator", "analyst", "commission"},
    ("GET", "/api/v1/agreements/{id}"): {"operator", "analyst", "commission"},
    ("POST", "/api/v1/agreements/{id}/withdraw"): {"operator", "analyst"},
    ("POST", "/api/v1/agreements/{id}/consents"): {"operator"},
    ("GET", "/api/v1/agreements/{id}/consents"): {"operator", "analyst", "commission"},
    # The NCO may record a withdrawal the party communicated.
    ("POST", "/api/v1/agreements/{id}/consents/{cid}/withdraw"): {"operator", "analyst"},
    # Approvals: analysts request; the commission decides (the office, i.e. analysts, for
    # agreement approvals); documents also for the admin who configures sensors.
    ("POST", "/api/v1/approvals"): {"analyst"},
    ("GET", "/api/v1/approvals"): {"analyst", "commission"},
    ("GET", "/api/v1/approvals/{id}"): {"analyst", "commission"},
    ("POST", "/api/v1/approvals/{id}/decision"): {"commission", "analyst"},
    ("GET", "/api/v1/approvals/{id}/document"): {"analyst", "commission", "admin"},
    ("POST", "/api/v1/approvals/{id}/revoke"): {"commission", "analyst"},
    ("GET", "/api/v1/approvals/{id}/revocation"): {"analyst", "commission", "admin"},
    # Selected information: analysts only; the commission inspects stats, never contents.
    ("GET", "/api/v1/records"): {"analyst"},
    ("GET", "/api/v1/stats"): {"analyst", "commission"},
    ("POST", "/api/v1/sensors"): {"admin"},
    ("GET", "/api/v1/sensors"): {"admin", "analyst", "commission"},
    # Other-purpose use (他目的利用): analysts ask; the commission reads the decisions. The
    # commission inspects the audit log and the Diet statistics.
    ("POST", "/api/v1/exports"): {"analyst"},
    ("GET", "/api/v1/exports"): {"analyst", "commission"},
    ("GET", "/api/v1/audit"): {"commission", "admin"},
    ("GET", "/api/v1/audit/verify"): {"commission", "admin"},
    ("GET", "/api/v1/stats/diet"): {"commission", "analyst"},
    # Access-and-neutralization measures (アクセス・無害化措置): police/SDF officers act on
    # their own cases; the commission approves and oversees all; analysts see counts only.
    ("POST", "/api/v1/measures/officers"): {"admin", "measures-officer"},
    ("GET", "/api/v1/measures/officers"): {"admin", "measures-officer", "commission"},
    # Ending a designation early: whoever may designate (the NPA Commissioner's or the
    # Minister's office through the agency, or an admin), not the commission, which oversees.
    ("POST", "/api/v1/measures/officers/{id}/revoke"): {"admin", "measures-officer"},
    ("GET", "/api/v1/measures/outcomes"): {"commission", "analyst"},
    ("POST", "/api/v1/measures"): {"measures-officer"},
    ("GET", "/api/v1/measures"): {"measures-officer", "commission"},
    ("GET", "/api/v1/measures/{id}"): {"measures-officer", "commission"},
    ("POST", "/api/v1/measures/{id}/approval-request"): {"measures-officer"},
    ("POST", "/api/v1/measures/{id}/decision"): {"commission"},
    ("POST", "/api/v1/measures/{id}/consultation"): {"measures-officer"},
    ("POST", "/api/v1/measures/{id}/executions"): {"measures-officer"},
    ("POST", "/api/v1/measures/{id}/commission-notice"): {"measures-officer"},
    # The commission answers the notice it was given afterwards (事後通知).
    ("POST", "/api/v1/measures/{id}/commission-response"): {"commission"},
    ("POST", "/api/v1/measures/{id}/administrator-notice"): {"measures-officer"},
    ("POST", "/api/v1/measures/{id}/withdraw"): {"measures-officer"},
    ("POST", "/api/v1/measures/{id}/close"): {"measures-officer"},
}


def users(store):
    orgs = {"operator": ("op-m", "water"), "ministry": ("mlit", None), "analyst": ("nco", None),
            "commission": ("commission", None), "council-member": ("council-m", None),
            "council-friend": ("friend-m", None), "vendor": ("vendor-m", None),
            "foreign-partner": ("partner-m", None), "measures-officer": ("npa", None),
            "admin": ("acd-admin", None)}
    tokens = {}
    for role in ROLES:
        org, sector = orgs[role]
        extra = ["--consent-at", "2026-01-01T00:00:00Z"] if role.startswith("council") else []
        tokens[role] = store.admin if role == "admin" else store.user(role, org, sector=sector,
                                                                      extra=extra)
    return tokens


def main():
    with acdtest.Workdir("api-role-matrix") as wd:
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "matrix")
            srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
            try:
                tokens = users(store)
                st, doc = srv.get("/api/v1/openapi.json")
                described = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
                check(described == set(ALLOWED),
                      f"{backend}: the table covers exactly the described endpoints; missing "
                      f"{sorted(described - set(ALLOWED))}, stale {sorted(set(ALLOWED) - described)}")
                calls = 0
                for (method, path), allowed in sorted(ALLOWED.items()):
                    concrete = path.replace("{id}", "X1").replace("{cid}", "X2")
                    body = {} if method == "POST" else None
                    if allowed != PUBLIC:
                        st, _ = srv.request(method, concrete, None, body)
                        check(st == 401, f"{method} {path} without a token: {st}")
                    for role in ROLES:
                        st, err = srv.request(method, concrete, tokens[role], body)
                        calls += 1
                        if allowed == SENSOR:
                            check(st == 401 and err.get("field") == "sensor",
                                  f"{backend}: a {role}'s token is no sensor's signature: {st}")
                        elif allowed == PUBLIC or role in allowed:
                            check(st not in (401, 403),
                                  f"{backend}: {role} {method} {path}: {st} {err}")
                        else:
                            check(st == 403 and err.get("error") == "forbidden",
                                  f"{backend}: {role} {method} {path}: {st}, want 403")
                print(f"{backend}: {calls} role × endpoint calls", flush=True)
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
    acdtest.finish("test_api_role_matrix", "every role × every endpoint on both stores")


if __name__ == "__main__":
    main()
