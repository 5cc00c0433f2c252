"""Live capture end to end: acd-sensor on one end of a veth pair between two network namespaces
this test makes, real TCP and UDP traffic over IPv4 and IPv6 between foreign and domestic
addresses, and the sensor's records checked against what was sent. Also: domestic-to-domestic
traffic yields nothing, the canary in every payload appears in no output, the sensor gives up
root once the interface is open and is not dumpable, --threads 2 works (PACKET_FANOUT), a
revocation dropped in --revocations and announced with SIGHUP stops selection from then on,
and SIGTERM/SIGINT flush the flows and exit 0. Approvals that the unprivileged user could not
re-read are refused at start.

Skips (exit 0) only when not root or when network namespaces cannot be made; CI is root."""
import ipaddress
import json
import os
import pwd
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
import types

import acdtest
from acdtest import (ACD, CANARY, PREFIXES, SENSOR, Workdir, approval, check, finish, keygen,
                     records, stats)

NS_PEER, NS_SENSOR = f"acdlive-{os.getpid()}-p", f"acdlive-{os.getpid()}-s"
IF_PEER, IF_SENSOR = "acdlp0", "acdls0"
# The peer namespace holds the .1 addresses, the sensor's the .2 ones. 198.51.100/24,
# 203.0.113/24 and 2001:db8:f::/64 are foreign in tests/data/prefixes.txt, 133.1.2/24 and
# 2001:db8:1::/64 domestic.
NETS = ["198.51.100.{}/24", "203.0.113.{}/24", "133.1.2.{}/24", "2001:db8:f::{}/64",
        "2001:db8:1::{}/64"]
PORTS = {"tcp": [8080], "udp": [53, 7000, 9999]}
SENSOR_USER = "nobody"

HTTP_BODY = f"/bin/sh -c {CANARY}"
HTTP_REQ = (f"POST /{CANARY}/x?q={CANARY} HTTP/1.1\r\nHost: www.live-ff.example\r\n"
            f"User-Agent: acdtest-live\r\nCookie: s={CANARY}\r\n"
            f"Content-Length: {len(HTTP_BODY)}\r\n\r\n{HTTP_BODY}").encode()
HTTP_REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


DOMESTIC = [ipaddress.ip_network(n) for n in (
    "133.0.0.0/8", "2001:db8:1::/48", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
    "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32",
    "::1/128", "fc00::/7", "fe80::/10", "ff00::/8")]


def domestic(addr):
    a = ipaddress.ip_address(addr)
    return any(a.version == n.version and a in n for n in DOMESTIC)


def dns_query(name, qid=0x1234):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


# ---- the peers: this file run with `serve` or `send` inside a namespace ----------------------

def serve(addrs):
    """TCP and UDP servers on each of `addrs`, bound to the address itself so that answers leave
    from the address they were sent to; each answers once per exchange."""
    sel = selectors.DefaultSelector()
    for addr in addrs:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for kind, ports in PORTS.items():
            for port in ports:
                s = socket.socket(fam, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, port))
                if kind == "tcp":
                    s.listen(16)
                sel.register(s, selectors.EVENT_READ, (kind, port))
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if key.data[0] == "udp":
                data, addr = s.recvfrom(65535)
                # A DNS answer is the query with QR set; anything else gets four bytes.
                reply = data[:2] + b"\x81\x80" + data[4:] if key.data[1] == 53 else b"pong"
                s.sendto(reply, addr)
                continue
            c, _ = s.accept()
            c.settimeout(5)
            try:
                while c.recv(65535):
                    pass
                c.sendall(HTTP_REPLY)
            except OSError:
                pass
            c.close()


def send(exchanges):
    """Runs each exchange from its own bound source address and port; waits for the answer."""
    for x in exchanges:
        fam = socket.AF_INET6 if ":" in x["src"] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM if x["proto"] == "tcp" else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        s.bind((x["src"], x["sport"]))
        payload = bytes.fromhex(x["payload"])
        if x["proto"] == "tcp":
            s.connect((x["dst"], x["dport"]))
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                d = s.recv(65535)
                if not d:
                    break
                got += d
        else:
            s.sendto(payload, (x["dst"], x["dport"]))
            got = s.recv(65535)
        s.close()
        if not got:
            raise SystemExit(f"no answer to {x}")
    print("sent", len(exchanges), flush=True)


# ---- the namespaces -----------------------------------------------------------------------

def sh(*args, ns=None, check_rc=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


def teardown():
    for ns in (NS_PEER, NS_SENSOR):
        sh("ip", "netns", "del", ns, check_rc=False)


def remove_stale():
    """Namespaces left by a run that was killed outright (SIGKILL skips every cleanup)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "acdlive" and parts[1].isdigit() and \
                not os.path.exists(f"/proc/{parts[1]}"):
            sh("ip", "netns", "del", name, check_rc=False)


def setup():
    remove_stale()
    teardown()
    sh("ip", "netns", "add", NS_PEER)
    sh("ip", "netns", "add", NS_SENSOR)
    sh("ip", "link", "add", IF_PEER, "netns", NS_PEER, "type", "veth", "peer", "name", IF_SENSOR,
       "netns", NS_SENSOR)
    for ns, ifname, host in ((NS_PEER, IF_PEER, 1), (NS_SENSOR, IF_SENSOR, 2)):
        sh("ip", "link", "set", "lo", "up", ns=ns)
        # No IPv6 autoconfiguration or router solicitations: only the test's own traffic.
        sh("sysctl", "-qw", f"net.ipv6.conf.{ifname}.accept_ra=0", ns=ns, check_rc=False)
        for net in NETS:
            sh("ip", "addr", "add", net.format(host), "dev", ifname, "nodad", ns=ns)
        sh("ip", "link", "set", ifname, "up", ns=ns)


def can_make_namespaces():
    probe = f"acdlive-{os.getpid()}-probe"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return r.stderr.strip() or "ip netns add failed"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


# ---- one sensor run -----------------------------------------------------------------------

def ex(proto, src, sport, dst, dport, payload):
    return {"proto": proto, "src": src, "sport": sport, "dst": dst, "dport": dport,
            "payload": payload.hex()}


def start_sensor(wd, tag, apps, ckey, threads, revdir):
    out = wd.p("out-" + tag)
    err = open(wd.p(f"stderr-{tag}"), "wb")
    outf = open(wd.p(f"stdout-{tag}"), "wb")
    args = ["ip", "netns", "exec", NS_SENSOR, SENSOR, "--prefixes", PREFIXES, "--facility", "t-1",
            "--out", out, "--interface", IF_SENSOR, "--commission-key", ckey, "--revocations",
            revdir, "--threads", str(threads), "--user", SENSOR_USER, "--verbose"]
    for a in apps:
        args += ["--approval", a]
    p = subprocess.Popen(args, stdout=outf, stderr=err)
    err.close()
    outf.close()
    # `ip netns exec` execs the command, so p.pid is the sensor itself.
    deadline = time.time() + 30
    while time.time() < deadline and p.poll() is None:
        if b"dropped root" in read(wd.p(f"stderr-{tag}")):
            break
        time.sleep(0.1)
    time.sleep(0.3)  # the workers' first pcap_dispatch
    return p, out


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def peer(ns, *args):
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__)] +
                          list(args), capture_output=True, timeout=120)


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


def packet_sockets(pid):
    """The AF_PACKET sockets the process holds (inodes in its namespace's /proc/net/packet)."""
    with open(f"/proc/{pid}/net/packet") as f:
        inodes = {ln.split()[-1] for ln in list(f)[1:]}
    held = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held.add(target[8:-1])
    return len(held)


def check_unprivileged(tag, pid):
    nobody = pwd.getpwnam(SENSOR_USER)
    try:
        st = proc_status(pid)
        owners = [os.stat(f"/proc/{pid}/{fn}").st_uid for fn in ("status", "environ", "mem")]
        with open(f"/proc/{pid}/limits") as f:
            core = [ln for ln in f if ln.startswith("Max core file size")]
    except FileNotFoundError:
        check(False, f"{tag}: the sensor is still running for the privilege checks")
        return
    uids = [int(u) for u in st["Uid"]]
    gids = [int(g) for g in st["Gid"]]
    check(uids == [nobody.pw_uid] * 4, f"{tag}: runs as {SENSOR_USER} after opening (Uid {uids})")
    check(gids == [nobody.pw_gid] * 4, f"{tag}: runs in {SENSOR_USER}'s group (Gid {gids})")
    check(st.get("CapEff") == ["0000000000000000"], f"{tag}: no capabilities left ({st.get('CapEff')})")
    check(st.get("NoNewPrivs") == ["1"], f"{tag}: no_new_privs is set")
    # A process that is not dumpable has its /proc/PID files owned by root whatever its uid.
    check(owners == [0, 0, 0] and uids[0] != 0, f"{tag}: not dumpable (/proc/PID files owned by {owners})")
    check(core and core[0].split()[4:6] == ["0", "0"], f"{tag}: core size limit 0 ({core})")


def stop(p, sig):
    p.send_signal(sig)
    try:
        return p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def flows(recs, **want):
    return [r for r in recs if all(r.get(k) == v for k, v in want.items())]


def check_record(tag, recs, approval_id, proto, src, sport, dst, dport, sent, answer, app, **extra):
    got = flows(recs, approval=approval_id, src=src, sport=sport, dst=dst, dport=dport)
    if not check(len(got) == 1, f"{tag}: one {approval_id} record for {src}:{sport} → {dst}:{dport} "
                                f"(got {len(got)})"):
        return
    r = got[0]
    v6 = ":" in src
    iph = 40 if v6 else 20
    check(r["proto"] == (6 if proto == "tcp" else 17), f"{tag}: {sport} proto {r['proto']}")
    if proto == "udp":
        want = (1, iph + 8 + sent, 1, iph + 8 + answer)
        check((r["packets"], r["bytes"], r["rpackets"], r["rbytes"]) == want,
              f"{tag}: {sport} counters {(r['packets'], r['bytes'], r['rpackets'], r['rbytes'])} "
              f"!= {want}")
    else:
        # SYN, data, FIN and ACKs from the client; SYN-ACK, data, FIN from the server.
        check(4 <= r["packets"] <= 12 and 3 <= r["rpackets"] <= 12,
              f"{tag}: {sport} packet counts {r['packets']}/{r['rpackets']}")
        check(sent + r["packets"] * (iph + 20) <= r["bytes"] <= sent + r["packets"] * (iph + 60),
              f"{tag}: {sport} bytes {r['bytes']} for {r['packets']} packets carrying {sent}")
        check(answer + r["rpackets"] * (iph + 20) <= r["rbytes"] <= answer + r["rpackets"] * (iph + 60),
              f"{tag}: {sport} rbytes {r['rbytes']} for {r['rpackets']} packets carrying {answer}")
        check(set("SAF") <= set(r["tcp_flags"] or ""), f"{tag}: {sport} tcp_flags {r['tcp_flags']}")
    check(r["app"] == app, f"{tag}: {sport} app {r['app']} != {app}")
    for k, v in extra.items():
        check(r[k] == v, f"{tag}: {sport} {k} {r[k]!r} != {v!r}")
    check(r["first"] <= r["last"], f"{tag}: {sport} first <= last")


def check_no_canary(tag, out, stdout, stderr):
    needles = [CANARY.encode(), CANARY.encode().lower(), b"7f3a9c1e", CANARY.encode().hex().encode()]
    blobs = {"stdout": read(stdout), "stderr": read(stderr)}
    for root, _, files in os.walk(out):
        for fn in files:
            blobs[fn] = read(os.path.join(root, fn))
    for name, blob in blobs.items():
        check(not any(n in blob for n in needles), f"{tag}: canary in {name}")


def revoke(wd, revdir, ckey_secret, approval_id):
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    path = os.path.join(revdir, f"REVOKE-{approval_id}.json")
    tmp = wd.p(f"REVOKE-{approval_id}.json")
    with open(tmp, "w") as f:
        json.dump({"revokes": approval_id, "at": at}, f)
    r = acdtest.run([ACD, "approval", "sign", "--key", ckey_secret, tmp])
    assert r.returncode == 0, r.stderr
    os.chmod(tmp, 0o644)
    os.chmod(tmp + ".sig", 0o644)
    os.rename(tmp + ".sig", path + ".sig")
    os.rename(tmp, path)


def scenario(wd, tag, threads, stop_sig, ckey):
    revdir = wd.p(f"revocations-{tag}")
    os.makedirs(revdir)
    os.chmod(revdir, 0o755)
    sels_ff = [{"id": "I1", "type": "ip", "value": "198.51.100.0/24"},
               {"id": "C1", "type": "content", "value": b"/bin/sh".hex(), "label": "cmd:bin-sh"}]
    apps = [approval(wd, f"LIVE-FF-{tag}", ckey[0], selectors=sels_ff),
            approval(wd, f"LIVE-FD-{tag}", ckey[0], kind="foreign-domestic",
                     selectors=[{"id": "N1", "type": "domain", "value": "live-bad.example"}]),
            approval(wd, f"LIVE-REV-{tag}", ckey[0],
                     selectors=[{"id": "I2", "type": "ip", "value": "203.0.113.0/24"}])]
    for a in apps:  # re-read as the unprivileged user on SIGHUP
        os.chmod(a, 0o644)
        os.chmod(a + ".sig", 0o644)
    started_ms = int(time.time() * 1000)
    ff, fd, rev = (f"LIVE-FF-{tag}", f"LIVE-FD-{tag}", f"LIVE-REV-{tag}")
    dns = dns_query("c2.live-bad.example")
    v6_payload = f"/bin/sh {CANARY}".encode()
    plain = f"nothing to see {CANARY}".encode()
    before = [
        ex("tcp", "198.51.100.1", 41001, "198.51.100.2", 8080, HTTP_REQ),
        ex("udp", "2001:db8:f::1", 41002, "2001:db8:f::2", 9999, v6_payload),
        ex("udp", "198.51.100.1", 41003, "133.1.2.2", 53, dns),
        ex("udp", "133.1.2.1", 41004, "198.51.100.2", 53, dns),
        ex("udp", "198.51.100.1", 41005, "133.1.2.2", 9999, plain),  # in scope, not selected
        ex("udp", "203.0.113.1", 41006, "203.0.113.2", 7000, plain),
        # Domestic to domestic: would match every selector, must yield nothing.
        ex("tcp", "133.1.2.1", 41010, "133.1.2.2", 8080, HTTP_REQ),
        ex("udp", "133.1.2.1", 41011, "133.1.2.2", 53, dns),
        ex("udp", "2001:db8:1::1", 41012, "2001:db8:1::2", 9999, v6_payload),
    ]
    after = [ex("udp", "203.0.113.1", 41020, "203.0.113.2", 7000, plain),
             ex("tcp", "203.0.113.1", 41021, "203.0.113.2", 8080, HTTP_REQ)]

    p, out = start_sensor(wd, tag, apps, ckey[1], threads, revdir)
    try:
        if not check(p.poll() is None, f"{tag}: sensor runs ({read(wd.p('stderr-' + tag))[-400:]!r})"):
            return
        check_unprivileged(tag, p.pid)
        n = packet_sockets(p.pid)
        check(n == threads, f"{tag}: one capture socket per worker ({n} for {threads} threads)")
        r = peer(NS_PEER, "send", json.dumps(before))
        check(r.returncode == 0, f"{tag}: traffic before revocation sent ({r.stderr[-300:]!r})")
        time.sleep(1.2)  # the revocation time falls after every packet of `before`
        revoke(wd, revdir, ckey[0], rev)
        p.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and f"approval {rev}: revoked".encode() not in read(wd.p(f"stderr-{tag}")):
            time.sleep(0.1)
        check(f"approval {rev}: revoked".encode() in read(wd.p(f"stderr-{tag}")),
              f"{tag}: SIGHUP made the sensor read the revocation")
        time.sleep(1.1)  # packets after the revocation second
        r = peer(NS_PEER, "send", json.dumps(after))
        check(r.returncode == 0, f"{tag}: traffic after revocation sent ({r.stderr[-300:]!r})")
        check(p.poll() is None, f"{tag}: the sensor still runs after the traffic")
        check_unprivileged(tag + " (end)", p.pid)
        time.sleep(0.5)
    finally:
        rc = stop(p, stop_sig)
    check(rc == 0, f"{tag}: exit 0 on {signal.Signals(stop_sig).name} (got {rc}: "
                   f"{read(wd.p('stderr-' + tag))[-600:]!r})")

    recs = records(out)
    # Record ids: live capture takes the start time as the run's epoch (test_record_ids).
    epochs = {int(r["id"].split(":")[1][:13]) for r in recs}
    check(len(epochs) == 1 and started_ms <= min(epochs) <= time.time() * 1000,
          f"{tag}: record ids carry the run's start time ({epochs}, started {started_ms})")
    http_sent = len(HTTP_REQ)
    check_record(tag, recs, ff, "tcp", "198.51.100.1", 41001, "198.51.100.2", 8080, http_sent,
                 len(HTTP_REPLY), "http", direction="foreign-foreign", http_host="www.live-ff.example",
                 http_method="POST", http_user_agent="acdtest-live",
                 signatures=[{"id": "C1", "label": "cmd:bin-sh"}])
    got = flows(recs, approval=ff, sport=41001)
    check(got and got[0]["selectors"] == ["I1", "C1"], f"{tag}: 41001 selected by I1 and C1 "
                                                      f"({got and got[0]['selectors']})")
    check_record(tag, recs, ff, "udp", "2001:db8:f::1", 41002, "2001:db8:f::2", 9999, len(v6_payload),
                 4, None, direction="foreign-foreign", selectors=["C1"],
                 signatures=[{"id": "C1", "label": "cmd:bin-sh"}])
    check_record(tag, recs, fd, "udp", "198.51.100.1", 41003, "133.1.2.2", 53, len(dns), len(dns),
                 "dns", direction="foreign-domestic", dns_qname="c2.live-bad.example", selectors=["N1"])
    check_record(tag, recs, fd, "udp", "133.1.2.1", 41004, "198.51.100.2", 53, len(dns), len(dns),
                 "dns", direction="domestic-foreign", dns_qname="c2.live-bad.example", selectors=["N1"])
    check_record(tag, recs, rev, "udp", "203.0.113.1", 41006, "203.0.113.2", 7000, len(plain), 4,
                 None, direction="foreign-foreign", selectors=["I2"])
    check(not flows(recs, sport=41005), f"{tag}: an in-scope flow no selector matches is not written")
    for port in (41020, 41021):
        check(not flows(recs, approval=rev, sport=port),
              f"{tag}: flow {port} after the revocation is not selected by {rev}")
    # The other approvals go on selecting: the HTTP body carries the content selector.
    check_record(tag, recs, ff, "tcp", "203.0.113.1", 41021, "203.0.113.2", 8080, http_sent,
                 len(HTTP_REPLY), "http", direction="foreign-foreign", selectors=["C1"])
    for x in recs:
        check(not (domestic(x["src"]) and domestic(x["dst"])), f"{tag}: domestic record {x['id']}")
        check(x["sensor"] == "t-1" and x["id"].startswith("t-1:"), f"{tag}: record id {x['id']}")
    check(len({x["id"] for x in recs}) == len(recs), f"{tag}: record ids are unique")
    check(len(recs) == 6, f"{tag}: exactly the six expected records ({len(recs)})")
    st = stats(out)
    sensor_lines = [s for s in st if s["approval"] is None]
    dd = sum(s["packets"]["domestic-domestic"] for s in sensor_lines)
    check(dd >= 2 + 2 + 8, f"{tag}: domestic-domestic packets counted in stats ({dd})")
    sel = {a: sum(s["packets_selected"] for s in st if s["approval"] == a) for a in (ff, fd, rev)}
    for a in (ff, fd, rev):
        want = sum(x["packets"] + x["rpackets"] for x in recs if x["approval"] == a)
        check(sel[a] == want, f"{tag}: {a} packets_selected {sel[a]} equals its records' {want}")
    check_no_canary(tag, out, wd.p(f"stdout-{tag}"), wd.p(f"stderr-{tag}"))
    for fn in ("records.jsonl", "stats.jsonl"):
        mode = os.stat(os.path.join(out, fn)).st_mode & 0o777
        check(mode == 0o600, f"{tag}: {fn} mode {oct(mode)}")


def unreadable_approval_refused(wd, ckey):
    """Root can read a 0600 approval at start; after dropping root the 60 s re-read could not,
    and would silently take the approval out of force: refuse at start instead."""
    hidden = wd.p("hidden")
    os.makedirs(hidden, mode=0o700)
    a = approval(types.SimpleNamespace(p=lambda *parts: os.path.join(hidden, *parts)),
                 "LIVE-HIDDEN", ckey[0])
    out = wd.p("out-hidden")
    p = subprocess.Popen(["ip", "netns", "exec", NS_SENSOR, SENSOR, "--prefixes", PREFIXES,
                          "--facility", "t-1", "--out", out, "--interface", IF_SENSOR,
                          "--commission-key", ckey[1], "--approval", a, "--user", SENSOR_USER],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    err = err.decode(errors="replace").strip()
    check(p.returncode == 2 and "LIVE-HIDDEN" in err and SENSOR_USER in err and err.count("\n") == 0,
          f"an approval {SENSOR_USER} cannot re-read is refused at start with one line "
          f"(exit {p.returncode}: {err})")
    check(not os.path.exists(out), "the refused start wrote nothing")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        return serve(sys.argv[2:])
    if len(sys.argv) > 2 and sys.argv[1] == "send":
        return send(json.loads(sys.argv[2]))
    if os.geteuid() != 0:
        print("test_live_capture: skipped — needs root to make network namespaces")
        sys.exit(0)
    why = can_make_namespaces()
    if why:
        print(f"test_live_capture: skipped — cannot make a network namespace ({why})")
        sys.exit(0)
    # ctest's timeout sends SIGTERM: unwind so the namespaces go away.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    server = None
    runs = 0
    with Workdir("live") as wd:
        os.chmod(wd.path, 0o755)  # the sensor re-reads approvals as nobody
        try:
            setup()
            server = subprocess.Popen(["ip", "netns", "exec", NS_SENSOR, sys.executable,
                                       os.path.abspath(__file__), "serve"] +
                                      [n.format(2).split("/")[0] for n in NETS],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            check(server.stdout.readline().strip() == b"ready", "the servers in the namespace start")
            ck = wd.p("commission")
            pub = keygen(ck)
            os.chmod(pub, 0o644)
            for tag, threads, sig in (("t1", 1, signal.SIGTERM), ("t2", 2, signal.SIGINT)):
                scenario(wd, tag, threads, sig, (ck, pub))
                runs += 1
            unreadable_approval_refused(wd, (ck, pub))
        finally:
            if server:
                server.kill()
                server.wait()
            teardown()
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    check(NS_PEER not in left and NS_SENSOR not in left, "the namespaces are gone")
    finish("test_live_capture", f"{runs} live runs (1 and 2 threads) on a veth pair")


if __name__ == "__main__":
    main()
