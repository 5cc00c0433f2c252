#!/usr/bin/env python3
"""acd-sensor --server end to end, on both stores (PostgreSQL through ACD_TEST_PG_URL_FILE):
an approval requested and issued through acdd's API, a sensor run posting signed batches,
the stored records equal to those of an --out run on the same input, the stats the commission
inspects (GET /api/v1/stats?approval=) equal to the sensor's own, revocation through the API
refusing the next run (exit 3). With the server unreachable the run exits 4 leaving its batches
in the spool; a later run drains them first (exit 0) and each record is stored once. A sensor
registered with another key has its batches refused, moved to refused/ with the reason
(exit 4). The spool is owner-only and empty after a delivered run. Live, as root on the
loopback interface with root dropped to nobody, the spool stays writable and SIGTERM drains it
(skipped when not root)."""
import json
import re
import os
import pwd
import signal
import time
import stat
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402
from test_api_ingest import APPROVAL, issue  # noqa: E402

PURPOSE = "sensor delivery test"


def canon(recs):
    return sorted(json.dumps(r, sort_keys=True) for r in recs)


def empty_pcap(wd):
    """A valid pcap without packets: a run that only drains the spool."""
    path = wd.p("empty.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    return path


def stored_records(srv, analyst, aid):
    got, after = [], None
    while True:
        st, page = srv.get(acdserver.query("/api/v1/records", approval=aid, purpose=PURPOSE,
                                           limit=500, after=after), analyst)
        assert st == 200, page
        got += page["items"]
        after = page["next"]
        if not after:
            return got


def register(srv, store, sid, pub):
    with open(pub) as f:
        pk = f.read().strip()
    st, r = srv.post("/api/v1/sensors", store.admin, {"id": sid, "facility": "t-1",
                                                       "public_key": pk})
    check(st == 201, f"sensor {sid} registered: {st} {r}")


def write_doc(path, doc):
    with open(path, "wb") as f:
        f.write(doc["json"].encode())
    with open(path + ".sig", "w") as f:
        f.write(doc["sig"] + "\n")
    return path


def delivered(wd, backend, srv, store, analyst, com, key, aid, apr, ckey, pcap):
    """Evidence 1: --server stores what --out writes; stats equal the sensor's own."""
    out = wd.p(f"out-{backend}")
    r = acdtest.sensor(wd, out, [apr], [pcap], ckey=ckey)
    assert r.returncode == 0, r.stderr
    want, want_stats = acdtest.records(out), acdtest.stats(out)
    check(len(want) > 50, f"{backend}: the --out run selected records ({len(want)})")
    spool = wd.p(f"spool-{backend}")
    r = acdtest.sensor_server(srv.base, key, spool, [apr], [pcap], ckey=ckey)
    check(r.returncode == 0, f"{backend}: --server run exits 0: {r.returncode} {r.stderr}")
    check(acdtest.spooled(spool) == ([], []), f"{backend}: nothing left in the spool")
    check(stat.S_IMODE(os.stat(spool).st_mode) == 0o700, f"{backend}: spool is 0700")
    got = stored_records(srv, analyst, aid)
    check(canon(got) == canon(want),
          f"{backend}: stored records equal the --out run's ({len(got)} vs {len(want)})")
    st, s = srv.get(acdserver.query("/api/v1/stats", approval=aid), com)
    mine = [x for x in want_stats if x["approval"] == aid]
    for k in ("packets_in_scope", "packets_selected", "packets_discarded", "flows_selected"):
        check(st == 200 and s.get(k) == sum(x[k] for x in mine),
              f"{backend}: stats {k}: {s.get(k)} vs the sensor's {sum(x[k] for x in mine)}")
    return want


def spooled_then_drained(wd, backend, srv, store, key, apr, ckey, pcap, want):
    """Server away: exit 4, batches kept; a later run with the server back sends them first."""
    spool = wd.p(f"spool-away-{backend}")
    away = f"http://127.0.0.1:{acdserver.free_port()}"
    r = acdtest.sensor_server(away, key, spool, [apr], [pcap], ckey=ckey,
                              extra=["--sensor-id", "t-2", "--drain-timeout", "1"])
    waiting, refused = acdtest.spooled(spool)
    check(r.returncode == 4 and waiting and not refused,
          f"{backend}: unreachable server: exit 4 with batches spooled: {r.returncode} "
          f"{waiting} {r.stderr[-300:]}")
    for b in waiting:
        p = os.path.join(spool, b)
        check(stat.S_IMODE(os.stat(p).st_mode) == 0o600, f"{backend}: {b} is 0600")
        with open(p, "rb") as f:
            raw = f.read()
        sig, raw = raw.split(b"\n", 1)
        check(re.fullmatch(rb"ed25519 [A-Za-z0-9+/]{43}= [A-Za-z0-9+/]{86}==", sig),
              f"{backend}: a spooled batch starts with its signature line: {sig[:120]!r}")
        lines = [json.loads(x) for x in raw.split(b"\n")[:-1]]
        head, body = lines[0], lines[1:]
        check(raw.endswith(b"\n") and head["batch"].startswith("t-2:") and
              head["sensor"] == "t-2" and len(body) == head["records"] + head["stats"] and
              all(x["type"] == "flow" for x in body[:head["records"]]) and
              all(x["type"] == "stats" for x in body[head["records"]:]),
              f"{backend}: a spooled batch is NDJSON: its header, then Contract 4 lines only")
    r = acdtest.sensor_server(srv.base, key, spool, [apr], [empty_pcap(wd)], ckey=ckey,
                              extra=["--sensor-id", "t-2"])
    check(r.returncode == 0 and b"sent first" in r.stderr,
          f"{backend}: the later run drains the spool first: {r.returncode} {r.stderr[-300:]}")
    check(acdtest.spooled(spool) == ([], []), f"{backend}: spool empty after the drain")
    ids = [x["id"] for x in acdrecords.stored_docs(store, "sensor = 't-2'")]
    n = (acdrecords.stored_count(store, "sensor = 't-2'"), len(ids), len(set(ids)))
    check(n == (len(want),) * 3, f"{backend}: each spooled record stored once: {n} for {len(want)}")


def forged(wd, backend, srv, store, apr, ckey, pcap):
    """A sensor whose registered key is not the one it signs with: every batch refused."""
    mine, registered = wd.p(f"t3-{backend}"), wd.p(f"t3-registered-{backend}")
    acdtest.keygen(mine)
    register(srv, store, "t-3", acdtest.keygen(registered))
    spool = wd.p(f"spool-forged-{backend}")
    r = acdtest.sensor_server(srv.base, mine, spool, [apr], [pcap], ckey=ckey,
                              extra=["--sensor-id", "t-3", "--drain-timeout", "20"])
    waiting, refused = acdtest.spooled(spool)
    check(r.returncode == 4 and not waiting and refused,
          f"{backend}: forged key: exit 4, batches refused: {r.returncode} {waiting} {refused}")
    for b in refused:
        with open(os.path.join(spool, "refused", b + ".reason")) as f:
            why = f.read()
        check(why.startswith("HTTP 401") and "signature" in why,
              f"{backend}: the reason is kept beside the batch: {why!r}")
    check(r.stderr.count(b"refused by the server") == len(refused),
          f"{backend}: one line logged per refused batch: {r.stderr[-400:]}")
    check(acdrecords.stored_count(store, "sensor = 't-3'") == 0,
          f"{backend}: nothing of a refused batch is stored")


def spool_away(wd, backend, name, key, sid, apr, ckey, pcap):
    """Runs the sensor against a port where nothing listens: every batch stays spooled."""
    spool = wd.p(f"spool-{name}-{backend}")
    away = f"http://127.0.0.1:{acdserver.free_port()}"
    r = acdtest.sensor_server(away, key, spool, [apr], [pcap], ckey=ckey,
                              extra=["--sensor-id", sid, "--drain-timeout", "0"])
    waiting, _ = acdtest.spooled(spool)
    check(r.returncode == 4 and waiting, f"{backend}: {name}: spooled: {r.returncode} {waiting}")
    return spool, waiting


def second_sensor_on_spool(wd, backend, key, apr, ckey, pcap):
    """Two sensors on one spool would send, delete and refuse the same files: while one runs
    (its server away, so it stays draining), a second on the same spool exits 2 and says why.
    Then SIGTERM ends the first one's drain at once (not after its 30 s): exit 4, its batches
    still in the spool for a later run."""
    spool = wd.p(f"spool-shared-{backend}")
    away = f"http://127.0.0.1:{acdserver.free_port()}"
    first = acdtest.sensor_server(away, key, spool, [apr], [pcap], ckey=ckey, popen=True,
                                  extra=["--sensor-id", "t-2", "--drain-timeout", "30"])
    try:
        deadline = time.monotonic() + 20
        while not acdtest.spooled(spool)[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        r = acdtest.sensor_server(away, key, spool, [apr], [empty_pcap(wd)], ckey=ckey,
                                  extra=["--sensor-id", "t-2", "--drain-timeout", "0"])
        check(r.returncode == 2 and b"in use by another acd-sensor" in r.stderr,
              f"{backend}: a second sensor on the spool is refused: {r.returncode} "
              f"{r.stderr[-300:]}")
        t0 = time.monotonic()
        first.terminate()
        _, err = first.communicate(timeout=30)
        waited = time.monotonic() - t0
        check(first.returncode == 4 and waited < 10 and acdtest.spooled(spool)[0] and
              b"stopping the delivery on signal" in err,
              f"{backend}: SIGTERM ends the drain: exit {first.returncode} after {waited:.1f} s, "
              f"spool {acdtest.spooled(spool)} {err[-300:]}")
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate(timeout=30)


def tampered_at_rest(wd, backend, srv, store, key, apr, ckey, pcap):
    """A batch is signed when it is spooled, so a record changed in the spool afterwards no
    longer matches its signature: acdd refuses the batch (401) and nothing of it is stored."""
    spool, waiting = spool_away(wd, backend, "tampered", key, "t-5", apr, ckey, pcap)
    p = os.path.join(spool, waiting[0])
    with open(p, "rb") as f:
        raw = f.read()
    changed = re.sub(rb'"packets":(\d)', lambda m: b'"packets":' + str(
        (int(m.group(1)) + 1) % 10).encode(), raw, count=1)
    check(changed != raw, f"{backend}: a record's packet count was changed in the spool")
    with open(p, "wb") as f:
        f.write(changed)
    r = acdtest.sensor_server(srv.base, key, spool, [apr], [empty_pcap(wd)], ckey=ckey,
                              extra=["--sensor-id", "t-5", "--drain-timeout", "20"])
    _, refused = acdtest.spooled(spool)
    check(r.returncode == 4 and refused == [waiting[0]],
          f"{backend}: the changed batch is refused: {r.returncode} {refused} "
          f"{r.stderr[-300:]}")
    if refused:
        with open(os.path.join(spool, "refused", refused[0] + ".reason")) as f:
            why = f.read()
        check(why.startswith("HTTP 401") and "signature" in why,
              f"{backend}: refused for its signature: {why!r}")
    check(acdrecords.stored_count(store, "sensor = 't-5'") == 0,
          f"{backend}: nothing of the changed batch is stored")


def key_rotated_while_spooled(wd, backend, srv, store, apr, ckey, pcap):
    """Batches spooled under the sensor's old key, drained after the key was rotated (the
    sensor re-registered with the new one): signed again with the new key and stored."""
    old, new = wd.p(f"t6-old-{backend}"), wd.p(f"t6-new-{backend}")
    acdtest.keygen(old)
    register(srv, store, "t-6", acdtest.keygen(new))
    spool, waiting = spool_away(wd, backend, "rotated", old, "t-6", apr, ckey, pcap)
    r = acdtest.sensor_server(srv.base, new, spool, [apr], [empty_pcap(wd)], ckey=ckey,
                              extra=["--sensor-id", "t-6", "--drain-timeout", "20"])
    check(r.returncode == 0 and acdtest.spooled(spool) == ([], []),
          f"{backend}: the old key's batches are signed again and taken: {r.returncode} "
          f"{acdtest.spooled(spool)} {r.stderr[-300:]}")
    check(acdrecords.stored_count(store, "sensor = 't-6'") > 0,
          f"{backend}: the rotated sensor's records are stored")


def old_format_spool(wd, backend, srv, store, key, apr, ckey):
    """A batch spooled by a sensor from before NDJSON (decision 0018), sent by this one (so as
    application/x-ndjson): acdd answers 400, and the sensor moves it to refused/ with the
    reason and exits 4, as for any refusal."""
    spool = wd.p(f"spool-old-{backend}")
    os.makedirs(spool, mode=0o700)
    name = "000000000001-00000000-000000"
    with open(os.path.join(spool, name + ".batch"), "w") as f:
        f.write(json.dumps({"batch": f"t-2:{name}", "sensor": "t-2", "records": [],
                            "stats": []}))
    os.chmod(os.path.join(spool, name + ".batch"), 0o600)
    r = acdtest.sensor_server(srv.base, key, spool, [apr], [empty_pcap(wd)], ckey=ckey,
                              extra=["--sensor-id", "t-2", "--drain-timeout", "20"])
    waiting, refused = acdtest.spooled(spool)
    check(r.returncode == 4 and not waiting and refused == [name + ".batch"],
          f"{backend}: an old-format batch is refused: {r.returncode} {waiting} {refused} "
          f"{r.stderr[-300:]}")
    if refused:
        with open(os.path.join(spool, "refused", name + ".batch.reason")) as f:
            why = f.read()
        check(why.startswith("HTTP 400") and "NDJSON" in why,
              f"{backend}: the reason says a batch is NDJSON: {why!r}")


def revoked(wd, backend, srv, com, key, aid, apr, ckey, pcap):
    """Revocation through the API: the signed REVOKE document refuses the next run (exit 3)."""
    st, rev = srv.post(f"/api/v1/approvals/{aid}/revoke", com, {"reason": "campaign over"})
    check(st == 200, f"{backend}: revoked: {st} {rev}")
    revdir = wd.p(f"rev-{backend}")
    os.makedirs(revdir, exist_ok=True)
    write_doc(os.path.join(revdir, f"REVOKE-{aid}.json"), rev)
    spool = wd.p(f"spool-rev-{backend}")
    r = acdtest.sensor_server(srv.base, key, spool, [apr], [pcap], ckey=ckey,
                              extra=["--revocations", revdir])
    check(r.returncode == 3 and b"revoked" in r.stderr,
          f"{backend}: the next run is refused: {r.returncode} {r.stderr}")
    check(acdtest.spooled(spool) == ([], []), f"{backend}: a refused run spools nothing")


def live_as_nobody(wd, backend, srv, store, key, apr, ckey):
    """--interface lo --user nobody: the spool is handed over before root goes; SIGTERM drains."""
    if os.geteuid() != 0:
        print("live --server run skipped: needs root")
        return
    os.chmod(wd.path, 0o755)  # nobody re-reads the approvals from here
    for f in (apr, apr + ".sig", ckey):
        os.chmod(f, 0o644)
    spool = wd.p(f"spool-live-{backend}")
    proc = acdtest.sensor_server(srv.base, key, spool, [apr], [], ckey=ckey, popen=True,
                                 extra=["--interface", "lo", "--user", "nobody",
                                        "--sensor-id", "t-4", "--stats-interval", "1"])
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    check(proc.returncode == 0, f"{backend}: live run drained on SIGTERM: {proc.returncode} "
          f"{err[-300:]}")
    check(os.stat(spool).st_uid == pwd.getpwnam("nobody").pw_uid,
          f"{backend}: the spool belongs to the unprivileged user")
    check(acdtest.spooled(spool) == ([], []), f"{backend}: live spool empty")
    n = int(store.sql("SELECT COUNT(*) FROM sensor_stats WHERE sensor = 't-4'").strip())
    check(n >= 2, f"{backend}: the live run's stats were stored ({n})")


def main():
    with acdtest.Workdir("sensor-server") as wd:
        key = wd.p("sensor")
        pub = acdtest.keygen(key)
        pcap = acdtest.gen(wd, "sample")
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "sensorsrv")
            srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
            try:
                analyst = store.user("analyst", "nco")
                com = store.user("commission", "commission")
                for sid in ("t-1", "t-2", "t-4", "t-5"):
                    register(srv, store, sid, pub)
                _, keys = srv.get("/api/v1/keys")
                ckey = wd.p(f"commission-{backend}.pub")
                with open(ckey, "w") as f:
                    f.write(keys["commission"] + "\n")
                aid, doc = issue(srv, analyst, com, APPROVAL)
                apr = write_doc(wd.p(f"apr-{backend}.json"), doc)
                want = delivered(wd, backend, srv, store, analyst, com, key, aid, apr, ckey,
                                 pcap)
                spooled_then_drained(wd, backend, srv, store, key, apr, ckey, pcap, want)
                forged(wd, backend, srv, store, apr, ckey, pcap)
                second_sensor_on_spool(wd, backend, key, apr, ckey, pcap)
                tampered_at_rest(wd, backend, srv, store, key, apr, ckey, pcap)
                key_rotated_while_spooled(wd, backend, srv, store, apr, ckey, pcap)
                old_format_spool(wd, backend, srv, store, key, apr, ckey)
                live_as_nobody(wd, backend, srv, store, key, apr, ckey)
                revoked(wd, backend, srv, com, key, aid, apr, ckey, pcap)
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
    acdtest.finish("test_sensor_server", "records delivered, spooled and drained, refused, "
                   "revoked, on both stores")


if __name__ == "__main__":
    main()
