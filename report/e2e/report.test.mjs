// Opens a gust HTML report in headless Chromium, with the network cut off,
// and checks that it renders: no request leaves the file, no script error,
// three uPlot charts whose canvases have drawn pixels, and the tables.
// REPORT names the file (run.sh writes one); SCREENSHOT, when set, saves a
// full-page screenshot there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const report = process.env.REPORT;
let browser, page;
const errors = [];
const requests = [];

before(async () => {
  assert.ok(report, "set REPORT to the HTML report to open");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith("file:") ? route.continue() : route.abort();
  });
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  if (process.env.SCREENSHOT) {
    await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  }
});

after(async () => { await browser?.close(); });

test("the report loads nothing from the network and raises no error", () => {
  assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
  assert.deepEqual(errors, []);
});

test("three charts draw on their canvases", async () => {
  const charts = await page.evaluate(() =>
    [...document.querySelectorAll(".uplot")].map((u) => {
      const c = u.querySelector("canvas");
      const ctx = c.getContext("2d");
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) drawn++;
      return { title: u.querySelector(".u-title")?.textContent, w: c.width, h: c.height, drawn };
    }));
  assert.equal(charts.length, 3, JSON.stringify(charts));
  for (const c of charts) {
    assert.ok(c.w > 100 && c.h > 100, `${c.title}: canvas ${c.w}x${c.h}`);
    assert.ok(c.drawn > 1000, `${c.title}: only ${c.drawn} pixels drawn`);
  }
  assert.match(charts.map((c) => c.title).join("|"), /Requests.*\|Response times.*\|Users/);
});

test("the tables hold the rows, with names shown as text", async () => {
  const text = await page.evaluate(() => document.body.innerText);
  assert.match(text, /Aggregated/);
  assert.match(text, /Thresholds/);
  assert.match(text, /Response time percentiles/);
  // A name carrying markup is text, not an element.
  const injected = await page.evaluate(() => [...document.querySelectorAll("script")].filter((s) => s.textContent.includes('alert("x")')).length);
  assert.equal(injected, 0);
});
