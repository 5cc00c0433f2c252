#!/usr/bin/env python3
"""Crash test on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): acdd is killed with
SIGKILL in the middle of a stream of report submissions from several clients; after a restart
every acknowledged report is there, intact, and the audit chain verifies. Done three times per
store, so kills land at different points of the group commit."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

CLIENTS = 8
RUN_SECONDS = 1.5


def submitter(srv, token, n, acked, stop):
    """Submits reports until the server dies; records each acknowledged (id, summary)."""
    i = 0
    while not stop.is_set():
        summary = f"client {n} report {i}"
        body = {"urgency": "caution", "tlp": "amber", "sector": "electricity",
                "operator": "op-a", "event_type": "intrusion", "summary": summary,
                "indicators": [{"type": "ipv4", "value": f"198.51.100.{i % 250}"}]}
        try:
            st, r = srv.post("/api/v1/reports", token, body)
        except OSError:
            return  # the server is gone: this request was never acknowledged
        if st == 201:
            acked.append((r["id"], summary))
        i += 1


def one_crash(store, round_no, token, analyst, all_acked):
    srv = acdserver.Server(store, threads=16)
    acked, stop = [], threading.Event()
    threads = [threading.Thread(target=submitter, args=(srv, token, n, acked, stop))
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(RUN_SECONDS)
    srv.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    check(len(acked) > 20, f"{store.backend} round {round_no}: the stream was running "
          f"({len(acked)} acknowledged before the kill)")
    all_acked.extend(acked)
    srv = acdserver.Server(store)  # the restart
    try:
        missing = []
        for rid, summary in all_acked:
            st, doc = srv.get(f"/api/v1/reports/{rid}", analyst)
            if st != 200 or doc.get("summary") != summary:
                missing.append((rid, st))
        check(not missing, f"{store.backend} round {round_no}: acknowledged reports lost or "
              f"altered: {missing[:5]} ({len(missing)} of {len(all_acked)})")
        ids = [rid for rid, _ in all_acked]
        check(len(ids) == len(set(ids)), f"{store.backend}: no report id given twice")
    finally:
        srv.stop()
    rc, verdict, err = store.audit_verify()
    check(rc == 0, f"{store.backend} round {round_no}: audit chain verifies after the crash: "
          f"{verdict} {err}")


def main():
    with acdtest.Workdir("server-crash") as wd:
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "crash")
            token = store.user("operator", "op-a", sector="electricity")
            analyst = store.user("analyst", "nco")
            all_acked = []
            for round_no in range(3):
                one_crash(store, round_no, token, analyst, all_acked)
            print(f"{backend}: {len(all_acked)} acknowledged reports survived 3 kills",
                  flush=True)
    acdtest.finish("test_server_crash", "acknowledged reports survive kill -9 on both stores")


if __name__ == "__main__":
    main()
