"""Contract 2 end to end: each approval kind selects only within its bounds, selectors select
what they name and nothing else, and expired, not-yet-valid, tampered, wrong-facility,
wrongly signed, unsigned, empty or revoked approvals are refused with exit 3 and write nothing."""
import ipaddress
import json
import os
import shutil

from acdtest import (Workdir, approval, check, finish, gen, keygen, records, run, sensor, stats,
                     ACD)

DOMESTIC = [ipaddress.ip_network(n) for n in (
    "133.0.0.0/8", "2001:db8:1::/48", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
    "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32",
    "::1/128", "fc00::/7", "fe80::/10", "ff00::/8")]


def domestic(addr):
    a = ipaddress.ip_address(addr)
    return any(a.version == n.version and a in n for n in DOMESTIC)


def kinds_bound(wd, pcap, ckey, okey):
    ff = approval(wd, "FF", ckey[0])
    fd = approval(wd, "FD", ckey[0], kind="foreign-domestic")
    party = {"operator": "OP-0001", "prefixes": ["2001:db8:1::/48", "133.0.0.0/9"]}
    ag = approval(wd, "AG", okey[0], kind="agreement", party=party)
    out = wd.p("out-kinds")
    r = sensor(wd, out, [ff, fd, ag], [pcap], ckey=ckey[1], okey=okey[1])
    check(r.returncode == 0, f"sensor with three kinds exits 0 (got {r.returncode}: {r.stderr[-300:]})")
    recs = records(out)
    by = {k: [x for x in recs if x["approval"] == k] for k in ("FF", "FD", "AG")}
    for k in by:
        check(len(by[k]) > 0, f"approval {k} selected something")
    for x in recs:
        sd, dd = domestic(x["src"]), domestic(x["dst"])
        check(not (sd and dd), f"record {x['id']} is domestic-to-domestic")
        want = ("foreign-foreign" if not sd and not dd else
                "domestic-foreign" if sd else "foreign-domestic")
        check(x["direction"] == want, f"record {x['id']} direction {x['direction']} != {want}")
    check(all(x["direction"] == "foreign-foreign" for x in by["FF"]), "FF selects only foreign-foreign")
    check(all(x["direction"] != "foreign-foreign" for x in by["FD"]), "FD never selects foreign-foreign")
    check({x["direction"] for x in by["FD"]} == {"foreign-domestic", "domestic-foreign"},
          "FD selects both directions")
    for x in by["AG"]:
        a = ipaddress.ip_address(x["dst"])
        inside = any(a.version == n.version and a in n for n in map(ipaddress.ip_network, party["prefixes"]))
        check(x["direction"] == "foreign-domestic" and inside,
              f"agreement record {x['id']} is a flow a foreign address started towards the party")
    # Statistics add up: in scope = selected + discarded, and the sensor line counts every packet.
    st = stats(out)
    for s in st:
        if s["approval"]:
            check(s["packets_in_scope"] == s["packets_selected"] + s["packets_discarded"],
                  f"stats of {s['approval']} add up")
    total = sum(x["packets"] + x["rpackets"] for x in by["FF"])
    sel = sum(s["packets_selected"] for s in st if s["approval"] == "FF")
    check(total == sel, f"FF packets_selected {sel} equals its records' packets {total}")


def selectors_select_what_they_name(wd, pcap, canary_pcap, ckey):
    # An ip selector under foreign-domestic matches the foreign end only: aiming at the
    # domestic side selects nothing.
    dom_target = approval(wd, "FD-DOM", ckey[0], kind="foreign-domestic", selectors=[
        {"id": "D4", "type": "ip", "value": "133.0.0.0/8"},
        {"id": "D6", "type": "ip", "value": "2001:db8:1::/48"}])
    out = wd.p("out-domtarget")
    r = sensor(wd, out, [dom_target], [pcap], ckey=ckey[1])
    check(r.returncode == 0 and records(out) == [],
          f"an ip selector naming domestic space selects nothing ({len(records(out))} records)")
    dom = approval(wd, "FF-DOMAIN", ckey[0], selectors=[{"id": "N1", "type": "domain", "value": "Example.COM."}])
    out = wd.p("out-domain")
    sensor(wd, out, [dom], [pcap], ckey=ckey[1])
    recs = records(out)
    check(len(recs) > 0, "a domain selector selects flows")
    for x in recs:
        names = [x["dns_qname"], x["tls_sni"], x["http_host"]]
        check(any(n and (n == "example.com" or n.endswith(".example.com")) for n in names),
              f"domain-selected record {x['id']} carries the matched name ({names})")
        check(x["selectors"] == ["N1"], f"record {x['id']} lists the selector that matched")
    content = approval(wd, "FF-CONTENT", ckey[0], kind="foreign-domestic", selectors=[
        {"id": "C1", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"}])
    out = wd.p("out-content")
    sensor(wd, out, [content], [canary_pcap], ckey=ckey[1])
    recs = records(out)
    check(len(recs) > 0, "a content selector selects the flows carrying the signature")
    for x in recs:
        check(x["signatures"] == [{"id": "C1", "label": "cmd:bin-sh"}],
              f"content-selected record {x['id']} names its signature")


def refused(wd, name, approvals, ckey=None, okey=None, want=3, revocations=None):
    out = wd.p("out-" + name)
    extra = ["--revocations", revocations] if revocations else []
    r = sensor(wd, out, approvals, [wd.p("sample.pcap")], ckey=ckey, okey=okey, extra=extra)
    err = r.stderr.decode(errors="replace").strip()
    check(r.returncode == want, f"{name}: exit {want} (got {r.returncode}: {err})")
    check(err.count("\n") == 0 and len(err) > 0, f"{name}: one line on stderr ({err!r})")
    check(not os.path.exists(out), f"{name}: nothing written")


def refusals(wd, ckey, okey):
    refused(wd, "expired", [approval(wd, "EXP", ckey[0], valid_until="2021-01-01T00:00:00Z")], ckey[1])
    refused(wd, "not-yet-valid", [approval(wd, "NYV", ckey[0], valid_from="2034-01-01T00:00:00Z")], ckey[1])
    refused(wd, "wrong-facility", [approval(wd, "WF", ckey[0], facility="osaka-9")], ckey[1])
    tam = approval(wd, "TAM", ckey[0])
    with open(tam) as f:
        doc = f.read()
    with open(tam, "w") as f:
        f.write(doc.replace("0.0.0.0/0", "0.0.0.0/1"))
    refused(wd, "tampered", [tam], ckey[1])
    nosig = approval(wd, "NOSIG", ckey[0], sign=False)
    refused(wd, "unsigned", [nosig], ckey[1])
    refused(wd, "no-key", [approval(wd, "NOKEY", ckey[0])])
    refused(wd, "missing-key-file", [approval(wd, "MKF", ckey[0])], wd.p("no-such.pub"))
    refused(wd, "office-signed-ff", [approval(wd, "OFF", okey[0])], ckey[1], okey[1])
    party = {"operator": "OP-1", "prefixes": ["133.0.0.0/8"]}
    refused(wd, "commission-signed-agreement",
            [approval(wd, "CAG", ckey[0], kind="agreement", party=party)], ckey[1], okey[1])
    refused(wd, "empty-selectors", [approval(wd, "EMPTY", ckey[0], selectors=[])], ckey[1])
    refused(wd, "agreement-without-party", [approval(wd, "AGNP", okey[0], kind="agreement")], ckey[1], okey[1])
    refused(wd, "one-bad-among-good", [approval(wd, "GOOD", ckey[0]),
                                       approval(wd, "BAD", ckey[0], facility="x")], ckey[1])
    bad = wd.p("MALFORMED.json")
    with open(bad, "w") as f:
        f.write('{"id": "M", "kind": "sideways"}')
    run([ACD, "approval", "sign", "--key", ckey[0], bad])
    refused(wd, "malformed", [bad], ckey[1], want=2)
    # Revocation: a signed REVOKE document in --revocations refuses the approval.
    revdir = wd.p("revocations")
    os.makedirs(revdir)
    rv = os.path.join(revdir, "REVOKE-RVK.json")
    with open(rv, "w") as f:
        json.dump({"revokes": "RVK", "at": "2026-01-01T00:00:00Z"}, f)
    run([ACD, "approval", "sign", "--key", ckey[0], rv])
    refused(wd, "revoked", [approval(wd, "RVK", ckey[0])], ckey[1], revocations=revdir)
    # A forged revocation (signed by an unknown key) takes no effect.
    other = keygen(wd.p("other"))
    fake = os.path.join(revdir, "REVOKE-KEEP.json")
    with open(fake, "w") as f:
        json.dump({"revokes": "KEEP", "at": "2026-01-01T00:00:00Z"}, f)
    run([ACD, "approval", "sign", "--key", other[:-4], fake])
    out = wd.p("out-forged-revocation")
    r = sensor(wd, out, [approval(wd, "KEEP", ckey[0])], [wd.p("sample.pcap")], ckey=ckey[1],
               extra=["--revocations", revdir])
    check(r.returncode == 0 and len(records(out)) > 0, "a forged revocation is ignored")
    check(b"revocation ignored" in r.stderr, "the forged revocation is reported")


def packet_times_outside_window(wd, pcap, ckey):
    # Valid now, but the capture's packets (October 2026) precede the window: nothing selected.
    late = approval(wd, "LATE", ckey[0], valid_from="2026-11-01T00:00:00Z")
    out = wd.p("out-late")
    r = sensor(wd, out, [late], [pcap], ckey=ckey[1])
    check(r.returncode == 0, "approval valid now is accepted")
    check(records(out) == [], "packets before the validity window select nothing")


def main():
    with Workdir("approvals") as wd:
        ckey = (wd.p("commission"), keygen(wd.p("commission")))
        okey = (wd.p("office"), keygen(wd.p("office")))
        pcap = gen(wd, "sample", seed=3)
        canary = gen(wd, "canary", seed=3)
        kinds_bound(wd, pcap, ckey, okey)
        selectors_select_what_they_name(wd, pcap, canary, ckey)
        refusals(wd, ckey, okey)
        packet_times_outside_window(wd, pcap, ckey)
    finish("test_sensor_approvals", "kinds bounded, selectors exact, 16 refusals")


if __name__ == "__main__":
    main()
