#!/usr/bin/env python3
"""Retention with a controlled clock, on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE):
real records from a sensor run go in through signed batches, plus copies whose last packet
lies years back (each carrying a unique value no other row holds) and copies from yesterday
(carrying another). `acd purge --now T --config FILE` removes the records older than the
configured period and the old stats line, keeps the newer ones, records a purges row and an
audit entry with counts only. The raw database files — SQLite's main file, WAL and shm; every
file of the PostgreSQL data directory, WAL included — hold the old unique value before the
purge (so the search can fail) and no longer after it, while the kept value is still there.
The audit log stays intact and is never purged. On PostgreSQL the purge runs while another
session holds a snapshot from before it, and must wait for that snapshot before VACUUM FULL
(which would otherwise copy the purged rows into the new files)."""
import datetime
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

DAY, iso = acdrecords.DAY, acdrecords.iso


def parse(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)


def raw_files(store):
    """Every file the store keeps its data in."""
    if store.backend == "sqlite":
        path = store.url[len("sqlite:"):]
        return [p for p in (path, path + "-wal", path + "-shm") if os.path.exists(p)]
    out = []
    for root, _, files in os.walk(acdrecords.pg_datadir()):
        out += [os.path.join(root, f) for f in files]
    return out


def found_in_files(store, value):
    needle = value.encode()
    hits = []
    for path in raw_files(store):
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    hits.append(path)
        except OSError:
            pass  # a WAL segment removed while we walked
    return hits


def hold(url, sql):
    """A psql session that ran `sql` (ending in a statement printing one row) and keeps its
    transaction open until commit(session)."""
    session = subprocess.Popen(["psql", url, "-At", "-v", "ON_ERROR_STOP=1"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    session.stdin.write(sql)
    session.stdin.flush()
    session.stdout.readline()  # BEGIN
    session.stdout.readline()  # the row: the snapshot is taken, the xid assigned
    return session


def commit(session):
    session.stdin.write("COMMIT;\n")
    session.stdin.close()
    session.wait(timeout=30)


def purge_past_an_old_snapshot(store, config, now, tag):
    """PostgreSQL: transactions older than the purge still run. VACUUM FULL would copy the
    purged rows into the new files while one may still see them, so the purge must wait for
    each: still running while one is open, done once both commit. Returns the purge's
    completed process.
    - Another session of this database holds a snapshot taken before the purge (as an open
      REPEATABLE READ transaction, or autovacuum's ANALYZE, would).
    - A transaction in another database of the cluster holds an xid from before the purge (as
      a concurrent test, or another store of the cluster, does): VACUUM FULL's own snapshot
      reaches back to it, and until the purge waited for it too one of five full test runs
      found a purged value copied into the new files."""
    # SELECT 1 takes the transaction's snapshot without locking any table of the store: a
    # lock would make VACUUM FULL wait anyway, hiding what this is about.
    here = hold(store.url, "BEGIN ISOLATION LEVEL REPEATABLE READ;\nSELECT 1;\n")
    elsewhere = hold(acdserver.pg_url(), "BEGIN;\nSELECT txid_current();\n")
    purge = subprocess.Popen([acdtest.ACD, "--db", store.url, "--keys", store.keys, "purge",
                              "--config", config, "--now", iso(now)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    check(purge.poll() is None, f"{tag}: the purge waits for the older snapshot")
    commit(here)
    time.sleep(1.0)
    check(purge.poll() is None,
          f"{tag}: the purge waits for the older transaction in another database")
    commit(elsewhere)
    stdout, stderr = purge.communicate(timeout=120)
    return subprocess.CompletedProcess(purge.args, purge.returncode, stdout, stderr)


def run(wd, backend):
    store = acdserver.Store(wd, backend, "retention")
    # acdd's own purge is off: this test is about `acd purge` on its controlled clock.
    no_purger = acdrecords.no_purger(wd, backend)
    srv = acdserver.Server(store, config=no_purger, extra=["--prefixes", acdtest.PREFIXES])
    tag = backend
    old_mark = f"PURGED-{uuid.uuid4().hex}"
    keep_mark = f"KEPT-{uuid.uuid4().hex}"
    try:
        analyst = store.user("analyst", "nco")
        com = store.user("commission", "commission")
        key = acdrecords.register_sensor(srv, store, wd, tag)
        aid, doc = acdrecords.issue(srv, analyst, com, acdrecords.FF_APPROVAL)
        records, stats = acdrecords.sensor_run(srv, wd, tag, doc)
        check(len(records) > 20, f"{tag}: the sensor selected records ({len(records)})")
        latest = max(parse(r["last"]) for r in records)
        # The controlled clock: 30 days after the newest real record; period 365 days.
        now = latest + 30 * DAY
        old, recent, old_stat = acdrecords.aged(records, stats, now, old_mark, keep_mark)
        for n, (recs, sts) in enumerate(((records, stats), (old, [old_stat]), (recent, []))):
            st, r = acdrecords.post_batch(srv, wd, key, f"t-1:{n}", recs, sts)
            check(st == 200, f"{tag}: batch {n} stored: {st} {r}")
        total = len(records) + len(old) + len(recent)
        check(acdrecords.stored_count(store) == total,
              f"{tag}: all records stored")
    finally:
        check(srv.stop() == 0, f"{tag}: clean stop")

    if backend == "postgresql":
        store.sql("CHECKPOINT")  # so the rows are in the table files too, not only the WAL
    check(found_in_files(store, old_mark), f"{tag}: before the purge the old value is in the "
          "raw files (the search works)")

    config = wd.p(f"retention-{tag}.json")
    with open(config, "w") as f:
        json.dump({"retention": {"records_days": 365, "stats_days": 1000}}, f)
    if backend == "postgresql":
        r = purge_past_an_old_snapshot(store, config, now, tag)
    else:
        r = store.acd("purge", "--config", config, "--now", iso(now))
    check(r.returncode == 0, f"{tag}: purge ran: {r.stderr}")
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check(out.get("records") == len(old) and out.get("stats") == 1,
          f"{tag}: the purge counts what expired: {out}")
    check(out.get("scrubbed") is True, f"{tag}: the deletion was made real: {out}")

    left = acdrecords.stored_count(store)
    check(left == total - len(old), f"{tag}: newer records kept ({left})")
    check(sum(old_mark in x for x in acdrecords.stored(store)) == 0,
          f"{tag}: no purged record is left")
    check(sum(keep_mark in x for x in acdrecords.stored(store)) == len(recent),
          f"{tag}: yesterday's records are kept")
    check(int(store.sql("SELECT COUNT(*) FROM sensor_stats").strip()) == len(stats),
          f"{tag}: only the old stats line went")
    row = store.sql("SELECT records, stats FROM purges").strip()
    check(row.replace("|", " ").split() == [str(len(old)), "1"], f"{tag}: purges row: {row!r}")
    audit = store.sql("SELECT detail FROM audit_log WHERE action = 'retention.purge'").strip()
    check(f'"records":{len(old)}' in audit and '"stats":1' in audit,
          f"{tag}: the purge is logged with its counts: {audit!r}")
    check(store.sql(f"SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%{old_mark}%' OR "
                    f"purpose LIKE '%{old_mark}%'").strip() == "0",
          f"{tag}: the log holds counts, not contents")

    hits = found_in_files(store, old_mark)
    check(not hits, f"{tag}: the purged value is in no database file any more: {hits}")
    check(found_in_files(store, keep_mark) or backend == "postgresql",
          f"{tag}: the kept value is still on disk (the search sees live rows)")

    # A second purge on the same clock removes nothing more.
    r = store.acd("purge", "--config", config, "--now", iso(now))
    check(r.returncode == 0 and json.loads(r.stdout)["records"] == 0,
          f"{tag}: a repeated purge finds nothing: {r.stdout} {r.stderr}")
    # The Diet report sums purged records in the fiscal year of the clock.
    fy = now.year if (now + datetime.timedelta(hours=9)).month >= 4 else now.year - 1
    r = store.acd("stats", "diet", "--year", str(fy))
    check(r.returncode == 0 and json.loads(r.stdout)["records"]["purged"] == len(old),
          f"{tag}: the Diet report counts the purge: {r.stdout} {r.stderr}")
    rc, verdict, err = store.audit_verify()
    check(rc == 0, f"{tag}: audit intact after the purge: {verdict} {err}")
    # Reading through the API after the purge sees only kept records.
    srv = acdserver.Server(store, config=no_purger, extra=["--prefixes", acdtest.PREFIXES])
    try:
        st, page = srv.get(acdserver.query("/api/v1/records", approval=aid, purpose="inspect",
                                           limit=5000), analyst)
        check(st == 200 and len(page["items"]) == total - len(old) and
              all(x["http_user_agent"] != old_mark for x in page["items"]),
              f"{tag}: the API serves the kept records only")
    finally:
        check(srv.stop() == 0, f"{tag}: clean stop")


def main():
    with acdtest.Workdir("retention") as wd:
        for backend in acdserver.BACKENDS:
            run(wd, backend)
    acdtest.finish("test_retention", "records past their period purged and unrecoverable from "
                   "the files, newer kept, counts logged, on both stores")


if __name__ == "__main__":
    main()
