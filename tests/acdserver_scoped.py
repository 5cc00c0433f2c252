"""acdserver_scoped — a Server as a context manager for API tests: one fresh store (SQLite, or
a new database in the PostgreSQL test cluster) and one acdd per `with` block, users made with
`build/acd user add`, HTTP helpers that return (status, json); acdd is stopped, its exit
checked, and its store removed on leaving. The cluster and port helpers are acdserver.py's.

    with Server("sqlite", "notif") as s:
        tok, uid = s.user("operator", "op-1", sector="electricity")
        status, body = s.post("/api/v1/notifications", {...}, tok)
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import acdtest  # noqa: E402
import acdserver  # noqa: E402

from acdserver import ACDD, free_port, fresh_pg_database  # noqa: E402
from acdserver import purge_off as acdserver_purge_off  # noqa: E402
from acdserver import pg_url as _cluster_url  # noqa: E402

ACD = acdtest.ACD


def backends():
    """The stores every API test runs on: both, always (PostgreSQL is never skipped)."""
    return list(acdserver.BACKENDS)


def _quiet_env():
    return dict(os.environ, PGOPTIONS="-c client_min_messages=warning")


class Server:
    """One store and one acdd over it; stops acdd (and checks its exit) on leaving."""

    def __init__(self, backend, name, config=None):
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix=f"acd-{name}-{backend}-")
        self.keys = os.path.join(self.dir, "keys")
        if backend == "sqlite":
            self.db = "sqlite:" + os.path.join(self.dir, "acd.db")
        else:
            self.db = fresh_pg_database(f"acd_{name}_{os.getpid()}")
        # acdd's own retention purge is off unless the test sets it (acdserver.purge_off).
        config = acdserver_purge_off(config)
        self.config = os.path.join(self.dir, "config.json")
        with open(self.config, "w") as f:
            json.dump(config, f)
        self.proc = None
        self.log = None

    def acd(self, *args):
        return subprocess.run([ACD, "--db", self.db, "--keys", self.keys] + list(args),
                              capture_output=True, text=True, timeout=120)

    def __enter__(self):
        r = self.acd("init")
        assert r.returncode == 0, r.stderr
        self.port = free_port()
        args = [ACDD, "--db", self.db, "--keys", self.keys, "--listen",
                f"127.0.0.1:{self.port}", "--threads", "4"]
        if self.config:
            args += ["--config", self.config]
        self.log = open(os.path.join(self.dir, "acdd.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(f"acdd did not start: {self.read_log()}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                code = self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = -9
            acdtest.check(code == 0, f"acdd ({self.backend}) exited {code}: {self.read_log()[-2000:]}")
        if self.log:
            self.log.close()
        if not os.environ.get("ACD_KEEP"):
            subprocess.run(["rm", "-rf", self.dir])
            if self.backend == "postgresql":
                name = self.db.split("?")[0].rsplit("/", 1)[1]
                subprocess.run(["psql", "-q", _cluster_url(), "-c", f"DROP DATABASE IF EXISTS {name}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_quiet_env())

    def read_log(self):
        try:
            with open(os.path.join(self.dir, "acdd.log")) as f:
                return f.read()
        except OSError:
            return ""

    def user(self, role, org, sector=None, name=None):
        """Adds a user with `acd user add`; returns (token, user id)."""
        args = ["user", "add", "--role", role, "--org", org, "--name", name or f"{role} of {org}"]
        if sector:
            args += ["--sector", sector]
        r = self.acd(*args)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        return out["token"], out["user"]

    def request(self, method, path, body=None, token=None, content_type="application/json",
                raw=None):
        """Sends one request; returns (status, parsed JSON or None)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None and content_type:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, text = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, None

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def post(self, path, body, token=None, **kw):
        return self.request("POST", path, body, token, **kw)

    def sql(self, query):
        """Rows of a query run on the store directly (sqlite3 or psql), as lists of text."""
        if self.backend == "sqlite":
            args = ["sqlite3", "-separator", "\t", self.db[len("sqlite:"):], query]
            env = None
        else:
            args = ["psql", "-q", "-A", "-t", "-F", "\t", self.db, "-c", query]
            env = _quiet_env()
        r = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 0, r.stderr
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def audit_actions(self):
        """(action, object, actor) of every audit entry, in order."""
        return [tuple(row[:3]) for row in
                self.sql("SELECT action, COALESCE(object, ''), actor FROM audit_log ORDER BY seq")]

    def audit_verify(self):
        r = self.acd("audit", "verify")
        return r.returncode, r.stdout + r.stderr


def expect_error(resp, status, field, what):
    """Checks an error reply: the status, Contract 5's error object, and the field named."""
    got, body = resp
    ok = acdtest.check(got == status, f"{what}: status {got}, want {status} ({body})")
    if ok and status >= 400:
        ok = acdtest.check(isinstance(body, dict) and {"error", "message", "field"} <= set(body),
                           f"{what}: not an error object: {body}")
        if ok and field is not None:
            acdtest.check(body["field"] == field, f"{what}: field {body['field']!r}, want {field!r}"
                          f" ({body['message']})")
    return body
