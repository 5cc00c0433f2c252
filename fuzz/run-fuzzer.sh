#!/usr/bin/env bash
# Runs one libFuzzer harness for N seconds over a scratch copy of its seed corpus and prints
# the number of executions, so the smoke run in `make test` reports what it did.
set -euo pipefail
bin=$1 secs=$2 seeds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$seeds" ] && cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
log="$work/log"
if ! "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1; then
  tail -n 60 "$log"
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | while read -r f; do
    echo "artifact $f:"; od -An -tx1 "$f" | head -20
  done
  exit 1
fi
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
echo "$(basename "$bin"): ${execs} executions in ${secs}s, no crash"
