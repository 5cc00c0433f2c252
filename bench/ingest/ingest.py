#!/usr/bin/env python3
"""bench/ingest — selected records per second from acd-sensor to durable storage in acdd,
on SQLite and PostgreSQL. The goal: 200,000 records/s on SQLite on the reference machine.

A bench pcap (acd-pcapgen --scenario bench) with two approvals issued through the API that
select every flow with a foreign end (foreign-foreign and foreign-domestic, ip 0.0.0.0/0 and
::/0), so most flows give records. Two timings per store, each on a fresh store, and a reference:
  pcap→store   from the start of `acd-sensor --server --read PCAP` to its exit, which comes
               after acdd acknowledged the last batch: packet processing, spooling (fsync),
               delivery and storage together, the two programs sharing the machine's cores;
  spool→store  the same records, first spooled by a run whose server is unreachable (exit 4,
               untimed; batches are signed as they are spooled, decision 0025), then
               delivered by a run that only drains the spool (`--read` of an empty pcap):
               reading the spool, posting, acdd's checks and storage;
  pcap→file    for reference, not a goal: the same run with `--out DIR` instead of the server,
               the sensor's own part of pcap→store. The bench capture is one second of
               traffic whose flows all stay open to its end, so every record appears only at
               the end of input, and pcap→store is this time plus delivering all of them.
Each acknowledged batch is committed (SQLite WAL with synchronous=FULL, PostgreSQL with fsync
on). Printed: records stored, seconds, records/s and the ratio to the goal. Uses
tests/acdserver.py for the stores and the server (PostgreSQL: a throw-away cluster of its own
unless ACD_TEST_PG_URL_FILE is set)."""
import os
import shutil
import sys
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(SRC, "tests"))
os.environ.setdefault("ACD_SRC", SRC)
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from test_api_ingest import issue  # noqa: E402
from test_sensor_server import empty_pcap, register, write_doc  # noqa: E402

GOAL = 200000
PACKETS = int(os.environ.get("BENCH_PACKETS", "1000000"))
BATCH = os.environ.get("BENCH_BATCH_RECORDS", "20000")
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
PATHS = os.environ.get("BENCH_PATHS", "pcap,spool,file").split(",")
ALL = [{"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"},
       {"id": "ALL6", "type": "ip", "value": "::/0"}]


def one(wd, backend, pcap, key, pub, path):
    store = acdserver.Store(wd, backend, f"bench{int(time.time() * 1000) % 10**8}")
    srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
    spool = wd.p(f"spool-{backend}-{time.time()}")
    try:
        analyst = store.user("analyst", "nco")
        com = store.user("commission", "commission")
        register(srv, store, "t-1", pub)
        _, keys = srv.get("/api/v1/keys")
        ckey = wd.p("commission.pub")
        with open(ckey, "w") as f:
            f.write(keys["commission"] + "\n")
        apps = []
        for kind in ("foreign-foreign", "foreign-domestic"):
            _, doc = issue(srv, analyst, com, {
                "kind": kind, "facility": "t-1", "selectors": ALL, "justification": "bench",
                "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2035-12-31T23:59:59Z"})
            apps.append(write_doc(wd.p(f"{backend}-{kind}.json"), doc))
        opts = ["--batch-records", BATCH, "--drain-timeout", "600"]
        if path == "spool":
            # Port 1 on loopback refuses at once: every batch stays in the spool (exit 4).
            r = acdtest.sensor_server("http://127.0.0.1:1", key, spool, apps, [pcap],
                                      ckey=ckey, extra=opts[:2] + ["--drain-timeout", "0"])
            if r.returncode != 4:
                sys.exit(f"bench: spooling run exit {r.returncode}: {r.stderr.decode()[-500:]}")
            pcap = empty_pcap(wd)
        t0 = time.monotonic()
        if path == "file":
            r = acdtest.sensor(wd, spool, apps, [pcap], ckey=ckey)
        else:
            r = acdtest.sensor_server(srv.base, key, spool, apps, [pcap], ckey=ckey, extra=opts)
        secs = time.monotonic() - t0
        if r.returncode != 0:
            sys.exit(f"bench: sensor exit {r.returncode}: {r.stderr.decode()[-500:]}")
        if path == "file":
            return len(acdtest.records(spool)), secs
        n = acdrecords.stored_count(store)
        return n, secs
    finally:
        srv.stop()
        scrub(store, spool, srv)


def scrub(store, spool, srv):
    """Removes what a run leaves in build/bench/ingest (its store, keys, spool, acdd's log
    and configuration): a run wrote some 150 MB there, and they piled up over runs."""
    paths = [store.keys, spool, srv.log, store.wd.p(f"acdd-config-{srv.port}.json")]
    if store.backend == "sqlite":
        db = store.url[len("sqlite:"):]
        paths += [db, db + "-wal", db + "-shm"]
    for p in paths:
        if os.path.isdir(p):
            shutil.rmtree(p, ignore_errors=True)
        elif os.path.exists(p):
            os.unlink(p)


def main():
    build = acdtest.BUILD
    wd = acdtest.Workdir.__new__(acdtest.Workdir)
    wd.path = os.path.join(build, "bench", "ingest")
    os.makedirs(wd.path, exist_ok=True)
    pcap = wd.p(f"bench-{PACKETS}.pcap")
    if not os.path.exists(pcap) or os.path.getmtime(acdtest.PCAPGEN) > os.path.getmtime(pcap):
        acdtest.gen(wd, "bench", name=os.path.basename(pcap), packets=PACKETS)
    key = wd.p("sensor")
    for f in (key, key + ".pub"):
        if os.path.exists(f):
            os.unlink(f)
    pub = acdtest.keygen(key)
    print(f"bench/ingest: {PACKETS} packets, batches of {BATCH} records, best of {RUNS}")
    print(f"{'store':<12}{'path':<14}{'records':>10}{'seconds':>10}{'records/s':>12}{'goal':>8}")
    for backend in acdserver.BACKENDS:
        for path in PATHS:
            if path == "file" and backend != acdserver.BACKENDS[0]:
                continue  # no store involved: once is enough
            best = None
            for _ in range(RUNS):
                n, secs = one(wd, backend, pcap, key, pub, path)
                if best is None or secs < best[1]:
                    best = (n, secs)
            n, secs = best
            rate = n / secs
            if path == "file":
                print(f"{'-':<12}{'pcap→file':<14}{n:>10}{secs:>10.2f}{rate:>12.0f}"
                      f"{'':>8}  reference: the sensor alone, --out", flush=True)
                continue
            print(f"{backend:<12}{path + '→store':<14}{n:>10}{secs:>10.2f}{rate:>12.0f}"
                  f"{rate / GOAL:>8.2f}  {'PASS' if rate >= GOAL else 'MISS'}" +
                  ("" if backend == "sqlite" else " (goal set for SQLite)"), flush=True)


if __name__ == "__main__":
    main()
