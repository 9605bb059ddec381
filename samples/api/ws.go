package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// wsIdle bounds how long an echo socket waits for a message: a client that went away without
// a close frame does not hold a goroutine forever.
const wsIdle = 5 * time.Minute

// ws is a WebSocket that echoes every message back as it came (text or binary) and closes
// normally when told "bye" (samples/websocket.js, the runtime tests).
func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	// Any subprotocol the client offers is accepted (the first), so that scripts can test theirs.
	var protos []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			protos = append(protos, strings.TrimSpace(p))
		}
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos})
	if err != nil {
		return // Accept has answered the failed handshake
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for {
		ctx, cancel := context.WithTimeout(r.Context(), wsIdle)
		typ, msg, err := c.Read(ctx)
		if err != nil {
			cancel()
			return
		}
		if typ == websocket.MessageText && string(msg) == "bye" {
			cancel()
			_ = c.Close(websocket.StatusNormalClosure, "bye")
			return
		}
		err = c.Write(ctx, typ, msg)
		cancel()
		if err != nil {
			return
		}
	}
}
