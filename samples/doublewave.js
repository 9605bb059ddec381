// Two waves of users (Locust's DoubleWave shape): the user count follows the sum of two bell
// curves, peaking at a third and at two thirds of the run, then the test ends. With a
// userClasses list a shape may also choose which classes run: here the second wave is buyers.
//
//   go run ./cmd/gust run --headless -H http://127.0.0.1:8000 samples/doublewave.js
//
// WAVE_SECONDS sets the whole run (default 60).
import { HttpUser, between } from "gust";

const total = Number(env.WAVE_SECONDS || 60);
const minUsers = 2;
const peakOne = 20;
const peakTwo = 12;
const width = total / 10;

export function shape({ runTime }) {
  if (runTime >= total) return null;
  const bell = (peak, at) => peak * Math.exp(-(((runTime - at) / width) ** 2));
  const users = Math.round(minUsers + bell(peakOne, total / 3) + bell(peakTwo, (2 * total) / 3));
  const secondWave = runTime > total / 2;
  return { users, spawnRate: 20, userClasses: secondWave ? ["Buyer"] : ["Browser", "Buyer"] };
}

export class Browser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static weight = 3;
  static waitTime = between(0.1, 0.3);
  static tasks = { catalog: 1 };

  catalog() { this.client.get("/items/"); }
}

export class Buyer extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = between(0.1, 0.3);
  static tasks = { item: 1 };

  item() { this.client.get("/items/1"); }
}
