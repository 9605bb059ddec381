// A declarative load profile: options.stages ramps to 10 users, holds, peaks at 30, then
// ramps down and ends the test. Each stage holds its `users` for its `duration`, reached at
// its `spawnRate`; ramping down lets running tasks finish. No -u, -r or -t needed.
//
//   go run ./cmd/gust run --headless -H http://127.0.0.1:8000 samples/stages.js
//
// STAGE_SECONDS scales every stage (default 10 s each), e.g. -e STAGE_SECONDS=1 for a quick try.
// For the open model, give each stage a `rate` (task executions per second) instead:
//   { duration: "30s", rate: 200, users: 100 }   // users caps the pool
import { HttpUser, between } from "gust";

const s = Number(env.STAGE_SECONDS || 10);

export const options = {
  stages: [
    { duration: s, users: 10, spawnRate: 10 },
    { duration: s, users: 30, spawnRate: 20 },
    { duration: s, users: 5, spawnRate: 50 },
  ],
};

export class Browser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(0.05, 0.2);
  static tasks = { catalog: 3, item: 1 };

  catalog() { this.client.get("/items/"); }
  item() { this.client.get(`/items/${1 + Math.floor(Math.random() * 5)}`, { name: "/items/[id]" }); }
}
