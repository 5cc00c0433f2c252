#!/usr/bin/env python3
"""Selected records kept in chunks (decision 0021), on both stores (PostgreSQL via
ACD_TEST_PG_URL_FILE), seen from outside: a batch with records of two approvals (and one flow
under both) is stored in chunks of one approval each, in batch order; the read API pages
across chunk boundaries exactly as over one row per record (limit smaller and larger than a
chunk, a cursor in the middle of a chunk, the cursor the seq of the last record); a record
already stored in a chunk, or twice in one batch across a chunk boundary, refuses the batch
with 409 naming it and stores nothing of it; a purge removes the expired records from a chunk
that also holds kept ones, which keep their place and cursor, and the expired value is in no
database file afterwards."""
import datetime
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402
from test_retention import found_in_files  # noqa: E402

DAY, iso = acdrecords.DAY, acdrecords.iso
CHUNK = 256  # RECORD_CHUNK_MAX (src/store/record_chunks.h)


def copies(records, tag, n, approval):
    """n copies of real records with fresh ids (in increasing order) under `approval`."""
    return [dict(records[k % len(records)], id=f"t-1:{tag}{k:08d}", approval=approval)
            for k in range(n)]


def read_all(srv, token, aid, limit):
    """Every record of `aid` through the read API in pages of `limit`: (items, cursors)."""
    items, cursors, after = [], [], None
    while True:
        st, page = srv.get(acdserver.query("/api/v1/records", approval=aid, purpose="chunk test",
                                           limit=limit, after=after), token)
        assert st == 200, page
        items += page["items"]
        if not page["next"]:
            check(len(page["items"]) < limit, f"a short page ends the reading (limit {limit})")
            return items, cursors
        check(len(page["items"]) == limit, f"a page with a next cursor is full ({limit})")
        if cursors and int(page["next"]) <= cursors[-1] or len(items) > 100000:
            check(False, f"limit {limit}: the cursor moves on ({cursors[-1]} -> {page['next']})")
            return items, cursors
        cursors.append(int(page["next"]))
        after = page["next"]


def ids(items):
    return [x["id"] for x in items]


def two_approvals(srv, store, wd, key, a, b, records):
    """One batch, records of two approvals interleaved: chunks per approval in batch order."""
    mixed = []
    for k, r in enumerate(copies(records, "1", 2 * CHUNK + 90, a)):
        mixed.append(dict(r, approval=b) if k % 3 == 1 else r)
    both = dict(mixed[0], approval=b)  # one flow selected by both approvals: one id, two records
    mixed.insert(7, both)
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:mixed", mixed)
    check(st == 200 and r["records"] == len(mixed), f"a batch of two approvals stored: {st} {r}")
    check(acdrecords.stored_count(store, "batch = 't-1:mixed'") == len(mixed),
          "every record of the batch stored once")
    rows = store.sql("SELECT approval, n FROM record_chunks WHERE batch = 't-1:mixed' "
                     "ORDER BY seq").split()
    chunks = [(x.split("|")[0], int(x.split("|")[1])) for x in rows]
    want_a = [x for x in mixed if x["approval"] == a]
    want_b = [x for x in mixed if x["approval"] == b]
    check(all(n <= CHUNK for _, n in chunks) and
          sum(n for ap, n in chunks if ap == a) == len(want_a) and
          sum(n for ap, n in chunks if ap == b) == len(want_b) and
          len(chunks) == -(-len(want_a) // CHUNK) + -(-len(want_b) // CHUNK),
          f"chunks of at most {CHUNK} records of one approval each: {chunks}")
    for ap in (a, b):
        lines = [json.loads(x) for x in acdrecords.stored(store, f"approval = '{ap}' AND "
                                                          "batch = 't-1:mixed'")]
        want = [x for x in mixed if x["approval"] == ap]
        check(ids(lines) == ids(want) and all(x["approval"] == ap for x in lines),
              f"{ap}'s chunks hold its records only, in batch order")
    return want_a, want_b


def paging(srv, analyst, a, want_a):
    """The read API across chunk boundaries, with the same answers for every page size."""
    full, _ = read_all(srv, analyst, a, 5000)
    check(ids(full) == ids(want_a), f"one page larger than the chunks: every record of the "
          f"approval in batch order ({len(full)} of {len(want_a)})")
    for limit in (1, 7, 100, CHUNK - 1, CHUNK, CHUNK + 1, 300):
        got, cursors = read_all(srv, analyst, a, limit)
        if limit == 1:
            steps = {y - x for x, y in zip(cursors, cursors[1:])}
            check(steps == {1}, f"limit 1: the cursor is each record's own seq, one apart in a "
                  f"batch's chunks of one approval ({sorted(steps)[:5]})")
        check(ids(got) == ids(full) and cursors == sorted(set(cursors)),
              f"limit {limit}: the same records in the same order, cursors increasing")
    # A cursor in the middle of a chunk: the page starts right after that record.
    _, cursors = read_all(srv, analyst, a, 1)
    mid = cursors[CHUNK // 2]
    st, page = srv.get(acdserver.query("/api/v1/records", approval=a, purpose="chunk test",
                                       limit=CHUNK, after=mid), analyst)
    check(st == 200 and ids(page["items"]) == ids(full[CHUNK // 2 + 1:CHUNK // 2 + 1 + CHUNK]) and
          int(page["next"]) == cursors[CHUNK // 2 + CHUNK],
          f"a cursor in the middle of a chunk: the next {CHUNK} records, across the boundary")


def conflicts(srv, store, wd, key, records, a, b, want_b):
    """409 for a record stored in a chunk (mid-chunk), and for one twice across chunks."""
    before = acdrecords.stored_count(store)
    again = want_b[CHUNK // 3]
    fresh = copies(records, "2", 5, b)
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:again", fresh[:3] + [again] + fresh[3:])
    check(st == 409 and r.get("message", "").startswith("records[3]: ") and again["id"] in
          r["message"] and "already stored" in r["message"],
          f"a record stored in the middle of a chunk, sent in a new batch: 409 naming it: "
          f"{st} {r}")
    many = copies(records, "3", CHUNK + 40, a)
    many[CHUNK + 30] = dict(many[5])
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:twice", many)
    check(st == 409 and r.get("message", "").startswith(f"records[{CHUNK + 30}]: "),
          f"one record twice in a batch, in two chunks: 409 naming the second: {st} {r}")
    check(acdrecords.stored_count(store) == before and
          acdrecords.stored_count(store, "batch IN ('t-1:again', 't-1:twice')") == 0,
          "a refused batch stores none of its records, keys included")
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:fresh", fresh)
    check(st == 200, f"the same batch without the stored record goes in: {st} {r}")


def partly_expired(wd, srv, store, key, analyst, c, records, tag, restart):
    """A chunk with expired and kept records: the purge takes the expired ones only. acdd is
    stopped for the purge and `restart()` gives a new one (on a new port: another test may
    have taken the old one meanwhile); returns it."""
    latest = max(datetime.datetime.strptime(r["last"][:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc) for r in records)
    now = latest + 30 * DAY
    old_mark, keep_mark = f"GONE-{uuid.uuid4().hex}", f"STAYS-{uuid.uuid4().hex}"
    old_at = {0, 1, 4, 7, 8, 11}
    batch = []
    for k, r in enumerate(copies(records, "4", 12, c)):
        if k in old_at:
            r = dict(r, first=iso(now - 800 * DAY), last=iso(now - 800 * DAY + DAY / 24),
                     http_user_agent=old_mark)
        else:
            r = dict(r, http_user_agent=keep_mark)
        batch.append(r)
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:aged", batch)
    check(st == 200, f"{tag}: the mixed-age batch stored: {st} {r}")
    check(store.sql(f"SELECT COUNT(*) FROM record_chunks WHERE approval = '{c}'").strip() == "1",
          f"{tag}: old and recent records share one chunk")
    before, cursors = read_all(srv, analyst, c, 1)
    seq_of = dict(zip(ids(before), cursors + [None]))
    srv.stop()
    if store.backend == "postgresql":
        store.sql("CHECKPOINT")
    check(found_in_files(store, old_mark), f"{tag}: before the purge the expired value is in "
          "the raw files (the search works)")
    config = wd.p(f"chunks-retention-{tag}.json")
    with open(config, "w") as f:
        json.dump({"retention": {"records_days": 365, "stats_days": 100000}}, f)
    r = store.acd("purge", "--config", config, "--now", iso(now))
    out = json.loads(r.stdout) if r.returncode == 0 else {}
    check(out.get("records") == len(old_at) and out.get("scrubbed") is True,
          f"{tag}: the purge counts records, not chunks: {out} {r.stderr}")
    kept = [x for k, x in enumerate(batch) if k not in old_at]
    left = acdrecords.stored_docs(store, f"approval = '{c}'")
    check(ids(left) == ids(kept) and all(x["http_user_agent"] == keep_mark for x in left),
          f"{tag}: the kept records stay, in order, and only they: {ids(left)}")
    runs = store.sql(f"SELECT n FROM record_chunks WHERE approval = '{c}' ORDER BY seq").split()
    check(runs == ["2", "2", "2"], f"{tag}: the chunk rewritten as its runs of kept "
          f"records: {runs}")
    check(store.sql(f"SELECT COUNT(*) FROM record_ids WHERE approval = '{c}'").strip() ==
          str(len(kept)), f"{tag}: the expired records' keys are gone too")
    hits = found_in_files(store, old_mark)
    check(not hits, f"{tag}: the expired value is in no database file after the purge: {hits}")
    srv = restart()
    after, cursors = read_all(srv, analyst, c, 1)
    check(ids(after) == ids(kept) and
          all(seq_of[i] == s for i, s in zip(ids(after), cursors + [None]) if s is not None),
          f"{tag}: the kept records keep their cursors")
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:aged-2", [batch[0]])
    check(st == 200, f"{tag}: a purged record's key is free again: {st} {r}")
    return srv


def run(wd, backend):
    store = acdserver.Store(wd, backend, "chunks")
    no_purger = acdrecords.no_purger(wd, backend)
    servers = []

    def start():
        servers.append(acdserver.Server(store, config=no_purger,
                                        extra=["--prefixes", acdtest.PREFIXES]))
        return servers[-1]
    srv = start()
    try:
        analyst = store.user("analyst", "nco")
        com = store.user("commission", "commission")
        key = acdrecords.register_sensor(srv, store, wd, backend)
        a, doc = acdrecords.issue(srv, analyst, com, acdrecords.FF_APPROVAL)
        b, _ = acdrecords.issue(srv, analyst, com, acdrecords.FF_APPROVAL)
        c, _ = acdrecords.issue(srv, analyst, com, acdrecords.FF_APPROVAL)
        records, _ = acdrecords.sensor_run(srv, wd, backend, doc)
        check(len(records) > 20, f"{backend}: the sensor gave templates ({len(records)})")
        want_a, want_b = two_approvals(srv, store, wd, key, a, b, records)
        got_b, _ = read_all(srv, analyst, b, 100)
        check(ids(got_b) == ids(want_b), f"{backend}: the second approval reads its own records")
        paging(srv, analyst, a, want_a)
        conflicts(srv, store, wd, key, records, a, b, want_b)
        srv = partly_expired(wd, srv, store, key, analyst, c, records, backend, start)
    finally:
        check(servers[-1].stop() == 0, f"{backend}: clean stop")
    rc, verdict, err = store.audit_verify()
    check(rc == 0, f"{backend}: audit intact: {verdict} {err}")


def main():
    with acdtest.Workdir("record-chunks") as wd:
        for backend in acdserver.BACKENDS:
            run(wd, backend)
    acdtest.finish("test_record_chunks", "records in chunks per approval, paged across chunk "
                   "boundaries, 409 for stored records, partly expired chunks rewritten, on "
                   "both stores")


if __name__ == "__main__":
    main()
