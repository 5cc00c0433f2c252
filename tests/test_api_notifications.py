#!/usr/bin/env python3
"""test_api_notifications — notifications of specific critical computers (特定重要電子計算機の届出)
through a real acdd over HTTP, on SQLite and on PostgreSQL (the CTest fixture's cluster named
by ACD_TEST_PG_URL_FILE, or a private one): filing by the operator and by its ministry,
visibility (others get 404, roles that never see notifications 403), every kind of bad input
refused with the field named and nothing stored, changes with their history, retirement,
the transitional deadline after enforcement and the due date on introduction, custom-designed
products recorded as exempt, and the audit log (entries present, `acd audit verify` intact)."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402
from acdserver_scoped import Server, backends, expect_error  # noqa: E402

NOTIF = "/api/v1/notifications"
# Enforcement in the past, so the transitional deadline (6 months on) has passed and late
# filings show; due 30 days after introduction for later computers.
CONFIG = {"notification_transition": {"enforced_at": "2025-01-01T00:00:00+09:00", "months": 6,
                                      "due_days": 30}}
DEADLINE = "2025-06-30T15:00:00.000000Z"  # 2025-07-01T00:00:00+09:00


def ago(days):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def form(op, **kw):
    doc = {"operator": op, "category": "vpn", "vendor": "Fortinet", "product": "FortiGate 100F",
           "version": "7.2.4", "cpe": "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
           "system": "remote access for the control centre", "custom_design": False,
           "introduced_at": "2024-04-01T09:00:00+09:00"}
    doc.update(kw)
    return {k: v for k, v in doc.items() if v is not ...}


def ids(resp):
    status, body = resp
    check(status == 200, f"list: status {status} ({body})")
    return [n["id"] for n in body["items"]] if status == 200 else []


def run(backend):
    with Server(backend, "notif", CONFIG) as s:
        op1, op1_user = s.user("operator", "op-elec-1", sector="electricity")
        op2, _ = s.user("operator", "op-elec-2", sector="electricity")
        op3, _ = s.user("operator", "op-fin-1", sector="finance")
        meti, _ = s.user("ministry", "meti")
        fsa, _ = s.user("ministry", "fsa")
        analyst, _ = s.user("analyst", "nco")
        commission, _ = s.user("commission", "commission")
        vendor, _ = s.user("vendor", "vendor-1")
        tag = f"[{backend}]"

        # Filing: the operator for itself, the ministry for an operator of its sectors.
        st, n1 = s.post(NOTIF, form("op-elec-1"), op1)
        check(st == 201 and n1.get("id") == "N1", f"{tag} operator files: {st} {n1}")
        check(n1.get("delivered_to") == ["meti", "nco"], f"{tag} delivered to ministry and NCO: {n1}")
        st, n2 = s.post(NOTIF, form("op-elec-1", category="firewall", cpe=..., version=None),
                        meti)
        check(st == 201 and n2.get("id") == "N2", f"{tag} ministry files for its operator: {st} {n2}")
        expect_error(s.post(NOTIF, form("op-fin-1"), meti), 400, "operator",
                     f"{tag} ministry files outside its sectors")
        expect_error(s.post(NOTIF, form("op-elec-2"), op1), 400, "operator",
                     f"{tag} operator files for another org")
        expect_error(s.post(NOTIF, form("nobody"), op1), 400, "operator", f"{tag} unknown operator")
        expect_error(s.post(NOTIF, form("op-elec-1"), analyst), 403, None, f"{tag} analyst files")

        # Visible at once to the operator, its ministry and the NCO; to nobody else.
        for who, tok in (("operator", op1), ("ministry", meti), ("analyst", analyst)):
            st, body = s.get(f"{NOTIF}/N1", tok)
            check(st == 200 and body.get("vendor") == "Fortinet", f"{tag} {who} reads N1: {st}")
        _, missing = s.get(f"{NOTIF}/N999", analyst)
        for who, tok in (("other operator, same sector", op2), ("operator, other sector", op3),
                         ("other ministry", fsa)):
            body = expect_error(s.get(f"{NOTIF}/N1", tok), 404, None, f"{tag} {who} reads N1")
            check(body == missing, f"{tag} {who}: the 404 equals a missing one's: {body} {missing}")
        for who, tok in (("commission", commission), ("vendor", vendor)):
            expect_error(s.get(f"{NOTIF}/N1", tok), 403, None, f"{tag} {who} reads N1")
            expect_error(s.get(NOTIF, tok), 403, None, f"{tag} {who} lists")
        check(ids(s.get(NOTIF, op1)) == ["N1", "N2"], f"{tag} operator lists its own")
        check(ids(s.get(NOTIF, op2)) == [], f"{tag} other operator lists nothing")
        check(ids(s.get(NOTIF, meti)) == ["N1", "N2"], f"{tag} ministry lists its sector's")
        check(ids(s.get(NOTIF, fsa)) == [], f"{tag} other ministry lists nothing")
        check(ids(s.get(NOTIF + "?category=firewall", analyst)) == ["N2"], f"{tag} category filter")
        check(ids(s.get(NOTIF + "?sector=finance", analyst)) == [], f"{tag} sector filter")
        check(ids(s.get(NOTIF + "?operator=op-elec-1&limit=1", analyst)) == ["N1"], f"{tag} limit")
        expect_error(s.get(NOTIF + "?category=toaster", analyst), 400, "category",
                     f"{tag} unknown category filter")
        expect_error(s.get(NOTIF + "?active=maybe", analyst), 400, "active", f"{tag} active filter")
        expect_error(s.get(NOTIF + "?limit=0", analyst), 400, "limit", f"{tag} limit filter")

        # Bad input: the field named, the right status, nothing stored.
        before = s.sql("SELECT COUNT(*) FROM notifications")[0][0]
        bad = [
            ({"raw": b'{"operator": "op-elec-1",'}, 400, None, "malformed JSON"),
            ({"raw": b'["not", "an", "object"]'}, 400, None, "array body"),
            ({"body": form("op-elec-1", vendor=5)}, 400, "vendor", "vendor a number"),
            ({"body": form("op-elec-1", vendor="  ")}, 400, "vendor", "vendor blank"),
            ({"body": form("op-elec-1", vendor="x" * 201)}, 400, "vendor", "vendor too long"),
            ({"body": form("op-elec-1", category="toaster")}, 400, "category", "unknown category"),
            ({"body": form("op-elec-1", colour="red")}, 400, "colour", "unknown field"),
            ({"body": form("op-elec-1", cpe="cpe:2.3:a:fortinet")}, 400, "cpe", "short CPE"),
            ({"body": form("op-elec-1", cpe="cpe:/o:fortinet:fortios:7.2")}, 400, "cpe", "CPE 2.2"),
            ({"body": form("op-elec-1", cpe="cpe:2.3:q:v:p:*:*:*:*:*:*:*:*")}, 400, "cpe", "CPE part"),
            ({"body": form("op-elec-1", cpe="cpe:2.3:a:v:my product:*:*:*:*:*:*:*:*")}, 400, "cpe",
             "CPE unquoted space"),
            ({"body": form("op-elec-1", introduced_at="yesterday")}, 400, "introduced_at", "bad time"),
            ({"body": form("op-elec-1", introduced_at="2026-02-30T00:00:00Z")}, 400, "introduced_at",
             "impossible date"),
            ({"body": form("op-elec-1", custom_design="yes")}, 400, "custom_design", "bool as text"),
            ({"body": form("op-elec-1", system=...)}, 400, "system", "missing system"),
            ({"body": form("op-elec-1", operator=None)}, 400, "operator", "null operator"),
            ({"body": form("op-elec-1", reason="why")}, 400, "reason", "reason on a filing"),
            ({"body": form("op-elec-1"), "content_type": "text/plain"}, 415, None, "content type"),
            ({"body": form("op-elec-1"), "token": None}, 401, None, "no token"),
            ({"body": form("op-elec-1"), "token": "acd_forged0000000000000000000000000000000000"},
             401, None, "forged token"),
        ]
        for req, status, field, what in bad:
            tok = req.get("token", op1)
            kw = {k: req[k] for k in ("raw", "content_type") if k in req}
            expect_error(s.post(NOTIF, req.get("body"), tok, **kw), status, field, f"{tag} {what}")
        check(s.sql("SELECT COUNT(*) FROM notifications")[0][0] == before,
              f"{tag} refused filings stored nothing")
        check(ids(s.get(NOTIF, analyst)) == ["N1", "N2"], f"{tag} the list shows only N1, N2")

        # A change adds a revision and keeps the history.
        st, body = s.post(f"{NOTIF}/N1/changes", {"version": "7.4.1", "reason": "patched",
                          "cpe": "cpe:2.3:o:fortinet:fortios:7.4.1:*:*:*:*:*:*:*"}, op1)
        check(st == 201 and body.get("revision") == 2, f"{tag} change: {st} {body}")
        st, body = s.post(f"{NOTIF}/N1/changes", {"system": "remote access, both centres"}, meti)
        check(st == 201 and body.get("revision") == 3, f"{tag} ministry changes: {st} {body}")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"operator": "op-elec-2"}, op1), 400, "operator",
                     f"{tag} change moves operator")
        expect_error(s.post(f"{NOTIF}/N1/changes", {}, op1), 400, None, f"{tag} empty change")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"cpe": "cpe:2.3:"}, op1), 400, "cpe",
                     f"{tag} change with bad CPE")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"vendor": None}, op1), 400, "vendor",
                     f"{tag} change clears a required field")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"version": "8"}, op2), 404, None,
                     f"{tag} other operator changes")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"version": "8"}, fsa), 404, None,
                     f"{tag} other ministry changes")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"version": "8"}, analyst), 403, None,
                     f"{tag} analyst changes")
        st, n = s.get(f"{NOTIF}/N1", op1)
        hist = n.get("history", [])
        check(n.get("revision") == 3 and n.get("version") == "7.4.1" and len(hist) == 3,
              f"{tag} current state after changes: {n}")
        check([h["kind"] for h in hist] == ["filed", "changed", "changed"], f"{tag} history kinds")
        check(hist and hist[0]["state"]["version"] == "7.2.4" and hist[1]["reason"] == "patched"
              and hist[1]["by"] == op1_user, f"{tag} history keeps the old version: {hist}")

        # Retirement: closed, still readable, no more changes.
        expect_error(s.post(f"{NOTIF}/N1/retire", {}, op1), 400, "reason", f"{tag} retire w/o reason")
        expect_error(s.post(f"{NOTIF}/N1/retire", {"reason": "x", "retired_at": "2099-01-01T00:00:00Z"},
                            op1), 400, "retired_at", f"{tag} retire in the future")
        expect_error(s.post(f"{NOTIF}/N1/retire", {"reason": "x", "retired_at": "2020-01-01T00:00:00Z"},
                            op1), 400, "retired_at", f"{tag} retire before introduction")
        st, body = s.post(f"{NOTIF}/N1/retire", {"reason": "replaced by N3"}, op1)
        check(st == 201 and body.get("active") is False, f"{tag} retire: {st} {body}")
        expect_error(s.post(f"{NOTIF}/N1/retire", {"reason": "again"}, op1), 409, None,
                     f"{tag} retire twice")
        expect_error(s.post(f"{NOTIF}/N1/changes", {"version": "9"}, op1), 409, None,
                     f"{tag} change a retired one")
        st, n = s.get(f"{NOTIF}/N1", meti)
        check(st == 200 and n["active"] is False and n["retired_at"] and
              n["retire_reason"] == "replaced by N3" and n["history"][-1]["kind"] == "retired" and
              n["revision"] == 4, f"{tag} retired N1 stays readable with its history: {n}")
        check(ids(s.get(NOTIF + "?active=true", analyst)) == ["N2"], f"{tag} active filter")
        check(ids(s.get(NOTIF + "?active=false", analyst)) == ["N1"], f"{tag} retired filter")

        # The duty: transitional (introduced before enforcement), on introduction, exempt.
        _, n3 = s.post(NOTIF, form("op-elec-1", introduced_at=ago(10)), op1)
        _, n4 = s.post(NOTIF, form("op-elec-1", introduced_at=ago(60)), op1)
        _, n5 = s.post(NOTIF, form("op-elec-1", custom_design=True, category="control-system"), op1)
        _, n6 = s.post(NOTIF, form("op-elec-2", introduced_at=ago(5), category="os"), op2)
        duty = {i: s.get(f"{NOTIF}/{i}", analyst)[1]["duty"] for i in ("N1", "N3", "N4", "N5", "N6")}
        check(duty["N1"] == {"kind": "transitional", "due_at": DEADLINE, "late": True},
              f"{tag} pre-enforcement computer filed after the deadline: {duty['N1']}")
        check(duty["N3"]["kind"] == "on-introduction" and duty["N3"]["late"] is False,
              f"{tag} filed 10 days after introduction: {duty['N3']}")
        check(duty["N4"]["kind"] == "on-introduction" and duty["N4"]["late"] is True,
              f"{tag} filed 60 days after introduction: {duty['N4']}")
        check(duty["N5"] == {"kind": "exempt", "due_at": None, "late": False},
              f"{tag} custom design is exempt: {duty['N5']}")
        st, tr = s.get(f"{NOTIF}/transition", meti)
        check(st == 200 and tr.get("deadline") == DEADLINE and tr.get("transition_months") == 6
              and tr.get("due_days_after_introduction") == 30, f"{tag} transition header: {tr}")
        rows = {i["operator"]: i for i in tr.get("items", [])}
        check(sorted(rows) == ["op-elec-1", "op-elec-2"], f"{tag} METI sees its operators: {sorted(rows)}")
        r1 = rows.get("op-elec-1", {})
        check(r1.get("status") == "late" and r1.get("filed") == 5 and r1.get("exempt") == 1 and
              r1.get("transitional") == 2 and r1.get("on_introduction") == 2 and
              r1.get("active") == 4 and sorted(x["id"] for x in r1.get("late", [])) == ["N1", "N2", "N4"],
              f"{tag} op-elec-1 standing: {r1}")
        check(rows.get("op-elec-2", {}).get("status") == "in-time", f"{tag} op-elec-2: {rows.get('op-elec-2')}")
        st, tr = s.get(f"{NOTIF}/transition", fsa)
        check(st == 200 and [(i["operator"], i["status"], i["filed"]) for i in tr["items"]] ==
              [("op-fin-1", "none-filed", 0)], f"{tag} FSA sees its operator that filed nothing: {tr}")
        st, tr = s.get(f"{NOTIF}/transition", analyst)
        check(st == 200 and len(tr["items"]) == 3, f"{tag} the NCO sees every operator")
        expect_error(s.get(f"{NOTIF}/transition", op1), 403, None, f"{tag} operator asks transition")
        expect_error(s.get(f"{NOTIF}/transition", commission), 403, None, f"{tag} commission asks")

        # A retirement dated in the past keeps that date.
        when = ago(2)
        st, body = s.post(f"{NOTIF}/N5/retire", {"reason": "decommissioned", "retired_at": when}, op1)
        st, n = s.get(f"{NOTIF}/N5", op1)
        check(st == 200 and n["retired_at"] == when.replace("Z", ".000000Z"),
              f"{tag} retired_at as given: {n.get('retired_at')} {when}")

        # The OpenAPI document describes the new endpoints.
        st, doc = s.get("/api/v1/openapi.json")
        for path in (NOTIF, NOTIF + "/{id}", NOTIF + "/{id}/changes", NOTIF + "/{id}/retire",
                     NOTIF + "/transition"):
            check(st == 200 and path in doc["paths"], f"{tag} openapi has {path}")

        # Audit: every write and every read of the notifications, the chain intact.
        actions = s.audit_actions()
        for entry in (("notification.create", "N1", op1_user), ("notification.change", "N1", op1_user),
                      ("notification.retire", "N1", op1_user), ("notification.read", "N1", op1_user),
                      ("notification.list", "", op1_user)):
            check(entry in actions, f"{tag} audit has {entry}")
        for action in ("notification.transition",):
            check(any(a[0] == action for a in actions), f"{tag} audit has {action}")
        creates = [a for a in actions if a[0] == "notification.create"]
        check(len(creates) == 6, f"{tag} one create entry per stored notification: {len(creates)}")
        code, out = s.audit_verify()
        check(code == 0, f"{tag} acd audit verify: {code} {out}")


def main():
    for backend in backends():
        run(backend)
    acdtest.finish("test_api_notifications",
                   "filing, visibility, bad input, history, retirement, transition, audit on "
                   + " and ".join(backends()))


if __name__ == "__main__":
    main()
