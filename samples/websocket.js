// A WebSocket per user (the browser's API on the user's event loop) against the sample API's
// echo at /ws: send a message a second, check the echo, close after five. The handshake is a
// stats row of type WS; ws_msgs_sent and ws_msgs_received count the messages.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/websocket.js
import { HttpUser, constant, check, Trend } from "gust";

const echoTime = new Trend("echo_time", true);

export class Chatter extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = constant(1);
  static tasks = { chat: 1 };

  async chat() {
    const rounds = Number(__ENV.ROUNDS || 5);
    await new Promise((resolve, reject) => {
      // A path is joined to the host (http becomes ws); name groups the handshake's row.
      const ws = new WebSocket("/ws", { name: "echo" });
      let sent = 0;
      let at = 0;
      const ping = () => {
        at = performance.now();
        ws.send(`hello ${++sent} from user ${this.id}`);
      };
      ws.onopen = () => ping();
      ws.onmessage = (e) => {
        echoTime.add(performance.now() - at);
        check(e.data, { "echoed": (d) => d === `hello ${sent} from user ${this.id}` });
        if (sent < rounds) setTimeout(ping, 1000);
        else ws.close();
      };
      ws.onerror = (e) => reject(new Error(`websocket: ${e.message}`));
      ws.onclose = () => resolve();
    });
  }
}
