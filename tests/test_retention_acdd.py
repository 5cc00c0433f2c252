#!/usr/bin/env python3
"""acdd purges by itself, on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE). acdd runs on
its own clock, so the test controls time through the data, as test_retention does with
`--now`: copies of real records whose last packet lies 800 days before now (each carrying a
unique value), copies from yesterday (another value), and a stats line 2000 days old go in
through signed batches while acdd runs with `retention.purge_interval_hours` set to two
seconds. Without any command, acdd deletes the expired rows and keeps the others, logs one
line with the counts, records a purges row and a `retention.purge` audit entry (actor acdd,
counts only); the log verifies. A bad interval is refused naming the key; 0 turns it off."""
import datetime
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

DAY = acdrecords.DAY


def config(wd, name, interval_hours):
    path = wd.p(name)
    with open(path, "w") as f:
        json.dump({"retention": {"records_days": 365, "stats_days": 1000,
                                 "purge_interval_hours": interval_hours}}, f)
    return path


def count(store, query):
    return int(store.sql(query).strip() or 0)


def marked(store, mark):
    """How many stored records carry `mark`."""
    return sum(mark in line for line in acdrecords.stored(store))


def run(wd, backend):
    tag = backend
    store = acdserver.Store(wd, backend, "purger")
    old_mark = f"PURGED-{uuid.uuid4().hex}"
    keep_mark = f"KEPT-{uuid.uuid4().hex}"
    srv = acdserver.Server(store, config=config(wd, f"purger-{tag}.json", 2 / 3600),
                           extra=["--prefixes", acdtest.PREFIXES])
    try:
        analyst = store.user("analyst", "nco")
        com = store.user("commission", "commission")
        key = acdrecords.register_sensor(srv, store, wd, tag)
        _, doc = acdrecords.issue(srv, analyst, com, acdrecords.FF_APPROVAL)
        records, stats = acdrecords.sensor_run(srv, wd, tag, doc)
        check(records and stats, f"{tag}: the sensor gave templates")
        now = datetime.datetime.now(datetime.timezone.utc)
        old, recent, old_stat = acdrecords.aged(records, stats, now, old_mark, keep_mark)
        st, r = acdrecords.post_batch(srv, wd, key, "t-1:0", old + recent, [old_stat])
        check(st == 200, f"{tag}: batch stored: {st} {r}")

        deadline = time.time() + 60
        while time.time() < deadline and marked(store, old_mark):
            time.sleep(0.2)
        check(marked(store, old_mark) == 0,
              f"{tag}: acdd purged the expired records by itself")
        check(marked(store, keep_mark) == len(recent), f"{tag}: yesterday's records are kept")
        check(count(store, "SELECT COUNT(*) FROM sensor_stats WHERE to_at < "
                    f"{int((now - 1000 * DAY).timestamp() * 1e6)}") == 0,
              f"{tag}: the old stats line went")
        # The purge that did it, in the store and the log, by acdd, with counts only.
        row = store.sql("SELECT id, records, stats FROM purges WHERE records > 0").split()
        check(len(row) == 1 and row[0].split("|")[1:] == [str(len(old)), "1"],
              f"{tag}: one purges row with the counts: {row}")
        pid = row[0].split("|")[0] if row else "?"
        audit = store.sql("SELECT actor, role, object, detail FROM audit_log WHERE action = "
                          f"'retention.purge' AND object = '{pid}'").strip()
        check(audit.startswith(f"acdd|system|{pid}|") and f'"records":{len(old)}' in audit and
              '"stats":1' in audit, f"{tag}: the purge is audited with its counts: {audit!r}")
        check(count(store, f"SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{old_mark}%' "
                    f"OR purpose LIKE '%{old_mark}%'") == 0,
              f"{tag}: the log holds counts, not contents")
        # The line comes once the deletion is made real in the files (after the commit).
        deadline = time.time() + 60
        while time.time() < deadline:
            line = [x for x in srv.output().splitlines() if f"purge {pid}:" in x]
            if line:
                break
            time.sleep(0.2)
        check(len(line) == 1 and f"{len(old)} records and 1 statistics lines deleted" in line[0],
              f"{tag}: one log line with the counts: {line}")
        # It goes on every interval; with nothing expired the files are not scrubbed again.
        deadline = time.time() + 30
        while time.time() < deadline and "nothing expired" not in srv.output():
            time.sleep(0.2)
        check("nothing expired" in srv.output() and
              count(store, "SELECT COUNT(*) FROM purges WHERE records = 0") >= 1,
              f"{tag}: the next purge finds nothing and says so")
        # The server keeps serving while it purges.
        check(srv.get("/healthz")[0] == 200, f"{tag}: acdd still serves")
    finally:
        check(srv.stop() == 0, f"{tag}: clean stop")
    rc, verdict, err = store.audit_verify()
    check(rc == 0, f"{tag}: audit intact after acdd's purges: {verdict} {err}")



def bad_interval(wd):
    store = acdserver.Store(wd, "sqlite", "purger-bad")
    for value in (-1, 0.0001 / 3600, "24"):
        try:
            srv = acdserver.Server(store, config=config(wd, "purger-bad.json", value))
            srv.stop()
            check(False, f"interval {value!r} refused")
        except RuntimeError as x:
            check("purge_interval_hours" in str(x), f"interval {value!r} refused: {x}")
    srv = acdserver.Server(store, config=config(wd, "purger-off.json", 0))
    check(srv.stop() == 0, "0 (off) is accepted")


def main():
    with acdtest.Workdir("retention_acdd") as wd:
        bad_interval(wd)
        for backend in acdserver.BACKENDS:
            run(wd, backend)
    acdtest.finish("test_retention_acdd", "acdd purges expired records by itself on both "
                   "stores: counts logged and audited, kept records kept, log intact")


if __name__ == "__main__":
    main()
