// A shopping journey, step by step in a fixed order: list the products, browse a few items,
// put one in the cart, look at the cart, check out; then start again.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/journey.js
import { HttpUser, SequentialTaskSet, TaskSet, between } from "gust";

// Browsing is a nested task set: it views items until it has seen three, then hands
// control back to the journey with interrupt().
class Browse extends TaskSet {
  static tasks = { viewItem: 1 };

  onStart() { this.seen = 0; }

  viewItem() {
    const ids = this.parent.productIds;
    const id = ids[Math.floor(Math.random() * ids.length)];
    this.client.get(`/items/${id}`, { name: "/items/[id]" });
    if (++this.seen >= 3) this.interrupt();
  }
}

class Journey extends SequentialTaskSet {
  // Entries run in this order: method names and a TaskSet class.
  static tasks = ["listProducts", Browse, "addToCart", "viewCart", "checkout"];

  listProducts() {
    const res = this.client.get("/products");
    this.productIds = res.ok ? res.json().map((p) => p.id) : [1];
  }

  addToCart() {
    const id = this.productIds[Math.floor(Math.random() * this.productIds.length)];
    this.client.post("/cart", { json: { id } });
  }

  viewCart() { this.client.get("/cart"); }

  checkout() {
    const res = this.client.post("/checkout", { catchResponse: true });
    if (!res.ok) {
      res.failure(`checkout refused with ${res.status}`);
    } else if (!res.json().order_id) {
      res.failure("checkout returned no order_id");
    }
  }
}

export class Shopper extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(0.5, 2);
  static tasks = [Journey];

  // The cart belongs to a session, so every shopper logs in first.
  onStart() {
    this.client.post("/login", { json: { username: `shopper${this.id}`, password: "secret" } });
  }
}
