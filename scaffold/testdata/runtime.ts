// Every part of the script API the declarations promise, used the way the README shows it:
// tsc must accept this file in strict mode.
import {
  HttpUser, FastHttpUser, User, TaskSet, SequentialTaskSet, task, tag, between, constant,
  constantPacing, constantThroughput, check, Counter, Trend, Rate, Gauge, record, events,
  StopUser, StopTest, RescheduleTask, SharedArray, csv, sleep, open, env, __ENV, WebSocket as GustWS,
} from "gust";
import { md5, sha1, sha256, sha512, hmac } from "gust/crypto";
import { b64encode, b64decode } from "gust/encoding";

const orders = new Counter("orders");
const cart = new Trend("cart_value");
const latency = new Trend("ws_latency", true);
const hits = new Rate("cache_hit");
const depth = new Gauge("queue_depth");
const people = csv("people.csv");
const raw: string[][] = csv("raw.csv", { header: false, separator: ";" });
const ids = SharedArray("ids", () => [1, 2, 3]);
const logo: ArrayBuffer = open("logo.png", "b");
const text: string = open("data.txt");

events.testStart.on(() => console.log("start"));
events.request.on((s) => { if (s.ms > 1000) console.warn(s.name, s.ms); });

class Browse extends TaskSet {
  static tasks = { view: 1 };
  view(): void {
    this.client.get(`/items/${ids[0]}`, { name: "/items/[id]" });
    this.interrupt();
  }
}

class Journey extends SequentialTaskSet {
  static tasks = ["open", Browse, task(2, "buy", { tags: ["buy"] })];
  open(): void { this.client.get("/"); }
  buy(): void { this.client.post("/cart", { json: { id: 1 } }); }
}

export class Shopper extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(1, 2);
  static tls = { insecure: true, minVersion: "1.2" as const };
  static auth: [string, string] = ["ann", "secret"];
  static tasks = [Journey, task(3, function (this: Shopper) { this.client.get("/"); })];

  @task(3) browse(): void {
    const r = this.client.get("/items/", {
      params: { page: 2, tags: ["a", "b"] },
      headers: { "X-A": "b" },
      name: "/items/",
      tls: { ca: "ca.pem", serverName: "api.internal" },
      auth: ["u", "p"],
      compress: "gzip",
      discardBody: false,
      tags: { kind: "list" },
      timeout: 5,
      redirects: false,
    });
    const ok: boolean = check(r, { "200": (x) => x.status === 200, "fast": (x) => x.elapsed < 200 });
    hits.add(ok);
    cart.add(r.timings.duration, { page: "2" });
    const proto: string = r.proto;
    if (r.truncated || proto === "HTTP/2.0") orders.add(1);
    depth.add(r.json<{ depth: number }>().depth);
  }

  @tag("heavy") @task async upload(): Promise<void> {
    const [a, b] = await Promise.all([this.client.getAsync("/a"), this.client.requestAsync("GET", "/b")]);
    const res = await this.client.postAsync("/upload", {
      form: { title: "x" },
      files: { file: { name: "logo.png", content: logo, type: "image/png" }, notes: text },
    });
    const all = this.client.batch(["/x", ["POST", "/y", { json: {} }], { url: "/z" }]);
    record({ type: "gRPC", name: "Search", ms: a.elapsed + b.elapsed, bytes: res.bytes.byteLength, error: all[0].error || null });
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    this.client.cookies.set("session", "abc", { domain: "127.0.0.1", path: "/" });
    const session: string | undefined = this.client.cookies.get("session");
    if (!session) throw new StopUser();
  }

  @task sign(): void {
    const body = JSON.stringify({ at: performance.now(), id: crypto.randomUUID() });
    const sig = hmac("sha256", env.SECRET ?? "k", body, "hex");
    const basic = "Basic " + btoa("ann:secret");
    const url = new URL("/orders", "http://127.0.0.1:8000");
    url.searchParams.set("sig", sig);
    const q = new URLSearchParams({ a: "1" }).toString();
    const bytes = new TextEncoder().encode(body);
    const back: string = new TextDecoder().decode(bytes);
    const copy = structuredClone({ body: back });
    const u8 = crypto.getRandomValues(new Uint8Array(8));
    const dec: string = b64decode(b64encode(u8, "url"), "url", "s");
    const digests = [md5(body), sha1(body, "base64"), sha256(bytes), sha512(body, "hex"), dec, atob("YQ=="), q];
    this.client.post(url.toString(), { body: JSON.stringify(copy), headers: { Authorization: basic, "X-D": digests.join() } });
    if (__ENV.STOP) throw new StopTest("done");
    if (people.length === 0 && raw.length === 0) throw new RescheduleTask();
  }

  @task socket(): void {
    const ws = new GustWS("ws://127.0.0.1:8000/ws", { name: "/ws" });
    const started = performance.now();
    ws.onopen = () => ws.send("hello");
    ws.onmessage = (e) => {
      latency.add(performance.now() - started);
      if (typeof e.data === "string" && ws.readyState === WebSocket.OPEN) ws.close(1000, "bye");
    };
    ws.onerror = (e) => console.error(e.message);
    ws.onclose = (e) => console.log(e.code, e.reason);
    const t = setInterval(() => sleep(0), 100);
    clearInterval(t);
  }

  onStart(): void {
    this.client.post("/login", { json: { username: `user${this.id}` } });
  }
}

export class Fast extends FastHttpUser {
  static waitTime = constantPacing(1);
}
export class Plain extends User {
  static waitTime = constantThroughput(2);
}
export class Steady extends HttpUser {
  static waitTime = constant(0);
  static tasks = { t: { weight: 2, tags: ["x"] } };
  t(): void { client.get("/"); }
}

export const options = { thresholds: ["p95<300ms", "checks: rate>0.99"], stages: [{ duration: "10s", users: 5 }] };
export function shape(ctx: { runTime: number }) { return ctx.runTime > 10 ? null : { users: 5, spawnRate: 1 }; }
