"""Bad input gets exit 2 and one line saying what and where, and writes nothing: bad usage,
missing or non-capture files, unsupported link types, malformed prefix tables (file:line),
an unwritable output. Good output files are readable by the owner only."""
import os
import stat

from acdtest import (SENSOR, SHARED, Workdir, approval, check, finish, gen, keygen, records, run,
                     sensor)


def bad(wd, name, args=None, want=2, expect=None, **kw):
    out = wd.p("out-" + name)
    r = run(args) if args else sensor(wd, out, **kw)
    err = r.stderr.decode(errors="replace").strip()
    check(r.returncode == want, f"{name}: exit {want} (got {r.returncode}: {err[-300:]})")
    if expect:
        check(expect in err, f"{name}: message names {expect!r} ({err!r})")
    check(not os.path.exists(out), f"{name}: nothing written")


def main():
    with Workdir("input") as wd:
        ck = wd.p("commission")
        pub = keygen(ck)
        ap = approval(wd, "A", ck)
        pcap = gen(wd, "sample", seed=1)
        base = dict(approvals=[ap], ckey=pub)
        bad(wd, "no-args", args=[SENSOR])
        bad(wd, "unknown-option", args=[SENSOR, "--bogus"])
        bad(wd, "bad-threads", reads=[pcap], extra=["--threads", "zero"], expect="--threads", **base)
        bad(wd, "missing-file", reads=[wd.p("nope.pcap")], expect="nope.pcap", **base)
        notpcap = wd.p("text.pcap")
        with open(notpcap, "w") as f:
            f.write("this is not a capture file\n")
        bad(wd, "not-a-capture", reads=[notpcap], expect="text.pcap", **base)
        ieee = os.path.join(SHARED, "data", "tcpdump-tests", "802_15_4-data.pcap")
        bad(wd, "unsupported-link", reads=[pcap, ieee], expect="not supported", **base)
        pf = wd.p("prefixes.txt")
        with open(pf, "w") as f:
            f.write("# ok\n133.0.0.0/8\n\n10.0.0.1/8\n")
        bad(wd, "prefix-host-bits", reads=[pcap], prefixes=pf, expect="prefixes.txt:4", **base)
        with open(pf, "w") as f:
            f.write("133.0.0.0/8\napnic|JP|ipv4|1.0.16.0|abc|20110412|allocated\n")
        bad(wd, "prefix-rir", reads=[pcap], prefixes=pf, expect="prefixes.txt:2", **base)
        bad(wd, "both-inputs", reads=[pcap], extra=["--interface", "lo"], **base)
        # A good run: files 0600, directory 0700, a second run appends and loses nothing.
        out = wd.p("good", "nested")
        r = sensor(wd, out, [ap], [pcap], ckey=pub)
        check(r.returncode == 0, "good run exits 0")
        for fn in ("records.jsonl", "stats.jsonl"):
            mode = stat.S_IMODE(os.stat(os.path.join(out, fn)).st_mode)
            check(mode == 0o600, f"{fn} mode is 0600 (got {oct(mode)})")
        check(stat.S_IMODE(os.stat(out).st_mode) == 0o700, "output directory mode is 0700")
        n = len(records(out))
        sensor(wd, out, [ap], [pcap], ckey=pub)
        check(len(records(out)) == 2 * n and n > 0, "a second run appends its records")
    finish("test_sensor_input", "bad input refused with one clear line, output private")


if __name__ == "__main__":
    main()
