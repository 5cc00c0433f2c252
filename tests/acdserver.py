"""acdserver — what the server tests share: a fresh store on each backend (SQLite file, or a new
database in the PostgreSQL test cluster), a real acdd on a free loopback port, users made with
`acd user add`, and HTTP over urllib. python3 standard library only.

Every storage test runs against both backends: `for backend in BACKENDS:`. PostgreSQL comes
from the CTest fixture (ACD_TEST_PG_URL_FILE, see tests/CMakeLists.txt); run by hand without
it, pg_url() starts a cluster of its own with tests/pg_cluster.py and stops it at exit.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import acdtest

ACDD = os.path.join(acdtest.BUILD, "acdd")
BACKENDS = tuple(os.environ.get("ACD_TEST_BACKENDS", "sqlite,postgresql").split(","))
_own_cluster = None


def pg_url():
    """The libpq URL of the test cluster's maintenance database `acd`."""
    global _own_cluster
    path = os.environ.get("ACD_TEST_PG_URL_FILE")
    if not path:
        if _own_cluster is None:
            _own_cluster = tempfile.mkdtemp(prefix="acd-pg-")
            os.chmod(_own_cluster, 0o755)
            script = os.path.join(acdtest.SRC, "tests", "pg_cluster.py")
            subprocess.run(["python3", script, "start", _own_cluster], check=True,
                           capture_output=True)
            atexit.register(lambda: subprocess.run(["python3", script, "stop", _own_cluster],
                                                   capture_output=True))
        path = os.path.join(_own_cluster, "url")
    with open(path) as f:
        return f.read().strip()


def fresh_pg_database(name):
    """Creates database NAME in the test cluster (dropping an old one) and returns its URL."""
    base = pg_url()
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                       capture_output=True)
    return base.replace("postgresql:///acd?", f"postgresql:///{name}?", 1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Store:
    """A fresh, initialised store and its key directory in a scratch directory."""

    def __init__(self, wd, backend, name):
        self.backend = backend
        self.wd = wd
        self.keys = wd.p(f"{name}-{backend}.keys")
        if backend == "sqlite":
            self.url = "sqlite:" + wd.p(f"{name}.db")
        else:
            self.url = fresh_pg_database(f"acdtest_{name}_{os.getpid()}")
        out = self.acd("init")
        assert out.returncode == 0, out.stderr
        self.admin = json.loads(out.stdout)["admin_token"]

    def acd(self, *args):
        """Runs `acd --db URL --keys DIR ARGS…`."""
        return subprocess.run([acdtest.ACD, "--db", self.url, "--keys", self.keys, *args],
                              capture_output=True, text=True, timeout=120)

    def user(self, role, org, name=None, sector=None, extra=()):
        """Adds a user and returns its token."""
        args = ["user", "add", "--role", role, "--org", org, "--name", name or f"{role}@{org}"]
        if sector:
            args += ["--sector", sector]
        r = self.acd(*args, *extra)
        assert r.returncode == 0, f"user add {role} {org}: {r.stderr}"
        return json.loads(r.stdout)["token"]

    def sql(self, query):
        """Runs SQL directly on the store (to inspect or to tamper, as a test needs)."""
        if self.backend == "sqlite":
            r = subprocess.run(["sqlite3", self.url[len("sqlite:"):], query],
                               capture_output=True, text=True)
        else:
            r = subprocess.run(["psql", self.url, "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
                               capture_output=True, text=True)
        assert r.returncode == 0, f"{query}: {r.stderr}"
        return r.stdout

    def audit_verify(self):
        r = self.acd("audit", "verify")
        return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr


def purge_off(config):
    """The configuration object with acdd's own retention purge off unless it sets the
    interval: a test's acdd that lives past the first check must not purge the rows the test
    dated years back (test_retention_acdd turns it on)."""
    config = dict(config or {})
    if isinstance(config.get("retention", {}), dict):
        config["retention"] = dict(config.get("retention", {}))
        config["retention"].setdefault("purge_interval_hours", 0)
    return config


class Server:
    """A running acdd over a Store; its own retention purge is off unless the config sets it."""

    def __init__(self, store, threads=8, config=None, extra=()):
        self.store = store
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = [ACDD, "--db", store.url, "--keys", store.keys, "--listen",
                     f"127.0.0.1:{self.port}", "--threads", str(threads)]
        loaded = {}
        if config:
            try:
                with open(config) as f:
                    loaded = json.load(f)
            except (OSError, ValueError):
                loaded = None  # a test of a bad file: passed as it is
        if isinstance(loaded, dict):
            config = store.wd.p(f"acdd-config-{self.port}.json")
            with open(config, "w") as f:
                json.dump(purge_off(loaded), f)
        if config:
            self.args += ["--config", config]
        self.args += list(extra)
        self.log = store.wd.p(f"acdd-{self.port}.log")
        self.proc = None
        self.start()

    def start(self):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.logf, stderr=self.logf)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"acdd exited {self.proc.returncode}: {self.output()}")
            time.sleep(0.05)
        raise RuntimeError("acdd did not come up: " + self.output())

    def output(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """SIGTERM; returns the exit status."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.logf.close()
        return self.proc.returncode

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.logf.close()

    def request(self, method, path, token=None, body=None, ctype="application/json",
                raw=None, headers=None):
        """Returns (status, parsed JSON or text)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None and ctype:
            req.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def get(self, path, token=None):
        return self.request("GET", path, token)

    def post(self, path, token, body=None, **kw):
        return self.request("POST", path, token, body, **kw)


def query(path, **params):
    """path?k=v&… with the values URL-encoded (None values left out)."""
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{q}" if q else path


def cleanup_dir(path):
    shutil.rmtree(path, ignore_errors=True)
