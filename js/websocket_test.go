package js

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gustload/gust/engine"
)

// A WebSocket opens on the user's loop, echoes through the sample API, closes cleanly on
// "bye"; the handshake is a WS row named by the path (or the name option), and a refused
// handshake is a failed row with onerror and onclose.
func TestWebSocketEcho(t *testing.T) {
	path := write(t, "ws.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  async a() {
    const got = await new Promise((resolve, reject) => {
      const ws = new WebSocket("/ws", ["chat"]);
      if (ws.readyState !== WebSocket.CONNECTING) reject(new Error("state " + ws.readyState));
      const seen = [];
      ws.onopen = () => { ws.send("a"); ws.send(new Uint8Array([1, 2, 3])); ws.send("c"); };
      ws.addEventListener("message", (e) => seen.push(typeof e.data === "string" ? e.data : "bin" + new Uint8Array(e.data).join("")));
      ws.onmessage = (e) => { if (seen.length === 2) ws.send("bye"); };
      ws.onclose = (e) => resolve(seen.join(",") + "|" + e.code + "|" + e.reason + "|" + e.wasClean + "|" + ws.protocol + "|" + ws.readyState);
      ws.onerror = (e) => reject(new Error("error " + e.message));
    });
    if (got !== "a,bin123,c|1000|bye|true|chat|3") throw new Error("got " + got);
    const refused = await new Promise((resolve) => {
      const ws = new WebSocket("/items/1", { name: "not a socket" });
      let err = "";
      ws.onerror = (e) => { err = e.message; };
      ws.onclose = (e) => resolve(e.code + " " + err);
    });
    if (!refused.startsWith("1006 handshake answered HTTP 200")) throw new Error("refused: " + refused);
    const closer = await new Promise((resolve) => {
      const ws = new WebSocket("/ws");
      ws.onopen = () => ws.close(4000, "done");
      ws.onclose = (e) => resolve(e.code + " " + e.wasClean);
    });
    if (closer !== "4000 true") throw new Error("client close: " + closer);
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 2, Iterations: 4, StopTimeout: 5 * time.Second}, TestConfig{})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if e := row(snap, "WS", "/ws"); e.Requests != 8 || e.Failures != 0 {
		t.Errorf("WS /ws: %d requests %d failures, want 8 and 0", e.Requests, e.Failures)
	}
	if e := row(snap, "WS", "not a socket"); e.Requests != 4 || e.Failures != 4 {
		t.Errorf("WS 'not a socket': %d requests %d failures, want 4 and 4", e.Requests, e.Failures)
	}
	found := false
	for _, f := range snap.Errors {
		if f.Method == "WS" && strings.Contains(f.Error, "HTTP 200") {
			found = true
		}
	}
	if !found {
		t.Errorf("the refused handshake is not among the failures: %+v", snap.Errors)
	}
}

// A class's static proxy carries its WebSockets too: wss:// goes through the proxy's CONNECT
// tunnel (static tls applies inside it), and the message comes back through it.
func TestWebSocketThroughProxy(t *testing.T) {
	echo := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		typ, b, err := c.Read(r.Context())
		if err == nil {
			c.Write(r.Context(), typ, b)
			c.Close(websocket.StatusNormalClosure, "")
		}
	}))
	defer echo.Close()
	var tunnels atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer up.Close()
		tunnels.Add(1)
		down, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer down.Close()
		down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { io.Copy(up, buf); up.(*net.TCPConn).CloseWrite() }()
		io.Copy(down, up)
	}))
	defer proxy.Close()
	path := write(t, "wsproxy.js", `import { HttpUser, StopUser } from "gust";
export class U extends HttpUser {
  static proxy = "`+proxy.URL+`";
  static tls = { insecure: true };
  static tasks = { a: 1 };
  async a() {
    const got = await new Promise((resolve, reject) => {
      const ws = new WebSocket("`+strings.Replace(echo.URL, "https://", "wss://", 1)+`/echo");
      ws.onopen = () => ws.send("via the proxy");
      ws.onmessage = (e) => resolve(e.data);
      ws.onerror = (e) => reject(new Error("error " + e.message));
    });
    if (got !== "via the proxy") throw new Error("got " + got);
    throw new StopUser();
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, RunTime: 10 * time.Second, StopTimeout: 5 * time.Second}, TestConfig{})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if e := row(snap, "WS", "/echo"); e.Requests != 1 || e.Failures != 0 {
		t.Errorf("WS /echo: %d requests %d failures, want 1 and 0", e.Requests, e.Failures)
	}
	if n := tunnels.Load(); n != 1 {
		t.Errorf("%d CONNECT tunnels through the proxy, want 1", n)
	}
}
