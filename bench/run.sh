#!/usr/bin/env bash
# bench/run.sh — gust's performance contract (spec §7), measured side by side on loopback.
#
#   bash bench/run.sh            (or: make bench)
#   SECS=10 USERS_10K=10000 bash bench/run.sh
#   GUST=/path/to/gust bash bench/run.sh     (measure that binary instead of building one)
#
# Builds gust and bench/target, starts the target on 127.0.0.1, and runs:
#  1. throughput: wrk, hey and gust (samples/locustfile.js with no wait, 50 users) against the
#     same endpoint; prints requests per generator CPU-second (user+sys from /usr/bin/time, the
#     requests counted by the target), peak RSS and gust's ratios to wrk and hey; then gust again
#     at GOMAXPROCS=1 (the ratio shows whether anything serializes the users);
#  2. 10,000 users with constant(1): peak RSS, the time until every user has sent its first
#     request (the ramp at -r 10000 itself takes 1 s) and the rate delivered once all run;
#  3. latency fidelity: 500 users on a 50 ms endpoint, gust's median next to wrk's.
# WebSockets (1,000 users each holding one open, a message a second) are measured by
# bench/ws.sh.
# Every run is bounded (SECS seconds, 12 s for the 10k test) and talks to loopback only.
# Needs wrk, hey, bc and GNU time (Debian: apt-get install -y wrk hey bc time); a missing
# generator is skipped.
set -euo pipefail
SECS=${SECS:-10}
USERS_10K=${USERS_10K:-10000}
source "$(dirname "$0")/lib.sh"

need time bc
(cd "$root" && go build -o "$work/target" ./bench/target)
build_gust

port=$((20000 + RANDOM % 20000))
T=http://127.0.0.1:$port
"$work/target" -addr 127.0.0.1:$port >"$work/target.log" 2>&1 & tpid=$!
for _ in $(seq 150); do curl -sf "$T/__count" >/dev/null && break; sleep 0.1; done
curl -sf "$T/__count" >/dev/null || { echo "bench: the target did not start" >&2; exit 2; }

cat >"$work/seed0.js" <<'JS'
import { HttpUser, constant } from "gust";
export class APIUser extends HttpUser {
  static waitTime = constant(0);
  static tasks = { getItems: 1, getRoot: 1 };
  getItems() { this.client.get("/items/"); }
  getRoot() { this.client.get("/"); }
}
JS
cat >"$work/idle.js" <<'JS'
import { HttpUser, constant } from "gust";
export class Idle extends HttpUser {
  static waitTime = constant(1);
  static tasks = { root: 1 };
  root() { this.client.get("/"); }
}
JS
cat >"$work/slow.js" <<'JS'
import { HttpUser, constant } from "gust";
export class Slow extends HttpUser {
  static waitTime = constant(0);
  static tasks = { slow: 1 };
  slow() { this.client.get("/slow?ms=50", { name: "/slow" }); }
}
JS

count() { curl -sf "$T/__count"; }
reset() { curl -sf -XPOST "$T/__count" >/dev/null; }
calc() { echo "$*" | bc -l; }

# measure NAME CMD... — runs CMD under /usr/bin/time; sets rpc (requests per CPU-second).
declare -A rpc
measure() {
  local name=$1; shift
  reset
  local t0 t1; t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >"$work/$name.log" 2>&1 || echo "bench: $name exited non-zero: $(tail -2 "$work/$name.log")" >&2
  t1=$(date +%s.%N)
  local n u s m cpu; n=$(count)
  read -r u s m < <(tail -1 "$work/time")
  cpu=$(calc "$u + $s")
  rpc[$name]=$(calc "if ($cpu > 0) $n / $cpu else 0")
  printf '%-14s requests=%-8d req/s=%-7.0f cpu_s=%-6.2f req_per_cpu_s=%-7.0f peak_rss_mb=%d\n' \
    "$name" "$n" "$(calc "$n / ($t1 - $t0)")" "$cpu" "${rpc[$name]}" "$((m / 1024))"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. throughput: 50 connections/users, ${SECS}s each, no wait"
command -v wrk >/dev/null && measure wrk wrk -t1 -c50 -d"${SECS}s" "$T/items/"
command -v hey >/dev/null && measure hey hey -z "${SECS}s" -c 50 "$T/items/"
measure gust "$work/gust" run --headless -H "$T" -u 50 -r 50 -t "${SECS}s" --only-summary "$work/seed0.js"
measure gust-1proc env GOMAXPROCS=1 "$work/gust" run --headless -H "$T" -u 50 -r 50 -t "${SECS}s" --only-summary "$work/seed0.js"
for p in wrk hey; do
  [ -n "${rpc[$p]:-}" ] && printf 'ratio gust/%s req_per_cpu_s = %.3f\n' "$p" "$(calc "${rpc[gust]} / ${rpc[$p]}")"
done
printf 'ratio gust GOMAXPROCS=default/1 req_per_cpu_s = %.3f\n' "$(calc "${rpc[gust]} / ${rpc[gust-1proc]}")"

echo "== 2. $USERS_10K users, constant(1) wait, -r $USERS_10K, 12s"
reset
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/mem" timeout 60 "$work/gust" run --headless -H "$T" -u "$USERS_10K" -r "$USERS_10K" -t 12s --only-summary "$work/idle.js" >"$work/idle.log" 2>&1 &
gpid=$!
all=
mark6=
while kill -0 "$gpid" 2>/dev/null; do
  now=$(date +%s.%N); el=$(calc "$now - $start"); n=$(count)
  if [ -z "$all" ] && [ "$n" -ge "$USERS_10K" ]; then all=$el; fi
  if [ -z "$mark6" ] && [ "$(calc "$el >= 6")" = 1 ]; then mark6="$el $n"; fi
  if [ "$(calc "$el >= 11")" = 1 ]; then
    read -r e6 n6 <<<"$mark6"
    rate=$(calc "($n - $n6) / ($el - $e6)")
    break
  fi
  sleep 0.05
done
wait "$gpid" || echo "bench: the $USERS_10K-user run exited non-zero: $(tail -2 "$work/idle.log")" >&2
printf 'peak_rss_mb=%d  all_users_running_after_s=%s (ramp 1 s, goal <= 1.5)  delivered_req_s=%.0f (goal ~%d)\n' \
  "$(($(tail -1 "$work/mem") / 1024))" "${all:-never}" "${rate:-0}" "$USERS_10K"

echo "== 3. latency fidelity: 500 users on /slow?ms=50, ${SECS}s"
if command -v wrk >/dev/null; then
  wrk -t1 -c500 -d"${SECS}s" --latency "$T/slow?ms=50" | awk '/Latency Distribution/ {getline; print "wrk  median " $2 " (the target and machine alone)"}'
fi
"$work/gust" run --headless -H "$T" -u 500 -r 500 -t "${SECS}s" --only-summary --csv "$work/slow" "$work/slow.js" >"$work/slow.log" 2>&1 || true
awk -F, '$2 == "Aggregated" {printf "gust median %s ms over %s requests (goal: 50 ms +- 2)\n", $5, $3}' "$work/slow_stats.csv"
