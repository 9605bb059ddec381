// Drives gust's web UI in a real browser (Debian's chromium through playwright-core): open the
// page, fill the start form, start, watch the table and the charts fill, edit the users, stop,
// download the CSV. Screenshots go to artifacts/. Everything stays on loopback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import http from "node:http";
import net from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const artifacts = path.join(here, "artifacts");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

// A request name a hostile target could put in the statistics: the page must show it as text.
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

let work, target, gust, gustLog = "", browser, base;
let served = 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ": " + last.message : ""}\n--- gust output ---\n${gustLog}`);
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), "gust-e2e-"));
  // GUST_BIN runs a binary built already (CI builds it once); else build the checkout's.
  let bin = process.env.GUST_BIN;
  if (!bin) {
    bin = path.join(work, "gust");
    execFileSync("go", ["build", "-o", bin, "./cmd/gust"], { cwd: root, stdio: "inherit" });
  }

  target = http.createServer((req, res) => {
    served++;
    if (req.url.startsWith("/fail")) {
      res.writeHead(500, { "Content-Type": "text/plain" });
      res.end("no");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise((r) => target.listen(0, "127.0.0.1", r));
  const host = `http://127.0.0.1:${target.address().port}`;

  const script = path.join(work, "ui.js");
  fs.writeFileSync(script, `
import { HttpUser, constant } from "gust";
export class Reader extends HttpUser {
  static waitTime = constant(0.1);
  static tasks = { items: 6, fail: 1, boom: 1 };
  items() { this.client.get("/items"); }
  fail() { this.client.get("/fail", { name: ${JSON.stringify(HOSTILE)} }); }
  boom() { if (Math.random() < 0.2) throw new Error("boom <b>not bold</b>"); }
}
export class Writer extends HttpUser {
  static weight = 1;
  static waitTime = constant(0.2);
  static tasks = { post: 1 };
  post() { this.client.post("/items", { json: { a: 1 } }); }
}
`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  gust = spawn(bin, ["run", "--web-port", String(port), "-H", host, "-u", "6", "-r", "3", script], {
    cwd: work,
    stdio: ["ignore", "pipe", "pipe"],
  });
  gust.stdout.on("data", (d) => { gustLog += d; });
  gust.stderr.on("data", (d) => { gustLog += d; });
  await waitFor("the web UI", async () => (await fetch(base + "/")).ok);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (gust && gust.exitCode === null) {
    gust.kill("SIGINT");
    await new Promise((r) => {
      const t = setTimeout(() => { gust.kill("SIGKILL"); r(); }, 15000);
      gust.once("exit", () => { clearTimeout(t); r(); });
    });
  }
  if (target) await new Promise((r) => target.close(r));
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("the web UI drives a test from start to stop", { timeout: 120000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, colorScheme: "light" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => {
    // The 400 is the server refusing the too large user_count below, on purpose.
    if (m.type() === "error" && !/status of 400/.test(m.text())) problems.push("console: " + m.text());
  });

  await page.goto(base + "/");
  assert.equal(await page.locator("#h-state").textContent(), "ready");

  // The start form opens by itself, filled from the flags.
  const start = page.locator("#start-dialog");
  await start.waitFor({ state: "visible" });
  assert.equal(await start.locator('input[name="user_count"]').inputValue(), "6");
  await page.screenshot({ path: path.join(artifacts, "webui-start.png") });
  await start.locator('input[name="spawn_rate"]').fill("4");
  // A number the server refuses shows the server's message.
  await start.locator('input[name="user_count"]').fill("2000000");
  await start.locator('button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelector("#start-dialog .error").textContent.includes("user_count"));
  await start.locator('input[name="user_count"]').fill("8");
  await start.locator('button[type="submit"]').click();
  await start.waitFor({ state: "hidden" });

  // The header and the table fill.
  await page.waitForFunction(() => document.querySelector("#h-state").textContent === "running", null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector("#h-users").textContent === "8");
  await page.waitForFunction(() => document.querySelectorAll("#stats-table tbody tr").length >= 4, null, { timeout: 10000 });
  const names = await page.locator("#stats-table tbody td.name").allTextContents();
  assert.ok(names.includes("/items"), `rows: ${names}`);
  assert.ok(names.includes(HOSTILE), "the hostile name is shown as text");
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran from the statistics");
  assert.equal(await page.locator("#stats-table tbody img").count(), 0);
  const total = page.locator("#stats-table tbody tr.total");
  assert.equal(await total.locator("td").nth(1).textContent(), "Aggregated");
  // Numbers are right-aligned.
  const align = await total.locator("td").nth(2).evaluate((td) => getComputedStyle(td).textAlign);
  assert.equal(align, "right");

  // Sorting by # Requests, then back.
  await page.locator('#stats-table th[data-key="num_requests"]').click();
  assert.equal(await page.locator('#stats-table th[data-key="num_requests"]').getAttribute("aria-sort"), "descending");
  await page.waitForTimeout(300);
  const counts = await page.locator("#stats-table tbody tr:not(.total) td:nth-child(3)").allTextContents();
  const nums = counts.map((c) => Number(c.replace(/[^\d]/g, "")));
  assert.deepEqual(nums, [...nums].sort((a, b) => b - a), `sorted descending: ${counts}`);
  await page.screenshot({ path: path.join(artifacts, "webui-statistics.png") });

  // The charts keep a point per poll.
  await page.locator('.tabs button[data-tab="charts"]').click();
  await page.waitForFunction(() => window.gustCharts.points() >= 3, null, { timeout: 20000 });
  assert.equal(await page.locator("#tab-charts .uplot").count(), 3);
  assert.equal(await page.locator("#tab-charts canvas").count(), 3);

  // Edit: fewer users, and the header follows.
  await page.locator("#btn-edit").click();
  const edit = page.locator("#edit-dialog");
  await edit.waitFor({ state: "visible" });
  await edit.locator('input[name="user_count"]').fill("3");
  await edit.locator('input[name="spawn_rate"]').fill("10");
  await edit.locator('button[type="submit"]').click();
  await edit.waitFor({ state: "hidden" });
  await page.waitForFunction(() => document.querySelector("#h-users").textContent === "3", null, { timeout: 10000 });
  await page.waitForFunction(() => window.gustCharts.points() >= 5, null, { timeout: 20000 });
  await page.screenshot({ path: path.join(artifacts, "webui-charts.png") });

  // Failures, exceptions and the ratio tabs show what the test did, as text.
  await page.locator('.tabs button[data-tab="failures"]').click();
  await page.waitForFunction(() => document.querySelectorAll("#failures-table tbody tr").length >= 1);
  const failure = await page.locator("#failures-table tbody tr").first().locator("td").allTextContents();
  assert.equal(failure[2], HOSTILE);
  await page.screenshot({ path: path.join(artifacts, "webui-failures.png") });
  await page.locator('.tabs button[data-tab="exceptions"]').click();
  await page.waitForFunction(() => document.querySelectorAll("#exceptions-table tbody tr").length >= 1, null, { timeout: 10000 });
  assert.match(await page.locator("#exceptions-table tbody tr td").nth(1).textContent(), /boom <b>not bold<\/b>/);
  assert.equal(await page.locator("#exceptions-table b").count(), 0);
  await page.locator('.tabs button[data-tab="ratio"]').click();
  await page.waitForFunction(() => document.querySelector("#ratio-class").textContent.includes("Writer"));
  assert.match(await page.locator("#ratio-class").textContent(), /Reader/);
  await page.screenshot({ path: path.join(artifacts, "webui-ratio.png") });

  // Stop: the state says so and the target hears nothing more.
  await page.locator("#btn-stop").click();
  await page.waitForFunction(() => document.querySelector("#h-state").textContent === "stopped", null, { timeout: 20000 });
  const a = served;
  await page.waitForTimeout(1000);
  assert.equal(served, a, "requests went on after the stop");
  assert.ok(await page.locator("#btn-new").isVisible());
  assert.ok(!(await page.locator("#btn-stop").isVisible()));

  // Download the statistics CSV.
  await page.locator('.tabs button[data-tab="download"]').click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('a[href="/stats/requests/csv"]').click(),
  ]);
  const csvPath = path.join(artifacts, "requests.csv");
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath, "utf8");
  assert.match(csv.split("\n")[0], /^Type,Name,Request Count,Failure Count,Median Response Time/);
  assert.match(csv, /\nGET,\/items,/);
  assert.match(csv, /,Aggregated,/);

  // The HTML report opens from the page and draws its charts under the server's policy.
  const [report] = await Promise.all([
    context.waitForEvent("page"),
    page.locator('a[href="/stats/report"]').click(),
  ]);
  const reportProblems = [];
  report.on("console", (m) => { if (m.type() === "error") reportProblems.push(m.text()); });
  report.on("pageerror", (e) => reportProblems.push(e.message));
  await report.waitForLoadState("load");
  await report.waitForFunction(() => document.querySelectorAll(".uplot").length > 0, null, { timeout: 10000 });
  assert.match(await report.content(), /\/items/);
  await report.screenshot({ path: path.join(artifacts, "report.png"), fullPage: false });
  assert.deepEqual(reportProblems, [], "the report logged no errors");
  await report.close();

  // The dark theme, on the charts.
  await page.locator('.tabs button[data-tab="charts"]').click();
  await page.locator("#btn-theme").click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(artifacts, "webui-dark.png") });

  // New test: the form again, and a fresh start resets the statistics.
  await page.locator("#btn-new").click();
  await start.waitFor({ state: "visible" });
  await start.locator('input[name="user_count"]').fill("1");
  await start.locator('button[type="submit"]').click();
  await start.waitFor({ state: "hidden" });
  await page.waitForFunction(() => ["spawning", "running"].includes(document.querySelector("#h-state").textContent), null, { timeout: 10000 });
  const fresh = await (await fetch(base + "/stats/requests")).json();
  assert.ok(fresh.stats.at(-1).num_requests < 50, `stats were reset: ${fresh.stats.at(-1).num_requests} requests`);
  await page.locator("#btn-stop").click();
  await page.waitForFunction(() => document.querySelector("#h-state").textContent === "stopped", null, { timeout: 20000 });

  assert.deepEqual(problems, [], "the page logged no errors");
  await context.close();
});
