#!/usr/bin/env python3
"""Access and neutralization measures (アクセス・無害化措置) over real HTTP on both stores
(PostgreSQL via ACD_TEST_PG_URL_FILE): designation of officers, the lawful path (case → the
commission's approval → execution log → administrator notice → close), the urgent path
(execution first, then the notice to the commission within the configured period; a tiny period
shows the overdue flag, and the commission's response to the notice leaves it correct), the
ending of a designation (revocation) after which the officer is named on no new case, the
foreign-target path (prior consultation with the Foreign Minister,
NPA officers only), every refusal with its reason and nothing changed, bad input with the field
named, visibility, the history, the audit chain, and the counts by outcome for the Diet report.
acd records and authorises only: nothing here touches the target addresses."""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402


def now(delta=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def case(officer, **kw):
    body = {"agency": "police", "officer": officer,
            "target": {"address": "203.0.113.5", "location": "domestic"},
            "harm": "C2 server directing attacks on a hospital's systems",
            "urgency": "normal",
            "actions": ["access-confirm-programs", "delete-malicious-program"]}
    body.update(kw)
    return body


def execution(action="access-confirm-programs", at=None):
    return {"at": at or now(), "action": action, "result": "done as authorised"}


class Ctx:
    pass


def snapshot(c, mid):
    """What a refusal must leave unchanged: the case, its log, its history, the audit count."""
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.com)
    m.pop("history", None)  # reads are not steps; the event count is compared below
    events = c.store.sql(f"SELECT COUNT(*) FROM measure_events WHERE measure = '{mid}'")
    execs = c.store.sql(f"SELECT COUNT(*) FROM measure_executions WHERE measure = '{mid}'")
    return json.dumps(m, sort_keys=True), events, execs


def refused(c, mid, path, token, body, status, field, words, what):
    before = snapshot(c, mid)
    st, e = c.srv.post(f"/api/v1/measures/{mid}/{path}", token, body)
    check(st == status and isinstance(e, dict) and e.get("field") == field and
          all(w in e.get("message", "") for w in words), f"{c.b}: {what}: {st} {e}")
    check(snapshot(c, mid) == before, f"{c.b}: {what}: nothing changed")
    return e


def ok(c, mid, path, token, body=None, state=None, what=""):
    st, r = c.srv.post(f"/api/v1/measures/{mid}/{path}", token, body if body is not None else {})
    check(st == 200 and (state is None or r.get("state") == state),
          f"{c.b}: {what or path} on {mid}: {st} {r}")
    return r


def file_case(c, token, body, what):
    st, r = c.srv.post("/api/v1/measures", token, body)
    check(st == 201 and r.get("id", "").startswith("M"), f"{c.b}: file {what}: {st} {r}")
    return r.get("id")


def approve(c, mid):
    ok(c, mid, "approval-request", c.npa, {"note": "see attached analysis"}, "requested")
    ok(c, mid, "decision", c.com, {"decision": "approve"}, "approved")


def designations(c):
    s, admin = c.srv, c.store.admin
    for token, body in ((admin, {"user": c.npa_id, "agency": "police",
                                 "designated_by": "NPA Commissioner", "npa": True,
                                 "valid_from": now(-3600), "valid_until": now(86400 * 365)}),
                        (admin, {"user": c.tokyo_id, "agency": "police",
                                 "designated_by": "NPA Commissioner",
                                 "valid_from": now(-3600), "valid_until": now(86400 * 365)}),
                        (c.sdf, {"user": c.sdf_id, "agency": "sdf",
                                 "designated_by": "Minister of Defense",
                                 "valid_from": now(-3600), "valid_until": now(86400 * 365)}),
                        (admin, {"user": c.expired_id, "agency": "police",
                                 "designated_by": "NPA Commissioner", "npa": True,
                                 "valid_from": now(-7200), "valid_until": now(-3600)})):
        st, r = s.post("/api/v1/measures/officers", token, body)
        check(st == 201 and r["id"].startswith("D"), f"{c.b}: designate {body['user']}: {st} {r}")
    base = {"user": c.npa_id, "agency": "police", "designated_by": "NPA Commissioner",
            "valid_from": now(), "valid_until": now(3600)}
    for field, body, token, status in (
            ("npa", dict(base, agency="sdf", npa=True), admin, 400),
            ("agency", dict(base, agency="army"), admin, 400),
            ("colour", dict(base, colour="red"), admin, 400),
            ("npa", dict(base, npa="yes"), admin, 400),
            ("valid_until", dict(base, valid_until=now(-60)), admin, 400),
            ("user", dict(base, user=c.com_id), admin, 400),
            ("user", dict(base, user=c.npa_id), c.sdf, 400),  # another agency's officer
            (None, base, c.op, 403)):
        before = c.store.sql("SELECT COUNT(*) FROM measure_officers")
        st, e = s.post("/api/v1/measures/officers", token, body)
        check(st == status and (status == 403 or e.get("field") == field),
              f"{c.b}: bad designation ({field}): {st} {e}")
        check(c.store.sql("SELECT COUNT(*) FROM measure_officers") == before,
              f"{c.b}: bad designation ({field}) stores nothing")
    st, lst = s.get("/api/v1/measures/officers", c.sdf)
    check(st == 200 and [d["user"] for d in lst["items"]] == [c.sdf_id],
          f"{c.b}: an agency sees its own designations: {lst}")


def lawful_path(c):
    mid = file_case(c, c.npa, case(c.npa_id), "domestic case")
    refused(c, mid, "executions", c.npa, execution(), 409, "approval",
            ["not approved", "not urgent"], "executed without approval and not urgent")
    approve(c, mid)
    refused(c, mid, "executions", c.npa, execution("shut-down"), 400, "action",
            ["shut-down", "not among this case's actions"], "an action not in the case's list")
    refused(c, mid, "executions", c.npa, execution("format-disk"), 400, "action",
            ["one of"], "an unknown action")
    refused(c, mid, "executions", c.npa, execution(at=now(3600)), 400, "at",
            ["future"], "an execution in the future")
    refused(c, mid, "executions", c.other, execution(), 403, "officer",
            ["designated officer"], "another officer logs the execution")
    ok(c, mid, "executions", c.npa, execution(), "executing")
    ok(c, mid, "executions", c.npa, execution("delete-malicious-program"), "executing")
    refused(c, mid, "close", c.npa, {}, 409, "administrator_notice", ["administrator"],
            "close without the administrator notice")
    refused(c, mid, "administrator-notice", c.npa, {"given_at": now(), "reason_not_given": "x"},
            400, "given_at", ["either"], "administrator notice with both")
    refused(c, mid, "commission-notice", c.npa, {"at": now(), "reference": "N-1"}, 409, "state",
            ["urgent"], "commission notice on an approved case")
    ok(c, mid, "administrator-notice", c.npa, {"given_at": now()})
    ok(c, mid, "close", c.npa, {"note": "malicious program removed"}, "closed")
    refused(c, mid, "executions", c.npa, execution(), 409, "state", ["closed"],
            "execution after closing")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.npa)
    check(st == 200 and m["state"] == "closed" and m["outcome"] == "executed" and
          [x["action"] for x in m["executions"]] == ["access-confirm-programs",
                                                      "delete-malicious-program"] and
          m["approval"]["decided_by"] == c.com_id and
          m["commission_notice"]["required"] is False and
          m["administrator_notice"]["given_at"], f"{c.b}: lawful case as stored: {m}")
    check([h["action"] for h in m.get("history", [])] ==
          ["file", "approval-request", "decision", "execution", "execution",
           "administrator-notice", "close"], f"{c.b}: history: {m.get('history')}")
    return mid


def foreign_path(c):
    abroad = {"address": "198.51.100.7", "location": "abroad"}
    mid = file_case(c, c.npa, case(c.npa_id, target=abroad), "case abroad")
    approve(c, mid)
    refused(c, mid, "executions", c.npa, execution(), 409, "consultation",
            ["abroad", "Foreign Minister"], "foreign target without consultation")
    refused(c, mid, "consultation", c.npa, {"at": now()}, 400, "reference", ["required"],
            "consultation without its reference")
    ok(c, mid, "consultation", c.npa, {"at": now(-60), "reference": "MOFA-2026-17"})
    refused(c, mid, "consultation", c.npa, {"at": now(), "reference": "again"}, 409,
            "consultation", ["already"], "a second consultation")
    ok(c, mid, "executions", c.npa, execution(), "executing")
    ok(c, mid, "administrator-notice", c.npa,
       {"reason_not_given": "administrator abroad, not identifiable"})
    ok(c, mid, "close", c.npa, {}, "closed")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.com)
    check(m["consultation"]["reference"] == "MOFA-2026-17" and
          m["administrator_notice"]["reason_not_given"], f"{c.b}: case abroad: {m}")
    # Only NPA officers act on a computer abroad on the police side; only designated ones at all.
    for token, body, words, what in (
            (c.tokyo, case(c.tokyo_id, target=abroad), ["NPA"], "police abroad, non-NPA officer"),
            (c.npa, case(c.other_id), ["not a currently designated"], "an undesignated officer"),
            (c.npa, case(c.expired_id), ["not a currently designated"], "an expired designation"),
            (c.sdf, case(c.sdf_id), ["not a currently designated police"],
             "an SDF officer filed as police"),
            (c.tokyo, case(c.npa_id), ["of your agency"], "another agency's officer")):
        before = c.store.sql("SELECT COUNT(*) FROM measures")
        st, e = c.srv.post("/api/v1/measures", token, body)
        check(st == 409 and e.get("field") == "officer" and
              all(w in e.get("message", "") for w in words), f"{c.b}: {what}: {st} {e}")
        check(c.store.sql("SELECT COUNT(*) FROM measures") == before,
              f"{c.b}: {what}: nothing stored")
    # The SDF acts abroad with its own designated officers.
    mid = file_case(c, c.sdf, case(c.sdf_id, agency="sdf", target=abroad,
                                   actions=["shut-down"]), "SDF case abroad")
    refused(c, mid, "consultation", c.npa, {"at": now(), "reference": "x"}, 404, None, [],
            "another agency records a consultation")
    refused(c, mid, "decision", c.com, {"decision": "approve"}, 409, "state",
            ["awaiting approval"], "a decision before the request")
    return mid


def other_outcomes(c):
    mid = file_case(c, c.npa, case(c.npa_id), "to be rejected")
    ok(c, mid, "approval-request", c.npa, {}, "requested")
    refused(c, mid, "decision", c.com, {"decision": "reject"}, 400, "reason", ["reason"],
            "reject without a reason")
    refused(c, mid, "decision", c.com, {"decision": "maybe"}, 400, "decision", ["one of"],
            "an unknown decision")
    refused(c, mid, "decision", c.npa, {"decision": "approve"}, 403, None, [],
            "an officer approves their own case")
    # A reason longer than the history keeps, in Japanese: cut at a character, never inside
    # one (PostgreSQL refused the cut bytes with a 503 before).
    ok(c, mid, "decision", c.com,
       {"decision": "reject", "reason": "harm not shown: " + "被害のおそれが示されていない。" * 30},
       "rejected")
    refused(c, mid, "executions", c.npa, execution(), 409, "state", ["rejected"],
            "execution after rejection")
    mid = file_case(c, c.npa, case(c.npa_id, urgency="urgent"), "to be withdrawn")
    ok(c, mid, "withdraw", c.npa, {"reason": "the C2 server went offline"}, "withdrawn")
    refused(c, mid, "executions", c.npa, execution(), 409, "state", ["withdrawn"],
            "execution after withdrawal")
    mid = file_case(c, c.npa, case(c.npa_id), "approved, not executed")
    approve(c, mid)
    refused(c, mid, "withdraw", c.npa, {"reason": "x"}, 409, "state", ["not yet decided"],
            "withdraw after approval")
    ok(c, mid, "close", c.npa, {"note": "no longer needed"}, "closed")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.npa)
    check(m["outcome"] == "closed-without-execution", f"{c.b}: unexecuted close: {m}")


def urgent_path(c):
    mid = file_case(c, c.sdf, case(c.sdf_id, agency="sdf", urgency="urgent",
                                   actions=["block-relogin", "order-administrator"]),
                    "urgent case")
    ok(c, mid, "executions", c.sdf, execution("block-relogin"), "executing")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.com)
    cn = m["commission_notice"]
    check(cn["required"] and cn["due"] and not cn["overdue"] and cn["given_at"] is None,
          f"{c.b}: urgent execution starts the notice period: {cn}")
    ok(c, mid, "administrator-notice", c.sdf, {"given_at": now()})
    refused(c, mid, "close", c.sdf, {}, 409, "commission_notice", ["commission"],
            "close before notifying the commission")
    refused(c, mid, "commission-response", c.com, {"response": "acknowledged"}, 409,
            "commission_notice", ["not notified"], "a response before the notice")
    ok(c, mid, "commission-notice", c.sdf, {"at": now(), "reference": "SDF-N-1"})
    for body, field, words, what in (
            ({"response": "maybe"}, "response", ["one of"], "an unknown response"),
            ({}, "response", [], "no response"),
            ({"response": "objection"}, "reason", ["objection"], "an objection without reason"),
            ({"response": "acknowledged", "colour": "red"}, "colour", [], "an unknown field"),
            ({"response": "objection", "reason": 5}, "reason", [], "a reason not text")):
        refused(c, mid, "commission-response", c.com, body, 400, field, words, what)
    refused(c, mid, "commission-response", c.sdf, {"response": "acknowledged"}, 403, None, [],
            "the agency answers its own notice")
    refused(c, c.lawful, "commission-response", c.com, {"response": "acknowledged"}, 409,
            "commission_notice", ["without prior approval"],
            "a response on an approved case (no notice afterwards)")
    refused(c, "M999", "commission-response", c.com, {"response": "acknowledged"}, 404, None,
            [], "a response on an unknown case")
    ok(c, mid, "commission-response", c.com, {"response": "acknowledged"})
    refused(c, mid, "commission-response", c.com, {"response": "objection", "reason": "x"}, 409,
            "commission_response", ["already", "acknowledged"], "a second response")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.sdf)
    r = m["commission_notice"]["response"]
    check(r and r["response"] == "acknowledged" and r["by"] == c.com_id and r["at"] and
          r["reason"] is None and m["state"] == "executing" and
          [h["action"] for h in m["history"]][-1] == "commission-response",
          f"{c.b}: the response is on the case and in its history: {m}")
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.com)
    check(m["commission_notice"]["given_at"] and not m["commission_notice"]["late"],
          f"{c.b}: notice in time: {m['commission_notice']}")
    ok(c, mid, "close", c.sdf, {}, "closed")
    st, lst = c.srv.get("/api/v1/measures?overdue=1", c.com)
    check(st == 200 and lst["items"] == [], f"{c.b}: nothing overdue: {lst}")


def overdue_path(c):
    mid = file_case(c, c.sdf, case(c.sdf_id, agency="sdf", urgency="urgent",
                                   actions=["shut-down"]), "urgent case, late notice")
    ok(c, mid, "executions", c.sdf, execution("shut-down"), "executing")
    time.sleep(2.5)  # the configured period is 1.8 s
    for token in (c.com, c.sdf):
        st, lst = c.srv.get("/api/v1/measures?overdue=1", token)
        check(st == 200 and [m["id"] for m in lst["items"]] == [mid] and
              lst["items"][0]["commission_notice"]["overdue"], f"{c.b}: overdue listed: {lst}")
    st, lst = c.srv.get("/api/v1/measures?overdue=1", c.npa)
    check(st == 200 and lst["items"] == [], f"{c.b}: another agency sees none: {lst}")
    refused(c, mid, "commission-response", c.com, {"response": "acknowledged"}, 409,
            "commission_notice", ["not notified"], "a response to an overdue notice not given")
    st, lst = c.srv.get("/api/v1/measures?overdue=1", c.com)
    check([m["id"] for m in lst["items"]] == [mid], f"{c.b}: still overdue: {lst}")
    ok(c, mid, "commission-notice", c.sdf, {"at": now(), "reference": "SDF-N-2"})
    # A long reason in Japanese: kept whole on the case, cut at a character in the history.
    ok(c, mid, "commission-response", c.com,
       {"response": "objection", "reason": "notified late; the period was not kept. " +
        "事後通知の期限を過ぎている。" * 40})
    st, m = c.srv.get(f"/api/v1/measures/{mid}", c.com)
    cn = m["commission_notice"]
    check(cn["late"] and not cn["overdue"] and cn["response"]["response"] == "objection" and
          "late" in cn["response"]["reason"],
          f"{c.b}: a late notice stays flagged late, with the objection: {cn}")
    check(cn["response"]["reason"].endswith("事後通知の期限を過ぎている。" * 40),
          f"{c.b}: the whole reason is kept")
    check(m["history"][-1]["action"] == "commission-response" and
          m["history"][-1]["detail"].startswith("objection: notified late"),
          f"{c.b}: objection in the history: {m['history'][-1:]}")
    st, lst = c.srv.get("/api/v1/measures?overdue=1", c.com)
    check(lst["items"] == [], f"{c.b}: no longer overdue: {lst}")


def bad_input(c):
    s = c.srv
    before = c.store.sql("SELECT COUNT(*) FROM measures")
    st, e = s.post("/api/v1/measures", c.npa, raw=b'{"agency": "police",')
    check(st == 400, f"{c.b}: malformed JSON: {st} {e}")
    st, e = s.post("/api/v1/measures", c.npa, raw=b'{}', ctype="text/plain")
    check(st == 415, f"{c.b}: wrong content type: {st} {e}")
    for field, body in (
            ("harm", case(c.npa_id, harm=5)),
            ("harm", case(c.npa_id, harm="  ")),
            ("urgency", case(c.npa_id, urgency="very")),
            ("agency", case(c.npa_id, agency="army")),
            ("officer", case(None)),
            ("target", case(c.npa_id, target={"address": "203.0.113.5", "location": "moon"})),
            ("target", case(c.npa_id, target={"address": "not-an-address",
                                              "location": "domestic"})),
            ("target", case(c.npa_id, target={"address": "203.0.113.5", "location": "abroad",
                                              "port": 22})),
            ("target", case(c.npa_id, target="203.0.113.5")),
            ("actions", case(c.npa_id, actions=[])),
            ("actions", case(c.npa_id, actions=["hack-back"])),
            ("actions", case(c.npa_id, actions="shut-down")),
            ("actions", case(c.npa_id, actions=["shut-down", "shut-down"])),
            ("colour", case(c.npa_id, colour="red"))):
        st, e = s.post("/api/v1/measures", c.npa, body)
        check(st == 400 and isinstance(e, dict) and e.get("field") == field,
              f"{c.b}: bad case ({field}): {st} {e}")
    body = case(c.npa_id)
    del body["actions"]
    st, e = s.post("/api/v1/measures", c.npa, body)
    check(st == 400 and e.get("field") == "actions", f"{c.b}: missing actions: {st} {e}")
    check(c.store.sql("SELECT COUNT(*) FROM measures") == before, f"{c.b}: bad input stores nothing")
    mid = c.lawful
    for path, body, field in (("executions", {"at": now(), "action": 3, "result": "x"}, "action"),
                              ("executions", {"at": "yesterday", "action": "shut-down",
                                              "result": "x"}, "at"),
                              ("executions", {"at": now(), "action": "shut-down"}, "result"),
                              ("administrator-notice", {"given_at": now(), "who": "x"}, "who"),
                              ("close", {"note": 7}, "note")):
        st, e = s.post(f"/api/v1/measures/{mid}/{path}", c.npa, body)
        check(st == 400 and e.get("field") == field, f"{c.b}: bad {path} ({field}): {st} {e}")
    st, e = s.get("/api/v1/measures?overdue=yes", c.com)
    check(st == 400 and e.get("field") == "overdue", f"{c.b}: bad overdue filter: {st} {e}")


def visibility(c):
    s, mid = c.srv, c.lawful
    for token, what in ((c.analyst, "analyst"), (c.op, "operator"), (c.store.admin, "admin")):
        st, _ = s.get("/api/v1/measures", token)
        check(st == 403, f"{c.b}: {what} lists measures: {st}")
        st, _ = s.get(f"/api/v1/measures/{mid}", token)
        check(st == 403, f"{c.b}: {what} reads a measure: {st}")
        st, _ = s.post("/api/v1/measures", token, case(c.npa_id))
        check(st == 403, f"{c.b}: {what} files a measure: {st}")
    refused(c, mid, "decision", c.analyst, {"decision": "approve"}, 403, None, [],
            "an analyst decides")
    for token, what in ((c.tokyo, "another police org"), (c.sdf, "the SDF")):
        st, e = s.get(f"/api/v1/measures/{mid}", token)
        check(st == 404, f"{c.b}: {what} reads another agency's case: {st} {e}")
        refused(c, mid, "executions", token, execution(), 404, None, [],
                f"{what} logs on another agency's case")
    st, e = s.get("/api/v1/measures/M999", c.com)
    check(st == 404, f"{c.b}: unknown case: {st}")
    st, lst = s.get("/api/v1/measures", c.sdf)
    check(st == 200 and all(m["agency"] == "sdf" for m in lst["items"]) and lst["items"],
          f"{c.b}: the SDF lists its own: {lst}")
    st, lst = s.get("/api/v1/measures", c.com)
    check(st == 200 and len(lst["items"]) == int(c.store.sql("SELECT COUNT(*) FROM measures")),
          f"{c.b}: the commission lists all")


def outcomes(c):
    st, o = c.srv.get(acdserver.query("/api/v1/measures/outcomes",
                                      **{"from": now(-3600), "until": now(3600)}), c.analyst)
    # executed: lawful, abroad, urgent, overdue; rejected 1; withdrawn 1; closed unexecuted 1;
    # open: the SDF case abroad.
    check(st == 200 and (o["executed"], o["rejected"], o["withdrawn"],
                         o["closed-without-execution"], o["open"]) == (4, 1, 1, 1, 1),
          f"{c.b}: outcomes: {st} {o}")
    st, o = c.srv.get(acdserver.query("/api/v1/measures/outcomes", agency="sdf",
                                      **{"from": now(-3600), "until": now(3600)}), c.com)
    check(st == 200 and (o["executed"], o["open"]) == (2, 1), f"{c.b}: sdf outcomes: {o}")
    st, o = c.srv.get(acdserver.query("/api/v1/measures/outcomes",
                                      **{"from": now(3600), "until": now(7200)}), c.com)
    check(st == 200 and o["executed"] == 0 and o["open"] == 0, f"{c.b}: empty period: {o}")
    st, e = c.srv.get("/api/v1/measures/outcomes?from=x&until=y", c.com)
    check(st == 400 and e["field"] == "from", f"{c.b}: bad period: {st} {e}")
    st, _ = c.srv.get("/api/v1/measures/outcomes?from=x&until=y", c.npa)
    check(st == 403, f"{c.b}: outcomes are for the commission and the office")


def revocation(c):
    """Ending a designation early: by whoever may designate, with a reason, audited; then the
    officer is named on no new case and logs no execution on an existing one."""
    s = c.srv
    st, r = s.post("/api/v1/measures/officers", c.npa,
                   {"user": c.revokee_id, "agency": "police", "designated_by": "NPA Commissioner",
                    "npa": True, "valid_from": now(-3600), "valid_until": now(86400)})
    check(st == 201, f"{c.b}: the agency designates its officer: {st} {r}")
    did = r.get("id")
    mid = file_case(c, c.npa, case(c.revokee_id), "case of the officer to be revoked")
    approve(c, mid)

    def row():
        return c.store.sql(f"SELECT * FROM measure_officers WHERE id = '{did}'")
    for token, path, body, status, field, what in (
            (c.com, did, {"reason": "x"}, 403, None, "the commission revokes"),
            (c.analyst, did, {"reason": "x"}, 403, None, "an analyst revokes"),
            (c.sdf, did, {"reason": "x"}, 404, None, "another agency revokes"),
            (c.tokyo, did, {"reason": "x"}, 404, None, "another police org revokes"),
            (c.npa, "D999", {"reason": "x"}, 404, None, "an unknown designation"),
            (c.npa, did, {}, 400, "reason", "no reason"),
            (c.npa, did, {"reason": "  "}, 400, "reason", "a blank reason"),
            (c.npa, did, {"reason": "x", "until": now()}, 400, "until", "an unknown field")):
        before = row()
        st, e = s.post(f"/api/v1/measures/officers/{path}/revoke", token, body)
        check(st == status and (status == 403 or e.get("field") == field),
              f"{c.b}: revocation refused ({what}): {st} {e}")
        check(row() == before, f"{c.b}: revocation refused ({what}): nothing changed")
    st, r = s.post(f"/api/v1/measures/officers/{did}/revoke", c.npa,
                   {"reason": "transferred out of the cyber unit"})
    check(st == 200 and r == {"id": did, "revoked": True}, f"{c.b}: revoked: {st} {r}")
    st, e = s.post(f"/api/v1/measures/officers/{did}/revoke", c.store.admin, {"reason": "again"})
    check(st == 409 and e.get("field") == "revoked", f"{c.b}: a second revocation: {st} {e}")
    st, lst = s.get("/api/v1/measures/officers", c.com)
    d = [x for x in lst["items"] if x["id"] == did]
    check(d and d[0]["revoked"] and d[0]["revoked"]["by"] == c.npa_id and
          d[0]["revoked"]["reason"] == "transferred out of the cyber unit" and
          d[0]["revoked"]["at"] and d[0]["valid_until"],
          f"{c.b}: the designation shows its revocation: {d}")
    check(all(x["revoked"] is None for x in lst["items"] if x["id"] != did),
          f"{c.b}: other designations are not revoked")
    before = c.store.sql("SELECT COUNT(*) FROM measures")
    st, e = s.post("/api/v1/measures", c.npa, case(c.revokee_id))
    check(st == 409 and e.get("field") == "officer" and
          "not a currently designated" in e.get("message", ""),
          f"{c.b}: a revoked officer is named on no new case: {st} {e}")
    check(c.store.sql("SELECT COUNT(*) FROM measures") == before,
          f"{c.b}: the refused case is not stored")
    refused(c, mid, "executions", c.revokee, execution(), 409, "officer",
            ["designation does not cover"], "an execution after the revocation")
    audit = c.store.sql(f"SELECT actor, action, detail FROM audit_log WHERE object = '{did}'")
    check("measure.revoke" in audit and "transferred" in audit,
          f"{c.b}: the revocation is audited: {audit}")
    # An admin revokes too (the designation of another agency's officer included).
    st, lst = s.get("/api/v1/measures/officers", c.sdf)
    sdf_d = lst["items"][0]["id"]
    st, r = s.post(f"/api/v1/measures/officers/{sdf_d}/revoke", c.store.admin,
                   {"reason": "designation withdrawn by the Minister"})
    check(st == 200, f"{c.b}: an admin revokes: {st} {r}")


def user_id(srv, token):
    st, me = srv.get("/api/v1/me", token)
    assert st == 200, me
    return me["user"]


def main():
    with acdtest.Workdir("api-measures") as wd:
        tiny = wd.p("tiny.json")
        with open(tiny, "w") as f:
            json.dump({"measures": {"commission_notice_hours": 0.0005}}, f)
        for backend in acdserver.BACKENDS:
            c = Ctx()
            c.b = backend
            c.store = store = acdserver.Store(wd, backend, "measures")
            c.srv = acdserver.Server(store)
            try:
                c.npa = store.user("measures-officer", "npa", name="NPA officer")
                c.other = store.user("measures-officer", "npa", name="NPA, not designated")
                c.expired = store.user("measures-officer", "npa", name="NPA, expired")
                c.tokyo = store.user("measures-officer", "police-tokyo", name="Tokyo officer")
                c.sdf = store.user("measures-officer", "mod-sdf", name="SDF officer")
                c.com = store.user("commission", "commission")
                c.analyst = store.user("analyst", "nco")
                c.op = store.user("operator", "op-a", sector="medical")
                c.revokee = store.user("measures-officer", "npa", name="NPA, to be revoked")
                for k in ("npa", "other", "expired", "tokyo", "sdf", "com", "revokee"):
                    setattr(c, k + "_id", user_id(c.srv, getattr(c, k)))
                designations(c)
                c.lawful = lawful_path(c)
                foreign_path(c)
                other_outcomes(c)
                urgent_path(c)
                bad_input(c)
                visibility(c)
                st, doc = c.srv.get("/api/v1/openapi.json")
                check(st == 200 and "/api/v1/measures/{id}/executions" in doc["paths"] and
                      "MeasureExecution" in doc["components"]["schemas"],
                      f"{backend}: OpenAPI lists the measures routes and their bodies")
            finally:
                check(c.srv.stop() == 0, f"{backend}: clean stop")
            c.srv = acdserver.Server(store, config=tiny)
            try:
                overdue_path(c)
                outcomes(c)
                revocation(c)
            finally:
                check(c.srv.stop() == 0, f"{backend}: clean stop (tiny deadline)")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit intact: {verdict} {err}")
            actions = store.sql("SELECT action FROM audit_log")
            for a in ("measure.designate", "measure.file", "measure.approval-request",
                      "measure.decision", "measure.consultation", "measure.execution",
                      "measure.commission-notice", "measure.administrator-notice",
                      "measure.withdraw", "measure.close", "measure.read", "measure.revoke",
                      "measure.commission-response"):
                check(a in actions, f"{backend}: audit records {a}")
    acdtest.finish("test_api_measures", "designation, lawful, urgent and foreign paths, "
                   "refusals that change nothing, bad input, visibility, history, audit and "
                   "outcomes on both stores")


if __name__ == "__main__":
    main()
