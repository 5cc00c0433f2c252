#!/usr/bin/env python3
"""Other-purpose use (他目的利用) over real HTTP on both stores (PostgreSQL via
ACD_TEST_PG_URL_FILE). Real records of an agreement approval (a sensor run, signed batches)
are asked for by an analyst through POST /api/v1/exports. Each refusal answers 403 with its
reason and the field at fault, records the request and the refusal (audited), and changes
nothing else: no consent; a consent for another purpose or another recipient; a withdrawn
consent; no written-terms document; a foreign recipient without confirmed handling measures;
criminal investigation (by class or by its words); another law without a mandatory
provision or without a recorded basis; any other class; an approval with no agreement party.
Malformed requests are 400 and store nothing; the commission may not export. The allowed
cases return the records: cybersecurity within a consent with written terms (domestic and
foreign recipient), another law that makes provision mandatory. The commission reads the
decisions, the audit log and its verification, never the records."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

PARTY = {"operator": "op-a", "prefixes": ["133.0.0.0/8"]}
P1, R1 = "vulnerability notification to suppliers of the affected products", "JPCERT/CC"
P2, R2 = "joint analysis of the C2 campaign with a partner CERT", "US-CERT partner"
P3, R3 = "sector-wide alert on the campaign", "Electricity ISAC"
TERMS = {"reference": "MOU-2026-017 purpose and scope", "date": "2026-11-01T00:00:00Z"}


def at(days):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def setup(wd, backend):
    store = acdserver.Store(wd, backend, "exports")
    srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
    u = {"a1": store.user("analyst", "nco"), "a2": store.user("analyst", "nco", name="office"),
         "com": store.user("commission", "commission"),
         "op": store.user("operator", "op-a", sector="electricity")}
    st, ag = srv.post("/api/v1/agreements", u["a1"],
                      {"operator": "op-a", "prefixes": PARTY["prefixes"],
                       "valid_from": "2020-01-01T00:00:00Z",
                       "valid_until": "2036-01-01T00:00:00Z"})
    assert st == 201, ag
    key = acdrecords.register_sensor(srv, store, wd, backend)
    gid, doc = acdrecords.issue(srv, u["a1"], u["a2"], dict(acdrecords.FF_APPROVAL,
                                                            kind="agreement",
                                                            agreement_party=PARTY))
    fid, _ = acdrecords.issue(srv, u["a1"], u["com"], acdrecords.FF_APPROVAL)
    records, stats = acdrecords.sensor_run(srv, wd, backend, doc)
    check(len(records) > 5, f"{backend}: the agreement approval selected records "
          f"({len(records)})")
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:1", records, stats)
    assert st == 200, r
    C = f"/api/v1/agreements/{ag['id']}/consents"
    for p, rcpt in ((P1, R1), (P2, R2), (P3, R3)):
        st, c = srv.post(C, u["op"], {"purpose": p, "scope": "C2 addresses and ports",
                                      "recipient": rcpt, "valid_until": at(180)})
        assert st == 201, c
        last = c["id"]
    st, w = srv.post(f"{C}/{last}/withdraw", u["op"], {"reason": "the alert went out"})
    assert st in (200, 201), w
    return store, srv, u, gid, fid, records


def req(approval, **kw):
    body = {"approval": approval, "purpose_class": "cybersecurity", "purpose": P1,
            "recipient": R1, "recipient_kind": "domestic", "terms_document": TERMS}
    body.update(kw)
    return {k: v for k, v in body.items() if v is not ...}


def snapshot(store):
    q = ("SELECT (SELECT SUM(n) FROM record_chunks), (SELECT COUNT(*) FROM record_ids), (SELECT COUNT(*) FROM agreement_consents "
         "WHERE withdrawn_at IS NULL), (SELECT COUNT(*) FROM exports WHERE decision = "
         "'granted'), (SELECT COUNT(*) FROM approvals)")
    return store.sql(q).strip()


def refusals(store, srv, u, gid, fid, tag):
    cases = [
        ("no consent at all", req(gid, purpose="threat hunting for a sector", recipient="ISAC-X"),
         "consent", "no consent"),
        ("a consent for another purpose", req(gid, purpose=P3 + " (wider)"), "consent",
         "no consent"),
        ("a consent for another recipient", req(gid, recipient=R2), "consent", "no consent"),
        ("a withdrawn consent", req(gid, purpose=P3, recipient=R3), "consent", "no consent"),
        ("no written terms", req(gid, terms_document=...), "terms_document", "written-terms"),
        ("a foreign recipient without confirmed handling",
         req(gid, purpose=P2, recipient=R2, recipient_kind="foreign"), "terms_document",
         "handling measures"),
        ("criminal investigation", req(gid, purpose_class="criminal-investigation"),
         "purpose_class", "criminal investigation"),
        ("a criminal purpose under the cybersecurity class",
         req(gid, purpose="support the police investigation of the attackers"), "purpose",
         "criminal investigation"),
        ("a criminal purpose in Japanese", req(gid, purpose="犯罪捜査への協力"), "purpose",
         "criminal investigation"),
        ("another law without a mandatory provision",
         req(gid, purpose_class="other-law", legal_basis={"law": "Some Act", "article": "12",
                                                          "mandatory": False}),
         "legal_basis", "mandatory"),
        ("another law without its basis", req(gid, purpose_class="other-law"), "legal_basis",
         "legal basis"),
        ("another class", req(gid, purpose_class="marketing"), "purpose_class",
         "only for cybersecurity"),
        ("records acquired without consent", req(fid), "approval", "not under an agreement"),
    ]
    before = snapshot(store)
    for what, body, field, word in cases:
        n = store.sql("SELECT COUNT(*) FROM exports").strip()
        st, e = srv.post("/api/v1/exports", u["a1"], body)
        check(st == 403 and e.get("error") == "refused" and e.get("field") == field and
              word in e.get("message", ""), f"{tag}: refused, {what}: {st} {e}")
        check(snapshot(store) == before, f"{tag}: {what}: nothing changed")
        check(int(store.sql("SELECT COUNT(*) FROM exports").strip()) == int(n) + 1 and
              store.sql(f"SELECT decision FROM exports WHERE id = '{e.get('export')}'").strip()
              == "refused", f"{tag}: {what}: the refusal is recorded")
    audited = store.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'export.refused'").strip()
    check(audited == str(len(cases)), f"{tag}: every refusal audited ({audited})")

    bad = [("terms without a date", req(gid, terms_document={"reference": "x"}),
            "terms_document"),
           ("a basis that is no object", req(gid, purpose_class="other-law", legal_basis="yes"),
            "legal_basis"),
           ("no recipient kind", req(gid, recipient_kind=...), "recipient_kind"),
           ("no purpose", req(gid, purpose=...), "purpose"),
           ("a limit too large", req(gid, records={"limit": 100000}), "records")]
    n = store.sql("SELECT COUNT(*) FROM exports").strip()
    for what, body, field in bad:
        st, e = srv.post("/api/v1/exports", u["a1"], body)
        check(st == 400 and e.get("field") == field, f"{tag}: malformed, {what}: {st} {e}")
    check(store.sql("SELECT COUNT(*) FROM exports").strip() == n,
          f"{tag}: malformed requests store nothing")
    st, e = srv.post("/api/v1/exports", u["a1"], req("APR-1999-0001"))
    check(st == 404, f"{tag}: an unknown approval: {st} {e}")
    st, e = srv.post("/api/v1/exports", u["com"], req(gid))
    check(st == 403 and e.get("error") != "refused", f"{tag}: the commission exports nothing: "
          f"{st} {e}")
    check(store.sql("SELECT COUNT(*) FROM exports").strip() == n,
          f"{tag}: neither is recorded as a decision")
    return len(cases)


def allowed(store, srv, u, gid, records, tag):
    key = lambda r: (r["id"], r["approval"])  # noqa: E731
    want = sorted(map(key, records))
    st, x = srv.post("/api/v1/exports", u["a1"], req(gid, records={"limit": 5000}))
    check(st == 201 and x["decision"] == "granted" and
          sorted(map(key, x["records"])) == want, f"{tag}: consent and terms: granted with the "
          f"records: {st} {str(x)[:300]}")
    st, y = srv.post("/api/v1/exports", u["a1"],
                     req(gid, purpose=P2, recipient=R2, recipient_kind="foreign",
                         terms_document=dict(TERMS, handling_measures_confirmed=True),
                         records={"limit": 3}))
    check(st == 201 and len(y["records"]) == 3 and y["next"],
          f"{tag}: a foreign recipient with consent, terms and confirmed handling: {st} "
          f"{str(y)[:300]}")
    st, z = srv.post("/api/v1/exports", u["a1"],
                     req(gid, purpose_class="other-law", purpose="provision the law requires",
                         recipient="Ministry X", terms_document=...,
                         legal_basis={"law": "Example Act", "article": "Art. 7(2)",
                                      "mandatory": True}))
    check(st == 201 and len(z["records"]) == len(records),
          f"{tag}: another law that makes provision mandatory: {st} {str(z)[:300]}")
    row = store.sql(f"SELECT legal_basis FROM exports WHERE id = '{z.get('id')}'").strip()
    check("Art. 7(2)" in row and '"mandatory":true' in row, f"{tag}: the legal basis is "
          f"recorded: {row!r}")
    purposes = store.sql("SELECT purpose FROM audit_log WHERE action = 'export.granted' "
                         "ORDER BY seq").strip().splitlines()
    check(purposes == [P1, P2, "provision the law requires"],
          f"{tag}: each export audited with its purpose: {purposes}")
    check(store.sql("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%\"src\"%'").strip() ==
          "0", f"{tag}: the audit log holds no record contents")


def inspection(srv, u, n_refused, tag):
    st, lst = srv.get("/api/v1/exports", u["com"])
    decisions = [x["decision"] for x in lst.get("items", [])] if st == 200 else []
    check(decisions.count("refused") == n_refused and decisions.count("granted") == 3,
          f"{tag}: the commission reads every decision: {st} {decisions}")
    check(all("records" in x and isinstance(x["records"], int) for x in lst.get("items", [])),
          f"{tag}: decisions carry counts, not records")
    st, v = srv.get("/api/v1/audit/verify", u["com"])
    check(st == 200 and v["intact"] is True and v["entries"] > 0,
          f"{tag}: the commission verifies the audit chain over the API: {st} {v}")
    check(srv.get("/api/v1/audit/verify", u["a1"])[0] == 403, f"{tag}: analysts do not")
    st, page = srv.get(acdserver.query("/api/v1/audit", action="export.refused", limit=1000),
                       u["com"])
    check(st == 200 and len(page["items"]) == n_refused and
          all(x["detail"]["refused"] for x in page["items"]),
          f"{tag}: the commission reads the audit entries: {st} {str(page)[:300]}")
    check(srv.get("/api/v1/audit", u["a1"])[0] == 403, f"{tag}: analysts do not read the log")


def main():
    with acdtest.Workdir("api-exports") as wd:
        for backend in acdserver.BACKENDS:
            store, srv, u, gid, fid, records = setup(wd, backend)
            try:
                n = refusals(store, srv, u, gid, fid, backend)
                allowed(store, srv, u, gid, records, backend)
                inspection(srv, u, n, backend)
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit intact: {verdict} {err}")
    acdtest.finish("test_api_exports", "other-purpose use refused with reasons and nothing "
                   "changed, allowed with consent and terms or a mandatory law, on both stores")


if __name__ == "__main__":
    main()
