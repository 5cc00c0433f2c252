#!/usr/bin/env bash
# bench/server/run.sh — acdd under wrk on loopback: authenticated report reads (each one a
# durable audit entry) and durable report submissions, on SQLite and on a throw-away
# PostgreSQL cluster. Prints one table: requests/s, p50/p90/p99 latency, ratio to the goal,
# and acdd's CPU time per request (PostgreSQL's own processes not included).
# Builds nothing: run `make` first (or `make bench-server`). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
BUILD=${ACD_BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-128}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
REPORTS=${BENCH_REPORTS:-1000}
STORES=${BENCH_STORES:-sqlite postgresql}
REQUESTS=${BENCH_REQUESTS:-get post}
ACDD_THREADS=${BENCH_ACDD_THREADS:-} # empty: acdd's default
GOAL_GET=5000
GOAL_POST=1000
WORK=$BUILD/bench/server
ACD=$BUILD/acd
ACDD=${BENCH_ACDD:-$BUILD/acdd} # another acdd binary, to compare two versions

for p in "$ACD" "$ACDD"; do
	[ -x "$p" ] || { echo "bench/server: $p missing; run make first" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench/server: wrk missing (scripts/install-deps.sh bench)" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/logs"
acdd_pid=
pg_started=
cleanup() {
	[ -n "$acdd_pid" ] && kill "$acdd_pid" 2>/dev/null && wait "$acdd_pid" 2>/dev/null
	[ -n "$pg_started" ] && python3 "$SRC/tests/pg_cluster.py" stop "$WORK/pg" >/dev/null 2>&1
	true
}
trap cleanup EXIT

# acdd's CPU time so far (user + system, clock ticks): CPU per request is the figure that
# other load on the machine disturbs least.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Creates the store, an operator (who files) and an analyst (who reads every report), starts
# acdd and files $REPORTS reports (seed.py), checking the last through `acd report show`.
# Sets url, op_token, reader_token.
prepare() {
	local store=$1 db=$2
	local keys=$WORK/$store.keys
	"$ACD" init --db "$db" --keys "$keys" >/dev/null
	op_token=$("$ACD" --db "$db" --keys "$keys" user add --role operator --org op-1 \
		--sector electricity --name bench-operator | sed 's/.*"token":"\([^"]*\)".*/\1/')
	reader_token=$("$ACD" --db "$db" --keys "$keys" user add --role analyst --org nco \
		--name bench-analyst | sed 's/.*"token":"\([^"]*\)".*/\1/')
	local port
	port=$(free_port)
	url=http://127.0.0.1:$port
	local threads=()
	[ -n "$ACDD_THREADS" ] && threads=(--threads "$ACDD_THREADS")
	"$ACDD" --db "$db" --keys "$keys" --listen "127.0.0.1:$port" "${threads[@]}" \
		>"$WORK/logs/acdd-$store.log" 2>&1 &
	acdd_pid=$!
	for _ in $(seq 100); do
		curl -fs "$url/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -fs "$url/healthz" >/dev/null || { echo "bench/server: acdd did not start" >&2; exit 1; }
	python3 "$SRC/bench/server/seed.py" "$url" "$op_token" "$REPORTS"
	local n
	n=$(ACD_TOKEN=$reader_token "$ACD" --server "$url" report show "R$REPORTS" | grep -c '"id"')
	[ "$n" = 1 ] || { echo "bench/server: seeding $REPORTS reports failed" >&2; exit 1; }
}

# Runs wrk with one of the Lua scripts; appends a table row. wrk's timeout is raised from 2 s
# to 30 s so that a slow answer is counted in the percentiles rather than dropped.
measure() {
	local store=$1 what=$2 script=$3 token=$4 goal=$5
	local out=$WORK/logs/wrk-$store-${script%.lua}.txt
	local cpu0
	cpu0=$(cpu_ticks "$acdd_pid")
	ACD_BENCH_DIR=$SRC/bench/server ACD_BENCH_TOKEN=$token ACD_BENCH_REPORTS=$REPORTS \
		wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" --timeout 30s --latency \
		-s "$SRC/bench/server/$script" "$url" >"$out" 2>&1 || {
		cat "$out" >&2
		exit 1
	}
	local line cpu1
	cpu1=$(cpu_ticks "$acdd_pid")
	line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; exit 1; }
	read -r _ rps p50 p90 p99 total non2xx sockerr <<<"$line"
	if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ] || [ "$total" = 0 ]; then
		echo "bench/server: $store $what: $non2xx non-2xx answers, $sockerr socket errors" \
			"of $total requests: the run measured failures, not the work (see $out)" >&2
		exit 1
	fi
	rows+=("$(awk -v s="$store" -v w="$what" -v r="$rps" -v a="$p50" -v b="$p90" -v c="$p99" \
		-v g="$goal" -v t="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" -v n="$total" \
		'BEGIN { printf "%-10s %-36s %9.0f %8.2f %8.2f %8.2f %6d %6.2f %8.0f", s, w, r, a, b, c, g, r / g, t / hz / n * 1e6 }')")
}

rows=()
for store in $STORES; do
	case $store in
	sqlite) db=sqlite:$WORK/acd.db ;;
	postgresql)
		python3 "$SRC/tests/pg_cluster.py" start "$WORK/pg" >"$WORK/logs/pg.log" 2>&1 || {
			cat "$WORK/logs/pg.log" >&2
			exit 1
		}
		pg_started=1
		db=$(cat "$WORK/pg/url")
		;;
	*) echo "bench/server: unknown store $store" >&2; exit 1 ;;
	esac
	echo "==> $store: seeding $REPORTS reports" >&2
	prepare "$store" "$db"
	for what in $REQUESTS; do
		echo "==> $store: $what, ${SECONDS_PER_RUN}s, $CONNECTIONS connections" >&2
		case $what in
		get) measure "$store" "GET /reports/{id} (audited read)" get.lua "$reader_token" $GOAL_GET ;;
		post) measure "$store" "POST /reports (durable submission)" post.lua "$op_token" $GOAL_POST ;;
		*) echo "bench/server: unknown request kind $what" >&2; exit 1 ;;
		esac
	done
	kill "$acdd_pid"
	wait "$acdd_pid" || true
	acdd_pid=
	if [ "$store" = postgresql ]; then
		python3 "$SRC/tests/pg_cluster.py" stop "$WORK/pg" >/dev/null 2>&1
		pg_started=
	fi
done

echo
printf 'acdd --threads %s, wrk -t%s -c%s -d%ss, %s reports, %s cores\n' \
	"${ACDD_THREADS:-(default)}" "$WRK_THREADS" "$CONNECTIONS" "$SECONDS_PER_RUN" \
	"$REPORTS" "$(nproc)"
printf '%-10s %-36s %9s %8s %8s %8s %6s %6s %8s\n' store request "req/s" "p50 ms" "p90 ms" \
	"p99 ms" goal ratio "cpu us/req"
printf '%s\n' "${rows[@]}"
