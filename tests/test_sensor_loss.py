#!/usr/bin/env python3
"""No loss, no doubles, while acdd dies under a streaming sensor, on both stores (PostgreSQL
through ACD_TEST_PG_URL_FILE): a large generated pcap (acd-pcapgen --scenario bench) is sent
by acd-sensor --server in small batches while acdd is killed with SIGKILL and restarted
several times; afterwards the stored records equal those of an --out run on the same input,
none missing, none doubled, and the spool is empty. A batch stored just before a kill but
never acknowledged is resent and ignored as a duplicate (exactly-once storage)."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402
from test_api_ingest import APPROVAL, issue  # noqa: E402
from test_sensor_server import register, write_doc  # noqa: E402

PACKETS = 300000 if acdtest.SANITIZED else 800000
KILLS = 5
STEP = 3  # batches acdd stores between two kills
BATCH = 50  # records a batch (--batch-records): many batches, so many kills mid-stream


def stored(store):
    """Every stored record's document, parsed, with the count of distinct ids."""
    return acdrecords.stored_docs(store, "sensor = 't-1'")


def batches_stored(store):
    """Batches acdd has stored, or None while the store cannot be read (a SQLite file is
    briefly locked while acdd recovers it after a SIGKILL)."""
    try:
        return int(store.sql("SELECT COUNT(*) FROM ingest_batches").strip())
    except (AssertionError, ValueError):
        return None


def progressed(store, proc, step):
    """Waits until `step` more batches are stored than when called; False if the sensor
    ended first (then there is nothing left to kill under)."""
    base = None
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline:
        n = batches_stored(store)
        if base is None:
            base = n
        elif n is not None and n >= base + step:
            return True
        time.sleep(0.02)
    return False


def canon(recs):
    return sorted(json.dumps(r, sort_keys=True) for r in recs)


def main():
    with acdtest.Workdir("sensor-loss") as wd:
        key = wd.p("sensor")
        pub = acdtest.keygen(key)
        pcap = acdtest.gen(wd, "bench", packets=PACKETS)
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "loss")
            srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
            try:
                analyst = store.user("analyst", "nco")
                com = store.user("commission", "commission")
                register(srv, store, "t-1", pub)
                _, keys = srv.get("/api/v1/keys")
                ckey = wd.p(f"commission-{backend}.pub")
                with open(ckey, "w") as f:
                    f.write(keys["commission"] + "\n")
                _, doc = issue(srv, analyst, com, APPROVAL)
                apr = write_doc(wd.p(f"apr-{backend}.json"), doc)
                out = wd.p(f"out-{backend}")
                r = acdtest.sensor(wd, out, [apr], [pcap], ckey=ckey)
                assert r.returncode == 0, r.stderr
                want = acdtest.records(out)

                spool = wd.p(f"spool-{backend}")
                proc = acdtest.sensor_server(srv.base, key, spool, [apr], [pcap], ckey=ckey,
                                             extra=["--batch-records", str(BATCH),
                                                    "--drain-timeout", "120", "--verbose"], popen=True)
                kills = 0
                while kills < KILLS and proc.poll() is None:
                    # Kill mid-stream, whatever this machine's speed: only once acdd has stored
                    # a few more batches since it (re)started, so the sensor is sending.
                    if not progressed(store, proc, STEP):
                        break
                    srv.kill9()
                    kills += 1
                    time.sleep(0.3)
                    srv.start()
                _, err = proc.communicate(timeout=600)
                check(proc.returncode == 0,
                      f"{backend}: the sensor delivered everything: {proc.returncode} "
                      f"{err[-400:]}")
                check(kills == KILLS and b"retrying" in err,
                      f"{backend}: acdd was killed under the sensor ({kills} times) and the "
                      f"sensor saw it")
                check(acdtest.spooled(spool) == ([], []), f"{backend}: spool empty")
                got = stored(store)
                ids = [x["id"] for x in got]
                check(len(ids) == len(set(ids)), f"{backend}: no record stored twice "
                      f"({len(ids) - len(set(ids))} doubles)")
                check(canon(got) == canon(want),
                      f"{backend}: stored records equal the --out run's ({len(got)} vs "
                      f"{len(want)})")
                batches = int(store.sql("SELECT COUNT(*) FROM ingest_batches").strip())
                check(batches >= 20,
                      f"{backend}: delivered in many batches ({batches})")
                most = int(store.sql("SELECT MAX(records) FROM ingest_batches").strip())
                check(most == BATCH, f"{backend}: no batch holds more than --batch-records "
                      f"{BATCH} records ({most})")
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
    acdtest.finish("test_sensor_loss", "acdd killed and restarted under a streaming sensor: "
                   "stored records equal the --out run's, none missing, none doubled")


if __name__ == "__main__":
    main()
