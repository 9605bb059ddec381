#!/usr/bin/env bash
# bench/segments.sh — one test split over processes and merged back (docs/scaleout.md).
#
#   bash bench/segments.sh                   (15,000 users as 3 segments, 20 s)
#   USERS=30000 SEGS=6 SECS=30 bash bench/segments.sh
#   GUST=/path/to/gust bash bench/segments.sh
#
# Builds gust and bench/target, starts the target on 127.0.0.1, and runs USERS users (each one
# request a second: waitTime constant(1)) as SEGS `gust run --segment I/SEGS` processes that
# start together (--start-at), then `gust merge`s their results. Prints, per segment, its users,
# requests, request rate and peak RSS (GNU time), then the merged result's users, requests and
# rate next to the segments' sum. Loopback only; every run is bounded by SECS plus the ramp.
# Needs GNU time and jq. Each process holds one connection per user, and the target one per
# user of every segment: the file limit (ulimit -n) must exceed USERS + a margin.
set -euo pipefail
USERS=${USERS:-15000}
SEGS=${SEGS:-3}
SECS=${SECS:-20}
source "$(dirname "$0")/lib.sh"

need time jq
limit=$(ulimit -n)
if [ "$limit" != unlimited ] && [ "$limit" -lt $((USERS + 1000)) ]; then
  echo "bench: ulimit -n is $limit; the target holds $USERS connections: raise it (ulimit -n $((USERS + 1000)))" >&2
  exit 2
fi
(cd "$root" && go build -o "$work/target" ./bench/target)
build_gust

port=$((20000 + RANDOM % 20000))
T=http://127.0.0.1:$port
"$work/target" -addr 127.0.0.1:$port >"$work/target.log" 2>&1 & tpid=$!
for _ in $(seq 150); do curl -sf "$T/__count" >/dev/null && break; sleep 0.1; done
cat >"$work/s.js" <<'JS'
import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(1);
  static tasks = { root: 3, items: 1 };
  root() { this.client.get("/"); }
  items() { this.client.get("/items/"); }
}
JS
rate=$((USERS / 3)) # the ramp takes 3 s, whatever the split
echo "gust $($work/gust version | cut -d' ' -f2), $(nproc) CPUs (load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)), ulimit -n $limit: $USERS users (constant(1)) as $SEGS segments, -r $rate, -t ${SECS}s"
curl -sf -XPOST "$T/__count" >/dev/null
at=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S.%NZ)
pids=
for i in $(seq 0 $((SEGS - 1))); do
  timeout $((SECS + 60)) /usr/bin/time -f '%M %e %U %S' -o "$work/time$i" \
    "$work/gust" run --headless --only-summary -H "$T" -u "$USERS" -r "$rate" -t "${SECS}s" -s 5s \
    --segment "$i/$SEGS" --start-at "$at" --json "$work/seg$i.json" "$work/s.js" >"$work/seg$i.log" 2>&1 &
  pids="$pids $!"
done
status=0
for p in $pids; do wait "$p" || status=$?; done
served=$(curl -sf "$T/__count")
[ "$status" = 0 ] || [ "$status" = 1 ] || { echo "bench: a segment exited $status:"; tail -5 "$work"/seg*.log; exit 1; }

printf '%-8s %7s %9s %9s %9s %10s %8s\n' segment users requests failures "req/s" "peak RSS" "CPU s"
sum_req=0 sum_rate=0
for i in $(seq 0 $((SEGS - 1))); do
  read -r rss _ usr sys <"$work/time$i"
  j="$work/seg$i.json"
  u=$(jq -r .run.users "$j"); n=$(jq -r .total.requests "$j"); f=$(jq -r .total.failures "$j"); r=$(jq -r .total.rps "$j")
  printf '%-8s %7s %9s %9s %9.1f %7d MB %8.1f\n' "$i/$SEGS" "$u" "$n" "$f" "$r" $((rss / 1024)) "$(echo "$usr + $sys" | bc -l)"
  sum_req=$((sum_req + n)); sum_rate=$(echo "$sum_rate + $r" | bc -l)
done
"$work/gust" merge --json "$work/merged.json" --csv "$work/merged" "$work"/seg*.json >"$work/merge.log" 2>&1 || true
j="$work/merged.json"
printf '%-8s %7s %9s %9s %9.1f\n' merged "$(jq -r .run.users "$j")" "$(jq -r .total.requests "$j")" "$(jq -r .total.failures "$j")" "$(jq -r .total.rps "$j")"
printf '%-8s %7s %9s %9s %9.1f\n' sum "" "$sum_req" "" "$sum_rate"
echo "target served $served; merged p50 $(jq -r '.total.median_ms' "$j") ms, p99 $(jq -r '.total.percentiles["99"]' "$j") ms"
