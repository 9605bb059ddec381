#!/usr/bin/env bash
# bench/tls.sh — HTTPS and HTTP/2 requests per generator CPU-second, measured side by side on
# loopback (issue 12's figures):
#
#   bash bench/tls.sh                 (or: make bench-tls)
#   SECS=5 ROUNDS=3 bash bench/tls.sh
#   GUST=/path/to/gust bash bench/tls.sh
#
# Starts bench/target -tls (HTTP/2 and HTTP/1.1 by ALPN, a self-signed certificate) on
# 127.0.0.1 and runs, ROUNDS times in turn so that a change in the machine's load hits
# each alike: hey (HTTP/1.1 over TLS), gust over HTTP/1.1 (--insecure) and gust over
# HTTP/2 (--insecure --http2), 50 connections/users for SECS seconds each, one task that
# GETs /. Requests are the target's count, CPU is user+sys from /usr/bin/time. Prints each
# run, then the sums' ratios: gust HTTPS / hey and gust HTTP/2 / gust HTTPS.
# Every run is bounded and talks to loopback only. Needs hey, bc and GNU time.
set -euo pipefail
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-3}
source "$(dirname "$0")/lib.sh"

need time bc
(cd "$root" && go build -o "$work/target" ./bench/target)
build_gust

port=$((20000 + RANDOM % 20000))
T=https://127.0.0.1:$port
"$work/target" -tls -addr 127.0.0.1:$port >"$work/target.log" 2>&1 & tpid=$!
for _ in $(seq 150); do curl -skf "$T/__count" >/dev/null && break; sleep 0.1; done
curl -skf "$T/__count" >/dev/null || { echo "bench: the target did not start" >&2; exit 2; }

cat >"$work/root.js" <<'JS'
import { HttpUser, constant } from "gust";
export class U extends HttpUser { static waitTime = constant(0); static tasks = { t: 1 }; t() { this.client.get("/"); } }
JS

calc() { echo "$*" | bc -l; }
declare -A reqs cpus
measure() { # NAME CMD...
  local name=$1; shift
  curl -skf -XPOST "$T/__count" >/dev/null
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$work/$name.log" 2>&1 || echo "bench: $name exited non-zero: $(tail -2 "$work/$name.log")" >&2
  local n u s; n=$(curl -skf "$T/__count"); read -r u s < <(tail -1 "$work/time")
  reqs[$name]=$(( ${reqs[$name]:-0} + n )); cpus[$name]=$(calc "${cpus[$name]:-0} + $u + $s")
  printf '%-6s requests=%-8d cpu_s=%-6.2f req_per_cpu_s=%.0f\n' "$name" "$n" "$(calc "$u + $s")" "$(calc "$n / ($u + $s)")"
}

echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg); 50 users, ${SECS}s a run, $ROUNDS rounds"
command -v hey >/dev/null || echo "bench: hey not installed, its row is skipped" >&2
for r in $(seq "$ROUNDS"); do
  command -v hey >/dev/null && measure hey hey -z "${SECS}s" -c 50 "$T/"
  measure https "$work/gust" run --headless --insecure -H "$T" -u 50 -r 50 -t "${SECS}s" --only-summary "$work/root.js"
  measure h2 "$work/gust" run --headless --insecure --http2 -H "$T" -u 50 -r 50 -t "${SECS}s" --only-summary "$work/root.js"
done
rate() { calc "${reqs[$1]} / ${cpus[$1]}"; }
echo "== over all rounds"
for n in hey https h2; do
  [ -n "${reqs[$n]:-}" ] && printf '%-6s req_per_cpu_s=%.0f\n' "$n" "$(rate $n)"
done
[ -n "${reqs[hey]:-}" ] && printf 'ratio gust HTTPS / hey req_per_cpu_s = %.2f\n' "$(calc "$(rate https) / $(rate hey)")"
printf 'ratio gust HTTP/2 / HTTPS (HTTP/1.1) req_per_cpu_s = %.2f\n' "$(calc "$(rate h2) / $(rate https)")"
