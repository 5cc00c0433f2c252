#!/usr/bin/env python3
"""test_peer_agreement.py — acd-sensor's records agree with tshark and nfdump on the same pcap.

The `sample` pcap from acd-pcapgen (DNS, TLS and HTTP flows, one name per flow, unique 5-tuples,
some on non-standard ports, IPv4 and IPv6, all directions) goes through acd-sensor with two
approvals that select everything they may: foreign-foreign and foreign-domestic, each with ip
selectors 0.0.0.0/0 and ::/0 (an ip selector matches the foreign end). Then:
  (a) names: per flow, acd's dns_qname / tls_sni / http_host equal the first name tshark sees in
      that flow (lower-cased, trailing dot and ":port" stripped on both sides), for exactly the
      flows that are not domestic-to-domestic by tests/data/prefixes.txt; also tls_ja3 equals
      tshark's JA3, http_method and http_user_agent tshark's, direction our classification, app
      the protocol tshark decoded;
  (b) counters: per 5-tuple and direction, acd's packets/bytes (initiator) and rpackets/rbytes
      (responder) equal nfdump's unidirectional records from nfpcapd. nfdump counts IP-layer
      bytes (IPv4 total length, IPv6 40 + payload length), which is what Contract 4 counts; the
      same counters are also checked against tshark's per-packet IP lengths, and first/last and
      tcp_flags against tshark.
Any difference fails the test naming the first differing flow (in pcap order).
SKIP (exit 0) only when tshark or nfpcapd/nfdump is not installed.
Environment: ACD_BUILD (build directory), ACD_SRC (repository root).
"""
import datetime
import glob
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("ACD_BUILD", "build")
SRC = os.environ.get("ACD_SRC", ".")
PREFIXES = os.path.join(SRC, "tests/data/prefixes.txt")
FACILITY = "peer-1"
FLOWS = 300

# Ports where acd finds the protocol from the payload but tshark needs to be told.
DECODE_AS = ["-d", "udp.port==8053,dns", "-d", "tcp.port==8053,dns", "-d", "tcp.port==8443,tls",
             "-d", "tcp.port==9999,tls", "-d", "tcp.port==31337,http"]

NON_GLOBAL = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
              "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "::1/128", "fc00::/7",
              "fe80::/10", "ff00::/8"]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[:500]}")
    return r.stdout


# ---- Contract 1 classification, enough for tests/data/prefixes.txt ---------------------------

def load_prefixes(path):
    domestic, foreign = [], []
    for line in open(path):
        words = line.split("#", 1)[0].split()
        if words:
            (foreign if words[0] == "foreign" else domestic).append(
                ipaddress.ip_network(words[-1]))
    return domestic + [ipaddress.ip_network(n) for n in NON_GLOBAL], foreign


def is_domestic(addr, table):
    domestic, foreign = table
    a = ipaddress.ip_address(addr)
    if any(a in n for n in foreign if n.version == a.version):
        return False
    return any(a in n for n in domestic if n.version == a.version)


def direction(src, dst, table):
    d = (is_domestic(src, table), is_domestic(dst, table))
    return {(False, False): "foreign-foreign", (False, True): "foreign-domestic",
            (True, False): "domestic-foreign", (True, True): None}[d]


# ---- inputs: pcap, key, approvals ------------------------------------------------------------

def make_inputs(tmp):
    pcap = os.path.join(tmp, "sample.pcap")
    run([os.path.join(BUILD, "acd-pcapgen"), "--scenario", "sample", "--flows", str(FLOWS),
         "--seed", "11", "--out", pcap])
    key = os.path.join(tmp, "commission")
    run([os.path.join(BUILD, "acd"), "keygen", "--out", key])
    approvals = []
    for apr_id, kind in (("APR-PEER-FF", "foreign-foreign"), ("APR-PEER-FD", "foreign-domestic")):
        path = os.path.join(tmp, apr_id + ".json")
        doc = {"id": apr_id, "kind": kind, "facility": FACILITY,
               "valid_from": "2020-01-01T00:00:00Z", "valid_until": "2035-12-31T23:59:59Z",
               "selectors": [{"id": "S1", "type": "ip", "value": "0.0.0.0/0"},
                             {"id": "S2", "type": "ip", "value": "::/0"}]}
        with open(path, "w") as f:
            json.dump(doc, f)
        run([os.path.join(BUILD, "acd"), "approval", "sign", "--key", key, path])
        approvals.append(path)
    return pcap, key + ".pub", approvals


def run_sensor(tmp, pcap, pub, approvals):
    out = os.path.join(tmp, "acd-out")
    cmd = [os.path.join(BUILD, "acd-sensor"), "--prefixes", PREFIXES, "--facility", FACILITY,
           "--commission-key", pub, "--read", pcap, "--out", out, "--threads", "1"]
    for a in approvals:
        cmd += ["--approval", a]
    run(cmd)
    records = []
    for f in sorted(glob.glob(os.path.join(out, "records*.jsonl"))):
        records += [json.loads(line) for line in open(f) if line.strip()]
    return records


# ---- tshark: per-flow view ---------------------------------------------------------------------

FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.len", "ipv6.plen",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags",
          "dns.qry.name", "tls.handshake.type", "tls.handshake.extensions_server_name",
          "tls.handshake.ja3", "http.request.method", "http.host", "http.user_agent"]


def canon_addr(a):
    return str(ipaddress.ip_address(a))


def tshark_flows(pcap):
    """Flows keyed by (proto, initiator addr, port, responder addr, port), in pcap order."""
    out = run(["tshark", "-n", "-r", pcap, *DECODE_AS, "-T", "fields", "-E", "separator=\t",
               "-E", "occurrence=f"] + [x for f in FIELDS for x in ("-e", f)])
    flows, index = {}, {}
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src, dst = v["ip.src"] or v["ipv6.src"], v["ip.dst"] or v["ipv6.dst"]
        proto = 6 if v["tcp.srcport"] else 17 if v["udp.srcport"] else None
        if not src or proto is None:
            continue
        src, dst = canon_addr(src), canon_addr(dst)
        sport = int(v["tcp.srcport"] or v["udp.srcport"])
        dport = int(v["tcp.dstport"] or v["udp.dstport"])
        ip_bytes = int(v["ip.len"]) if v["ip.len"] else 40 + int(v["ipv6.plen"])
        fwd, rev = (proto, src, sport, dst, dport), (proto, dst, dport, src, sport)
        key = index.get(fwd) or index.get(rev)
        if key is None:
            key = index[fwd] = fwd
            flows[key] = {"pkts": [0, 0], "bytes": [0, 0], "flags": 0, "first": v, "last": v}
        fl = flows[key]
        side = 0 if (src, sport) == (key[1], key[2]) else 1
        fl["pkts"][side] += 1
        fl["bytes"][side] += ip_bytes
        fl["flags"] |= int(v["tcp.flags"], 16) if v["tcp.flags"] else 0
        fl["last"] = v
        for f in ("dns.qry.name", "tls.handshake.extensions_server_name", "http.host",
                  "http.request.method", "http.user_agent"):
            if v[f] and f not in fl:
                fl[f] = v[f]
        if v["tls.handshake.type"] == "1" and v["tls.handshake.ja3"] and "ja3" not in fl:
            fl["ja3"] = v["tls.handshake.ja3"]
    return flows


def norm_name(name, strip_port=False):
    if name is None or name == "":
        return None
    name = name.lower().rstrip(".")
    if strip_port and name.count(":") == 1:
        name = name.split(":")[0]
    return name


def tcp_flag_letters(bits):
    return "".join(c for c, b in zip("CEUAPRSF", (0x80, 0x40, 0x20, 0x10, 8, 4, 2, 1))
                   if bits & b)


def iso(epoch):
    sec, _, frac = epoch.partition(".")
    t = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + (frac + "000000")[:6] + "Z"


def expected_record(key, fl, table):
    """What acd must write for a flow tshark saw, or None for domestic-to-domestic."""
    d = direction(key[1], key[3], table)
    if d is None:
        return None
    app = ("dns" if "dns.qry.name" in fl else
           "tls" if "tls.handshake.extensions_server_name" in fl else
           "http" if "http.request.method" in fl else None)
    return {"direction": d, "app": app,
            "dns_qname": norm_name(fl.get("dns.qry.name")),
            "tls_sni": norm_name(fl.get("tls.handshake.extensions_server_name")),
            "http_host": norm_name(fl.get("http.host"), strip_port=True),
            "tls_ja3": fl.get("ja3"), "http_method": fl.get("http.request.method"),
            "http_user_agent": fl.get("http.user_agent"),
            "packets": fl["pkts"][0], "bytes": fl["bytes"][0],
            "rpackets": fl["pkts"][1], "rbytes": fl["bytes"][1],
            "tcp_flags": tcp_flag_letters(fl["flags"]) if key[0] == 6 else None,
            "first": iso(fl["first"]["frame.time_epoch"]),
            "last": iso(fl["last"]["frame.time_epoch"])}


def acd_view(rec):
    got = {k: rec.get(k) for k in ("direction", "app", "tls_ja3", "http_method",
                                   "http_user_agent", "packets", "bytes", "rpackets", "rbytes",
                                   "tcp_flags", "first", "last")}
    got["dns_qname"] = norm_name(rec.get("dns_qname"))
    got["tls_sni"] = norm_name(rec.get("tls_sni"))
    got["http_host"] = norm_name(rec.get("http_host"), strip_port=True)
    if got["tcp_flags"] == "":
        got["tcp_flags"] = None
    return got


def record_key(rec):
    return (rec["proto"], canon_addr(rec["src"]), rec["sport"], canon_addr(rec["dst"]),
            rec["dport"])


# ---- nfdump: unidirectional counters -------------------------------------------------------------

def nfdump_counters(tmp, pcap):
    flowdir = os.path.join(tmp, "nfpcapd")
    os.mkdir(flowdir)
    run(["nfpcapd", "-r", pcap, "-w", flowdir])
    out = run(["nfdump", "-R", flowdir, "-q", "-o", "csv"])
    counters = {}
    for line in out.splitlines():
        c = line.split(",")
        if len(c) < 13 or c[7] not in ("TCP", "UDP"):
            continue
        key = ({"TCP": 6, "UDP": 17}[c[7]], canon_addr(c[3]), int(c[5]), canon_addr(c[4]),
               int(c[6]))
        pk, by = counters.get(key, (0, 0))
        counters[key] = (pk + int(c[11]), by + int(c[12]))  # ipkt, ibyt
    return counters


# ---- comparison ------------------------------------------------------------------------------

def fmt_key(k):
    return f"proto {k[0]} {k[1]}:{k[2]} -> {k[3]}:{k[4]}"


def compare(flows, records, nf, table):
    problems = []
    by_key = {}
    for rec in records:
        k = record_key(rec)
        if k in by_key:
            problems.append(f"{fmt_key(k)}: two records for one flow")
        by_key[k] = rec
    expected = {k: expected_record(k, fl, table) for k, fl in flows.items()}
    for k, exp in expected.items():  # pcap order, so the first problem is the first flow
        rec = by_key.pop(k, None)
        if exp is None:
            if rec is not None:
                problems.append(f"{fmt_key(k)}: domestic-to-domestic flow has a record")
            continue
        if rec is None:
            problems.append(f"{fmt_key(k)}: no acd record (tshark: {exp['direction']}, "
                            f"name {exp['dns_qname'] or exp['tls_sni'] or exp['http_host']})")
            continue
        got = acd_view(rec)
        for field in exp:
            if got[field] != exp[field]:
                problems.append(f"{fmt_key(k)}: {field}: acd {got[field]!r}, tshark "
                                f"{exp[field]!r}")
        rev = (k[0], k[3], k[4], k[1], k[2])
        for label, nkey, pk, by in (("initiator", k, "packets", "bytes"),
                                    ("responder", rev, "rpackets", "rbytes")):
            want = nf.get(nkey, (0, 0))
            if (rec[pk], rec[by]) != want:
                problems.append(f"{fmt_key(k)}: {label} {pk}/{by}: acd {rec[pk]}/{rec[by]}, "
                                f"nfdump {want[0]}/{want[1]}")
    for k in by_key:
        problems.append(f"{fmt_key(k)}: acd record for a flow tshark does not show")
    return problems, expected


def names(items):
    s = set()
    for e in items:
        for f in ("dns_qname", "tls_sni", "http_host"):
            if e.get(f):
                s.add((f, e[f]))
    return s


def main():
    missing = [t for t in ("tshark", "nfpcapd", "nfdump") if not shutil.which(t)]
    if missing:
        print(f"SKIP: test_peer_agreement needs {', '.join(missing)} (not installed)")
        return 0
    for b in ("acd-sensor", "acd", "acd-pcapgen"):
        if not os.access(os.path.join(BUILD, b), os.X_OK):
            sys.exit(f"FAIL: {os.path.join(BUILD, b)} not built")
    table = load_prefixes(PREFIXES)
    with tempfile.TemporaryDirectory(prefix="acd-peer-") as tmp:
        pcap, pub, approvals = make_inputs(tmp)
        records = run_sensor(tmp, pcap, pub, approvals)
        flows = tshark_flows(pcap)
        nf = nfdump_counters(tmp, pcap)
    problems, expected = compare(flows, records, nf, table)
    want = [e for e in expected.values() if e]
    # (a) as sets too: the names acd wrote are exactly the names tshark sees outside dom-dom.
    acd_names, ts_names = names(acd_view(r) for r in records), names(want)
    if acd_names != ts_names:
        problems.append(f"name sets differ: only acd {sorted(acd_names - ts_names)[:3]}, "
                        f"only tshark {sorted(ts_names - acd_names)[:3]}")
    if len(flows) != FLOWS:
        problems.append(f"tshark shows {len(flows)} flows, the sample has {FLOWS}")
    if problems:
        for p in problems[:15]:
            print("FAIL:", p)
        print(f"test_peer_agreement: {len(problems)} difference(s); first: {problems[0]}")
        return 1
    print(f"test_peer_agreement: {len(records)} records agree with tshark ({len(ts_names)} names,"
          f" JA3, method, User-Agent, direction, first/last, flags) and nfdump (packets, bytes)"
          f" over {len(flows)} flows ({len(flows) - len(want)} domestic-domestic dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
