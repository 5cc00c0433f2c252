"""acdrecords — real selected records into a running acdd, for the oversight tests: a sensor
registered through the API, an approval issued through the API (by the commission, or by the
office for the agreement kind), a real acd-sensor run over the generated sample capture with
the signed document, and the lines posted as batches signed with the sensor's own key
(`acd approval sign --key`: Ed25519 over the exact bytes). python3 standard library only."""
import datetime
import json
import os
import subprocess

import acdtest

FF_APPROVAL = {"kind": "foreign-foreign", "facility": "t-1",
               "selectors": [{"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"},
                             {"id": "ALL6", "type": "ip", "value": "::/0"}],
               "justification": "oversight test", "valid_from": "2020-01-01T00:00:00Z",
               "valid_until": "2035-12-31T23:59:59Z"}


DAY = datetime.timedelta(days=1)


def no_purger(wd, backend):
    """An acdd config file that turns acdd's own periodic purge off, for tests that purge on
    their own controlled clock (`acd purge --now`)."""
    path = wd.p(f"no-purger-{backend}.json")
    with open(path, "w") as f:
        json.dump({"retention": {"purge_interval_hours": 0}}, f)
    return path


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def aged(records, stats, now, old_mark, keep_mark):
    """For the retention tests, copies of real records and stats moved in time: 7 records that
    ended 800 days before `now` (user agent `old_mark`), 3 that ended a day before it
    (`keep_mark`), and the sensor's own stats line of 2000 days before. (old, recent, stat)."""
    old = [dict(r, id=f"t-1:90000000{i:04d}", first=iso(now - 800 * DAY),
                last=iso(now - 800 * DAY + datetime.timedelta(seconds=1)),
                http_user_agent=old_mark) for i, r in enumerate(records[:7])]
    recent = [dict(r, id=f"t-1:91000000{i:04d}", first=iso(now - 2 * DAY),
                   last=iso(now - DAY), http_user_agent=keep_mark)
              for i, r in enumerate(records[:3])]
    own = [s for s in stats if s["approval"] is None]
    old_stat = dict(own[0], **{"from": iso(now - 2000 * DAY), "to": iso(now - 1999 * DAY)})
    return old, recent, old_stat


def register_sensor(srv, store, wd, tag):
    """Registers sensor t-1; returns the path of its private key."""
    key = wd.p(f"sensor-{tag}")
    pub = acdtest.keygen(key)
    with open(pub) as f:
        pk = f.read().strip()
    st, r = srv.post("/api/v1/sensors", store.admin, {"id": "t-1", "facility": "t-1",
                                                      "public_key": pk})
    assert st == 201, r
    return key


def issue(srv, requester, decider, body):
    """Files and approves a request; returns (id, the signed document {json, sig})."""
    st, r = srv.post("/api/v1/approvals", requester, body)
    assert st == 201, r
    st, d = srv.post(f"/api/v1/approvals/{r['id']}/decision", decider, {"decision": "approve"})
    assert st == 200, d
    st, doc = srv.get(f"/api/v1/approvals/{r['id']}/document", requester)
    assert st == 200, doc
    return r["id"], doc


def sensor_run(srv, wd, tag, doc):
    """The real sensor over the sample capture with the issued approval: (records, stats)."""
    _, keys = srv.get("/api/v1/keys")
    name = wd.p(f"apr-{tag}.json")
    with open(name, "w") as f:
        f.write(doc["json"])
    with open(name + ".sig", "w") as f:
        f.write(doc["sig"] + "\n")
    ckey, okey = wd.p(f"commission-{tag}.pub"), wd.p(f"office-{tag}.pub")
    for path, k in ((ckey, "commission"), (okey, "office")):
        with open(path, "w") as f:
            f.write(keys[k] + "\n")
    pcap = acdtest.gen(wd, "sample", name=f"sample-{tag}.pcap")
    out = wd.p(f"out-{tag}")
    r = acdtest.sensor(wd, out, [name], [pcap], ckey=ckey, okey=okey)
    assert r.returncode == 0, r.stderr
    return acdtest.records(out), acdtest.stats(out)


def ndjson(batch, sensor, records, stats=()):
    """A batch's body as acdd takes it (application/x-ndjson): the header line with the
    counts, then one line per record, then one per stats line, each ending in \\n. Spaced
    separators on purpose: acdd stores each line as sent, not as jansson would write it."""
    records, stats = list(records), list(stats)
    lines = [{"batch": batch, "sensor": sensor, "records": len(records),
              "stats": len(stats)}] + records + stats
    return b"".join(json.dumps(x).encode() + b"\n" for x in lines)


def post_batch(srv, wd, key, batch, records, stats=()):
    """Posts one signed batch from sensor t-1; returns (status, body)."""
    data = ndjson(batch, "t-1", records, stats)
    path = wd.p("batch.json")
    with open(path, "wb") as f:
        f.write(data)
    r = subprocess.run([acdtest.ACD, "approval", "sign", "--key", key, path],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(path + ".sig") as f:
        sig = f.read().strip()
    return srv.request("POST", "/api/v1/ingest", None, raw=data, ctype="application/x-ndjson",
                       headers={"X-ACD-Sensor": "t-1", "X-ACD-Signature": sig})


def stored(store, where="1 = 1"):
    """The stored record lines, exactly as the sensors sent them, of the record chunks that
    match `where` (SQL over record_chunks' columns: approval, sensor, batch, label …), in seq
    order. Records are kept in chunks (decision 0021), each line ending in \\n."""
    out = store.sql(f"SELECT docs FROM record_chunks WHERE {where} ORDER BY seq")
    return [line for line in out.split("\n") if line.strip()]


def stored_count(store, where="1 = 1"):
    """How many records are stored in the chunks that match `where`, by the chunks' own
    counts, checked against their lines; for all of them also against record_ids, which
    holds each stored record's (approval, id) once."""
    n = int(store.sql(f"SELECT COALESCE(SUM(n), 0) FROM record_chunks WHERE {where}").strip())
    lines = len(stored(store, where))
    assert n == lines, f"record chunks count {n} records but hold {lines} lines"
    if where == "1 = 1":
        keys = int(store.sql("SELECT COUNT(*) FROM record_ids").strip())
        assert keys == n, f"{keys} record ids for {n} stored records"
    return n


def stored_docs(store, where="1 = 1"):
    """The stored records (stored() parsed), in seq order."""
    return [json.loads(line) for line in stored(store, where)]


def pg_datadir():
    """The PostgreSQL test cluster's data directory (tests/pg_cluster.py records it)."""
    d = os.path.dirname(os.environ.get("ACD_TEST_PG_URL_FILE") or "")
    import acdserver
    if not d:
        d = os.path.dirname(os.path.join(acdserver._own_cluster or "", "url"))
    with open(os.path.join(d, "datadir")) as f:
        return f.read().strip()
