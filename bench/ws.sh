#!/usr/bin/env bash
# bench/ws.sh — 1,000 users each holding one WebSocket open and echoing a message a second
# (issue "JavaScript runtime": RSS <= 150 MB), against the sample API's /ws on loopback.
#
#   bash bench/ws.sh            (USERS=1000 SECS=15 by default)
#   GUST=/path/to/gust bash bench/ws.sh
#
# Prints gust's peak RSS (GNU time), the handshakes and the messages echoed. Bounded: the run
# lasts SECS seconds, then the stop timeout (1 s) interrupts the sockets.
set -euo pipefail
USERS=${USERS:-1000}
SECS=${SECS:-15}
source "$(dirname "$0")/lib.sh"
need time
(cd "$root" && go build -o "$work/server" ./samples/server)
build_gust
port=$((20000 + RANDOM % 20000))
H=http://127.0.0.1:$port
"$work/server" -addr 127.0.0.1:$port >"$work/server.log" 2>&1 & tpid=$!
for _ in $(seq 150); do curl -sf "$H/__count" >/dev/null && break; sleep 0.1; done
cat >"$work/hold.js" <<'JS'
import { HttpUser } from "gust";
export class Holder extends HttpUser {
  static tasks = { hold: 1 };
  async hold() {
    await new Promise((resolve) => {
      const ws = new WebSocket("/ws");
      let n = 0;
      const tick = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send(`ping ${++n}`); }, 1000);
      ws.onclose = () => { clearInterval(tick); resolve(); };
    });
  }
}
JS
/usr/bin/time -f '%M' -o "$work/time" "$work/gust" run --headless --only-summary -H "$H" -u "$USERS" -r 500 -t "${SECS}s" \
  --stop-timeout 1s --json "$work/r.json" "$work/hold.js" >"$work/gust.log" 2>&1 || true
rss=$(( $(tail -1 "$work/time") / 1024 ))
read -r hs sent recv < <(python3 -c '
import json,sys
j=json.load(open(sys.argv[1]))
ws=[r for r in j.get("requests",j.get("entries",[])) if r.get("method")=="WS"]
m=j.get("metrics",{})
print(sum(r.get("requests",r.get("num_requests",0)) for r in ws), m.get("ws_msgs_sent",{}).get("count",0), m.get("ws_msgs_received",{}).get("count",0))' "$work/r.json")
echo "== $USERS users, one WebSocket each, a message a second for ${SECS}s: peak_rss_mb=$rss (goal <= 150) handshakes=$hs sent=$sent echoed=$recv"
