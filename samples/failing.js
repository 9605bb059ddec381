// Things going wrong, to see how gust reports them: server errors and an intermittent
// endpoint appear under Failures (grouped by error), a task that throws appears under
// Exceptions with its stack (failing.js:line), and the test goes on. Exits with code 1.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/failing.js
import { HttpUser, constant } from "gust";

export class FailingUser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = constant(1);
  static tasks = { serverError: 1, flaky: 2, missing: 1, brokenTask: 1 };

  serverError() { this.client.get("/status/500"); }

  // Fails on about 30% of requests.
  flaky() { this.client.get("/flaky?p=0.3"); }

  missing() { this.client.get("/items/999", { name: "/items/[id]" }); }

  // A bug in the script rather than the server: the request succeeds, the task throws.
  brokenTask() {
    const item = this.client.get("/items/1").json();
    if (item.stock === undefined) throw new Error(`item ${item.id} has no stock field`);
  }
}
