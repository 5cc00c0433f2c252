#!/usr/bin/env python3
"""`acd audit verify` on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): exit 0 on an intact
log; exit 1, naming the first bad entry, after a hand-edited row, an edited row rehashed, a
whole chain recomputed after an edit, a deleted entry, an inserted entry, a truncated tail, and
a forged head signature. The chain's hash is recomputed here independently (BLAKE2b-256 over
length-prefixed fields, audit.c), so the tampering is as good as an attacker without the key
can make it."""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

FIELDS = "seq, at, actor, role, action, object, purpose, detail, prev_hash, hash"


def entry_hash(prev, seq, at, actor, role, action, obj, purpose, detail):
    h = hashlib.blake2b(digest_size=32)
    for f in ("acd-audit v1", prev, str(seq), str(at), actor, role, action, obj, purpose,
              detail):
        if f is None:
            h.update(struct.pack(">Q", 2**64 - 1))
        else:
            b = f.encode()
            h.update(struct.pack(">Q", len(b)) + b)
    return h.hexdigest()


def rows(store):
    """The audit log as a list of dicts (NULLs as None, via a marker the SQL writes)."""
    out = store.sql(f"SELECT seq, at, actor, role, COALESCE(action, '\\N'), "
                    f"COALESCE(object, '<NULL>'), COALESCE(purpose, '<NULL>'), "
                    f"COALESCE(detail, '<NULL>'), prev_hash, hash FROM audit_log ORDER BY seq")
    res = []
    for line in out.splitlines():
        p = line.split("|")
        if len(p) != 10:
            continue
        n = [None if v == "<NULL>" else v for v in p]
        res.append(dict(seq=int(n[0]), at=n[1], actor=n[2], role=n[3], action=n[4],
                        object=n[5], purpose=n[6], detail=n[7], prev=n[8], hash=n[9]))
    return res


def q(v):
    return "NULL" if v is None else "'" + v.replace("'", "''") + "'"


def populated(wd, backend, name):
    store = acdserver.Store(wd, backend, name)
    for i in range(6):
        store.user("operator", f"op-{i}", sector="gas")
    rs = rows(store)
    assert len(rs) >= 12, rs
    # The independent hash agrees with the server's on every entry.
    prev = "0" * 64
    for r in rs:
        h = entry_hash(prev, r["seq"], r["at"], r["actor"], r["role"], r["action"],
                       r["object"], r["purpose"], r["detail"])
        check(h == r["hash"] and r["prev"] == prev, f"{backend}: entry {r['seq']} hashes as "
              f"documented")
        prev = h
    return store


def verdict_of(store, what, want_seq=None, want_word=None):
    rc, v, err = store.audit_verify()
    ok = rc == 1 and v and v["intact"] is False
    if want_seq is not None:
        ok = ok and v["first_bad"] == want_seq and f"entry {want_seq}" in v["message"]
    if want_word:
        ok = ok and want_word in v["message"]
    check(ok, f"{store.backend}: {what}: rc={rc} {v} (want entry {want_seq}, '{want_word}')")
    check(err.strip().startswith("acd: audit verify: entry") or
          err.strip().startswith("acd: audit verify:"), f"one line on stderr: {err!r}")


def rehash_from(store, rs, start):
    """Recomputes hashes and links from entry `start` on, as an attacker without the key."""
    prev = rs[start - 2]["hash"] if start > 1 else "0" * 64
    for r in rs[start - 1:]:
        h = entry_hash(prev, r["seq"], r["at"], r["actor"], r["role"], r["action"],
                       r["object"], r["purpose"], r["detail"])
        store.sql(f"UPDATE audit_log SET prev_hash = '{prev}', hash = '{h}' "
                  f"WHERE seq = {r['seq']}")
        prev = h


def main():
    with acdtest.Workdir("audit-tamper") as wd:
        for b in acdserver.BACKENDS:
            s = populated(wd, b, "intact")
            rc, v, err = s.audit_verify()
            check(rc == 0 and v["intact"] and v["entries"] >= 12, f"{b}: intact: {rc} {v}")

            s = populated(wd, b, "edited")
            s.sql("UPDATE audit_log SET action = 'user.remove' WHERE seq = 4")
            verdict_of(s, "hand-edited row", 4, "edited")

            # Entry 3 (an org.add) has no head signed at it: the next entry's link finds it.
            s = populated(wd, b, "rehashed")
            s.sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
            rehash_from(s, rows(s)[:3], 3)
            verdict_of(s, "edited row rehashed", 3, "does not link")

            s = populated(wd, b, "recomputed")
            s.sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")
            rehash_from(s, rows(s), 4)
            verdict_of(s, "whole chain recomputed after an edit", None, "recomputed")

            s = populated(wd, b, "deleted")
            s.sql("DELETE FROM audit_log WHERE seq = 5")
            verdict_of(s, "deleted entry", 5, "missing")

            s = populated(wd, b, "inserted")
            rs = rows(s)
            last = rs[-1]
            seq = last["seq"] + 1
            h = entry_hash(last["hash"], seq, last["at"], "cli", "admin", "user.add", "U99",
                           None, None)
            s.sql(f"INSERT INTO audit_log ({FIELDS}) VALUES ({seq}, {last['at']}, 'cli', "
                  f"'admin', 'user.add', 'U99', NULL, NULL, '{last['hash']}', '{h}')")
            verdict_of(s, "inserted entry", seq, "not covered")

            s = populated(wd, b, "truncated")
            top = rows(s)[-1]["seq"]
            s.sql(f"DELETE FROM audit_log WHERE seq >= {top - 1}")
            s.sql(f"DELETE FROM audit_heads WHERE seq >= {top - 1}")
            verdict_of(s, "truncated tail (heads in the database truncated too)", top - 1,
                       "truncated")

            s = populated(wd, b, "forged")
            other = s.sql("SELECT sig FROM audit_heads ORDER BY seq LIMIT 1").strip()
            s.sql(f"UPDATE audit_heads SET sig = {q(other)} WHERE seq = "
                  f"(SELECT MAX(seq) FROM audit_heads)")
            verdict_of(s, "forged head signature", None, "bad signature")
    acdtest.finish("test_audit_tamper", "edits, rehashes, recomputation, deletion, insertion, "
                   "truncation and forged heads found on both stores")


if __name__ == "__main__":
    main()
