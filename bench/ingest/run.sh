#!/usr/bin/env bash
# bench/ingest/run.sh — selected records per second from acd-sensor --server to durable
# storage in acdd, on SQLite and PostgreSQL (`make bench-ingest`; part of `make bench`).
# Runs from the repository root with the binaries in build/ (or $ACD_BUILD); scratch files go
# to build/bench/ingest/. A report: prints records/s and the ratio to the 200,000/s goal, exits
# 0 on a miss and non-zero only when something could not run.
# Environment: BENCH_PACKETS (1000000), BENCH_BATCH_RECORDS (20000), BENCH_RUNS (1, best of N),
# BENCH_PATHS (pcap,spool,file: which timings), ACD_TEST_BACKENDS (sqlite,postgresql).
set -euo pipefail
cd "$(dirname "$0")/../.."
export ACD_BUILD=${ACD_BUILD:-$PWD/build}
for bin in acd-sensor acdd acd acd-pcapgen; do
	[ -x "$ACD_BUILD/$bin" ] || { echo "bench: $ACD_BUILD/$bin is missing: run make first" >&2; exit 1; }
done
exec python3 bench/ingest/ingest.py
