#!/usr/bin/env python3
"""Bad input to acdd on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): malformed JSON,
wrong types, unknown enum values and fields, oversize bodies, wrong content type, missing and
forged tokens, unknown paths and methods. Each gets Contract 5's error object with the right
status and the field named, and nothing is stored."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

GOOD = {"urgency": "alert", "tlp": "amber", "sector": "electricity", "operator": "op-a",
        "event_type": "malware", "summary": "x"}


def with_(**kw):
    b = dict(GOOD)
    b.update(kw)
    return b


def without(key):
    return {k: v for k, v in GOOD.items() if k != key}


# (what, body or raw bytes, expected status, expected field)
CASES = [
    ("malformed JSON", b'{"urgency": "alert",', 400, None),
    ("not an object", b'["urgency"]', 400, None),
    ("duplicate key", b'{"tlp": "red", "tlp": "clear"}', 400, None),
    ("empty body", b"", 400, None),
    ("urgency wrong type", with_(urgency=5), 400, "urgency"),
    ("urgency unknown value", with_(urgency="panic"), 400, "urgency"),
    ("tlp unknown value", with_(tlp="amber-strict"), 400, "tlp"),
    ("event_type unknown", with_(event_type="hack"), 400, "event_type"),
    ("cause unknown", with_(causes=["aliens"]), 400, "causes"),
    ("causes not a list", with_(causes="ddos"), 400, "causes"),
    ("discovered_at not a time", with_(discovered_at="yesterday"), 400, "discovered_at"),
    ("impact unknown key", with_(impact={"mood": "bad"}), 400, "mood"),
    ("impact bool wrong type", with_(impact={"spread_possible": "yes"}), 400,
     "spread_possible"),
    ("indicator type unknown", with_(indicators=[{"type": "phone", "value": "1"}]), 400,
     "indicators"),
    ("timeline item malformed", with_(timeline=[{"at": "now"}]), 400, "timeline"),
    ("anonymous wrong type", with_(anonymous="no"), 400, "anonymous"),
    ("unknown field", with_(severity="high"), 400, "severity"),
    ("summary missing", without("summary"), 400, "summary"),
    ("operator missing", without("operator"), 400, "operator"),
    ("unknown operator", with_(operator="nobody"), 400, "operator"),
    ("another org's operator", with_(operator="op-b"), 400, "operator"),
    ("unknown sector", with_(sector="space"), 400, "sector"),
    ("summary too long", with_(summary="x" * 20001), 400, "summary"),
]


def count_reports(store):
    return int(store.sql("SELECT COUNT(*) FROM reports").strip())


def raw_request(port, text):
    """Sends raw bytes and returns the status line (for what urllib will not send)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(text)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def run(wd, backend):
    store = acdserver.Store(wd, backend, "badinput")
    srv = acdserver.Server(store)
    try:
        op = store.user("operator", "op-a", sector="electricity")
        store.user("operator", "op-b", sector="electricity")
        before = count_reports(store)
        audit_before = store.sql("SELECT COUNT(*) FROM audit_log").strip()
        for what, body, status, field in CASES:
            if isinstance(body, bytes):
                st, err = srv.post("/api/v1/reports", op, raw=body)
            else:
                st, err = srv.post("/api/v1/reports", op, body)
            ok = st == status and isinstance(err, dict) and err.get("error") and \
                err.get("message") and "field" in err and err["field"] == field
            check(ok, f"{backend}: {what}: got {st} {err}, want {status} field {field}")
        st, err = srv.post("/api/v1/reports", op, GOOD, ctype="text/plain")
        check(st == 415 and err["error"] == "unsupported_media_type", f"wrong type: {st} {err}")
        head = (b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                b"\r\nAuthorization: Bearer " + op.encode() + b"\r\n")
        status_line = raw_request(srv.port, head + b"Content-Length: 5000000\r\n\r\n")
        check(" 413 " in status_line + " ", f"declared oversize body refused before it is "
              f"read: {status_line}")
        # Chunked: the size is known only while reading; the excess is discarded, then 413.
        chunk = b"x" * 65536
        body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(17))
        status_line = raw_request(srv.port, head + b"Transfer-Encoding: chunked\r\n\r\n" +
                                  body + b"0\r\n\r\n")
        check(" 413 " in status_line + " ", f"streamed oversize body: {status_line}")
        st, err = srv.post("/api/v1/reports", None, GOOD)
        check(st == 401 and err["error"] == "unauthenticated", f"missing token: {st} {err}")
        forged = op[:-4] + ("AAAA" if not op.endswith("AAAA") else "BBBB")
        st, err = srv.post("/api/v1/reports", forged, GOOD)
        check(st == 401, f"forged token: {st} {err}")
        st, err = srv.request("POST", "/api/v1/reports", None, GOOD,
                              headers={"Authorization": "Basic " + op})
        check(st == 401, f"not a bearer token: {st}")
        st, err = srv.get("/api/v1/nothing-here", op)
        check(st == 404 and err["error"] == "not_found", f"unknown path: {st} {err}")
        st, err = srv.request("DELETE", "/api/v1/reports", op)
        check(st == 405, f"wrong method: {st} {err}")
        st, err = srv.get("/api/v1/reports?limit=0", op)
        check(st == 400 and err["field"] == "limit", f"bad query parameter: {st} {err}")
        st, err = srv.get("/api/v1/reports/R999999", op)
        check(st == 404, f"absent report: {st} {err}")
        check(count_reports(store) == before, f"{backend}: nothing stored by bad input")
        audit_after = store.sql("SELECT COUNT(*) FROM audit_log").strip()
        # Refused requests write nothing; only the two users' entries and this run's audited
        # reads (the list with limit=0 is refused before it reads) may be there.
        check(audit_after == audit_before, f"{backend}: refused requests leave no audit entry "
              f"({audit_before} → {audit_after})")
        st, good = srv.post("/api/v1/reports", op, GOOD)
        check(st == 201 and count_reports(store) == before + 1, "the good body is then taken")
    finally:
        check(srv.stop() == 0, f"{backend}: clean stop")


def main():
    with acdtest.Workdir("api-bad-input") as wd:
        for backend in acdserver.BACKENDS:
            run(wd, backend)
    acdtest.finish("test_api_bad_input", f"{len(CASES) + 11} kinds of bad input on both stores")


if __name__ == "__main__":
    main()
