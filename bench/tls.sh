#!/usr/bin/env bash
# bench/tls.sh — HTTPS and HTTP/2 requests per generator CPU-second, measured side by side on
# loopback (issue 12's figures):
#
#   bash bench/tls.sh                 (or: make bench-tls)
#   SECS=5 ROUNDS=3 bash bench/tls.sh
#   GUST=/path/to/gust bash bench/tls.sh
#   SERVERS=go bash bench/tls.sh      (one server only: go or nginx)
#   RATE=10000 bash bench/tls.sh      (a fixed offered load: gust --rate, hey -q RATE/50)
#
# Two servers, each on 127.0.0.1 with HTTP/2 and HTTP/1.1 by ALPN and a self-signed
# certificate (clients use --insecure):
#   go     bench/target -tls: Go's net/http. Its HTTP/2 side writes each response's HEADERS and
#          DATA frames in two writes and hands each request between three goroutines, so it
#          serves HTTP/2 at about half its HTTP/1.1 rate and a client waits on it more.
#   nginx  nginx 1.22 (Debian's nginx-light), one worker, answering GET / with the same body;
#          HTTP/2 and HTTP/1.1 cost it about the same. Skipped when nginx is not installed
#          (apt-get install -y nginx-light).
# Against each, ROUNDS times in turn so that a change in the machine's load hits each alike:
# hey (HTTP/1.1 over TLS), gust over HTTP/1.1 (--insecure) and gust over HTTP/2
# (--insecure --http2), 50 connections/users for SECS seconds each, one task that GETs /.
# With RATE, neither side runs flat out, so that a server slower on one protocol does not
# leave the client more idle turns per request on that one. Requests are the server's count (bench/target's /__count, nginx's stub_status), CPU is
# user+sys from /usr/bin/time. Prints each run, then per server the sums' ratios: gust HTTPS
# / hey and gust HTTP/2 / gust HTTPS. Every run is bounded and talks to loopback only.
# Needs hey, bc, curl and GNU time.
set -euo pipefail
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-3}
SERVERS=${SERVERS:-go nginx}
RATE=${RATE:-}
gust_rate=() hey_rate=()
[ -n "$RATE" ] && gust_rate=(--rate "$RATE") hey_rate=(-q $((RATE / 50)))
source "$(dirname "$0")/lib.sh"

need time bc curl
build_gust
cat >"$work/root.js" <<'JS'
import { HttpUser, constant } from "gust";
export class U extends HttpUser { static waitTime = constant(0); static tasks = { t: 1 }; t() { this.client.get("/"); } }
JS

calc() { echo "$*" | bc -l; }
pids=()
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap 'stop_servers; cleanup' EXIT

# start_go and start_nginx start a server and set T (its URL) and count (a command printing
# the requests it has served so far).
start_go() {
  (cd "$root" && go build -o "$work/target" ./bench/target)
  local port=$((20000 + RANDOM % 20000))
  T=https://127.0.0.1:$port
  "$work/target" -tls -addr 127.0.0.1:$port >"$work/target.log" 2>&1 &
  pids+=($!)
  count() { curl -skf "$T/__count"; }
  self=0 # /__count does not count itself
}
start_nginx() {
  local port=$((20000 + RANDOM % 20000)) sport=$((40000 + RANDOM % 20000))
  mkdir -p "$work/nginx"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/nginx/key.pem" -out "$work/nginx/cert.pem" 2>/dev/null
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $work/nginx/cert.pem;
    ssl_certificate_key $work/nginx/key.pem;
    location / { default_type application/json; return 200 '{"message":"Hello World"}'; }
  }
  server { listen 127.0.0.1:$sport; location / { stub_status; } }
}
EOF
  nginx -c "$work/nginx/nginx.conf" &
  pids+=($!)
  T=https://127.0.0.1:$port
  S=http://127.0.0.1:$sport/
  count() { curl -sf "$S" | awk '/^ *[0-9]+ +[0-9]+ +[0-9]+/ {print $3}'; }
  self=1 # stub_status counts every request, its own included
}

declare -A reqs cpus
measure() { # SERVER NAME CMD...
  local srv=$1 name=$2; shift 2
  local before n u s; before=$(count)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$work/$name.log" 2>&1 || echo "bench: $name exited non-zero: $(tail -2 "$work/$name.log")" >&2
  n=$(( $(count) - before - self )); read -r u s < <(tail -1 "$work/time")
  reqs[$srv.$name]=$(( ${reqs[$srv.$name]:-0} + n )); cpus[$srv.$name]=$(calc "${cpus[$srv.$name]:-0} + $u + $s")
  printf '%-6s %-6s requests=%-8d cpu_s=%-6.2f req_per_cpu_s=%.0f\n' "$srv" "$name" "$n" "$(calc "$u + $s")" "$(calc "$n / ($u + $s)")"
}
rate() { calc "${reqs[$1]} / ${cpus[$1]}"; }

echo "== machine: $(nproc) cores, $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg); 50 users, ${SECS}s a run, $ROUNDS rounds${RATE:+, $RATE requests/s offered}"
command -v hey >/dev/null || echo "bench: hey not installed, its rows are skipped" >&2
for srv in $SERVERS; do
  if [ "$srv" = nginx ] && ! command -v nginx >/dev/null; then
    echo "bench: nginx not installed (apt-get install -y nginx-light), its rows are skipped" >&2
    continue
  fi
  "start_$srv"
  for _ in $(seq 150); do count >/dev/null 2>&1 && curl -skf "$T/" >/dev/null && break; sleep 0.1; done
  curl -skf "$T/" >/dev/null || { echo "bench: the $srv server did not start" >&2; exit 2; }
  nginx_v=; [ "$srv" = nginx ] && nginx_v=" ($(nginx -v 2>&1 | cut -d' ' -f3))"
  echo "== server: $srv$nginx_v at $T"
  for r in $(seq "$ROUNDS"); do
    command -v hey >/dev/null && measure "$srv" hey hey -z "${SECS}s" -c 50 "${hey_rate[@]}" "$T/"
    measure "$srv" https "$work/gust" run --headless --insecure -H "$T" -u 50 -r 50 "${gust_rate[@]}" -t "${SECS}s" --only-summary "$work/root.js"
    measure "$srv" h2 "$work/gust" run --headless --insecure --http2 -H "$T" -u 50 -r 50 "${gust_rate[@]}" -t "${SECS}s" --only-summary "$work/root.js"
  done
  stop_servers; pids=()
  echo "== $srv over all rounds"
  for n in hey https h2; do
    [ -n "${reqs[$srv.$n]:-}" ] && printf '%-6s %-6s req_per_cpu_s=%.0f\n' "$srv" "$n" "$(rate "$srv.$n")"
  done
  [ -n "${reqs[$srv.hey]:-}" ] && printf '%s: ratio gust HTTPS / hey req_per_cpu_s = %.2f\n' "$srv" "$(calc "$(rate "$srv.https") / $(rate "$srv.hey")")"
  printf '%s: ratio gust HTTP/2 / HTTPS (HTTP/1.1) req_per_cpu_s = %.2f\n' "$srv" "$(calc "$(rate "$srv.h2") / $(rate "$srv.https")")"
done
