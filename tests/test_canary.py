"""Secrecy of communications: a canary string placed in every kind of payload (HTTP path,
query, cookie and body, mail, FTP file names, SIP, DNS TXT, TLS extensions and records, ICMP,
fragments, retransmissions, tunnels) never appears in anything the sensor writes — records,
statistics, stdout, stderr — whatever the link type, approvals, thread count or verbosity,
and also when the input ends in the middle of a packet. With --server, the canary is in none
of the spooled batches (the server first away, then back), the SQLite database and its WAL,
acdd's log, or the sensor's output."""
import os
import sys

from acdtest import (CANARY, Workdir, approval, check, finish, gen, keygen, records, sensor)

NEEDLES = [CANARY.encode(), CANARY.encode().lower(), b"7f3a9c1e", CANARY.encode().hex().encode()]


def leaks(blob):
    return [n for n in NEEDLES if n in blob]


def scan_run(name, out, r):
    found = []
    for root, _, files in os.walk(out):
        for fn in files:
            with open(os.path.join(root, fn), "rb") as f:
                if leaks(f.read()):
                    found.append(fn)
    check(not leaks(r.stdout), f"{name}: canary in stdout")
    check(not leaks(r.stderr), f"{name}: canary in stderr")
    check(not found, f"{name}: canary in {found}")


def scan_files(name, paths, needles=NEEDLES):
    found = []
    for p in paths:
        walk = os.walk(p) if os.path.isdir(p) else [(os.path.dirname(p), [], [os.path.basename(p)])]
        for root, _, files in walk:
            for fn in files:
                try:
                    with open(os.path.join(root, fn), "rb") as f:
                        blob = f.read()
                        if [n for n in needles if n in blob]:
                            found.append(fn)
                except FileNotFoundError:
                    pass
    check(not found, f"{name}: canary in {found}")


def server_runs(wd, pcap):
    """--server: spooled while acdd is away, then delivered; nothing anywhere holds the canary."""
    sys.path.insert(0, os.path.dirname(__file__))
    import acdrecords
    import acdserver
    import acdtest
    from test_sensor_server import empty_pcap, register, write_doc
    from test_api_ingest import issue
    store = acdserver.Store(wd, "sqlite", "canary")
    srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
    try:
        analyst = store.user("analyst", "nco")
        com = store.user("commission", "commission")
        key = wd.p("sensor")
        register(srv, store, "t-1", keygen(key))
        _, keys = srv.get("/api/v1/keys")
        ckey = wd.p("commission-srv.pub")
        with open(ckey, "w") as f:
            f.write(keys["commission"] + "\n")
        base = {"facility": "t-1", "justification": "canary test",
                "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2035-12-31T23:59:59Z"}
        apps = []
        for i, (kind, sels) in enumerate([
                ("foreign-foreign", [{"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"},
                                     {"id": "ALL6", "type": "ip", "value": "::/0"}]),
                ("foreign-domestic", [
                    {"id": "C1", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"},
                    {"id": "C2", "type": "content", "value": CANARY.encode().hex(), "label": "canary"},
                    {"id": "D1", "type": "domain", "value": "example.com"},
                    {"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"}])]):
            _, doc = issue(srv, analyst, com, dict(base, kind=kind, selectors=sels))
            apps.append(write_doc(wd.p(f"srv-apr-{i}.json"), doc))
        spool = wd.p("spool")
        away = f"http://127.0.0.1:{acdserver.free_port()}"
        r = acdtest.sensor_server(away, key, spool, apps, [pcap], ckey=ckey,
                                  extra=["--verbose", "--threads", "2", "--drain-timeout", "1"])
        check(r.returncode == 4 and acdtest.spooled(spool)[0], f"server away: spooled ({r.returncode})")
        scan_run("--server, spooled", spool, r)
        # The same input again would repeat the record ids (Contract 4: sensor and sequence):
        # the later run only drains.
        r = acdtest.sensor_server(srv.base, key, spool, apps, [empty_pcap(wd)], ckey=ckey,
                                  extra=["--verbose"])
        check(r.returncode == 0, f"--server: delivered (exit {r.returncode}) {r.stderr[-300:]}")
        check(acdtest.spooled(spool) == ([], []), "--server: spool drained")
        n = acdrecords.stored_count(store)
        check(n > 50, f"--server: records stored ({n})")
        scan_run("--server, delivered", spool, r)
        # The approval with the canary's hex as a content selector is itself stored (and
        # audited): the raw files are searched for the canary text, the stored records, stats
        # and batches for every form of it.
        text = [n for n in NEEDLES if n != CANARY.encode().hex().encode()]
        db = store.url[len("sqlite:"):]
        scan_files("--server store", [db, db + "-wal", db + "-shm", srv.log], text)
        dump = store.sql("SELECT docs FROM record_chunks; SELECT doc FROM sensor_stats; "
                         "SELECT * FROM ingest_batches;").encode()
        check(not leaks(dump), "--server: canary in the stored records, stats or batches")
        check(b'{"id":"C2","label":"canary"}' in dump.replace(b" ", b""),
              "--server: flows selected by the canary bytes themselves were stored")
    finally:
        check(srv.stop() == 0, "acdd: clean stop")
    db = store.url[len("sqlite:"):]
    scan_files("--server store after stop", [db, db + "-wal", srv.log], text)


def main():
    runs = 0
    with Workdir("canary") as wd:
        ck = wd.p("commission")
        cpub = keygen(ck)
        ok = wd.p("office")
        opub = keygen(ok)
        pcaps = {lt: gen(wd, "canary", name=f"canary-{lt}.pcap", linktype=lt, seed=11)
                 for lt in ("en10mb", "sll", "sll2", "raw")}
        for lt, p in pcaps.items():
            with open(p, "rb") as f:
                check(f.read().count(CANARY.encode()) > 20, f"the {lt} input really carries the canary")
        # A truncated copy: the sensor stops with exit 2 but must leak nothing on the way.
        with open(pcaps["en10mb"], "rb") as f:
            data = f.read()
        cut = wd.p("canary-cut.pcap")
        with open(cut, "wb") as f:
            f.write(data[: len(data) * 2 // 3])
        apps = [
            approval(wd, "ALL-FF", ck),
            approval(wd, "ALL-FD", ck, kind="foreign-domestic"),
            approval(wd, "AGR", ok, kind="agreement",
                     party={"operator": "OP-1", "prefixes": ["133.0.0.0/8", "2001:db8:1::/48"]}),
            approval(wd, "SIG", ck, kind="foreign-domestic", selectors=[
                {"id": "C1", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"},
                {"id": "C2", "type": "content", "value": CANARY.encode().hex(), "label": "canary"},
                {"id": "D1", "type": "domain", "value": "example.com"}]),
        ]
        for lt, p in pcaps.items():
            for threads in ("1", "2"):
                out = wd.p(f"out-{lt}-{threads}")
                r = sensor(wd, out, apps, [p], ckey=cpub, okey=opub,
                           extra=["--threads", threads, "--verbose", "--idle-timeout", "1"])
                check(r.returncode == 0, f"{lt}/{threads}: exit 0 (got {r.returncode})")
                recs = records(out)
                check(len(recs) > 50, f"{lt}/{threads}: flows were selected ({len(recs)})")
                check(any(x["approval"] == "SIG" and {"id": "C2", "label": "canary"} in x["signatures"]
                          for x in recs), f"{lt}/{threads}: the canary bytes themselves were matched")
                scan_run(f"{lt}/{threads}", out, r)
                runs += 1
        out = wd.p("out-cut")
        r = sensor(wd, out, apps, [cut], ckey=cpub, okey=opub)
        check(r.returncode == 2, f"truncated input: exit 2 (got {r.returncode})")
        scan_run("truncated", out, r)
        runs += 1
        server_runs(wd, pcaps["en10mb"])
        runs += 3
    finish("test_canary", f"{runs} sensor runs, no canary in any output")


if __name__ == "__main__":
    main()
