#!/usr/bin/env python3
"""`make demo`'s script end to end in a scratch copy of its output directory: it must finish
with exit 0, report an intact audit chain, and find its canary in nothing acd wrote (the
script checks that itself and fails otherwise). Guards the one command the README promises."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402


def main():
    script = os.path.join(acdtest.SRC, "scripts", "demo.sh")
    with acdtest.Workdir("demo") as wd:
        env = dict(os.environ, ACD_DEMO_OUT=wd.p("demo-out"),
                   ACD_BUILD=os.path.abspath(acdtest.BUILD))
        r = subprocess.run(["bash", script], capture_output=True, text=True, timeout=900, env=env,
                           cwd=acdtest.SRC)
    out = r.stdout + r.stderr
    check(r.returncode == 0, f"demo exits 0: {r.returncode}\n{out[-3000:]}")
    check('"intact":true' in out, "the demo's audit chain verifies")
    check("in nothing acd wrote" in out, "the demo's canary check ran")
    check("revoked" in out, "the revoked approval is refused in the demo")
    acdtest.finish("test_demo", "make demo's script runs end to end")


if __name__ == "__main__":
    main()
