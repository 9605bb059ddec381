// Custom metrics and checks (k6's vocabulary): a Counter of orders, a Trend of cart values, a
// Rate of cache hits and a Gauge of a queue's depth, judged by thresholds by name; check()
// counts named outcomes without failing the request; record() puts a custom client's samples
// (here a pretend cache) in the request stats; handleSummary() writes a file of its own.
//   go run ./cmd/gust run --headless -u 5 -r 5 -t 20s -H http://127.0.0.1:8000 samples/metrics.js
import { HttpUser, between, check, record, Counter, Trend, Rate, Gauge } from "gust";

const orders = new Counter("orders");
const cartValue = new Trend("cart_value");
const cacheHits = new Rate("cache_hit");
const queueDepth = new Gauge("queue_depth");

export const options = {
  thresholds: {
    orders: ["count>=1"],
    cart_value: ["p(95)<100"],
    "cart_value{size:big}": ["max<100"],
    checks: ["rate>0.99"],
  },
};

export class Buyer extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(0.2, 0.5);
  static tasks = { buy: 1, lookup: 3 };

  onStart() {
    this.client.post("/login", { json: { username: `buyer${this.id}`, password: "secret" } });
    this.bought = 0;
  }

  buy() {
    // 3 items, then 2, then 1, ...: a user's first cart is big, so cart_value{size:big} has values.
    const n = 3 - (this.bought++ % 3);
    for (let id = 1; id <= n; id++) this.client.post("/cart", { json: { id } });
    const res = this.client.post("/checkout");
    const ok = check(res, {
      "checkout is 200": (r) => r.status === 200,
      "order has an id": (r) => r.json().order_id > 0,
    });
    if (ok) {
      const total = res.json().total;
      orders.add(1);
      // Tags feed sub-metrics that thresholds select: cart_value{size:big}.
      cartValue.add(total, { size: n >= 3 ? "big" : "small" });
    }
  }

  lookup() {
    // A custom client's call, timed by the script and recorded like a request.
    const t0 = performance.now();
    const hit = Math.random() < 0.8;
    record({ type: "cache", name: "get item", ms: performance.now() - t0 + (hit ? 0.2 : 5), bytes: 64 });
    cacheHits.add(hit);
    queueDepth.add(Math.floor(Math.random() * 10));
    if (!hit) this.client.get("/items/1", { name: "/items/[id]" });
  }
}

// Called once at the end with the JSON result (what --json writes).
export function handleSummary(data) {
  const line = `orders=${data.metrics.orders.count} checks=${data.checks.length}\n`;
  return { stdout: line, "metrics-summary.txt": line };
}
