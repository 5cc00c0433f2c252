#!/usr/bin/env python3
"""seed.py URL TOKEN N — files N reports through acdd's API (8 keep-alive connections), so the
GET benchmark has many ids to spread over. Exits non-zero unless every one got 201."""
import http.client
import json
import sys
import threading
import urllib.parse

url, token, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = json.dumps({"urgency": "alert", "tlp": "amber", "sector": "electricity",
                   "operator": "op-1", "event_type": "malware", "summary": "seed"})
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
failed = []


def worker(count):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for _ in range(count):
        conn.request("POST", "/api/v1/reports", body, headers)
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            failed.append(r.status)


threads = [threading.Thread(target=worker, args=(total // 8 + (i < total % 8),)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failed:
    sys.exit(f"seed: {len(failed)} of {total} submissions failed (status {failed[0]})")
