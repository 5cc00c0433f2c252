"""--threads N gives the same set of lines as one thread (Contract 3): records and statistics,
on a generated capture with many concurrent flows, selections of every selector type, and
active-timeout splits; and on the canary capture, whose fragmented ICMP datagrams arrive last
fragment first (the early fragments wait in each worker's frag table for their first one)."""
import json
import os

from acdtest import Workdir, approval, check, finish, gen, keygen, sensor


def line_set(out, name):
    with open(os.path.join(out, name)) as f:
        return sorted(f.read().splitlines())


def main():
    with Workdir("threads") as wd:
        ck = wd.p("commission")
        pub = keygen(ck)
        pcap = gen(wd, "bench", packets=120000, seed=5)
        sels = [{"id": "I1", "type": "ip", "value": "203.0.113.0/24"},
                {"id": "I2", "type": "ip", "value": "2001:db8:f:66::/64"},
                {"id": "N1", "type": "domain", "value": "bench-bad.example"},
                {"id": "C1", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"},
                {"id": "C2", "type": "content", "value": "7f454c460201", "label": "elf64"}]
        apps = [approval(wd, "FF", ck, selectors=sels),
                approval(wd, "FD", ck, kind="foreign-domestic", selectors=sels)]
        results = {}
        for n in ("1", "2", "3"):
            out = wd.p("out-" + n)
            r = sensor(wd, out, apps, [pcap], ckey=pub,
                       extra=["--threads", n, "--active-timeout", "2", "--idle-timeout", "5"])
            check(r.returncode == 0, f"{n} threads: exit 0 ({r.stderr[-300:]})")
            results[n] = (line_set(out, "records.jsonl"), line_set(out, "stats.jsonl"))
        recs = [json.loads(x) for x in results["1"][0]]
        check(len(recs) > 100, f"flows were selected ({len(recs)} records)")
        for kind in ("I1", "N1", "C1", "C2"):
            check(any(kind in x["selectors"] for x in recs), f"selector {kind} selected something")
        for n in ("2", "3"):
            check(results[n][0] == results["1"][0],
                  f"{n} threads: same records as one ({len(results[n][0])} vs {len(results['1'][0])})")
            check(results[n][1] == results["1"][1], f"{n} threads: same statistics as one")
        frag_recs = fragments_first_last(wd, ck, pub)
    finish("test_threads", f"1, 2 and 3 threads agree on {len(recs)} records, "
                           f"and on {frag_recs} with fragments in reverse order")


def fragments_first_last(wd, ck, pub):
    pcap = gen(wd, "canary", seed=11)
    apps = [approval(wd, "ALL-FF", ck), approval(wd, "ALL-FD", ck, kind="foreign-domestic")]
    results = {}
    for n in ("1", "2", "3"):
        out = wd.p("out-frag-" + n)
        r = sensor(wd, out, apps, [pcap], ckey=pub, extra=["--threads", n, "--idle-timeout", "1"])
        check(r.returncode == 0, f"fragments, {n} threads: exit 0 ({r.stderr[-300:]})")
        results[n] = (line_set(out, "records.jsonl"), line_set(out, "stats.jsonl"))
    recs = [json.loads(x) for x in results["1"][0]]
    sts = [json.loads(x) for x in results["1"][1]]
    # A 3008-byte ICMP datagram (3000 bytes and the echo header) in three fragments each way: every fragment counted in its
    # flow, none left an orphan.
    icmp = [x for x in recs if x["proto"] in (1, 58) and x["packets"] == 3]
    check(len(icmp) > 5, f"reverse-order ICMP fragments counted in their flows ({len(icmp)} records)")
    for x in icmp:
        want = 3 * (20 if x["proto"] == 1 else 48) + 3008
        check(x["bytes"] == want and x["rpackets"] == 3 and x["rbytes"] == want,
              f"fragmented ICMP record {x['id']}: {x['packets']}/{x['bytes']} "
              f"{x['rpackets']}/{x['rbytes']}, want 3/{want} both ways")
    orphans = sum(s.get("orphan_fragments", 0) for s in sts if s["approval"] is None)
    check(orphans == 0, f"no orphan fragments in the canary capture ({orphans})")
    for n in ("2", "3"):
        check(results[n][0] == results["1"][0], f"fragments, {n} threads: same records as one")
        check(results[n][1] == results["1"][1], f"fragments, {n} threads: same statistics as one")
    return len(recs)


if __name__ == "__main__":
    main()
