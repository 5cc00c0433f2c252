#!/usr/bin/env bash
# make demo: the main job end to end on bundled sample data. Generates traffic (with a
# canary string in every payload), creates a commission key, signs two approvals, runs
# acd-sensor over the capture, and shows what was kept — and that the canary was not.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-out
rm -rf "$out"
mkdir -p "$out"
canary="CANARY-DEMO-$(date +%s)"
echo "==> generating sample traffic into $out/ (canary string: $canary)"
build/acd-pcapgen --scenario sample --out "$out/sample.pcap" --seed 7
build/acd-pcapgen --scenario canary --out "$out/canary.pcap" --seed 7 --canary "$canary"
echo "==> creating the commission's signing key ($out/commission, $out/commission.pub)"
build/acd keygen --out "$out/commission" >/dev/null
cat >"$out/APR-DEMO-FF.json" <<JSON
{"id": "APR-DEMO-FF", "kind": "foreign-foreign", "facility": "demo-1",
 "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-12-31T23:59:59Z",
 "selectors": [{"id": "S1", "type": "ip", "value": "203.0.113.0/24"},
               {"id": "S2", "type": "domain", "value": "example.com"},
               {"id": "S3", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"}]}
JSON
cat >"$out/APR-DEMO-FD.json" <<JSON
{"id": "APR-DEMO-FD", "kind": "foreign-domestic", "facility": "demo-1",
 "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-12-31T23:59:59Z",
 "selectors": [{"id": "S1", "type": "ip", "value": "2001:db8:f::/48"},
               {"id": "S2", "type": "domain", "value": "example.net"},
               {"id": "S3", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"}]}
JSON
echo "==> the commission signs both approvals"
build/acd approval sign --key "$out/commission" "$out/APR-DEMO-FF.json" "$out/APR-DEMO-FD.json" >/dev/null
build/acd approval verify --commission-key "$out/commission.pub" --facility demo-1 "$out/APR-DEMO-FF.json"
echo "==> acd-sensor: automated selection over both captures"
build/acd-sensor --prefixes tests/data/prefixes.txt --facility demo-1 \
	--approval "$out/APR-DEMO-FF.json" --approval "$out/APR-DEMO-FD.json" \
	--commission-key "$out/commission.pub" --read "$out/sample.pcap" --read "$out/canary.pcap" \
	--out "$out/sensor" --threads 2 2>"$out/sensor.log"
records=$(wc -l <"$out/sensor/records.jsonl")
echo "==> $records selected records in $out/sensor/records.jsonl; the first one:"
head -n 1 "$out/sensor/records.jsonl"
echo "==> what the sensor saw (stats.jsonl, first interval):"
head -n 1 "$out/sensor/stats.jsonl"
if grep -rqa -- "$canary" "$out/sensor" "$out/sensor.log"; then
	echo "!! the canary string was found in the sensor's output" >&2
	exit 1
fi
echo "==> the canary string '$canary' occurs $(grep -ao -- "$canary" "$out/canary.pcap" | wc -l) times in the"
echo "    input and in none of the files the sensor wrote."
echo
echo "Done. Look at $out/sensor/records.jsonl (selected records, Contract 4) and"
echo "$out/sensor/stats.jsonl (what the commission inspects)."
