"""Robustness: every one of the 830 captures of tcpdump's own test suite (many malformed on
purpose) goes through the sensor with an approval that selects everything and a prefix table
that makes every address foreign, so every decoder and extractor runs on every packet. Each
file must end with exit 0, or exit 2 and one line naming the file — never a signal, a
sanitizer report, or a hang."""
import concurrent.futures
import os
import subprocess

from acdtest import SENSOR, SHARED, Workdir, approval, check, finish, keygen

CORPUS = os.path.join(SHARED, "data", "tcpdump-tests")


def one(args):
    pcap, base, out = args
    try:
        r = subprocess.run(base + ["--read", pcap, "--out", out], capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return pcap, "timeout", b""
    return pcap, r.returncode, r.stderr


def main():
    files = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS))
    check(len(files) >= 800, f"the corpus is there ({len(files)} files in {CORPUS})")
    counts = {}
    with Workdir("corpus") as wd:
        ck = wd.p("commission")
        pub = keygen(ck)
        ff = approval(wd, "ALL", ck)
        fd = approval(wd, "ALL-FD", ck, kind="foreign-domestic")
        prefixes = wd.p("all-foreign.txt")
        with open(prefixes, "w") as f:
            f.write("foreign 0.0.0.0/0\nforeign ::/0\n")
        base = [SENSOR, "--prefixes", prefixes, "--facility", "t-1", "--approval", ff,
                "--approval", fd, "--commission-key", pub]
        jobs = [(p, base, wd.p("out", str(i))) for i, p in enumerate(files)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            for pcap, rc, err in ex.map(one, jobs):
                name = os.path.basename(pcap)
                counts[rc] = counts.get(rc, 0) + 1
                text = err.decode(errors="replace")
                check(rc in (0, 2), f"{name}: exit {rc}: {text[-400:]}")
                check("Sanitizer" not in text and "runtime error" not in text,
                      f"{name}: sanitizer report: {text[-800:]}")
                if rc == 2:
                    last = text.strip().splitlines()[-1] if text.strip() else ""
                    check(name in last, f"{name}: exit 2 names the file ({last!r})")
    summary = ", ".join(f"exit {k}: {v}" for k, v in sorted(counts.items(), key=str))
    finish("test_tcpdump_corpus", f"{len(files)} files ({summary})")


if __name__ == "__main__":
    main()
