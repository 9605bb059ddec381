// The seed's locustfile in gust: one kind of user that reads the API's root and its items,
// pausing 1 to 5 seconds between requests.
//
// Against the bundled sample API, with nothing to set up:
//   go run ./cmd/gust demo
// Against your own service, with the web UI on http://127.0.0.1:8089:
//   go run ./cmd/gust run -H http://127.0.0.1:8000 samples/locustfile.js
// Headless, as in CI:
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/locustfile.js
import { HttpUser, between } from "gust";

export class APIUser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(1, 5);
  static tasks = { getItems: 1, getRoot: 1 }; // method name -> weight

  getItems() { this.client.get("/items/"); }
  getRoot()  { this.client.get("/"); }
}
