// A step load (Locust's StepLoadShape example): add 10 users every step, up to 50, then stop.
// shape() is called about every 100 ms with the seconds since the start (fractional) and the
// users running; it returns the users to reach and how fast, or null to end the test.
//
//   go run ./cmd/gust run --headless -H http://127.0.0.1:8000 samples/stepload.js
//
// STEP_SECONDS sets the length of a step (default 10), e.g. -e STEP_SECONDS=1.
import { HttpUser, constant } from "gust";

const stepTime = Number(env.STEP_SECONDS || 10);
const stepUsers = 10;
const maxUsers = 50;

export function shape({ runTime }) {
  const step = Math.floor(runTime / stepTime) + 1;
  if (step * stepUsers > maxUsers) return null;
  return { users: step * stepUsers, spawnRate: stepUsers };
}

export class Stepper extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = constant(0.1);
  static tasks = { root: 1 };

  root() { this.client.get("/"); }
}
