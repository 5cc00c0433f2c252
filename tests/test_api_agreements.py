#!/usr/bin/env python3
"""test_api_agreements — agreements with operators (当事者協定) and the party's consents to
other-purpose use (他目的利用) through a real acdd over HTTP, on SQLite and on PostgreSQL (the
CTest fixture's cluster named by ACD_TEST_PG_URL_FILE, or a private one): the NCO records an
agreement over the operator's prefixes; the party, analysts and the commission read it and
nobody else (404, or 403 for roles that never do); bad input (CIDRs, times, types, unknown
fields, tokens, content type) is refused with the field named and nothing stored; consents
must be specific and are never for criminal investigation; withdrawal of either keeps them
readable; a non-signing operator is treated like any other; every write and read is audited
and `acd audit verify` finds the chain intact."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402
from acdserver_scoped import Server, backends, expect_error  # noqa: E402

AG = "/api/v1/agreements"


def at(days):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def agreement(op, **kw):
    doc = {"operator": op, "prefixes": ["133.5.0.0/16", "2001:DB8:1::/48"],
           "valid_from": at(-1), "valid_until": at(365), "signed_by": "山田太郎 (CISO)"}
    doc.update(kw)
    return {k: v for k, v in doc.items() if v is not ...}


def consent(**kw):
    doc = {"purpose": "vulnerability notification to suppliers of the affected products",
           "scope": "addresses and ports of C2 servers seen towards the party's prefixes",
           "recipient": "JPCERT/CC", "valid_until": at(180)}
    doc.update(kw)
    return {k: v for k, v in doc.items() if v is not ...}


def items(resp, key="id"):
    status, body = resp
    check(status == 200, f"list: status {status} ({body})")
    return [x[key] for x in body["items"]] if status == 200 else []


def run(backend):
    with Server(backend, "agree") as s:
        op1, op1_user = s.user("operator", "op-elec-1", sector="electricity")
        op2, op2_user = s.user("operator", "op-elec-2", sector="electricity")
        nosign, _ = s.user("operator", "op-gas-1", sector="gas")
        analyst, an_user = s.user("analyst", "nco")
        commission, _ = s.user("commission", "commission")
        meti, _ = s.user("ministry", "meti")
        vendor, _ = s.user("vendor", "vendor-1")
        tag = f"[{backend}]"

        # The NCO records the agreement; nobody else does.
        st, ag1 = s.post(AG, agreement("op-elec-1"), analyst)
        check(st == 201 and ag1.get("id") == "AG1" and ag1.get("status") == "active",
              f"{tag} analyst records AG1: {st} {ag1}")
        for who, tok in (("operator", op1), ("ministry", meti), ("commission", commission)):
            expect_error(s.post(AG, agreement("op-elec-1"), tok), 403, None, f"{tag} {who} records")
        st, ag2 = s.post(AG, agreement("op-elec-2", prefixes=["198.51.100.0/24"],
                                       valid_from=at(-10), signed_by=...), analyst)
        check(st == 201 and ag2.get("id") == "AG2", f"{tag} AG2: {st} {ag2}")
        st, ag3 = s.post(AG, agreement("op-elec-1", prefixes=["203.0.113.0/24"],
                                       valid_from=at(30), valid_until=at(60)), analyst)
        check(st == 201 and ag3.get("status") == "pending", f"{tag} AG3 starts later: {ag3}")

        # Bad input: field named, nothing stored.
        counts = lambda: (s.sql("SELECT COUNT(*) FROM agreements")[0][0],  # noqa: E731
                          s.sql("SELECT COUNT(*) FROM agreement_prefixes")[0][0])
        before = counts()
        bad = [
            ({"raw": b'{"operator": "op-elec-1", "prefixes": ['}, 400, None, "malformed JSON"),
            ({"body": agreement("op-elec-1", prefixes=["133.5.0.0/33"])}, 400, "prefixes", "length 33"),
            ({"body": agreement("op-elec-1", prefixes=["133.5.0.1/16"])}, 400, "prefixes", "host bits"),
            ({"body": agreement("op-elec-1", prefixes=["2001:db8::g/32"])}, 400, "prefixes", "bad v6"),
            ({"body": agreement("op-elec-1", prefixes=["example.jp"])}, 400, "prefixes", "a name"),
            ({"body": agreement("op-elec-1", prefixes=[])}, 400, "prefixes", "no prefixes"),
            ({"body": agreement("op-elec-1", prefixes="133.5.0.0/16")}, 400, "prefixes", "not a list"),
            ({"body": agreement("op-elec-1", prefixes=[133])}, 400, "prefixes", "a number"),
            ({"body": agreement("op-elec-1", prefixes=["10.0.0.0/8", "10.0.0.0/8"])}, 400,
             "prefixes", "a prefix twice"),
            ({"body": agreement("op-elec-1", prefixes=["10.0.0.0/8", "10.0.0.0/08"])}, 400,
             "prefixes", "a prefix twice, spelt apart"),
            ({"body": agreement("op-elec-1", valid_from=at(10), valid_until=at(5))}, 400,
             "valid_until", "ends before it starts"),
            ({"body": agreement("op-elec-1", valid_from=at(-10), valid_until=at(-5))}, 400,
             "valid_until", "already over"),
            ({"body": agreement("op-elec-1", valid_from="2026-13-01T00:00:00Z")}, 400,
             "valid_from", "month 13"),
            ({"body": agreement("op-elec-1", valid_until=12345)}, 400, "valid_until", "number time"),
            ({"body": agreement("op-elec-1", valid_from=...)}, 400, "valid_from", "no valid_from"),
            ({"body": agreement("op-elec-1", colour="blue")}, 400, "colour", "unknown field"),
            ({"body": agreement("meti")}, 400, "operator", "a ministry as party"),
            ({"body": agreement("nobody")}, 400, "operator", "unknown operator"),
            ({"body": agreement("op-elec-1", operator=7)}, 400, "operator", "operator a number"),
            ({"body": agreement("op-elec-1"), "content_type": "application/x-www-form-urlencoded"},
             415, None, "form content type"),
            ({"body": agreement("op-elec-1"), "token": None}, 401, None, "no token"),
            ({"body": agreement("op-elec-1"), "token": "acd_" + "A" * 43}, 401, None, "forged token"),
        ]
        for req, status, field, what in bad:
            kw = {k: req[k] for k in ("raw", "content_type") if k in req}
            expect_error(s.post(AG, req.get("body"), req.get("token", analyst), **kw), status, field,
                         f"{tag} {what}")
        check(counts() == before, f"{tag} refused agreements stored nothing: {counts()} {before}")

        # Who reads: the party, analysts, the commission.
        st, a = s.get(f"{AG}/AG1", op1)
        check(st == 200 and a["prefixes"] == ["133.5.0.0/16", "2001:db8:1::/48"] and
              a["signed_by"] == "山田太郎 (CISO)" and a["filed_by"] == an_user and
              a["status"] == "active" and a["withdrawn_at"] is None,
              f"{tag} party reads AG1 (prefixes canonical): {a}")
        for who, tok in (("analyst", analyst), ("commission", commission)):
            check(s.get(f"{AG}/AG1", tok)[0] == 200, f"{tag} {who} reads AG1")
        _, missing = s.get(f"{AG}/AG99", analyst)
        body = expect_error(s.get(f"{AG}/AG1", op2), 404, None, f"{tag} other operator reads AG1")
        check(body == missing, f"{tag} no existence leak: {body} {missing}")
        expect_error(s.get(f"{AG}/AG1", nosign), 404, None, f"{tag} non-party reads AG1")
        for who, tok in (("ministry", meti), ("vendor", vendor)):
            expect_error(s.get(f"{AG}/AG1", tok), 403, None, f"{tag} {who} reads AG1")
            expect_error(s.get(AG, tok), 403, None, f"{tag} {who} lists")
        check(items(s.get(AG, op1)) == ["AG1", "AG3"], f"{tag} party lists its own")
        check(items(s.get(AG, op2)) == ["AG2"], f"{tag} op2 lists its own")
        check(items(s.get(AG, nosign)) == [], f"{tag} a non-signing operator lists nothing, 200")
        check(items(s.get(AG, commission)) == ["AG1", "AG2", "AG3"], f"{tag} commission lists all")
        check(items(s.get(AG + "?status=pending", analyst)) == ["AG3"], f"{tag} status filter")
        check(items(s.get(AG + "?operator=op-elec-2", analyst)) == ["AG2"], f"{tag} operator filter")
        expect_error(s.get(AG + "?status=sleeping", analyst), 400, "status", f"{tag} bad status filter")

        # Consents: the party's alone, specific, never for criminal investigation.
        C = f"{AG}/AG1/consents"
        st, c1 = s.post(C, consent(), op1)
        check(st == 201 and c1.get("id") == "C1" and c1.get("agreement") == "AG1",
              f"{tag} party consents: {st} {c1}")
        expect_error(s.post(C, consent(), analyst), 403, None, f"{tag} analyst consents")
        expect_error(s.post(C, consent(), commission), 403, None, f"{tag} commission consents")
        expect_error(s.post(C, consent(), op2), 404, None, f"{tag} non-party consents")
        before = s.sql("SELECT COUNT(*) FROM agreement_consents")[0][0]
        bad = [
            (consent(purpose="criminal-investigation"), "purpose", "criminal investigation"),
            (consent(purpose="support a Criminal Investigation by the police"), "purpose", "phrased"),
            (consent(purpose="犯罪捜査への協力"), "purpose", "in Japanese"),
            (consent(purpose="evidence for prosecution"), "purpose", "prosecution"),
            (consent(scope="all records, for law enforcement use"), "scope", "scope says it"),
            (consent(purpose=""), "purpose", "empty purpose"),
            (consent(scope="   "), "scope", "blank scope"),
            (consent(recipient=...), "recipient", "no recipient"),
            (consent(recipient=["a", "b"]), "recipient", "recipient a list"),
            (consent(valid_until=at(-1)), "valid_until", "already over"),
            (consent(valid_until=at(400)), "valid_until", "outlives the agreement"),
            (consent(valid_until="soon"), "valid_until", "not a time"),
            (consent(extra=True), "extra", "unknown field"),
        ]
        for body, field, what in bad:
            expect_error(s.post(C, body, op1), 400, field, f"{tag} consent: {what}")
        expect_error(s.post(C, consent(), op1, content_type="text/plain"), 415, None,
                     f"{tag} consent content type")
        check(s.sql("SELECT COUNT(*) FROM agreement_consents")[0][0] == before,
              f"{tag} refused consents stored nothing")
        st, c2 = s.post(C, consent(purpose="anti-discrimination of benign scanners in the "
                                   "analysis", recipient="NISC"), op1)
        check(st == 201 and c2.get("id") == "C2", f"{tag} 'discrimination' is not 'crime': {st} {c2}")
        for who, tok in (("party", op1), ("analyst", analyst), ("commission", commission)):
            check(items(s.get(C, tok)) == ["C1", "C2"], f"{tag} {who} lists the consents")
        expect_error(s.get(C, op2), 404, None, f"{tag} non-party lists the consents")
        expect_error(s.get(C, meti), 403, None, f"{tag} ministry lists the consents")

        # Withdrawal of a consent: the party's (or an analyst's); readable afterwards.
        expect_error(s.post(f"{C}/C1/withdraw", {}, op2), 404, None, f"{tag} non-party withdraws C1")
        expect_error(s.post(f"{C}/C1/withdraw", {}, commission), 403, None, f"{tag} commission withdraws")
        expect_error(s.post(f"{C}/C99/withdraw", {}, op1), 404, None, f"{tag} no such consent")
        expect_error(s.post(f"{AG}/AG2/consents/C1/withdraw", {}, op2), 404, None,
                     f"{tag} C1 under another agreement")
        expect_error(s.post(f"{C}/C1/withdraw", {"reason": 5}, op1), 400, "reason",
                     f"{tag} reason a number")
        st, body = s.post(f"{C}/C1/withdraw", {"reason": "the supplier was informed"}, op1)
        check(st == 201 and body.get("status") == "withdrawn", f"{tag} party withdraws C1: {st} {body}")
        expect_error(s.post(f"{C}/C1/withdraw", {}, op1), 409, None, f"{tag} C1 withdrawn twice")
        st, body = s.get(C, commission)
        c = {x["id"]: x for x in body.get("items", [])}
        check(c.get("C1", {}).get("status") == "withdrawn" and c["C1"]["withdrawn_by"] == op1_user
              and c["C1"]["withdraw_reason"] == "the supplier was informed" and
              c.get("C2", {}).get("status") == "active", f"{tag} C1 withdrawn, readable: {c}")

        # Withdrawal of an agreement: the party or an analyst; stays readable; no new consents.
        expect_error(s.post(f"{AG}/AG2/withdraw", {}, op1), 404, None, f"{tag} non-party withdraws AG2")
        expect_error(s.post(f"{AG}/AG2/withdraw", {}, commission), 403, None,
                     f"{tag} commission withdraws AG2")
        expect_error(s.post(f"{AG}/AG2/withdraw", {"why": "x"}, op2), 400, "why", f"{tag} unknown field")
        expect_error(s.post(f"{AG}/AG2/withdraw", {}, op2, raw=b"{"), 400, None, f"{tag} malformed")
        st, body = s.post(f"{AG}/AG2/withdraw", {"reason": "contract ended"}, op2)
        check(st == 201 and body.get("withdrawn_by") == op2_user, f"{tag} party withdraws AG2: {body}")
        expect_error(s.post(f"{AG}/AG2/withdraw", {}, analyst), 409, None, f"{tag} AG2 withdrawn twice")
        expect_error(s.post(f"{AG}/AG2/consents", consent(valid_until=at(100)), op2), 409, None,
                     f"{tag} consent under a withdrawn agreement")
        for who, tok in (("party", op2), ("analyst", analyst), ("commission", commission)):
            st, a = s.get(f"{AG}/AG2", tok)
            check(st == 200 and a["status"] == "withdrawn" and a["withdrawn_by"] == op2_user and
                  a["withdraw_reason"] == "contract ended" and a["withdrawn_at"],
                  f"{tag} {who} reads withdrawn AG2: {a}")
        st, body = s.post(f"{AG}/AG3/withdraw", {}, analyst)
        check(st == 201, f"{tag} analyst withdraws AG3: {st} {body}")
        check(items(s.get(AG + "?status=withdrawn", commission)) == ["AG2", "AG3"],
              f"{tag} withdrawn filter")

        # Nothing else treats a non-signing operator differently: the same notification answers.
        form = {"category": "firewall", "vendor": "V", "product": "P", "system": "S",
                "introduced_at": at(-3)}
        st1, n1 = s.post("/api/v1/notifications", dict(form, operator="op-elec-1"), op1)
        st2, n2 = s.post("/api/v1/notifications", dict(form, operator="op-gas-1"), nosign)
        check(st1 == st2 == 201 and set(n1) == set(n2), f"{tag} signer and non-signer file alike")
        check(s.get(f"/api/v1/notifications/{n2.get('id')}", nosign)[0] == 200,
              f"{tag} non-signer reads its notification")

        # Audit: each write and read, the chain intact.
        actions = s.audit_actions()
        for entry in (("agreement.create", "AG1", an_user), ("agreement.read", "AG1", op1_user),
                      ("agreement.list", "", op1_user), ("consent.create", "C1", op1_user),
                      ("consent.list", "AG1", op1_user), ("consent.withdraw", "C1", op1_user),
                      ("agreement.withdraw", "AG2", op2_user), ("agreement.withdraw", "AG3", an_user)):
            check(entry in actions, f"{tag} audit has {entry}")
        check(len([a for a in actions if a[0] == "agreement.create"]) == 3,
              f"{tag} one create entry per stored agreement")
        check(len([a for a in actions if a[0] == "consent.create"]) == 2,
              f"{tag} one consent entry per stored consent")
        code, out = s.audit_verify()
        check(code == 0, f"{tag} acd audit verify: {code} {out}")


def main():
    for backend in backends():
        run(backend)
    acdtest.finish("test_api_agreements",
                   "recording, visibility, bad input, consents, withdrawal, audit on "
                   + " and ".join(backends()))


if __name__ == "__main__":
    main()
