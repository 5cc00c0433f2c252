#!/usr/bin/env python3
"""The Diet report's annual statistics on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE):
a known set of approvals, incident reports, notifications, sensor statistics, records,
purges and other-purpose exports is built through the real API, a real sensor run, signed
batches and `acd purge --now`, split across fiscal years 2025 and 2026 at the boundary —
31 March 2026 23:59:59.999999 JST belongs to FY2025, 1 April 2026 00:00 JST to FY2026.
acdd stamps approvals, reports, notifications, batches and exports with its own clock, so the
test moves chosen rows' time stamps to those two instants (time columns only); stats lines
and purges carry the test's own times. Every number of `acd stats diet --year` is checked
against the expected counts for both years; GET /api/v1/stats/diet gives the same object to
the commission and analysts, not to operators; `--html` prints a page that holds them."""
import copy
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdrecords  # noqa: E402
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

UTC = datetime.timezone.utc
FY26_START = datetime.datetime(2026, 3, 31, 15, 0, 0, tzinfo=UTC)   # 2026-04-01 00:00 JST
B25 = FY26_START - datetime.timedelta(microseconds=1)                # 2026-03-31 23:59:59.999999 JST
B26 = FY26_START
KINDS = ("foreign-foreign", "foreign-domestic", "agreement")
DIRS = ("domestic-domestic", "foreign-foreign", "foreign-domestic", "domestic-foreign")
SECTORS = ("airports", "aviation", "chemicals", "credit", "electricity", "finance", "gas",
           "government", "ict", "logistics", "medical", "petroleum", "ports", "railway", "water")
CLASSES = ("cybersecurity", "other-law", "criminal-investigation", "other")


def micros(t):
    return str(int(t.timestamp()) * 1000000 + t.microsecond)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(s):
    s = s.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).astimezone(UTC)


def fy(t):
    jst = t + datetime.timedelta(hours=9)
    return jst.year if jst.month >= 4 else jst.year - 1


def empty(year):
    return {
        "approvals": {k: {"requested": 0, "granted": 0, "rejected": 0, "revoked": 0}
                      for k in KINDS},
        "reports": {s: 0 for s in SECTORS}, "notifications": {s: 0 for s in SECTORS},
        "packets": {"seen": {d: 0 for d in DIRS}, "in_scope": {k: 0 for k in KINDS},
                    "selected": {k: 0 for k in KINDS}, "discarded": {k: 0 for k in KINDS}},
        "records": {"stored": 0, "purged": 0},
        "other_purpose_uses": {"granted": {c: 0 for c in CLASSES},
                               "refused": {c: 0 for c in CLASSES}},
        "foreign_provisions": {"granted": 0, "refused": 0},
        "measures": {"executed": 0, "rejected": 0, "withdrawn": 0,
                     "closed-without-execution": 0, "open": 0}}


def notif(op):
    return {"operator": op, "category": "vpn", "vendor": "Fortinet", "product": "FortiGate 100F",
            "version": "7.2.4", "cpe": "cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*",
            "system": "remote access", "custom_design": False,
            "introduced_at": "2024-04-01T09:00:00+09:00"}


def report(op, sector):
    return {"urgency": "alert", "tlp": "amber", "sector": sector, "operator": op,
            "event_type": "malware", "summary": "ransomware on billing"}


def build(wd, backend, store, srv):
    """Builds the data set; returns the expected statistics per fiscal year."""
    exp = {2025: empty(2025), 2026: empty(2026)}
    e25, e26 = exp[2025], exp[2026]
    a1, a2 = store.user("analyst", "nco"), store.user("analyst", "nco", name="second")
    com = store.user("commission", "commission")
    op_a = store.user("operator", "op-a", sector="electricity")
    op_f = store.user("operator", "op-f", sector="finance")
    ff = acdrecords.FF_APPROVAL

    # Approvals: A1 granted (request moved to 1 April 00:00), A2 rejected on 31 March, A3
    # only requested, A4 granted and revoked.
    aid, doc = acdrecords.issue(srv, a1, com, ff)
    st, r2 = srv.post("/api/v1/approvals", a1, ff)
    st, d = srv.post(f"/api/v1/approvals/{r2['id']}/decision", com,
                     {"decision": "reject", "reason": "too broad"})
    assert st == 200, d
    st, r3 = srv.post("/api/v1/approvals", a1, dict(ff, kind="foreign-domestic"))
    assert st == 201, r3
    a4, _ = acdrecords.issue(srv, a1, com, ff)
    st, rv = srv.post(f"/api/v1/approvals/{a4}/revoke", com, {"reason": "done"})
    assert st in (200, 201), rv
    store.sql(f"UPDATE approval_events SET at = {micros(B25)} WHERE approval = '{r2['id']}'")
    store.sql(f"UPDATE approval_events SET at = {micros(B26)} WHERE approval = '{aid}' AND "
              "action = 'request'")
    e25["approvals"]["foreign-foreign"].update(requested=1, rejected=1)
    e26["approvals"]["foreign-foreign"].update(requested=2, granted=2, revoked=1)
    e26["approvals"]["foreign-domestic"]["requested"] = 1

    # Reports and notifications by sector, one of each moved to 31 March.
    ids = []
    for tok, op, sector in ((op_a, "op-a", "electricity"), (op_a, "op-a", "electricity"),
                            (op_f, "op-f", "finance")):
        st, r = srv.post("/api/v1/reports", tok, report(op, sector))
        assert st == 201, r
        ids.append(r["id"])
    store.sql(f"UPDATE reports SET created_at = {micros(B25)} WHERE id = '{ids[0]}'")
    e25["reports"]["electricity"] = 1
    e26["reports"].update(electricity=1, finance=1)
    nids = []
    for tok, op in ((op_a, "op-a"), (op_f, "op-f"), (op_f, "op-f")):
        st, n = srv.post("/api/v1/notifications", tok, notif(op))
        assert st == 201, n
        nids.append(n["id"])
    store.sql(f"UPDATE notifications SET filed_at = {micros(B25)} WHERE id = '{nids[1]}'")
    e25["notifications"]["finance"] = 1
    e26["notifications"].update(electricity=1, finance=1)

    # Stats and records: the real sensor run, plus lines at both sides of the boundary.
    key = acdrecords.register_sensor(srv, store, wd, backend)
    records, stats = acdrecords.sensor_run(srv, wd, backend, doc)
    own = next(s for s in stats if s["approval"] is None)
    per = next(s for s in stats if s["approval"] == aid)
    extra = []
    for t, k in ((B25, 1), (B26, 10)):
        line = dict(copy.deepcopy(own), **{"from": iso(t), "to": iso(t + datetime.timedelta(
            seconds=60))})
        line["packets"] = {d: k * (i + 1) for i, d in enumerate(DIRS)}
        extra.append(line)
        extra.append(dict(per, **{"from": iso(t), "to": iso(t + datetime.timedelta(seconds=60)),
                                  "packets_in_scope": 5 * k, "packets_selected": 3 * k,
                                  "packets_discarded": 2 * k}))
    for s in stats + extra:
        e = exp.get(fy(parse(s["from"])))
        if e is None:
            continue
        if s["approval"] is None:
            for d in DIRS:
                e["packets"]["seen"][d] += s["packets"][d]
        else:
            for k in ("in_scope", "selected", "discarded"):
                e["packets"][k]["foreign-foreign"] += s[f"packets_{k}"]
    old_x = [dict(r, id=f"t-1:80000000{i:04d}", first="2020-06-01T00:00:00Z",
                  last="2020-06-01T00:00:01Z") for i, r in enumerate(records[:4])]
    old_y = [dict(r, id=f"t-1:81000000{i:04d}", first="2021-06-01T00:00:00Z",
                  last="2021-06-01T00:00:01Z") for i, r in enumerate(records[:3])]
    late = [dict(r, id=f"t-1:82000000{i:04d}") for i, r in enumerate(records[:5])]
    batch1 = records + old_x + old_y
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:1", batch1, stats + extra)
    assert st == 200, r
    st, r = acdrecords.post_batch(srv, wd, key, "t-1:2", late)
    assert st == 200, r
    store.sql(f"UPDATE ingest_batches SET received_at = {micros(B25)} WHERE id = 't-1:2'")
    e26["records"]["stored"] = len(batch1)
    e25["records"]["stored"] = len(late)

    # Exports (other-purpose use): granted and refused, domestic and foreign.
    law = {"law": "Example Act", "article": "7", "mandatory": True}
    base = {"approval": aid, "purpose_class": "other-law", "purpose": "provision by law",
            "recipient": "Ministry X", "recipient_kind": "domestic", "legal_basis": law,
            "records": {"limit": 2}}
    asks = [(base, 201), (dict(base, recipient_kind="foreign", recipient="Gov Y"), 201),
            (dict(base, purpose_class="criminal-investigation"), 403),
            (dict(base, recipient_kind="foreign", legal_basis=dict(law, mandatory=False)), 403),
            (dict(base, purpose_class="cybersecurity"), 403)]
    eids = []
    for body, want in asks:
        st, x = srv.post("/api/v1/exports", a1, body)
        check(st == want, f"{backend}: export {body['purpose_class']}: {st} {x}")
        eids.append(x.get("id") or x.get("export"))
    store.sql(f"UPDATE exports SET at = {micros(B25)} WHERE id = '{eids[1]}'")
    e26["other_purpose_uses"]["granted"]["other-law"] = 1
    e26["other_purpose_uses"]["refused"].update({"criminal-investigation": 1, "other-law": 1,
                                                 "cybersecurity": 1})
    e26["foreign_provisions"]["refused"] = 1
    e25["other_purpose_uses"]["granted"]["other-law"] = 1
    e25["foreign_provisions"]["granted"] = 1
    return exp, batch1 + late, (a1, com, op_a)


def purge(wd, store, now, days, all_records, tag):
    """Runs acd purge on the controlled clock; returns how many records it should remove."""
    cfg = wd.p(f"ret-{tag}-{days}.json")
    with open(cfg, "w") as f:
        json.dump({"retention": {"records_days": days, "stats_days": 100000}}, f)
    cutoff = now - datetime.timedelta(days=days)
    gone = [r for r in all_records if parse(r["last"]) < cutoff]
    for r in gone:
        all_records.remove(r)
    out = store.acd("purge", "--config", cfg, "--now", iso(now))
    check(out.returncode == 0 and json.loads(out.stdout)["records"] == len(gone),
          f"{tag}: purge at {iso(now)}: {out.stdout} {out.stderr} (want {len(gone)})")
    return len(gone)


def measures(store, srv, com, exp):
    """Three cases settled now: one rejected by the commission, one withdrawn, one still open."""
    officer = store.user("measures-officer", "npa", name="NPA officer")
    uid = srv.get("/api/v1/me", officer)[1]["user"]
    far = (datetime.datetime.now(UTC) + datetime.timedelta(days=365)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    st, d = srv.post("/api/v1/measures/officers", store.admin,
                     {"user": uid, "agency": "police", "designated_by": "NPA Commissioner",
                      "npa": True, "valid_from": "2020-01-01T00:00:00Z", "valid_until": far})
    check(st == 201, f"officer designated: {st} {d}")
    ids = []
    for _ in range(3):
        st, m = srv.post("/api/v1/measures", officer, {
            "agency": "police", "officer": uid,
            "target": {"address": "203.0.113.5", "location": "domestic"},
            "harm": "C2 server", "urgency": "normal", "actions": ["shut-down"]})
        check(st == 201, f"case filed: {st} {m}")
        ids.append(m.get("id"))
    srv.post(f"/api/v1/measures/{ids[0]}/approval-request", officer, {})
    st, r = srv.post(f"/api/v1/measures/{ids[0]}/decision", com,
                     {"decision": "reject", "reason": "not proportionate"})
    check(st in (200, 201), f"rejected: {st} {r}")
    st, r = srv.post(f"/api/v1/measures/{ids[1]}/withdraw", officer, {"reason": "resolved"})
    check(st in (200, 201), f"withdrawn: {st} {r}")
    year = fy(datetime.datetime.now(UTC))
    for k in ("rejected", "withdrawn", "open"):
        exp[year]["measures"][k] += 1


def run(wd, backend):
    store = acdserver.Store(wd, backend, "diet")
    srv = acdserver.Server(store, extra=["--prefixes", acdtest.PREFIXES])
    try:
        exp, stored, (analyst, com, op) = build(wd, backend, store, srv)
        measures(store, srv, com, exp)
        exp[2025]["records"]["purged"] = purge(wd, store, B25, 2000, stored, backend)
        exp[2026]["records"]["purged"] = purge(wd, store, B26, 1500, stored, backend)
        check(exp[2025]["records"]["purged"] >= 4 and exp[2026]["records"]["purged"] >= 3,
              f"{backend}: both purges removed something: {exp[2025]['records']} "
              f"{exp[2026]['records']}")
        for year in (2025, 2026):
            r = store.acd("stats", "diet", "--year", str(year))
            check(r.returncode == 0, f"{backend} FY{year}: stats diet ran: {r.stderr}")
            got = json.loads(r.stdout) if r.returncode == 0 else {}
            check(got.get("fiscal_year") == year and
                  got.get("from") == f"{year}-04-01T00:00:00+09:00" and
                  got.get("to") == f"{year + 1}-04-01T00:00:00+09:00",
                  f"{backend} FY{year}: the period: {got.get('from')} {got.get('to')}")
            for k, want in exp[year].items():
                check(got.get(k) == want, f"{backend} FY{year} {k}: {got.get(k)} != {want}")
            st, api = srv.get(f"/api/v1/stats/diet?year={year}", com)
            check(st == 200 and api == got, f"{backend} FY{year}: the API gives the same object "
                  "to the commission")
            check(srv.get(f"/api/v1/stats/diet?year={year}", analyst)[0] == 200,
                  f"{backend}: analysts read it too")
            check(srv.get(f"/api/v1/stats/diet?year={year}", op)[0] == 403,
                  f"{backend}: operators do not")
            h = store.acd("stats", "diet", "--year", str(year), "--html")
            page = h.stdout
            check(h.returncode == 0 and page.startswith("<!DOCTYPE html>") and
                  f"fiscal year {year}" in page, f"{backend} FY{year}: --html gives a page")
            rec = exp[year]["records"]
            for label, n in (("stored", rec["stored"]), ("purged", rec["purged"]),
                             ("electricity", exp[year]["reports"]["electricity"]),
                             ("foreign-foreign",
                              exp[year]["packets"]["seen"]["foreign-foreign"])):
                check(f"<tr><th>{label}</th><td>{n}</td></tr>" in page,
                      f"{backend} FY{year}: the page shows {label} = {n}")
            st, html = srv.get(f"/api/v1/stats/diet?year={year}&format=html", com)
            check(st == 200 and html == page, f"{backend} FY{year}: the API's page is the same")
        check(srv.get("/api/v1/stats/diet?year=26", com)[0] == 400, f"{backend}: a bad year")
        r = store.acd("stats", "diet", "--year", "20x6")
        check(r.returncode == 2, f"{backend}: the CLI refuses a bad year")
    finally:
        check(srv.stop() == 0, f"{backend}: clean stop")
    rc, verdict, err = store.audit_verify()
    check(rc == 0, f"{backend}: audit intact: {verdict} {err}")


def main():
    with acdtest.Workdir("diet-stats") as wd:
        for backend in acdserver.BACKENDS:
            run(wd, backend)
    acdtest.finish("test_diet_stats", "every number of both fiscal years, the boundary at "
                   "1 April JST, API equal to the CLI, the printable page, on both stores")


if __name__ == "__main__":
    main()
