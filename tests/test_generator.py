#!/usr/bin/env python3
"""test_generator.py — acd-pcapgen writes what its scenarios promise.

Checks, each on a file written by build/acd-pcapgen:
  - every scenario and link type opens in tshark (or tcpdump) with no malformed packet and no
    expert error (bad checksums included);
  - the same seed writes the same bytes, another seed other bytes;
  - canary: the canary occurs many times in the raw bytes (and --canary replaces it), but never in
    a field the sensor may extract (DNS query name, TLS SNI, HTTP Host, User-Agent, method);
  - sample: one DNS query, ClientHello or HTTP request per flow, unique 5-tuples;
  - bench at 100,000 packets (1,000,000 is too slow for a unit test; the proportions scale): exact
    packet and flow counts, every flow open at once, >= 60% of packets with a foreign end, IMIX
    about 7:4:1, about 5% selectable flows of each documented kind, none domestic-to-domestic.
Environment: ACD_BUILD (build directory), ACD_SRC (repository root).
"""
import ipaddress
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("ACD_BUILD", "build")
SRC = os.environ.get("ACD_SRC", ".")
GEN = os.path.join(BUILD, "acd-pcapgen")
CANARY = b"CANARY-7f3a9c1e-SECRET"
SANITIZED = os.environ.get("ACD_SANITIZED", "0") not in ("0", "", "false", "OFF")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")
    return cond


def gen(tmp, name, *args):
    out = os.path.join(tmp, name)
    r = subprocess.run([GEN, "--out", out, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: acd-pcapgen {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return out, r.stderr


# ---- the domestic prefix table (Contract 1), enough of it for tests/data/prefixes.txt -------

NON_GLOBAL = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
              "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32", "::1/128", "fc00::/7",
              "fe80::/10", "ff00::/8"]


def load_prefixes(path):
    domestic, foreign = [], []
    for line in open(path):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        target = foreign if words[0] == "foreign" else domestic
        target.append(ipaddress.ip_network(words[-1]))
    domestic += [ipaddress.ip_network(n) for n in NON_GLOBAL]
    return domestic, foreign


def is_domestic(addr, table):
    domestic, foreign = table
    a = ipaddress.ip_address(addr)
    if any(a in n for n in foreign if n.version == a.version):
        return False
    return any(a in n for n in domestic if n.version == a.version)


# ---- a minimal pcap reader: Ethernet, IPv4/IPv6, TCP/UDP/ICMP (what bench writes) -----------

def read_pcap(path):
    """Yields (ip_len, src, dst, proto, sport, dport, payload) per packet of an Ethernet pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(endian + "IIII", data, off)
        frame = data[off + 16: off + 16 + caplen]
        off += 16 + caplen
        yield parse_frame(frame)


def parse_frame(frame):
    etype = struct.unpack_from("!H", frame, 12)[0]
    ip = frame[14:]
    if etype == 0x0800:
        ihl = (ip[0] & 15) * 4
        ip_len, proto = struct.unpack_from("!H", ip, 2)[0], ip[9]
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        l4 = ip[ihl:ip_len]
    else:
        ip_len, proto = 40 + struct.unpack_from("!H", ip, 4)[0], ip[6]
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        l4 = ip[40:ip_len]
    if proto == 6:
        sport, dport = struct.unpack_from("!HH", l4, 0)
        payload = l4[(l4[12] >> 4) * 4:]
    elif proto == 17:
        sport, dport = struct.unpack_from("!HH", l4, 0)
        payload = l4[8:]
    else:  # ICMP echo: the identifier names the flow
        sport, dport = struct.unpack_from("!H", l4, 4)[0], 0
        payload = l4[8:]
    return ip_len, str(src), str(dst), proto, sport, dport, payload


# ---- checks -----------------------------------------------------------------------------------

CHECKSUM_PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                  "-o", "ip.check_checksum:TRUE"]
BAD_CHECKSUM = ("ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0"
                " || icmp.checksum.status == 0 || icmpv6.checksum.status == 0")
TRANSPORTS = ("tcp", "udp", "icmp", "icmpv6")


def in_app_layer(protocols):
    """True when a dissector above the (innermost) transport is what found the problem."""
    chain = protocols.split(":")
    last = max((i for i, p in enumerate(chain) if p in TRANSPORTS), default=len(chain))
    return any(p not in ("data", "_ws.malformed") for p in chain[last + 1:])


def tshark_clean(path, extra=(), payload_is_noise=False):
    """No bad checksum, no malformed packet, no expert error. With payload_is_noise (bench: random
    bytes on well-known ports) an application dissector may reject the payload, but nothing below
    it may."""
    name = os.path.basename(path)
    if shutil.which("tshark"):
        base = ["tshark", "-n", "-r", path, *extra, *CHECKSUM_PREFS, "-T", "fields"]
        r = subprocess.run(base + ["-Y", BAD_CHECKSUM, "-e", "frame.number"],
                           capture_output=True, text=True)
        check(r.returncode == 0 and not r.stdout.strip(),
              f"bad checksums in {name}: frames {r.stdout.split()[:5]} {r.stderr[:200]}")
        r = subprocess.run(base + ["-Y", "_ws.malformed || _ws.expert.severity >= error",
                                   "-E", "separator=\t", "-e", "frame.number",
                                   "-e", "frame.protocols", "-e", "_ws.expert.message"],
                           capture_output=True, text=True)
        bad = [line for line in r.stdout.splitlines()
               if not (payload_is_noise and in_app_layer(line.split("\t")[1]))]
        return check(r.returncode == 0 and not bad,
                     f"tshark finds problems in {name}: {(bad or [r.stderr])[:3]}")
    if shutil.which("tcpdump"):
        r = subprocess.run(["tcpdump", "-nr", path], capture_output=True, text=True)
        return check(r.returncode == 0, f"tcpdump cannot read {name}: {r.stderr[:200]}")
    print("note: neither tshark nor tcpdump installed; file syntax not checked")
    return True


def tshark_fields(path, fields, extra=(), dfilter=None):
    cmd = ["tshark", "-n", "-r", path, *extra, "-T", "fields", "-E", "separator=\t"]
    if dfilter:
        cmd += ["-Y", dfilter]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return [line.split("\t") for line in r.stdout.splitlines()]


def test_canary(tmp):
    path, _ = gen(tmp, "canary.pcap", "--scenario", "canary")
    raw = open(path, "rb").read()
    check(raw.count(CANARY) >= 500, f"canary occurs only {raw.count(CANARY)} times")
    tshark_clean(path)
    if shutil.which("tshark"):
        rows = tshark_fields(path, ["dns.qry.name", "tls.handshake.extensions_server_name",
                                    "http.host", "http.user_agent", "http.request.method"])
        leaked = [r for r in rows if any(CANARY.decode() in v for v in r)]
        check(not leaked, f"canary in an extractable field: {leaked[:3]}")
        hier = subprocess.run(["tshark", "-r", path, "-q", "-z", "io,phs"],
                              capture_output=True, text=True).stdout
        for proto in ("http", "smtp", "ftp", "sip", "dns", "tls", "ssh", "icmp", "icmpv6",
                      "gre", "vxlan", "geneve", "vlan", "ieee8021ad", "mpls"):
            check(f" {proto} " in hier, f"canary pcap lacks {proto}")
    for lt in ("sll", "sll2", "raw"):
        p, _ = gen(tmp, f"canary-{lt}.pcap", "--scenario", "canary", "--linktype", lt)
        b = open(p, "rb").read()
        check(b.count(CANARY) >= 500, f"canary pcap with --linktype {lt}: few canaries")
        tshark_clean(p)
    p, _ = gen(tmp, "other.pcap", "--scenario", "canary", "--canary", "XYZZY-other-canary")
    b = open(p, "rb").read()
    check(b.count(b"XYZZY-other-canary") >= 500 and CANARY not in b, "--canary not honoured")
    p, info = gen(tmp, "more.pcap", "--scenario", "canary", "--packets", "8000")
    check("packets=" in info and int(info.split("packets=")[1].split()[0]) >= 8000,
          f"--packets 8000 not reached: {info}")


def test_determinism(tmp):
    a, _ = gen(tmp, "a.pcap", "--scenario", "sample", "--seed", "5")
    b, _ = gen(tmp, "b.pcap", "--scenario", "sample", "--seed", "5")
    c, _ = gen(tmp, "c.pcap", "--scenario", "sample", "--seed", "6")
    check(open(a, "rb").read() == open(b, "rb").read(), "same seed, different bytes")
    check(open(a, "rb").read() != open(c, "rb").read(), "different seeds, same bytes")


DECODE_AS = ["-d", "udp.port==8053,dns", "-d", "tcp.port==8053,dns", "-d", "tcp.port==8443,tls",
             "-d", "tcp.port==9999,tls", "-d", "tcp.port==31337,http"]


def test_sample(tmp):
    path, _ = gen(tmp, "sample.pcap", "--scenario", "sample", "--flows", "300")
    tshark_clean(path, DECODE_AS)
    if not shutil.which("tshark"):
        return
    rows = tshark_fields(path, ["dns.qry.name", "tls.handshake.extensions_server_name",
                                "http.host"], DECODE_AS,
                         "dns.flags.response == 0 || tls.handshake.type == 1 || http.request")
    names = [next(v for v in r if v) for r in rows if any(r)]
    check(len(names) == 300, f"sample: {len(names)} first names for 300 flows")
    check(len(set(n.split(":")[0] for n in names)) == 300, "sample: names repeat")
    check(any(n != n.lower() for n in names), "sample: no mixed-case name")
    check(any("xn--" in n for n in names), "sample: no punycode name")
    syn = tshark_fields(path, ["tcp.dstport"], dfilter="tcp.flags.syn == 1 && tcp.flags.ack == 0")
    check({"443", "8443", "9999", "80", "8080", "31337"} <= {r[0] for r in syn},
          "sample: a TLS/HTTP port is missing")


def flow_key(p):
    _, src, dst, proto, sport, dport, _ = p
    if proto in (1, 58):  # an echo and its reply share the identifier
        return (proto, sport) + tuple(sorted((src, dst)))
    a, b = (src, sport), (dst, dport)
    return (proto,) + (a + b if a <= b else b + a)


def test_bench(tmp):
    n_packets = 100000
    t0 = time.monotonic()
    path, info = gen(tmp, "bench.pcap", "--scenario", "bench", "--packets", str(n_packets))
    took = time.monotonic() - t0
    if not SANITIZED:  # 1M packets must take "a few seconds"
        check(took < 1.5, f"bench: 100k packets took {took:.2f}s")
    tshark_clean(path, payload_is_noise=True)
    table = load_prefixes(os.path.join(SRC, "tests/data/prefixes.txt"))
    dom_cache = {}

    def dom(a):
        if a not in dom_cache:
            dom_cache[a] = is_domestic(a, table)
        return dom_cache[a]

    first, last, foreign_pkts, sizes, flows = {}, {}, 0, [0, 0, 0, 0], {}
    payloads = {}
    count = 0
    for i, p in enumerate(read_pcap(path)):
        count += 1
        k = flow_key(p)
        first.setdefault(k, i)
        last[k] = i
        if not (dom(p[1]) and dom(p[2])):
            foreign_pkts += 1
        ip_len = p[0]
        sizes[0 if ip_len <= 64 else 1 if ip_len == 576 else 2 if ip_len == 1500 else 3] += 1
        if k not in flows:
            flows[k] = (p[1], p[2])
        if p[6] and k not in payloads:
            payloads[k] = p[6]
    nflows = len(first)
    check(count == n_packets, f"bench: {count} packets, asked for {n_packets}")
    check(nflows == n_packets * 15 // 100, f"bench: {nflows} flows, expected 15% of packets")
    # Every flow's first packet comes before any flow's last one: all open at once.
    check(max(first.values()) < min(last.values()), "bench: not every flow open at once")
    share = foreign_pkts / count
    check(share >= 0.60, f"bench: only {share:.1%} of packets have a foreign end")
    small, medium, large = (s / count for s in sizes[:3])
    check(0.50 <= small <= 0.65 and 0.25 <= medium <= 0.40 and 0.04 <= large <= 0.12,
          f"bench: IMIX off: {small:.1%} / {medium:.1%} / {large:.1%}")
    target = [ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("2001:db8:f:66::/64")]

    def targeted(a):
        x = ipaddress.ip_address(a)
        return any(x in n for n in target if n.version == x.version)

    kinds = {"ip": 0, "sni": 0, "host": 0, "shell": 0, "elf": 0}
    dd_selectable = 0
    for k, (src, dst) in flows.items():
        pl = payloads.get(k, b"")
        hit = None
        if targeted(src) or targeted(dst):
            hit = "ip"
        elif b"bench-bad.example" in pl:
            hit = "sni" if pl[:1] == b"\x16" else "host"
        elif b"/bin/sh" in pl:
            hit = "shell"
        elif b"\x7fELF\x02\x01\x01" in pl:
            hit = "elf"
        if hit:
            kinds[hit] += 1
            if dom(src) and dom(dst):
                dd_selectable += 1
    expect = {"ip": 0.015, "sni": 0.010, "host": 0.010, "shell": 0.010, "elf": 0.005}
    for kind, frac in expect.items():
        got = kinds[kind] / nflows
        check(abs(got - frac) <= frac * 0.35, f"bench: {kind} flows {got:.2%}, want ~{frac:.1%}")
    total = sum(kinds.values()) / nflows
    check(0.04 <= total <= 0.06, f"bench: {total:.2%} selectable flows, want ~5%")
    check(dd_selectable == 0, f"bench: {dd_selectable} selectable domestic-domestic flows")
    protos = {k[0] for k in first}
    check({6, 17} <= protos and (1 in protos or 58 in protos), f"bench: protocols {protos}")
    print(f"bench@100k: {nflows} flows, foreign-end packets {share:.1%}, IMIX "
          f"{small:.1%}/{medium:.1%}/{large:.1%}, selectable {total:.2%} {kinds}, {took:.2f}s")


def main():
    if not os.access(GEN, os.X_OK):
        sys.exit(f"FAIL: {GEN} not built")
    r = subprocess.run([GEN, "--scenario", "nonsense", "--out", "/dev/null"], capture_output=True)
    check(r.returncode == 2 and b"usage" in r.stderr, "bad usage does not exit 2 with usage")
    with tempfile.TemporaryDirectory(prefix="acd-gen-") as tmp:
        test_canary(tmp)
        test_determinism(tmp)
        test_sample(tmp)
        test_bench(tmp)
    if failures:
        print(f"test_generator: {len(failures)} check(s) failed")
        return 1
    print("test_generator: all checks passed (canary, link types, determinism, sample, bench)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
