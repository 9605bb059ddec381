// An ML model endpoint: posts random feature vectors to /predict and checks the answer (the
// sample model returns their mean); now and then sends a malformed payload that must be
// rejected with 422.
//   go run ./cmd/gust run --headless -u 10 -r 5 -t 20s -H http://127.0.0.1:8000 samples/predict.js
import { HttpUser, constant } from "gust";

const randomVector = (n) => Array.from({ length: n }, () => Math.random() * 100);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

export class ModelUser extends HttpUser {
  static host = "http://127.0.0.1:8000";
  static waitTime = constant(0.5);
  static tasks = { predict: 10, badPayload: 1 };

  predict() {
    const x = randomVector(16);
    const res = this.client.post("/predict", { json: { x }, catchResponse: true });
    if (!res.ok) return res.failure(`HTTP ${res.status}`);
    const { y, model } = res.json();
    if (Math.abs(y - mean(x)) > 1e-9) {
      res.failure(`${model} answered ${y}, expected ${mean(x)}`);
    } else {
      res.success();
    }
  }

  // A 422 is the right answer here, so catchResponse turns it into a success.
  badPayload() {
    const res = this.client.post("/predict", {
      json: { x: "not a vector" },
      name: "/predict (bad payload)",
      catchResponse: true,
    });
    if (res.status === 422) {
      res.success();
    } else {
      res.failure(`expected 422, got ${res.status}`);
    }
  }
}
