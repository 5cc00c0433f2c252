#!/usr/bin/env bash
# make demo: the main job end to end on bundled sample data, on the embedded store (SQLite).
# An analyst asks the commission for an acquisition approval through acdd; the commission
# approves and acdd signs it; acd-sensor selects traffic under it (a canary string rides in
# every payload) and hands the selected records to acdd; the analyst reads them with a stated
# purpose and the commission inspects the statistics; an operator files an incident report;
# the commission revokes the approval and the sensor refuses it; the audit chain verifies.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${ACD_DEMO_OUT:-demo-out} # the tests run it elsewhere, with their own build
bin=${ACD_BUILD:-build}
rm -rf "$out"
mkdir -p "$out"
db="sqlite:$out/acd.db"
acd() { "$bin/acd" --db "$db" "$@"; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[k]
print(v)' "$@"; }

canary="CANARY-DEMO-$(date +%s)"
echo "==> generating sample traffic into $out/ (canary string: $canary)"
"$bin/acd-pcapgen" --scenario sample --out "$out/sample.pcap" --seed 7
"$bin/acd-pcapgen" --scenario canary --out "$out/canary.pcap" --seed 7 --canary "$canary"

echo "==> acd init: the store ($out/acd.db) and its keys ($out/acd.db.keys/)"
admin=$(acd init | json admin_token)
analyst=$(acd user add --role analyst --org nco --name "Analyst Sato" | json token)
commission=$(acd user add --role commission --org commission --name "Commissioner Ito" | json token)
operator=$(acd user add --role operator --org tokyo-power --sector electricity \
	--name "Tokyo Power CSIRT" | json token)
ministry=$(acd user add --role ministry --org meti --name "METI desk" | json token)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export ACD_SERVER="http://127.0.0.1:$port"
echo "==> acdd serving on $ACD_SERVER (log: $out/acdd.log)"
"$bin/acdd" --db "$db" --listen "127.0.0.1:$port" --prefixes tests/data/prefixes.txt \
	>"$out/acdd.log" 2>&1 &
acdd_pid=$!
trap 'kill $acdd_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$ACD_SERVER/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

echo "==> the sensor at facility demo-1 gets a key; the admin registers it"
"$bin/acd" keygen --out "$out/sensor" >/dev/null
printf '{"id": "demo-1", "facility": "demo-1", "public_key": "%s"}\n' "$(cat "$out/sensor.pub")" \
	>"$out/sensor.json"
acd --token "$admin" sensor register "$out/sensor.json" >/dev/null

echo "==> an analyst asks the commission for a foreign-foreign acquisition approval"
cat >"$out/request.json" <<JSON
{"kind": "foreign-foreign", "facility": "demo-1",
 "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-12-31T23:59:59Z",
 "justification": "C2 infrastructure of campaign DEMO seen in reports R1..R3",
 "selectors": [{"id": "S1", "type": "ip", "value": "203.0.113.0/24"},
               {"id": "S2", "type": "domain", "value": "example.com"},
               {"id": "S3", "type": "content", "value": "2f62696e2f7368", "label": "cmd:bin-sh"}]}
JSON
apr=$(acd --token "$analyst" approval request "$out/request.json" | json id)
echo "    request $apr filed; the commission approves it and acdd signs the document"
acd --token "$commission" approval decide "$apr" --decision approve \
	--reason "necessary and proportionate" >/dev/null
acd --token "$analyst" approval document "$apr" >"$out/document.json"
json json <"$out/document.json" | tr -d '\n' >"$out/$apr.json"
json sig <"$out/document.json" >"$out/$apr.json.sig"
acd --token "$analyst" approval keys | json commission >"$out/commission.pub"
"$bin/acd" approval verify --commission-key "$out/commission.pub" --facility demo-1 "$out/$apr.json"

echo "==> acd-sensor: automated selection over both captures; signed batches go to acdd"
"$bin/acd-sensor" --prefixes tests/data/prefixes.txt --facility demo-1 --approval "$out/$apr.json" \
	--commission-key "$out/commission.pub" --read "$out/sample.pcap" --read "$out/canary.pcap" \
	--server "$ACD_SERVER" --sensor-key "$out/sensor" --spool "$out/spool" --threads 2 \
	2>"$out/sensor.log"
acd --token "$analyst" records list --approval "$apr" --purpose "demo: correlate campaign DEMO" \
	--limit 5000 >"$out/records.json"
n=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' <"$out/records.json")
echo "    acdd stored $n selected records; the analyst read them with a stated purpose (audited)"
acd --token "$commission" stats show --approval "$apr" >"$out/inspection.json"
echo "    the commission inspects: $(cat "$out/inspection.json")"

echo "==> an operator files an incident report; it reaches METI and the NCO at once"
cat >"$out/report.json" <<JSON
{"urgency": "alert", "tlp": "amber", "sector": "electricity", "operator": "tokyo-power",
 "event_type": "malware", "summary": "ransomware on the billing servers",
 "discovered_at": "2026-11-20T09:00:00+09:00", "next_steps": "investigating",
 "indicators": [{"type": "domain", "value": "c2.example.com"}]}
JSON
rid=$(acd --token "$operator" report submit "$out/report.json" | json id)
echo "    report $rid; METI reads it: $(acd --token "$ministry" report show "$rid" | json summary)"
acd --token "$operator" report followup "$rid" - >/dev/null <<<'{"next_steps": "done", "lessons": "patch VPN appliances"}'

echo "==> the commission revokes $apr; acdd signs REVOKE-$apr; the sensor now refuses it"
mkdir -p "$out/revocations"
acd --token "$commission" approval revoke "$apr" --reason "campaign over" >"$out/revoke.json"
json json <"$out/revoke.json" | tr -d '\n' >"$out/revocations/REVOKE-$apr.json"
json sig <"$out/revoke.json" >"$out/revocations/REVOKE-$apr.json.sig"
if "$bin/acd-sensor" --prefixes tests/data/prefixes.txt --facility demo-1 \
	--approval "$out/$apr.json" --commission-key "$out/commission.pub" \
	--revocations "$out/revocations" --read "$out/sample.pcap" --out "$out/after-revocation" \
	2>"$out/after-revocation.log"; then
	echo "!! the sensor accepted a revoked approval" >&2
	exit 1
fi
echo "    $(cat "$out/after-revocation.log")"

kill "$acdd_pid"
wait "$acdd_pid" || true
trap - EXIT
echo "==> the audit log: $(acd audit verify)"
if grep -rqa --exclude=canary.pcap -- "$canary" "$out"; then
	echo "!! the canary string was found in something acd wrote" >&2
	exit 1
fi
echo "==> the canary '$canary' occurs $(grep -ao -- "$canary" "$out/canary.pcap" | wc -l) times in the"
echo "    input and in nothing acd wrote: records, stats, logs, the database."
echo
echo "Done. Look at:"
echo "  $out/records.json            the selected records as the analyst read them from acdd"
echo "  $out/inspection.json         the statistics the commission inspected"
echo "  $out/acd.db                  the store; every step above is in its audit log:"
echo "                               sqlite3 $out/acd.db 'SELECT seq, actor, action, object FROM audit_log'"
echo "  $out/acdd.log, $out/sensor.log  what the programs said"
