#!/usr/bin/env python3
"""Incident reports over real HTTP on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): the
matrix of every role × every report endpoint × every TLP level against the expectations the
issue states (deny by default, 404 for what a caller may not see), follow-up numbering, scope
narrowing and consented widening, anonymous reporters, ministries filing for operators, and
overdue listing under configured deadlines."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

TLPS = ["red", "amber+strict", "amber", "green", "clear"]

# Who reads a report of op-a (electricity, ministry meti), per the issue:
# RED — the reporting org, NCO analysts, the sector's ministry; AMBER+STRICT and AMBER — also
# operators of the same sector; GREEN — also every operator, ministry and council member;
# CLEAR — every authenticated user (but the roles that read no report content at all).
READS = {
    "op_a": set(TLPS),
    "op_b_same_sector": {"amber+strict", "amber", "green", "clear"},
    "op_c_other_sector": {"green", "clear"},
    "meti_sector_ministry": set(TLPS),
    "fsa_other_ministry": {"green", "clear"},
    "analyst": set(TLPS),
    "council_member": {"green", "clear"},
    "council_friend": {"clear"},
}
NO_REPORTS = ["commission", "vendor", "foreign_partner", "measures_officer", "admin"]


def make_users(store):
    u = {}
    u["op_a"] = store.user("operator", "op-a", sector="electricity")
    u["op_b_same_sector"] = store.user("operator", "op-b", sector="electricity")
    u["op_c_other_sector"] = store.user("operator", "op-c", sector="finance")
    u["meti_sector_ministry"] = store.user("ministry", "meti")
    u["fsa_other_ministry"] = store.user("ministry", "fsa")
    u["analyst"] = store.user("analyst", "nco")
    u["analyst_anon"] = store.user("analyst", "nco", name="designated",
                                   extra=["--anonymous-reader"])
    u["council_member"] = store.user("council-member", "council-x",
                                     extra=["--consent-at", "2026-01-01T00:00:00Z"])
    u["council_friend"] = store.user("council-friend", "friends-y",
                                     extra=["--consent-at", "2026-01-01T00:00:00Z"])
    u["commission"] = store.user("commission", "commission")
    u["vendor"] = store.user("vendor", "vendor-z")
    u["foreign_partner"] = store.user("foreign-partner", "partner-w")
    u["measures_officer"] = store.user("measures-officer", "npa")
    u["admin"] = store.admin
    return u


def report(tlp, operator="op-a", sector="electricity", **extra):
    body = {"urgency": "alert", "tlp": tlp, "sector": sector, "operator": operator,
            "event_type": "malware", "summary": f"ransomware on billing ({tlp})"}
    body.update(extra)
    return body


def matrix(srv, u, ids):
    """Every role × endpoint × TLP: the status each call must get."""
    for who, token in u.items():
        readable = READS.get(who, set())
        reporter = who == "op_a"
        for tlp, rid in ids.items():
            st, _ = srv.get(f"/api/v1/reports/{rid}", token)
            want = 403 if who in NO_REPORTS else (200 if tlp in readable else 404)
            if who == "analyst_anon":
                want = 200
            check(st == want, f"GET {tlp} report as {who}: {st}, want {want}")
            st, _ = srv.post(f"/api/v1/reports/{rid}/followups", token, {"lessons": "x"})
            if who in ("op_a",):
                want = 201
            elif who.startswith("op_") or who.startswith("meti") or who.startswith("fsa"):
                # Reporter roles: 404 when they cannot see it, else only the reporting org adds.
                want = 404 if tlp not in readable else (201 if reporter else 403)
                if who == "meti_sector_ministry":
                    want = 403
            else:
                want = 403
            check(st == want, f"followup to {tlp} report as {who}: {st}, want {want}")
            st, _ = srv.post(f"/api/v1/reports/{rid}/scope", token, {"tlp": tlp})
            if who == "op_a":
                want = 200
            check(st == want, f"scope of {tlp} report as {who}: {st}, want {want}")
        # The listing shows exactly the readable reports.
        st, body = srv.get("/api/v1/reports", token)
        if who in NO_REPORTS:
            check(st == 403, f"list as {who}: {st}, want 403")
        else:
            got = {i["id"] for i in body["items"]} if st == 200 else None
            want_ids = set(ids.values()) if who == "analyst_anon" else \
                {ids[t] for t in readable}
            check(got == want_ids, f"list as {who}: {got}, want {want_ids}")
        st, _ = srv.get("/api/v1/reports/overdue", token)
        want = 200 if who in ("meti_sector_ministry", "fsa_other_ministry", "analyst",
                              "analyst_anon") else 403
        check(st == want, f"overdue as {who}: {st}, want {want}")
    # Filing (after the listings, which it would change): an operator for itself only; a
    # ministry for operators of its sectors only.
    for who, token in u.items():
        st, _ = srv.post("/api/v1/reports", token, report("red"))
        want = 201 if who in ("op_a", "meti_sector_ministry") else \
            (400 if who in ("op_b_same_sector", "op_c_other_sector", "fsa_other_ministry")
             else 403)
        check(st == want, f"file a report for op-a as {who}: {st}, want {want}")
    for who, token in u.items():
        st, me = srv.get("/api/v1/me", token)
        check(st == 200 and me["user"].startswith("U"), f"/me as {who}: {st} {me}")
        st, sectors = srv.get("/api/v1/sectors", token)
        check(st == 200 and len(sectors["items"]) == 15 and
              {"id": "electricity", "name_ja": "電力", "name_en": "Electricity",
               "ministry": "meti"} in sectors["items"], f"/sectors as {who}: {st}")
    for path in ("/api/v1/me", "/api/v1/sectors"):
        check(srv.get(path)[0] == 401, f"{path} without a token is 401")
    for path in ("/healthz", "/metrics", "/api/v1/openapi.json"):
        check(srv.get(path)[0] == 200, f"{path} without a token")
    check(srv.get("/api/v1/reports")[0] == 401, "list without a token is 401")


def followups_and_scope(srv, u):
    st, r = srv.post("/api/v1/reports", u["op_a"], report("green", next_steps="ongoing"))
    rid = r["id"]
    check(st == 201 and r["delivered_to"] == ["meti", "nco"], f"one submission, two readers: {r}")
    st, f2 = srv.post(f"/api/v1/reports/{rid}/followups", u["op_a"],
                      {"next_steps": "investigating", "causes": ["vulnerability"]})
    st3, f3 = srv.post(f"/api/v1/reports/{rid}/followups", u["op_a"], {"tlp": "amber"})
    check(f2.get("id") == f"{rid}-2" and f3.get("id") == f"{rid}-3",
          f"follow-ups numbered {rid}-2, {rid}-3: {f2} {f3}")
    st, doc = srv.get(f"/api/v1/reports/{rid}", u["analyst"])
    check(doc["tlp"] == "amber" and doc["causes"] == ["vulnerability"] and
          doc["next_steps"] == "investigating" and doc["reports"] == 3 and
          [h["id"] for h in doc["history"]] == [rid, f"{rid}-2", f"{rid}-3"],
          f"merged state and history: {doc}")
    check(srv.get(f"/api/v1/reports/{rid}", u["op_c_other_sector"])[0] == 404,
          "narrowed to amber: another sector's operator no longer sees it")
    st, e = srv.post(f"/api/v1/reports/{rid}/followups", u["op_a"], {"tlp": "green"})
    check(st == 400 and e["field"] == "tlp", f"a follow-up cannot widen: {st} {e}")
    st, e = srv.post(f"/api/v1/reports/{rid}/scope", u["op_a"], {"tlp": "clear"})
    check(st == 400 and e["field"] == "consent", f"widening without consent: {st} {e}")
    st, e = srv.post(f"/api/v1/reports/{rid}/scope", u["op_a"],
                     {"tlp": "clear", "consent": True, "reason": "share with all"})
    check(st == 200, f"widening with the reporter's consent: {st} {e}")
    check(srv.get(f"/api/v1/reports/{rid}", u["council_friend"])[0] == 200,
          "widened to clear: a council friend reads it")
    st, e = srv.post(f"/api/v1/reports/{rid}/followups", u["op_a"], {"operator": "op-b"})
    check(st == 400 and e["field"] == "operator", f"cannot move a report: {st} {e}")
    return rid


def anonymous(srv, u):
    st, r = srv.post("/api/v1/reports", u["op_a"], report("green", anonymous=True))
    rid = r["id"]
    for who, sees in (("op_a", True), ("analyst_anon", True), ("analyst", False),
                      ("meti_sector_ministry", False), ("op_c_other_sector", False),
                      ("council_member", False)):
        st, doc = srv.get(f"/api/v1/reports/{rid}", u[who])
        shown = doc.get("operator") == "op-a" and doc.get("filed_by") is not None
        check(st == 200 and shown == sees and doc.get("anonymous") is True,
              f"anonymous report as {who}: reporter shown={shown}, want {sees}")
        st, lst = srv.get(acdserver.query("/api/v1/reports", sector="electricity"), u[who])
        item = [i for i in lst["items"] if i["id"] == rid]
        check(item and (item[0].get("operator") == "op-a") == sees,
              f"anonymous report in {who}'s listing: {item}")
    st, lst = srv.get(acdserver.query("/api/v1/reports", operator="op-a"), u["analyst"])
    check(rid not in [i["id"] for i in lst["items"]],
          "filtering by operator does not reveal an anonymous reporter")


def ministry_files(srv, u):
    st, r = srv.post("/api/v1/reports", u["meti_sector_ministry"], report("amber"))
    check(st == 201, f"meti files for op-a: {st} {r}")
    st, e = srv.post("/api/v1/reports", u["meti_sector_ministry"],
                     report("amber", operator="op-c", sector="finance"))
    check(st == 400 and e["field"] == "operator", f"meti cannot file for a finance operator: {e}")
    st, e = srv.post("/api/v1/reports", u["op_a"], report("amber", sector="gas"))
    check(st == 400 and e["field"] == "sector", f"op-a's sector is electricity: {e}")


def overdue(wd, backend):
    cfg = wd.p(f"deadlines-{backend}.json")
    with open(cfg, "w") as f:
        json.dump({"report_deadlines": {"first_hours": 1, "followup_days": 2 / 86400,
                                        "final_days": 30}}, f)
    store = acdserver.Store(wd, backend, "overdue")
    srv = acdserver.Server(store, config=cfg)
    try:
        op = store.user("operator", "op-a", sector="electricity")
        meti = store.user("ministry", "meti")
        fsa = store.user("ministry", "fsa")
        _, open_r = srv.post("/api/v1/reports", op, report(
            "amber", next_steps="investigating", discovered_at="2026-01-01T00:00:00Z"))
        _, done_r = srv.post("/api/v1/reports", op, report("amber", next_steps="done"))
        st, now = srv.get("/api/v1/reports/overdue", meti)
        check(st == 200 and now["items"] == [], f"nothing overdue yet: {now}")
        time.sleep(2.5)
        st, later = srv.get("/api/v1/reports/overdue", meti)
        ids = [i["id"] for i in later["items"]]
        check(ids == [open_r["id"]], f"the open report is overdue, the done one not: {ids}")
        check(later["items"] and later["items"][0]["overdue"] == "followup" and
              later["items"][0]["late_first_report"] is True,
              f"overdue item says what is due and flags the late first report: {later}")
        check(srv.get("/api/v1/reports/overdue", fsa)[1]["items"] == [],
              "another ministry does not see an amber report in its overdue list")
        srv.post(f"/api/v1/reports/{open_r['id']}/followups", op, {"lessons": "patched"})
        st, after = srv.get("/api/v1/reports/overdue", meti)
        check(after["items"] == [], f"a follow-up resets the clock: {after}")
        check(done_r["id"] not in ids, "done report never overdue")
    finally:
        srv.stop()


def main():
    with acdtest.Workdir("api-reports") as wd:
        for backend in acdserver.BACKENDS:
            print(f"-- {backend}", flush=True)
            store = acdserver.Store(wd, backend, "reports")
            srv = acdserver.Server(store)
            try:
                u = make_users(store)
                ids = {}
                for tlp in TLPS:
                    st, r = srv.post("/api/v1/reports", u["op_a"], report(tlp))
                    check(st == 201, f"file {tlp}: {st} {r}")
                    ids[tlp] = r["id"]
                matrix(srv, u, ids)
                followups_and_scope(srv, u)
                anonymous(srv, u)
                ministry_files(srv, u)
            finally:
                check(srv.stop() == 0, f"{backend}: acdd stops cleanly on SIGTERM")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit chain intact: {verdict} {err}")
            actions = store.sql("SELECT action FROM audit_log")
            for a in ("report.create", "report.read", "report.list", "report.followup",
                      "report.scope.narrow", "report.scope.widen", "user.add"):
                check(a in actions, f"{backend}: audit log records {a}")
            overdue(wd, backend)
    acdtest.finish("test_api_reports", "report matrix, follow-ups, scope, anonymity, overdue "
                   "on SQLite and PostgreSQL")


if __name__ == "__main__":
    main()
