// A logged-in user: logs in once when it starts, then reads its profile and browses items
// with its own session cookie, and logs out when the test stops it.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/login.js
import { HttpUser, between } from "gust";

export class LoggedInUser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(1, 3);
  static tasks = { profile: 1, viewItem: 3 };

  onStart() {
    this.username = `user${this.id}`;
    const res = this.client.post("/login", {
      json: { username: this.username, password: "secret" },
      catchResponse: true,
    });
    if (res.status !== 200) {
      res.failure(`login refused with ${res.status}`);
    } else if (res.json().username !== this.username) {
      res.failure(`logged in as ${res.json().username}, not ${this.username}`);
    } else {
      res.success();
    }
  }

  profile() {
    const res = this.client.get("/me", { catchResponse: true });
    if (!res.ok) {
      res.failure(`HTTP ${res.status}`);
    } else if (res.json().username !== this.username) {
      res.failure(`/me answered for ${res.json().username}`);
    }
  }

  viewItem() {
    const id = 1 + Math.floor(Math.random() * 5);
    // One stats row for every id instead of one per URL.
    this.client.get(`/items/${id}`, { name: "/items/[id]" });
  }

  onStop() {
    this.client.post("/logout");
  }
}
