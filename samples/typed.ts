// The seed's user in TypeScript: gust strips the types when it loads the file (no type check).
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/typed.ts
import { HttpUser, between } from "gust";

interface Item {
  id: number;
  name: string;
  price: number;
}

export class TypedUser extends HttpUser {
  static host: string = "http://127.0.0.1:8000";
  static waitTime = between(1, 2);
  static tasks: Record<string, number> = { getRoot: 1, getItems: 2 };

  getRoot(): void {
    this.client.get("/");
  }

  getItems() {
    const res = this.client.get("/items/", { catchResponse: true });
    if (!res.ok) return res.failure(`HTTP ${res.status}`);
    const items: Item[] = res.json();
    const cheapest: Item | undefined = items.reduce<Item | undefined>(
      (best, it) => (best === undefined || it.price < best.price ? it : best),
      undefined,
    );
    if (cheapest === undefined) res.failure("the catalog is empty");
  }
}
