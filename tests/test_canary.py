"""Secrecy of communications: a canary string placed in every kind of payload (HTTP path,
query, cookie and body, mail, FTP file names, SIP, DNS TXT, TLS extensions and records, ICMP,
fragments, retransmissions, tunnels) never appears in anything the sensor writes — records,
statistics, stdout, stderr — whatever the link type, approvals, thread count or verbosity,
and also when the input ends in the middle of a packet."""
import os

from acdtest import (CANARY, Workdir, approval, check, finish, gen, keygen, records, sensor)

NEEDLES = [CANARY.encode(), CANARY.encode().lower(), b"7f3a9c1e", CANARY.encode().hex().encode()]


def leaks(blob):
    return [n for n in NEEDLES if n in blob]


def scan_run(name, out, r):
    found = []
    for root, _, files in os.walk(out):
        for fn in files:
            with open(os.path.join(root, fn), "rb") as f:
                if leaks(f.read()):
                    found.append(fn)
    check(not leaks(r.stdout), f"{name}: canary in stdout")
    check(not leaks(r.stderr), f"{name}: canary in stderr")
    check(not found, f"{name}: canary in {found}")


def main():
    runs = 0
    with Workdir("canary") as wd:
        ck = wd.p("commission")
        cpub = keygen(ck)
        ok = wd.p("office")
        opub = keygen(ok)
        pcaps = {lt: gen(wd, "canary", name=f"canary-{lt}.pcap", linktype=lt, seed=11)
                 for lt in ("en10mb", "sll", "sll2", "raw")}
        for lt, p in pcaps.items():
            with open(p, "rb") as f:
                check(f.read().count(CANARY.encode()) > 20, f"the {lt} input really carries the canary")
        # A truncated copy: the sensor stops with exit 2 but must leak nothing on the way.
        with open(pcaps["en10mb"], "rb") as f:
            data = f.read()
        cut = wd.p("canary-cut.pcap")
        with open(cut, "wb") as f:
            f.write(data[: len(data) * 2 // 3])
        apps = [
            approval(wd, "ALL-FF", ck),
            approval(wd, "ALL-FD", ck, kind="foreign-domestic"),
            approval(wd, "AGR", ok, kind="agreement",
                     party={"operator": "OP-1", "prefixes": ["133.0.0.0/8", "2001:db8:1::/48"]}),
            approval(wd, "SIG", ck, kind="foreign-domestic", selectors=[
                {"id": "C1", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"},
                {"id": "C2", "type": "content", "value": CANARY.encode().hex(), "label": "canary"},
                {"id": "D1", "type": "domain", "value": "example.com"}]),
        ]
        for lt, p in pcaps.items():
            for threads in ("1", "2"):
                out = wd.p(f"out-{lt}-{threads}")
                r = sensor(wd, out, apps, [p], ckey=cpub, okey=opub,
                           extra=["--threads", threads, "--verbose", "--idle-timeout", "1"])
                check(r.returncode == 0, f"{lt}/{threads}: exit 0 (got {r.returncode})")
                recs = records(out)
                check(len(recs) > 50, f"{lt}/{threads}: flows were selected ({len(recs)})")
                check(any(x["approval"] == "SIG" and {"id": "C2", "label": "canary"} in x["signatures"]
                          for x in recs), f"{lt}/{threads}: the canary bytes themselves were matched")
                scan_run(f"{lt}/{threads}", out, r)
                runs += 1
        out = wd.p("out-cut")
        r = sensor(wd, out, apps, [cut], ckey=cpub, okey=opub)
        check(r.returncode == 2, f"truncated input: exit 2 (got {r.returncode})")
        scan_run("truncated", out, r)
        runs += 1
    finish("test_canary", f"{runs} sensor runs, no canary in any output")


if __name__ == "__main__":
    main()
