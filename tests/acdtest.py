"""acdtest — what the end-to-end tests share: paths to the built programs, keys, signed
approvals, sensor runs, and reading what the sensor wrote. python3 standard library only."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("ACD_BUILD", os.path.join(os.path.dirname(__file__), "..", "build"))
SRC = os.environ.get("ACD_SRC", os.path.join(os.path.dirname(__file__), ".."))
SANITIZED = os.environ.get("ACD_SANITIZED", "0") in ("1", "ON", "TRUE", "true")
SENSOR = os.path.join(BUILD, "acd-sensor")
ACD = os.path.join(BUILD, "acd")
PCAPGEN = os.path.join(BUILD, "acd-pcapgen")
PREFIXES = os.path.join(SRC, "tests", "data", "prefixes.txt")
SHARED = os.path.join(SRC, "..", "shared")
CANARY = "CANARY-7f3a9c1e-SECRET"

FAILURES = []


def pg_url(schema=None):
    """The libpq URL of the test cluster (CTest fixture `pg`; see tests/CMakeLists.txt), or None
    when the test runs without it. With `schema`, a fresh schema is made for this test with
    psql and the URL starts sessions in it, so tests sharing the cluster never see each other."""
    path = os.environ.get("ACD_TEST_PG_URL_FILE")
    if not path:
        return None
    with open(path) as f:
        url = f.read().strip()
    if schema is None:
        return url
    quiet = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                    f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"],
                   check=True, stdout=subprocess.DEVNULL, env=quiet)
    return url + ("&" if "?" in url else "?") + "options=-csearch_path%3D" + schema


def check(cond, msg):
    """Records a failed expectation and goes on, so one run reports all of them."""
    if not cond:
        FAILURES.append(msg)
        print("FAIL:", msg, flush=True)
    return cond


def finish(name, passed_what):
    if FAILURES:
        print(f"{name}: {len(FAILURES)} failed")
        sys.exit(1)
    print(f"{name}: ok — {passed_what}")
    sys.exit(0)


class Workdir:
    """A scratch directory removed at exit unless ACD_KEEP is set."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix=f"acd-{name}-")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not os.environ.get("ACD_KEEP"):
            shutil.rmtree(self.path, ignore_errors=True)

    def p(self, *parts):
        return os.path.join(self.path, *parts)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=False, timeout=kw.pop("timeout", 600), **kw)


def keygen(path):
    r = run([ACD, "keygen", "--out", path])
    assert r.returncode == 0, r.stderr
    return path + ".pub"


def approval(wd, name, key, kind="foreign-foreign", facility="t-1", selectors=None,
             valid_from="2020-01-01T00:00:00Z", valid_until="2035-12-31T23:59:59Z",
             party=None, approval_id=None, sign=True):
    """Writes NAME.json (and NAME.json.sig signed with `key`) and returns its path."""
    doc = {"id": approval_id or name, "kind": kind, "facility": facility,
           "valid_from": valid_from, "valid_until": valid_until,
           "selectors": selectors if selectors is not None else
           [{"id": "ALL4", "type": "ip", "value": "0.0.0.0/0"},
            {"id": "ALL6", "type": "ip", "value": "::/0"}]}
    if party is not None:
        doc["agreement_party"] = party
    path = wd.p(name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    if sign:
        r = run([ACD, "approval", "sign", "--key", key, path])
        assert r.returncode == 0, r.stderr
    return path


def gen(wd, scenario, name=None, **opts):
    path = wd.p(name or f"{scenario}.pcap")
    args = [PCAPGEN, "--scenario", scenario, "--out", path]
    for k, v in opts.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    r = run(args)
    assert r.returncode == 0, r.stderr
    return path


def sensor(wd, out, approvals, reads, ckey=None, okey=None, facility="t-1", prefixes=PREFIXES,
           extra=()):
    args = [SENSOR, "--prefixes", prefixes, "--facility", facility, "--out", out]
    for a in approvals:
        args += ["--approval", a]
    if ckey:
        args += ["--commission-key", ckey]
    if okey:
        args += ["--office-key", okey]
    for r in reads:
        args += ["--read", r]
    args += list(extra)
    return run(args)


def sensor_server(url, key, spool, approvals, reads, ckey=None, facility="t-1",
                  prefixes=PREFIXES, extra=(), popen=False):
    """acd-sensor --server URL --sensor-key KEY --spool SPOOL: a run (or, with popen, a
    started process with piped output) that posts its batches to acdd instead of --out."""
    args = [SENSOR, "--prefixes", prefixes, "--facility", facility, "--server", url,
            "--sensor-key", key, "--spool", spool]
    for a in approvals:
        args += ["--approval", a]
    if ckey:
        args += ["--commission-key", ckey]
    for r in reads:
        args += ["--read", r]
    args += list(extra)
    if popen:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return run(args)


def spooled(spool):
    """(batches waiting, batches refused) in a sensor's spool directory."""
    def count(d):
        return sorted(f for f in os.listdir(d) if f.endswith(".batch")) if os.path.isdir(d) else []
    return count(spool), count(os.path.join(spool, "refused"))


def lines(path, kind=None):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        out = [json.loads(line) for line in f if line.strip()]
    return [o for o in out if kind is None or o.get("type") == kind]


def records(out):
    return lines(os.path.join(out, "records.jsonl"))


def stats(out):
    return lines(os.path.join(out, "stats.jsonl"))
