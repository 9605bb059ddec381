// Async tasks: requests awaited together run at once over the user's own connections (a page
// and its API calls), timers run on the user's event loop, and client.batch() sends a list at
// once. The user waits for everything a task started before its wait time; a rejection is
// counted under Exceptions like a throw.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/async.js
import { HttpUser, between, check } from "gust";

export class PageUser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(0.5, 1.5);
  static tasks = { page: 3, shop: 1 };

  // A page load: the document and its three API calls at once. The task takes as long as the
  // slowest call, not the sum.
  async page() {
    const [home, items, slow] = await Promise.all([
      this.client.getAsync("/"),
      this.client.getAsync("/items/"),
      this.client.getAsync("/slow?ms=200", { name: "/slow" }),
    ]);
    check(home, { "home is 200": (r) => r.status === 200 });
    check(items, { "five items": (r) => r.json().length === 5 });
    check(slow, { "slow answered": (r) => r.ok });
    // Think for a moment on the event loop, then open one item.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = 1 + Math.floor(Math.random() * 5);
    await this.client.getAsync(`/items/${id}`, { name: "/items/[id]" });
  }

  // Log in, fill the cart with a batch (parallel inside, responses in order), check out. The
  // batch's requests share the user's session cookie.
  async shop() {
    const login = await this.client.postAsync("/login", { json: { username: `user${this.id}`, password: "secret" } });
    if (login.status !== 200) throw new Error(`login refused: ${login.status}`);
    const added = this.client.batch([1, 2, 3].map((id) => ["POST", "/cart", { json: { id } }]));
    check(added, { "all added": (rs) => rs.every((r) => r.status === 200) });
    const order = await this.client.postAsync("/checkout");
    check(order, { "three items ordered": (r) => r.json().items === 3 });
  }
}
