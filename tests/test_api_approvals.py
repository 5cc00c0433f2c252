#!/usr/bin/env python3
"""Approvals over real HTTP on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): an analyst's
request, the commission's decision, the signed Contract 2 document (checked with `acd approval
verify` against the keys /api/v1/keys publishes — the sensor's own checks), revocation with its
signed REVOKE document, agreement approvals issued by the office only on a recorded agreement,
four eyes, the whole history, and the sensor registry."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

REQUEST = {"kind": "foreign-foreign", "facility": "t-1",
           "selectors": [{"id": "S1", "type": "ip", "value": "198.51.100.0/24"},
                         {"id": "S2", "type": "domain", "value": "c2.example-bad.net"},
                         {"id": "S3", "type": "content", "value": "7c2f62696e2f7368",
                          "label": "cmd:shell-dropper"}],
           "justification": "C2 traffic of campaign X observed at t-1",
           "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2035-12-31T23:59:59Z"}


def req(**kw):
    r = json.loads(json.dumps(REQUEST))
    r.update(kw)
    return {k: v for k, v in r.items() if v is not None}


def write_doc(wd, name, doc):
    """Writes the document's exact bytes and its signature as the sensor reads them."""
    path = wd.p(name)
    with open(path, "wb") as f:
        f.write(doc["json"].encode())
    with open(path + ".sig", "w") as f:
        f.write(doc["sig"] + "\n")
    return path


def verify(wd, path, keys, extra=()):
    kc, ko = wd.p("commission.pub"), wd.p("office.pub")
    with open(kc, "w") as f:
        f.write(keys["commission"] + "\n")
    with open(ko, "w") as f:
        f.write(keys["office"] + "\n")
    return subprocess.run([acdtest.ACD, "approval", "verify", "--commission-key", kc,
                           "--office-key", ko, "--facility", "t-1", *extra, path],
                          capture_output=True, text=True)


def bad_requests(srv, analyst):
    cases = [("kind", req(kind="domestic-domestic")),
             ("selectors", req(selectors=[])),
             ("selectors", req(selectors=[{"id": "S1", "type": "ip", "value": "10.0.0.0/33"}])),
             ("valid_until", req(valid_until="2025-01-01T00:00:00Z")),
             ("justification", req(justification="")),
             ("agreement_party", req(kind="agreement")),
             ("valid_from", req(valid_from="soon")),
             ("colour", req(colour="red"))]
    for field, body in cases:
        st, e = srv.post("/api/v1/approvals", analyst, body)
        check(st == 400 and isinstance(e, dict) and e.get("field") == field,
              f"bad request ({field}): {st} {e}")


def main():
    with acdtest.Workdir("api-approvals") as wd:
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "approvals")
            srv = acdserver.Server(store)
            try:
                a1 = store.user("analyst", "nco", name="analyst one")
                a2 = store.user("analyst", "nco", name="analyst two")
                com = store.user("commission", "commission")
                op = store.user("operator", "op-a", sector="ict")
                vendor = store.user("vendor", "vendor-z")
                st, keys = srv.get("/api/v1/keys")
                check(st == 200 and keys["commission"] and keys["office"] and
                      keys["commission"] != keys["office"], f"/keys: {keys}")
                bad_requests(srv, a1)
                for who, tok in (("commission", com), ("operator", op), ("vendor", vendor)):
                    st, _ = srv.post("/api/v1/approvals", tok, REQUEST)
                    check(st == 403, f"{who} cannot file an acquisition request: {st}")
                check(int(store.sql("SELECT COUNT(*) FROM approvals").strip()) == 0,
                      "refused requests store nothing")

                st, r = srv.post("/api/v1/approvals", a1, REQUEST)
                check(st == 201 and r["state"] == "requested" and r["id"].startswith("APR-"),
                      f"request filed: {st} {r}")
                aid = r["id"]
                check(srv.get(f"/api/v1/approvals/{aid}/document", a1)[0] == 404,
                      "no document before the decision")
                st, e = srv.post(f"/api/v1/approvals/{aid}/decision", a2,
                                 {"decision": "approve"})
                check(st == 403, f"an analyst cannot approve non-consent acquisition: {st} {e}")
                st, e = srv.post(f"/api/v1/approvals/{aid}/decision", com,
                                 {"decision": "maybe"})
                check(st == 400 and e["field"] == "decision", f"unknown decision: {e}")
                st, d = srv.post(f"/api/v1/approvals/{aid}/decision", com,
                                 {"decision": "approve", "reason": "proportionate"})
                check(st == 200 and d["state"] == "approved", f"approved: {st} {d}")
                st, e = srv.post(f"/api/v1/approvals/{aid}/decision", com,
                                 {"decision": "reject", "reason": "changed mind"})
                check(st == 409, f"decided once only: {st} {e}")
                st, doc = srv.get(f"/api/v1/approvals/{aid}/document", a1)
                check(st == 200 and json.loads(doc["json"])["id"] == aid, f"document: {doc}")
                path = write_doc(wd, f"{backend}-{aid}.json", doc)
                v = verify(wd, path, keys)
                check(v.returncode == 0, f"the sensor's checks accept the signed document: "
                      f"{v.stdout} {v.stderr}")
                check(json.loads(doc["json"])["selectors"] == REQUEST["selectors"],
                      "the document carries the requested selectors")

                # Reject and revise need a reason; the requester's history shows each step.
                st, r2 = srv.post("/api/v1/approvals", a1, req(facility="osaka-2"))
                st, e = srv.post(f"/api/v1/approvals/{r2['id']}/decision", com,
                                 {"decision": "revise"})
                check(st == 400 and e["field"] == "reason", f"revise without reason: {e}")
                st, _ = srv.post(f"/api/v1/approvals/{r2['id']}/decision", com,
                                 {"decision": "reject", "reason": "selectors too broad"})
                check(st == 200, "rejected with a reason")
                check(srv.get(f"/api/v1/approvals/{r2['id']}/document", com)[0] == 404,
                      "a rejected request has no document")

                # Revocation: the commission signs REVOKE-<id>; the sensor then refuses it.
                st, e = srv.post(f"/api/v1/approvals/{aid}/revoke", a1, {"reason": "x"})
                check(st == 403, f"an analyst cannot revoke a commission approval: {st} {e}")
                st, rev = srv.post(f"/api/v1/approvals/{aid}/revoke", com,
                                   {"reason": "campaign over"})
                check(st == 200 and json.loads(rev["json"])["revokes"] == aid,
                      f"revocation document: {st} {rev}")
                revdir = wd.p(f"rev-{backend}")
                os.makedirs(revdir, exist_ok=True)
                write_doc(wd, f"rev-{backend}/REVOKE-{aid}.json", rev)
                v = verify(wd, path, keys, ["--revocations", revdir])
                check(v.returncode == 3 and "revoked" in v.stderr,
                      f"the sensor's checks refuse the revoked approval: {v.returncode} "
                      f"{v.stderr}")
                check(srv.post(f"/api/v1/approvals/{aid}/revoke", com, {})[0] == 409,
                      "revoked once only")
                st, got = srv.get(f"/api/v1/approvals/{aid}/revocation", com)
                check(got == rev, "the revocation can be fetched again, byte for byte")
                st, full = srv.get(f"/api/v1/approvals/{aid}", com)
                check([(h["action"], h["role"]) for h in full["history"]] ==
                      [("request", "analyst"), ("approve", "commission"),
                       ("revoke", "commission")] and full["state"] == "revoked",
                      f"the commission sees the whole history: {full.get('history')}")
                check(srv.get(f"/api/v1/approvals/{aid}", op)[0] == 403,
                      "an operator reads no approval")

                # Agreement kind: issued by the office (another analyst) on a recorded agreement.
                party = {"operator": "op-a", "prefixes": ["203.0.113.0/24"]}
                st, ag = srv.post("/api/v1/approvals", a1, req(kind="agreement",
                                                               agreement_party=party))
                gid = ag["id"]
                st, e = srv.post(f"/api/v1/approvals/{gid}/decision", com,
                                 {"decision": "approve"})
                check(st == 403, f"the commission does not issue agreement approvals: {st}")
                st, e = srv.post(f"/api/v1/approvals/{gid}/decision", a1,
                                 {"decision": "approve"})
                check(st == 403, f"four eyes: the requester cannot decide: {st} {e}")
                st, e = srv.post(f"/api/v1/approvals/{gid}/decision", a2,
                                 {"decision": "approve"})
                check(st == 409 and "agreement" in e["message"],
                      f"no agreement recorded: not signed: {st} {e}")
                st, agr = srv.post("/api/v1/agreements", a1,
                                   {"operator": "op-a", "prefixes": ["203.0.113.0/24"],
                                    "valid_from": "2026-01-01T00:00:00Z",
                                    "valid_until": "2036-01-01T00:00:00Z"})
                check(st == 201, f"agreement recorded: {st} {agr}")
                st, d = srv.post(f"/api/v1/approvals/{gid}/decision", a2,
                                 {"decision": "approve"})
                check(st == 200, f"issued on the agreement: {st} {d}")
                st, gdoc = srv.get(f"/api/v1/approvals/{gid}/document", a2)
                gpath = write_doc(wd, f"{backend}-{gid}.json", gdoc)
                v = verify(wd, gpath, keys)
                check(v.returncode == 0, f"the agreement approval verifies with the office key: "
                      f"{v.stderr}")
                st, full = srv.get(f"/api/v1/approvals/{gid}", com)
                check(full["signer"] == "office", f"signed by the office: {full['signer']}")

                # Sensors.
                pub = acdtest.keygen(wd.p(f"sensor-{backend}"))
                with open(pub) as f:
                    pk = f.read().strip()
                body = {"id": "t-1", "facility": "t-1", "public_key": pk}
                check(srv.post("/api/v1/sensors", a1, body)[0] == 403,
                      "only an admin registers sensors")
                check(srv.post("/api/v1/sensors", store.admin, body)[0] == 201, "registered")
                st, e = srv.post("/api/v1/sensors", store.admin, body)
                check(st == 409 and e["field"] == "id", f"registered once: {st} {e}")
                st, e = srv.post("/api/v1/sensors", store.admin, dict(body, id="t-2",
                                                                    public_key="AAAA"))
                check(st == 400 and e["field"] == "public_key", f"bad key: {st} {e}")
                r = store.acd("sensor", "add", "--id", "t-3", "--facility", "t-3",
                              "--public-key", pk)
                check(r.returncode == 0, f"acd sensor add: {r.stderr}")
                r = store.acd("sensor", "add", "--id", "t-3", "--facility", "t-3",
                              "--public-key", pk)
                check(r.returncode == 2 and "already registered" in r.stderr,
                      f"acd sensor add twice: {r.returncode} {r.stderr}")
                st, lst = srv.get("/api/v1/sensors", com)
                check([s["id"] for s in lst["items"]] == ["t-1", "t-3"], f"sensor list: {lst}")
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit intact: {verdict} {err}")
            actions = store.sql("SELECT action FROM audit_log")
            for a in ("approval.request", "approval.approve", "approval.reject",
                      "approval.revoke", "sensor.add"):
                check(a in actions, f"{backend}: audit records {a}")
    acdtest.finish("test_api_approvals", "requests, decisions, signed documents the sensor "
                   "accepts, revocation, agreement approvals and sensors on both stores")


if __name__ == "__main__":
    main()
