#!/usr/bin/env python3
"""`acd keys rotate commission` on both stores (PostgreSQL via ACD_TEST_PG_URL_FILE): after the
rotation acdd publishes the new public key, every approval and revocation the old key signed
verifies under the new key (and no longer under the old one), later decisions are signed with
the new key, the old key is kept as a retired file, and the audit chain records the rotation."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import acdserver  # noqa: E402
import acdtest  # noqa: E402
from acdtest import check  # noqa: E402

REQUEST = {"kind": "foreign-foreign", "facility": "t-1", "justification": "rotation test",
           "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2035-01-01T00:00:00Z",
           "selectors": [{"id": "S1", "type": "ip", "value": "198.51.100.0/24"}]}


def verifies(wd, doc, pub_b64, name):
    path = wd.p(name + ".json")
    with open(path, "w") as f:
        f.write(doc["json"])
    with open(path + ".sig", "w") as f:
        f.write(doc["sig"] + "\n")
    key = wd.p(name + ".pub")
    with open(key, "w") as f:
        f.write(pub_b64 + "\n")
    r = subprocess.run([acdtest.ACD, "approval", "verify", "--commission-key", key, path],
                       capture_output=True, text=True)
    # A revocation document is not an approval: check its signature alone.
    return r.returncode == 0 or ("revokes" in doc["json"] and "malformed" in r.stderr)


def approve(srv, analyst, com):
    st, r = srv.post("/api/v1/approvals", analyst, REQUEST)
    srv.post(f"/api/v1/approvals/{r['id']}/decision", com, {"decision": "approve"})
    return r["id"]


def main():
    with acdtest.Workdir("key-rotation") as wd:
        for backend in acdserver.BACKENDS:
            store = acdserver.Store(wd, backend, "rotate")
            srv = acdserver.Server(store)
            analyst = store.user("analyst", "nco")
            com = store.user("commission", "commission")
            kept, revoked = approve(srv, analyst, com), approve(srv, analyst, com)
            srv.post(f"/api/v1/approvals/{revoked}/revoke", com, {"reason": "test"})
            old = srv.get("/api/v1/keys")[1]["commission"]
            docs = {kept: srv.get(f"/api/v1/approvals/{kept}/document", analyst)[1]}
            check(srv.stop() == 0, "stopped for the rotation")

            r = store.acd("keys", "rotate", "commission")
            check(r.returncode == 0, f"{backend}: rotate: {r.stderr}")
            out = json.loads(r.stdout) if r.returncode == 0 else {}
            check(out.get("resigned") == 2 and out.get("public_key") not in (None, "", old),
                  f"{backend}: both documents re-signed with a new key: {out}")
            check(len(glob.glob(os.path.join(store.keys, "commission.key.retired-*"))) == 2,
                  f"{backend}: the old key pair is kept as retired")
            r = store.acd("keys", "rotate", "auditor")
            check(r.returncode == 2, "only the commission or office key rotates")

            srv.start()
            try:
                new = srv.get("/api/v1/keys")[1]["commission"]
                check(new == out.get("public_key") and new != old,
                      f"{backend}: acdd publishes the new key")
                doc = srv.get(f"/api/v1/approvals/{kept}/document", analyst)[1]
                check(doc["json"] == docs[kept]["json"], "the signed bytes are unchanged")
                check(verifies(wd, doc, new, f"{backend}-kept-new"),
                      f"{backend}: the approval verifies under the new key")
                check(not verifies(wd, doc, old, f"{backend}-kept-old"),
                      f"{backend}: and no longer under the old one")
                rev = srv.get(f"/api/v1/approvals/{revoked}/revocation", com)[1]
                path = wd.p(f"{backend}-rev")
                with open(path, "w") as f:
                    f.write(rev["json"])
                with open(path + ".sig", "w") as f:
                    f.write(rev["sig"] + "\n")
                sig = subprocess.run([acdtest.ACD, "approval", "sign", "--key",
                                      os.path.join(store.keys, "commission.key"), path],
                                     capture_output=True)
                with open(path + ".sig") as f:
                    check(f.read().strip() == rev["sig"] and sig.returncode == 0,
                          f"{backend}: the revocation is signed by the new key")
                later = approve(srv, analyst, com)
                doc = srv.get(f"/api/v1/approvals/{later}/document", analyst)[1]
                check(verifies(wd, doc, new, f"{backend}-later"),
                      f"{backend}: new decisions are signed with the new key")
            finally:
                check(srv.stop() == 0, f"{backend}: clean stop")
            rc, verdict, err = store.audit_verify()
            check(rc == 0, f"{backend}: audit intact: {verdict} {err}")
            check("keys.rotate" in store.sql("SELECT action FROM audit_log"),
                  f"{backend}: the rotation is in the audit log")
    acdtest.finish("test_key_rotation", "commission key rotated with every document re-signed "
                   "on both stores")


if __name__ == "__main__":
    main()
