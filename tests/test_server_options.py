#!/usr/bin/env python3
"""acdd's command line: HTTPS with --tls-cert/--tls-key (a certificate made here with openssl),
and one clear line with exit 2 for each bad start (no keys, bad --listen, a config file with an
unknown key or a wrong type, half a TLS pair). SQLite only: nothing here touches the store's
behaviour."""
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402


def refused(args, words, what):
    r = subprocess.run([acdserver.ACDD, *args], capture_output=True, text=True, timeout=60)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    check(r.returncode == 2 and len(lines) == 1 and all(w in lines[0] for w in words),
          f"{what}: exit {r.returncode}, stderr {r.stderr!r}, want 2 and {words}")


def main():
    with acdtest.Workdir("server-options") as wd:
        store = acdserver.Store(wd, "sqlite", "opts")
        base = ["--db", store.url, "--keys", store.keys]
        refused(["--db", store.url, "--keys", wd.p("nokeys"), "--listen", "127.0.0.1:1"],
                ["token.key", "acd init"], "missing key directory")
        refused(base + ["--listen", "localhost"], ["--listen"], "listen without a port")
        cfg = wd.p("bad.json")
        with open(cfg, "w") as f:
            json.dump({"report_deadlines": {"followup_dayz": 3}}, f)
        refused(base + ["--listen", "127.0.0.1:1", "--config", cfg], ["followup_dayz"],
                "misspelt config key")
        with open(cfg, "w") as f:
            json.dump({"report_deadlines": {"first_hours": "soon"}}, f)
        refused(base + ["--listen", "127.0.0.1:1", "--config", cfg], ["first_hours"],
                "config value of the wrong type")
        refused(base + ["--listen", "127.0.0.1:1", "--tls-cert", cfg], ["--tls-key"],
                "half a TLS pair")

        cert, key = wd.p("cert.pem"), wd.p("key.pem")
        r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                            "subjectAltName=IP:127.0.0.1"], capture_output=True)
        check(r.returncode == 0, f"openssl made a test certificate: {r.stderr}")
        port = acdserver.free_port()
        p = subprocess.Popen([acdserver.ACDD, *base, "--listen", f"127.0.0.1:{port}",
                              "--tls-cert", cert, "--tls-key", key],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            ctx = ssl.create_default_context(cafile=cert)
            body = None
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz",
                                                context=ctx, timeout=10) as resp:
                        body = json.loads(resp.read())
                    break
                except OSError:
                    if p.poll() is not None:
                        break
                    time.sleep(0.1)
            check(body and body.get("status") == "ok", f"healthz over verified TLS: {body}")
        finally:
            p.terminate()
            check(p.wait(timeout=60) == 0, "TLS server stops cleanly")
    acdtest.finish("test_server_options", "TLS serving and refused starts")


if __name__ == "__main__":
    main()
