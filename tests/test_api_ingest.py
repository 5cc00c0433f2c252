#!/usr/bin/env python3
"""Ingest over real HTTP on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): the records and
stats a real acd-sensor run selected under an approval the commission issued through the API
are posted as signed batches; acdd stores each batch once, serves the records back only to
analysts with a purpose (audited), sums the stats to the sensor's own, and refuses whole any
batch with a forged signature, from an unknown sensor, or with a record outside its approval
(another approval's facility, a claimed direction the addresses contradict, a selector that
does not match, a time outside the validity or after revocation)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

APPROVAL = {"kind": "foreign-foreign", "facility": "t-1",
            "selectors": [{"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"},
                          {"id": "ALL6", "type": "ip", "value": "::/0"}],
            "justification": "ingest test", "valid_from": "2020-01-01T00:00:00Z",
            "valid_until": "2035-12-31T23:59:59Z"}


def signed_post(srv, wd, key, sensor, body_obj, raw=None, ctype="application/x-ndjson"):
    """Posts a batch signed with `key` (acd approval sign: Ed25519 over the exact bytes);
    `body_obj` {batch, sensor, records, stats} goes as NDJSON (acdrecords.ndjson)."""
    data = raw if raw is not None else acdrecords.ndjson(
        body_obj["batch"], body_obj["sensor"], body_obj["records"], body_obj["stats"])
    path = wd.p("batch.json")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run([acdtest.ACD, "approval", "sign", "--key", key, path],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(path + ".sig") as f:
        sig = f.read().strip()
    return srv.request("POST", "/api/v1/ingest", None, raw=data, ctype=ctype,
                       headers={"X-ACD-Sensor": sensor, "X-ACD-Signature": sig})


def issue(srv, analyst, com, body):
    st, r = srv.post("/api/v1/approvals", analyst, body)
    assert st == 201, r
    st, d = srv.post(f"/api/v1/approvals/{r['id']}/decision", com, {"decision": "approve"})
    assert st == 200, d
    st, doc = srv.get(f"/api/v1/approvals/{r['id']}/document", analyst)
    return r["id"], doc


def sensor_run(wd, backend, doc, keys):
    """Runs the real sensor over the sample pcap with the issued approval; returns its lines."""
    name = wd.p(f"apr-{backend}.json")
    with open(name, "w") as f:
        f.write(doc["json"])
    with open(name + ".sig", "w") as f:
        f.write(doc["sig"] + "\n")
    ckey = wd.p(f"commission-{backend}.pub")
    with open(ckey, "w") as f:
        f.write(keys["commission"] + "\n")
    pcap = acdtest.gen(wd, "sample", name=f"sample-{backend}.pcap")
    out = wd.p(f"out-{backend}")
    r = acdtest.sensor(wd, out, [name], [pcap], ckey=ckey)
    assert r.returncode == 0, r.stderr
    return acdtest.records(out), acdtest.stats(out)


def framing(srv, wd, key, records, stats):
    """The NDJSON framing: each way a body can be cut wrong is refused with a 400 that names
    the problem (and the line); the old single-JSON body gets 415 naming the type."""
    old = json.dumps({"batch": "t-1:old", "sensor": "t-1", "records": records[:2],
                      "stats": []}).encode()
    st, e = signed_post(srv, wd, key, "t-1", None, raw=old, ctype="application/json")
    check(st == 415 and "application/x-ndjson" in e.get("message", ""),
          f"a JSON body (the old format): 415 naming the type: {st} {e}")
    line = lambda x: json.dumps(x).encode() + b"\n"  # noqa: E731
    head = lambda n, m, **kw: line({"batch": "t-1:frame", "sensor": "t-1",  # noqa: E731
                                    "records": n, "stats": m, **kw})
    r0, r1, s0 = line(records[0]), line(records[1]), line(stats[0])
    cases = [
        ("an empty body", b"", "header"),
        ("no header line", r0 + r1, "header"),
        ("a header without counts",
         line({"batch": "t-1:frame", "sensor": "t-1"}) + r0, "counts"),
        ("a header of 3 records over 2 lines", head(3, 0) + r0 + r1, "but 2 lines follow"),
        ("a header of 1 record over 2 lines", head(1, 0) + r0 + r1, "but 2 lines follow"),
        ("a body not ending in a newline", (head(1, 0) + r0)[:-1], "must end with"),
        ("a line that is no JSON object", head(2, 0) + r0 + b"[1, 2]\n", "records[1]"),
        ("a line that is no JSON", head(2, 0) + r0 + b"{\"id\": \n", "malformed"),
        ("an empty line", head(2, 0) + r0 + b"\n", "empty line"),
        ("a record where stats belong", head(1, 1) + r0 + r1, "where stats are expected"),
        ("stats where a record belongs", head(2, 0) + r0 + s0, "where a record is expected"),
        ("a duplicate key", head(1, 0) + r0[:-2] + b', "id": "x"}\n', "duplicate"),
        # Valid JSON up to the NUL: a parser stopping there would take the line as whole.
        ("a NUL byte after a whole record", head(1, 0) + r0[:-1] + b"\0junk\n", "NUL byte"),
    ]
    for what, body, word in cases:
        st, e = signed_post(srv, wd, key, "t-1", None, raw=body)
        check(st == 400 and word in e.get("message", ""), f"refused: {what}: {st} {e}")
    st, e = signed_post(srv, wd, key, "t-1", None, raw=head(2, 0) + r0 + b"[1, 2]\n")
    check(e.get("field") == "records[1]" and "line 3" in e.get("message", ""),
          f"the failing line is named: {e}")


def refusals(srv, wd, key, other_key, records, stats, aid, store):
    before = acdrecords.stored_count(store)
    base = {"batch": "t-1:bad-0", "sensor": "t-1", "records": records[:3], "stats": []}
    st, e = signed_post(srv, wd, other_key, "t-1", base)
    check(st == 401 and e["field"] == "signature", f"forged signature: {st} {e}")
    st, e = signed_post(srv, wd, key, "t-9", dict(base, sensor="t-9", batch="t-9:x"))
    check(st == 401 and e["field"] == "sensor", f"unknown sensor: {st} {e}")
    st, e = signed_post(srv, wd, key, "t-1", None, raw=b'{"batch": "t-1:x", ')
    check(st == 400, f"malformed batch: {st} {e}")
    framing(srv, wd, key, records, stats)

    def tampered(i, **change):
        recs = [dict(r) for r in records[:3]]
        recs[i].update(change)
        return dict(base, batch=f"t-1:bad-{len(change)}-{i}-{list(change)[0]}", records=recs)

    cases = [
        ("a domestic address with a foreign-foreign claim", tampered(1, dst="133.1.2.3"),
         "direction"),
        ("an approval it does not name", tampered(2, approval="APR-1999-0001"),
         "not an approval"),
        ("a selector the approval lacks", tampered(0, selectors=["S9"]), "not a selector"),
        ("a record time before the validity", tampered(0, first="2019-01-01T00:00:00Z"),
         "validity"),
        ("another sensor's record", tampered(0, sensor="t-2"), "from sensor"),
        ("a missing key", {**base, "batch": "t-1:nokey",
                           "records": [{k: v for k, v in records[0].items() if k != "app"}]},
         "app"),
        ("a stats line of another sensor", {**base, "batch": "t-1:badstats",
                                            "stats": [dict(stats[0], sensor="t-2")]},
         "from sensor"),
    ]
    for what, body, word in cases:
        st, e = signed_post(srv, wd, key, "t-1", body)
        check(st in (400, 403) and word in e.get("message", "") and e.get("field"),
              f"refused whole: {what}: {st} {e}")
    check(acdrecords.stored_count(store) == before,
          "refused batches store nothing")
    check(store.sql("SELECT COUNT(*) FROM ingest_batches WHERE id LIKE 't-1:bad%' OR "
                    "id LIKE 't-1:no%'").strip() == "0", "refused batch ids are not taken")


def main():
    with acdtest.Workdir("api-ingest") as wd:
        key = wd.p("sensor")
        pub = acdtest.keygen(key)
        other = wd.p("other")
        acdtest.keygen(other)
        with open(pub) as f:
            pk = f.read().strip()
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "ingest")
            srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
            try:
                analyst = store.user("analyst", "nco")
                a2 = store.user("analyst", "nco", name="second")
                com = store.user("commission", "commission")
                check(srv.post("/api/v1/sensors", store.admin,
                               {"id": "t-1", "facility": "t-1", "public_key": pk})[0] == 201,
                      "sensor registered")
                _, keys = srv.get("/api/v1/keys")
                aid, doc = issue(srv, analyst, com, APPROVAL)
                records, stats = sensor_run(wd, backend, doc, keys)
                check(len(records) > 50, f"the sensor selected records ({len(records)})")
                refusals(srv, wd, key, other, records, stats, aid, store)

                half = len(records) // 2
                batches = [{"batch": "t-1:0001", "sensor": "t-1", "records": records[:half],
                            "stats": []},
                           {"batch": "t-1:0002", "sensor": "t-1", "records": records[half:],
                            "stats": stats}]
                for b in batches:
                    st, r = signed_post(srv, wd, key, "t-1", b)
                    check(st == 200 and r["duplicate"] is False and
                          r["records"] == len(b["records"]), f"batch stored: {st} {r}")
                # doc is the exact line the sensor sent, not a re-serialisation of it.
                line = acdrecords.ndjson("t-1:0002", "t-1", records[half:], stats)
                line = line.split(b"\n")[1].decode()
                doc = [x for x in acdrecords.stored(store, "batch = 't-1:0002'")
                       if json.loads(x)["id"] == records[half]["id"]]
                check(doc == [line], f"the stored doc is the line as sent: {doc!r}")
                st, r = signed_post(srv, wd, key, "t-1", batches[0])
                check(st == 200 and r["duplicate"] is True, f"a repeated batch: {st} {r}")
                st, r = signed_post(srv, wd, key, "t-1", dict(batches[0], batch="t-1:rerun"))
                check(st == 409 and "already stored" in r.get("message", "") and
                      r["message"].startswith("records[0]: "),
                      f"the same records in a new batch (a re-run): refused for good: {st} {r}")
                fresh = [dict(records[k], id=f"t-1:9999999{k:05d}") for k in range(70)]
                twice = dict(records[0], id="t-1:999999999990")
                st, r = signed_post(srv, wd, key, "t-1", {
                    "batch": "t-1:twice", "sensor": "t-1", "stats": [],
                    "records": fresh[:10] + [twice] + fresh[10:] + [twice]})
                check(st == 409 and r.get("message", "").startswith("records[71]: "),
                      f"one record twice in a batch, the second in another insert: {st} {r}")
                check(acdrecords.stored_count(store, "batch = 't-1:twice'") == 0,
                      "a batch refused with 409 stores none of its records")
                check(acdrecords.stored_count(store) == len(records), "each record stored once")
                check(store.sql("SELECT DISTINCT label FROM record_chunks").strip() ==
                      "selected-communications-information", "stored records carry the label")

                # Reading back: analysts only, with a purpose, paged, audited.
                got, after = [], None
                while True:
                    st, page = srv.get(acdserver.query("/api/v1/records", approval=aid,
                                                       purpose="correlate C2 campaign X",
                                                       limit=40, after=after), analyst)
                    check(st == 200, f"records page: {st} {page}")
                    got += page["items"]
                    after = page["next"]
                    if not after:
                        break
                key_of = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
                check(sorted(map(key_of, got)) == sorted(map(key_of, records)),
                      f"records read back equal the sensor's ({len(got)} of {len(records)})")
                st, e = srv.get(acdserver.query("/api/v1/records", approval=aid), analyst)
                check(st == 400 and e["field"] == "purpose", f"a read needs a purpose: {e}")
                check(srv.get(acdserver.query("/api/v1/records", approval=aid, purpose="x"),
                              com)[0] == 403, "the commission reads no record contents")
                reads = store.sql("SELECT purpose FROM audit_log WHERE action = 'records.read'")
                check(reads.count("correlate C2 campaign X") == len(got) // 40 + 1,
                      f"every page read is audited with its purpose: {reads!r}")

                # Stats: the commission inspects the sums, equal to the sensor's own.
                st, s = srv.get(acdserver.query("/api/v1/stats", approval=aid), com)
                mine = [x for x in stats if x["approval"] == aid]
                for k in ("packets_in_scope", "packets_selected", "packets_discarded",
                          "flows_selected"):
                    check(st == 200 and s.get(k) == sum(x[k] for x in mine),
                          f"stats {k}: {s.get(k)} vs the sensor's {sum(x[k] for x in mine)}")

                # Revocation: records after it are refused; records from before still stored.
                st, rev = srv.post(f"/api/v1/approvals/{aid}/revoke", com, {"reason": "done"})
                late = dict(records[0], id="t-1:999999999999", first="2030-01-01T00:00:00Z",
                            last="2030-01-01T00:00:01Z")
                st, e = signed_post(srv, wd, key, "t-1", {"batch": "t-1:late", "sensor": "t-1",
                                                           "records": [late], "stats": []})
                check(st == 403 and "revoked" in e["message"], f"after revocation: {st} {e}")
                early = dict(records[0], id="t-1:999999999998")
                st, e = signed_post(srv, wd, key, "t-1", {"batch": "t-1:early", "sensor": "t-1",
                                                           "records": [early], "stats": []})
                check(st == 200, f"a record from before the revocation, delivered late: {st} {e}")
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit intact: {verdict} {err}")
    acdtest.finish("test_api_ingest", "signed batches stored once, records read back with a "
                   "purpose, stats summed, refusals whole, on both stores")


if __name__ == "__main__":
    main()
