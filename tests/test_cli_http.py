#!/usr/bin/env python3
"""test_cli_http — the `acd` JSON API verbs against a real acdd on a free loopback port over a
fresh SQLite store: every report verb end to end, bodies from a file and from stdin, the
server's 4xx message and exit 2, exit 5 for 5xx and an unreachable server, and the token from
--token, --token-file, ACD_TOKEN and the server from ACD_SERVER."""
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request

import acdtest
from acdtest import ACD, BUILD, Workdir, check

ACDD = os.path.join(BUILD, "acdd")
REPORT = {"urgency": "alert", "tlp": "amber", "sector": "electricity", "operator": "op-1",
          "event_type": "malware", "summary": "ransomware on a billing server"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Acd:
    """Runs `acd` with a server URL and a token source; returns (status, stdout, stderr)."""

    def __init__(self, server, token=None):
        self.server, self.token = server, token

    def __call__(self, *args, stdin=None, env=None, token=True, server=True):
        argv = [ACD] + list(args)
        if server:
            argv += ["--server", self.server]
        if token and self.token:
            argv += ["--token", self.token]
        full_env = dict(os.environ)
        for k in ("ACD_SERVER", "ACD_TOKEN"):
            full_env.pop(k, None)
        full_env.update(env or {})
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60,
                           env=full_env)
        return r.returncode, r.stdout, r.stderr


def one_json(out):
    lines = out.splitlines()
    if not check(len(lines) == 1, f"stdout is one line of JSON: {out!r}"):
        return {}
    return json.loads(lines[0])


def add_user(db, role, org, name, sector=None):
    args = [ACD, "--db", db, "user", "add", "--role", role, "--org", org, "--name", name]
    if sector:
        args += ["--sector", sector]
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["token"]


def start_acdd(wd, db, port):
    config = wd.p("acdd.json")
    with open(config, "w") as f:  # follow-ups fall due after 0.4 s, so `report overdue` lists
        json.dump({"report_deadlines": {"followup_days": 0.000005}}, f)
    log = open(wd.p("acdd.log"), "w")
    proc = subprocess.Popen([ACDD, "--db", db, "--listen", f"127.0.0.1:{port}", "--threads", "4",
                             "--config", config], stdout=log, stderr=log)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("acdd did not come up; see " + wd.p("acdd.log"))


def test_submit_and_followup(acd, wd):
    path = wd.p("report.json")
    with open(path, "w") as f:
        json.dump(REPORT, f)
    rc, out, err = acd("report", "submit", path)
    check(rc == 0 and one_json(out).get("id") == "R1", f"submit FILE: {rc} {out} {err}")
    rc, out, err = acd("report", "submit", "-", stdin=json.dumps(dict(REPORT, tlp="red")))
    check(rc == 0 and one_json(out).get("id") == "R2", f"submit - (stdin): {rc} {out} {err}")
    rc, out, err = acd("report", "followup", "R1", "-", stdin='{"summary": "contained"}')
    got = one_json(out) if rc == 0 else {}
    check(rc == 0 and got.get("id") == "R1-2", f"followup from stdin: {rc} {out} {err}")
    fpath = wd.p("followup.json")
    with open(fpath, "w") as f:
        json.dump({"next_steps": "done"}, f)
    rc, out, err = acd("report", "followup", "R2", fpath)
    check(rc == 0 and one_json(out).get("id") == "R2-2", f"followup FILE: {rc} {out} {err}")


def test_show_and_list(acd, db_path):
    purpose = "incident response & triage / 対応"
    rc, out, err = acd("report", "show", "R1", "--purpose", purpose)
    doc = one_json(out) if rc == 0 else {}
    check(rc == 0 and doc.get("summary") == "contained" and len(doc.get("history", [])) == 2,
          f"show R1 sees the follow-up and both reports in its history: {rc} {out} {err}")
    with sqlite3.connect(db_path) as c:
        rows = c.execute("SELECT purpose FROM audit_log WHERE action = 'report.read' AND "
                         "object = 'R1'").fetchall()
    check((purpose,) in rows, f"the purpose reaches the audit log intact (encoded): {rows}")
    rc, out, err = acd("report", "show", "R1/../R2")
    check(rc == 2 and "404" in err, f"an id with '/' stays one path segment: {rc} {err}")
    rc, out, err = acd("report", "list", "--sector", "electricity", "--limit", "1")
    page = one_json(out) if rc == 0 else {}
    check(rc == 0 and [i["id"] for i in page.get("items", [])] == ["R1"]
          and page.get("next") == "R1", f"list --limit 1: {rc} {out} {err}")
    rc, out, err = acd("report", "list", "--after", "R1", "--tlp", "red", "--event-type",
                       "malware", "--urgency", "alert", "--operator", "op-1")
    page = one_json(out) if rc == 0 else {}
    check(rc == 0 and [i["id"] for i in page.get("items", [])] == ["R2"],
          f"list with every filter: {rc} {out} {err}")
    rc, out, err = acd("report", "list", "--tlp", "amber+strict")
    check(rc == 0 and one_json(out).get("items") == [],
          f"'+' in a query value arrives as '+', not as a space: {rc} {out} {err}")
    rc, out, err = acd("report", "list", "--tlp", "purple")
    check(rc == 2 and err.strip() == "acd: report list: 400 tlp: red, amber+strict, amber, "
          "green or clear (tlp)", f"a refused filter: server's message and field: {rc} {err!r}")


def test_scope_and_overdue(acd, analyst):
    rc, out, err = acd("report", "scope", "R1", "--tlp", "green")
    check(rc == 2 and err.startswith("acd: report scope: 400 consent: widening")
          and err.rstrip().endswith("(consent)"), f"widening without --consent: {rc} {err!r}")
    rc, out, err = acd("report", "scope", "R1", "--tlp", "green", "--consent", "--reason",
                       "the operator agreed")
    check(rc == 0 and one_json(out) == {"id": "R1", "tlp": "green", "from": "amber"},
          f"scope --consent: {rc} {out} {err}")
    time.sleep(0.6)
    rc, out, err = analyst("report", "overdue")
    items = one_json(out).get("items", []) if rc == 0 else []
    check(rc == 0 and [i["id"] for i in items] == ["R1"],
          f"overdue lists the open report only (R2 is done): {rc} {out} {err}")
    rc, out, err = acd("report", "overdue")
    check(rc == 2 and "403" in err, f"overdue is not for operators: {rc} {err}")


def test_errors(acd, port, wd):
    rc, out, err = acd("report", "submit", "-", stdin='{"urgency": "alert"')
    check(rc == 2 and out == "" and err.startswith("acd: report submit: 400 malformed JSON"),
          f"malformed JSON: {rc} {err!r}")
    bad = dict(REPORT, urgency="whenever")
    rc, out, err = acd("report", "submit", "-", stdin=json.dumps(bad))
    check(rc == 2 and err.rstrip().endswith("(urgency)") and err.count("\n") == 1,
          f"an invalid field: one line naming it: {rc} {err!r}")
    rc, out, err = acd("report", "submit", wd.p("no-such.json"))
    check(rc == 2 and "cannot read" in err, f"a missing FILE: {rc} {err!r}")
    rc, out, err = acd("report", "show")
    check(rc == 2 and "usage: acd report show ID" in err, f"a missing ID: {rc} {err!r}")
    rc, out, err = acd("report", "list", "--colour", "red")
    check(rc == 2 and "unknown option" in err, f"an unknown flag: {rc} {err!r}")
    rc, out, err = acd("report", "show", "R1", token=False)
    check(rc == 2 and err.strip() == "acd: report show: 401 missing bearer token",
          f"no token: {rc} {err!r}")
    rc, out, err = acd("report", "show", "R1", "--token", "acd_wrong", token=False)
    check(rc == 2 and "401" in err, f"an unknown token: {rc} {err!r}")
    rc, out, err = acd("report", "show", "R1", server=False)
    check(rc == 2 and "no server" in err, f"no server: {rc} {err!r}")
    closed = Acd(f"http://127.0.0.1:{free_port()}", acd.token)
    rc, out, err = closed("report", "show", "R1")
    check(rc == 5 and "unreachable" in err, f"an unreachable server: exit 5: {rc} {err!r}")


def test_token_sources(acd, wd):
    env = {"ACD_SERVER": acd.server, "ACD_TOKEN": acd.token}
    rc, out, err = acd("report", "show", "R1", env=env, token=False, server=False)
    check(rc == 0 and one_json(out).get("id") == "R1", f"ACD_SERVER + ACD_TOKEN: {rc} {err}")
    plain, as_json = wd.p("token"), wd.p("token.json")
    with open(plain, "w") as f:
        f.write(acd.token + "\n")
    with open(as_json, "w") as f:
        json.dump({"token": acd.token, "user": "U2"}, f)
    for path in (plain, as_json):
        rc, out, err = acd("--token-file", path, "report", "show", "R1", token=False)
        check(rc == 0 and one_json(out).get("id") == "R1", f"--token-file {path}: {rc} {err}")
    rc, out, err = acd("report", "show", "R1", "--token-file", plain, token=False,
                       env={"ACD_TOKEN": "acd_wrong"})
    check(rc == 0, f"--token-file wins over ACD_TOKEN: {rc} {err}")
    rc, out, err = acd("report", "show", "R1", "--token-file", wd.p("none"), token=False)
    check(rc == 2 and "token file" in err, f"an unreadable token file: {rc} {err!r}")


class Broken(http.server.BaseHTTPRequestHandler):
    """A server whose store is down: every request gets 503 with acdd's error object."""

    def do_GET(self):
        body = json.dumps({"error": "store_unavailable", "message": "the store failed: disk",
                           "field": None}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_server_error():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        acd = Acd(f"http://127.0.0.1:{srv.server_address[1]}/", "acd_x")
        rc, out, err = acd("report", "list")
        check(rc == 5 and err.strip() == "acd: report list: 503 the store failed: disk",
              f"5xx: exit 5 with the server's message: {rc} {err!r}")
    finally:
        srv.shutdown()


def test_oversight_verbs(analyst, commission):
    """The approval, measure and officer verbs reach their endpoints with the right method."""
    req = {"kind": "foreign-foreign", "facility": "t-1", "justification": "cli test",
           "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z",
           "selectors": [{"id": "S1", "type": "ip", "value": "198.51.100.0/24"}]}
    rc, out, err = analyst("approval", "request", "-", stdin=json.dumps(req))
    apr = one_json(out).get("id") if rc == 0 else None
    check(rc == 0 and apr, f"approval request: {rc} {err}")
    rc, out, err = commission("approval", "decide", apr, "--decision", "approve")
    check(rc == 0 and one_json(out)["state"] == "approved", f"approval decide: {rc} {err}")
    rc, out, err = analyst("approval", "document", apr)
    check(rc == 0 and json.loads(one_json(out)["json"])["id"] == apr, f"document: {rc} {err}")
    rc, out, err = analyst("approval", "list", "--state", "approved")
    check(rc == 0 and [a["id"] for a in one_json(out)["items"]] == [apr], f"list: {out}")
    rc, out, err = commission("measure", "list")
    check(rc == 0 and one_json(out)["items"] == [], f"measure list: {rc} {err}")
    rc, out, err = analyst("measure", "list")
    check(rc == 2 and " 403 " in err, f"an analyst may not list measures: {rc} {err!r}")
    rc, out, err = commission("officer", "list")
    check(rc == 0, f"officer list: {rc} {err}")
    # Reaching the endpoint is what counts: no such case (404), not the commission's (403).
    rc, out, err = commission("measure", "commission-response", "M9", "--response",
                              "objection", "--reason", "late")
    check(rc == 2 and " 404 " in err, f"measure commission-response: {rc} {err!r}")
    rc, out, err = commission("measure", "commission-response", "M9")
    check(rc == 2 and " 400 " in err and "response" in err,
          f"commission-response without --response: {rc} {err!r}")
    rc, out, err = commission("officer", "revoke", "D9", "--reason", "moved")
    check(rc == 2 and " 403 " in err, f"officer revoke is not the commission's: {rc} {err!r}")


def main():
    with Workdir("cli-http") as wd:
        db_path = wd.p("acd.db")
        db = "sqlite:" + db_path
        subprocess.run([ACD, "init", "--db", db], check=True, capture_output=True)
        operator = add_user(db, "operator", "op-1", "Operator One", "electricity")
        analyst_token = add_user(db, "analyst", "nco", "Analyst")
        port = free_port()
        proc = start_acdd(wd, db, port)
        try:
            server = f"http://127.0.0.1:{port}"
            acd = Acd(server, operator)
            test_submit_and_followup(acd, wd)
            test_show_and_list(acd, db_path)
            test_scope_and_overdue(acd, Acd(server, analyst_token))
            test_errors(acd, port, wd)
            test_token_sources(acd, wd)
            test_server_error()
            commission = add_user(db, "commission", "commission", "Commissioner")
            test_oversight_verbs(Acd(server, analyst_token), Acd(server, commission))
        finally:
            proc.terminate()
            check(proc.wait(timeout=30) == 0, "acdd stops cleanly on SIGTERM")
        r = subprocess.run([ACD, "--db", db, "audit", "verify"], capture_output=True)
        check(r.returncode == 0, f"the audit chain is intact: {r.stderr}")
    acdtest.finish("test_cli_http", "report verbs end to end, errors and exit statuses, tokens")


if __name__ == "__main__":
    main()
