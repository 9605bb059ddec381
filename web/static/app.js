// The gust web UI. Every string that comes from the test (names, error messages, tracebacks)
// reaches the page through textContent only, never as HTML: a hostile target cannot inject.
(function () {
  "use strict";

  const POLL_MS = 2000;
  const MAX_BACKOFF_MS = 10000;
  const FETCH_TIMEOUT_MS = 8000;
  // The charts keep the whole test: past MAX_POINTS, neighbouring points are merged and the
  // resolution halves, so a day-long test holds as much memory as a ten-minute one.
  const MAX_POINTS = 1200;
  const CHART_HEIGHT = 200;

  const $ = (sel, root) => (root || document).querySelector(sel);
  const body = document.body;

  let state = body.dataset.state || "ready";
  let host = body.dataset.host || "";
  let lastReport = null;
  let activeTab = "stats";
  let sortKey = null;
  let sortDir = 1;
  let pollTimer = 0;
  let backoff = POLL_MS;
  // What this page last asked for: the Edit form starts from it (the running count may be mid-ramp).
  let lastStart = { users: null, rate: body.dataset.spawnRate };

  // ---- formatting ----
  const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const fmt1 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmt2 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function fmtInt(v) { return v == null ? "" : intFmt.format(v); }
  // Loopback targets answer in well under a millisecond; whole milliseconds would read 0.
  function fmtMs(v) {
    if (v == null) return "";
    if (v >= 100) return intFmt.format(v);
    if (v >= 10) return fmt1.format(v);
    return fmt2.format(v);
  }
  function fmtRate(v) { return v == null ? "" : fmt1.format(v); }
  function fmtPct(ratio) {
    const p = 100 * (ratio || 0);
    if (p > 0 && p < 10) return fmt1.format(p) + "%";
    return intFmt.format(p) + "%";
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  // ---- HTTP ----
  async function request(url, opts) {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
    try {
      return await fetch(url, Object.assign({ signal: ctl.signal, cache: "no-store" }, opts || {}));
    } finally {
      clearTimeout(t);
    }
  }

  async function getJSON(url) {
    const r = await request(url);
    if (!r.ok) throw new Error(url + ": HTTP " + r.status);
    return r.json();
  }

  // ---- theme ----
  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
  }
  function currentTheme() {
    const t = document.documentElement.dataset.theme;
    if (t) return t;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  try { applyTheme(localStorage.getItem("gust-theme")); } catch (e) { /* storage may be off */ }
  $("#btn-theme").addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    applyTheme(next);
    try { localStorage.setItem("gust-theme", next); } catch (e) { /* storage may be off */ }
    charts.rebuild();
  });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => charts.rebuild());

  // ---- header and buttons ----
  function setState(s) {
    state = s;
    const badge = $("#h-state");
    badge.textContent = s;
    badge.className = "state state-" + s;
    const live = s === "spawning" || s === "running";
    $("#btn-edit").hidden = !live;
    $("#btn-stop").hidden = !live;
    $("#btn-new").hidden = live || s === "stopping";
    $("#btn-reset").hidden = s === "ready";
    body.dataset.state = s;
  }

  function setHeader(rep) {
    setState(rep.state);
    if (rep.host != null) { host = rep.host; $("#h-host").textContent = host; $("#h-host").title = host; }
    $("#h-users").textContent = fmtInt(rep.user_count);
    $("#h-rps").textContent = fmtRate(rep.total_rps);
    const fail = $("#h-fail");
    fail.textContent = fmtPct(rep.fail_ratio);
    fail.classList.toggle("bad", rep.fail_ratio > 0);
  }

  // ---- dialogs ----
  function openDialog(d) {
    $(".error", d).textContent = "";
    if (!d.open) d.showModal();
  }
  for (const d of document.querySelectorAll("dialog")) {
    $(".cancel", d).addEventListener("click", () => d.close());
  }

  async function submitSwarm(form) {
    const err = $(".error", form);
    err.textContent = "";
    const data = new URLSearchParams(new FormData(form));
    let r;
    try {
      r = await request("/swarm", { method: "POST", body: data });
    } catch (e) {
      err.textContent = "The server did not answer: " + e.message;
      return false;
    }
    let js = {};
    try { js = await r.json(); } catch (e) { /* an answer without JSON is reported below */ }
    if (!r.ok || js.success === false) {
      err.textContent = js.message || ("HTTP " + r.status);
      return false;
    }
    return true;
  }

  $("#start-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    if (!(await submitSwarm(form))) return;
    lastStart = { users: form.user_count.value, rate: form.spawn_rate.value };
    charts.clear();
    $("#start-dialog").close();
    pollNow();
  });

  $("#edit-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    if (!(await submitSwarm(form))) return;
    lastStart = { users: form.user_count.value, rate: form.spawn_rate.value };
    $("#edit-dialog").close();
    pollNow();
  });

  $("#btn-new").addEventListener("click", () => {
    const f = $("#start-form");
    if (host && !f.host.value) f.host.value = host;
    openDialog($("#start-dialog"));
  });
  $("#btn-edit").addEventListener("click", () => {
    const f = $("#edit-form");
    f.user_count.value = lastStart.users != null ? lastStart.users : (lastReport ? lastReport.user_count : 1);
    f.spawn_rate.value = lastStart.rate || 1;
    openDialog($("#edit-dialog"));
  });
  $("#btn-stop").addEventListener("click", async () => {
    try { await request("/stop"); } catch (e) { /* the next poll shows the state */ }
    pollNow();
  });
  $("#btn-reset").addEventListener("click", async () => {
    try { await request("/stats/reset"); } catch (e) { /* the next poll shows the state */ }
    pollNow();
  });

  // ---- tabs ----
  for (const b of document.querySelectorAll(".tabs button")) {
    b.addEventListener("click", () => showTab(b.dataset.tab));
  }
  function showTab(name) {
    activeTab = name;
    for (const b of document.querySelectorAll(".tabs button")) {
      b.setAttribute("aria-selected", String(b.dataset.tab === name));
    }
    for (const s of document.querySelectorAll("main .tab")) {
      s.hidden = s.id !== "tab-" + name;
    }
    if (name === "charts") charts.show();
    refreshTab();
  }
  function refreshTab() {
    if (activeTab === "exceptions") loadExceptions();
    if (activeTab === "ratio") loadRatio();
  }

  // ---- statistics table ----
  for (const th of document.querySelectorAll("#stats-table th[data-key]")) {
    th.addEventListener("click", () => {
      if (sortKey === th.dataset.key) sortDir = -sortDir;
      else { sortKey = th.dataset.key; sortDir = th.dataset.type === "text" ? 1 : -1; }
      for (const o of document.querySelectorAll("#stats-table th[data-key]")) o.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      if (lastReport) renderStats(lastReport);
    });
  }

  const statCols = [
    ["method", "text"], ["name", "name"], ["num_requests", "int"], ["num_failures", "fail"],
    ["median_response_time", "ms"], ["response_time_percentile_0.95", "ms"], ["response_time_percentile_0.99", "ms"],
    ["avg_response_time", "ms"], ["min_response_time", "ms"], ["max_response_time", "ms"],
    ["avg_content_length", "int"], ["current_rps", "rate"], ["current_fail_per_sec", "rate"],
  ];

  function statRow(s, total) {
    const tr = el("tr", total ? "total" : null);
    for (const [key, kind] of statCols) {
      const v = s[key];
      let td;
      switch (kind) {
        case "text": td = el("td", null, v == null ? "" : v); break;
        case "name": td = el("td", "name", v); break;
        case "int": td = el("td", "num", fmtInt(v)); break;
        case "fail": td = el("td", v > 0 ? "num bad" : "num", fmtInt(v)); break;
        case "ms": td = el("td", "num", fmtMs(v)); break;
        case "rate": td = el("td", "num", fmtRate(v)); break;
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function renderStats(rep) {
    const rows = rep.stats.slice(0, -1);
    const total = rep.stats[rep.stats.length - 1];
    if (sortKey) {
      rows.sort((a, b) => {
        const x = a[sortKey], y = b[sortKey];
        if (typeof x === "number" && typeof y === "number") return (x - y) * sortDir;
        return String(x == null ? "" : x).localeCompare(String(y == null ? "" : y)) * sortDir;
      });
    }
    const tbody = el("tbody");
    for (const s of rows) tbody.appendChild(statRow(s, false));
    if (total) tbody.appendChild(statRow(total, true));
    $("#stats-table tbody").replaceWith(tbody);
    $("#stats-empty").hidden = rows.length > 0;
  }

  // Custom metrics and checks, under the requests; hidden while the script has none.
  function renderCustom(rep) {
    const metrics = rep.metrics || [], checks = rep.checks || [];
    const mb = el("tbody");
    for (const m of metrics) {
      const tr = el("tr");
      tr.appendChild(el("td", "name", m.name));
      tr.appendChild(el("td", null, m.type));
      tr.appendChild(el("td", null, m.values.map((v) => v.name + " " + v.text).join(" · ")));
      mb.appendChild(tr);
    }
    $("#metrics-table tbody").replaceWith(mb);
    $("#metrics-table").hidden = metrics.length === 0;
    const cb = el("tbody");
    for (const c of checks) {
      const tr = el("tr");
      tr.appendChild(el("td", c.fails > 0 ? "bad" : null, c.fails > 0 ? "✗" : "✓"));
      tr.appendChild(el("td", "name", c.name));
      tr.appendChild(el("td", "num", fmtInt(c.passes)));
      tr.appendChild(el("td", c.fails > 0 ? "num bad" : "num", fmtInt(c.fails)));
      cb.appendChild(tr);
    }
    $("#checks-table tbody").replaceWith(cb);
    $("#checks-table").hidden = checks.length === 0;
  }

  function renderFailures(rep) {
    const tbody = el("tbody");
    for (const e of rep.errors) {
      const tr = el("tr");
      tr.appendChild(el("td", "num bad", fmtInt(e.occurrences)));
      tr.appendChild(el("td", null, e.method));
      tr.appendChild(el("td", "name", e.name));
      tr.appendChild(el("td", null, e.error));
      tbody.appendChild(tr);
    }
    $("#failures-table tbody").replaceWith(tbody);
    $("#failures-empty").hidden = rep.errors.length > 0;
    $("#failures-table").hidden = rep.errors.length === 0;
    $("#count-failures").textContent = rep.errors.length ? fmtInt(rep.errors.length) : "";
  }

  async function loadExceptions() {
    let js;
    try { js = await getJSON("/exceptions"); } catch (e) { return; }
    const tbody = el("tbody");
    for (const x of js.exceptions) {
      const tr = el("tr");
      tr.appendChild(el("td", "num bad", fmtInt(x.count)));
      tr.appendChild(el("td", "name", x.msg));
      const td = el("td");
      td.appendChild(el("pre", "trace", x.traceback));
      tr.appendChild(td);
      tr.appendChild(el("td", null, x.nodes));
      tbody.appendChild(tr);
    }
    $("#exceptions-table tbody").replaceWith(tbody);
    $("#exceptions-empty").hidden = js.exceptions.length > 0;
    $("#exceptions-table").hidden = js.exceptions.length === 0;
    $("#count-exceptions").textContent = js.exceptions.length ? fmtInt(js.exceptions.length) : "";
  }

  // ---- current ratio ----
  function taskList(tasks, parent, total) {
    const ul = el("ul");
    for (const t of tasks || []) {
      const share = t.ratio * parent;
      const li = el("li");
      li.appendChild(el("span", "pct", fmtPct1(share)));
      li.appendChild(el("span", null, t.name));
      if (t.tasks && t.tasks.length) li.appendChild(taskList(t.tasks, total ? share : 1, total));
      ul.appendChild(li);
    }
    return ul;
  }
  function fmtPct1(r) { return fmt1.format(100 * r) + "%"; }

  async function loadRatio() {
    let js;
    try { js = await getJSON("/tasks"); } catch (e) { return; }
    const classes = js.classes || [];
    const running = classes.reduce((n, c) => n + c.users, 0);
    const weights = classes.reduce((n, c) => n + c.weight, 0);
    const share = (c) => running > 0 ? c.users / running : (weights > 0 ? c.weight / weights : 0);
    for (const [id, total] of [["#ratio-class", false], ["#ratio-total", true]]) {
      const ul = el("ul");
      for (const c of classes) {
        const li = el("li");
        li.appendChild(el("span", "pct", fmtPct1(share(c))));
        li.appendChild(el("span", "cls", c.name));
        li.appendChild(el("span", "users", "(" + fmtInt(c.users) + (c.users === 1 ? " user)" : " users)")));
        li.appendChild(taskList(c.tasks, total ? share(c) : 1, total));
        ul.appendChild(li);
      }
      const box = $(id);
      box.replaceChildren(ul);
    }
  }

  // ---- charts ----
  const charts = (function () {
    // Columns: time (s), rps, fail/s, p50, p95, users.
    let cols = [[], [], [], [], [], []];
    let stride = 1; // polls merged into one point
    let pending = null; // the point being built from `stride` polls
    let plots = [];

    function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

    function add(t, values, quiet) {
      if (!pending) pending = { t: t, n: 0, v: values.map(() => 0) };
      pending.t = t;
      pending.n++;
      values.forEach((x, i) => { pending.v[i] += x; });
      if (pending.n < stride) return;
      cols[0].push(pending.t);
      pending.v.forEach((x, i) => cols[i + 1].push(x / pending.n));
      pending = null;
      if (cols[0].length > MAX_POINTS) halve();
      if (!quiet) update();
    }

    function halve() {
      const out = cols.map(() => []);
      const n = cols[0].length;
      for (let i = 0; i + 1 < n; i += 2) {
        out[0].push(cols[0][i + 1]);
        for (let c = 1; c < cols.length; c++) out[c].push((cols[c][i] + cols[c][i + 1]) / 2);
      }
      if (n % 2 === 1) out.forEach((o, c) => o.push(cols[c][n - 1]));
      cols = out;
      stride *= 2;
    }

    // seed replaces the history with the server's rows (one a second since the test's start), so
    // that a reloaded page draws the whole test.
    function seed(rows) {
      clear();
      for (const r of rows) {
        const p = r.percentiles || {};
        add(r.time, [r.rps || 0, r.fail_per_s || 0, p["50"] || 0, p["95"] || 0, r.users || 0], true);
      }
      update();
    }

    function clear() {
      cols = [[], [], [], [], [], []];
      stride = 1;
      pending = null;
      update();
    }

    function width() {
      const box = $("#tab-charts");
      return Math.max(300, box.clientWidth - 40);
    }

    // Whole seconds and up: a short test otherwise gets ticks every quarter second.
    const timeIncrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

    function axes(unit) {
      const stroke = css("--muted"), grid = css("--line");
      return [
        { stroke: stroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, space: 80, incrs: timeIncrs,
          values: (u, vals) => vals.map((v) => clock.format(new Date(v * 1000))) },
        { stroke: stroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 60,
          values: (u, vals) => vals.map((v) => v == null ? "" : (unit === "ms" ? fmtMs(v) : intFmt.format(v))) },
      ];
    }

    function series(label, color, fmt) {
      return { label: label, stroke: color, width: 2, points: { show: false }, value: (u, v) => v == null ? "–" : fmt(v) };
    }

    function build() {
      if (typeof uPlot === "undefined") return;
      destroy();
      const w = width();
      const defs = [
        ["#chart-rps", [series("RPS", css("--c-rps"), fmtRate), series("Failures/s", css("--c-fail"), fmtRate)], [1, 2], "n"],
        ["#chart-rt", [series("Median", css("--c-p50"), fmtMs), series("95% percentile", css("--c-p95"), fmtMs)], [3, 4], "ms"],
        ["#chart-users", [series("Users", css("--c-users"), fmtInt)], [5], "n"],
      ];
      for (const [sel, ser, idx, unit] of defs) {
        const box = $(sel);
        const old = $(".uplot", box);
        if (old) old.remove();
        const opts = {
          width: w,
          height: CHART_HEIGHT,
          series: [{ label: "Time", value: (u, v) => v == null ? "–" : clock.format(new Date(v * 1000)) }].concat(ser),
          axes: axes(unit),
          scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
          cursor: { drag: { x: false, y: false } },
          legend: { live: true },
        };
        const data = [cols[0]].concat(idx.map((i) => cols[i]));
        plots.push({ plot: new uPlot(opts, data, box), idx: idx });
      }
    }

    function destroy() {
      for (const p of plots) p.plot.destroy();
      plots = [];
    }

    function visible() { return !$("#tab-charts").hidden; }

    function update() {
      if (!visible()) return;
      if (!plots.length) { build(); return; }
      for (const p of plots) {
        p.plot.setData([cols[0]].concat(p.idx.map((i) => cols[i])));
        // Away from the cursor, the legend shows the latest values.
        if (p.plot.cursor.left == null || p.plot.cursor.left < 0) p.plot.setLegend({ idx: cols[0].length - 1 });
      }
    }

    function show() {
      if (!plots.length) build();
      resize();
      update();
    }

    function resize() {
      if (!visible()) return;
      const w = width();
      for (const p of plots) p.plot.setSize({ width: w, height: CHART_HEIGHT });
    }

    function rebuild() { if (plots.length || visible()) { destroy(); if (visible()) build(); } }

    window.addEventListener("resize", resize);
    return { add: add, seed: seed, clear: clear, show: show, rebuild: rebuild, points: () => cols[0].length };
  })();
  window.gustCharts = charts; // lets the browser test check that the charts fill

  // ---- polling ----
  async function poll() {
    pollTimer = 0;
    let rep;
    try {
      rep = await getJSON("/stats/requests");
      $("#conn").hidden = true;
      backoff = POLL_MS;
    } catch (e) {
      $("#conn").hidden = false;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      schedule(backoff);
      return;
    }
    lastReport = rep;
    setHeader(rep);
    renderStats(rep);
    renderCustom(rep);
    renderFailures(rep);
    $("#count-exceptions").textContent = rep.exception_count ? fmtInt(rep.exception_count) : "";
    if (rep.state === "spawning" || rep.state === "running" || rep.state === "stopping") {
      const cur = rep.current_response_time_percentiles || {};
      charts.add(Date.now() / 1000, [
        rep.total_rps || 0,
        rep.total_fail_per_sec || 0,
        cur["response_time_percentile_0.5"] || 0,
        cur["response_time_percentile_0.95"] || 0,
        rep.user_count || 0,
      ]);
    }
    refreshTab();
    schedule(POLL_MS);
  }
  function schedule(ms) {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = setTimeout(pollNow, ms);
  }
  // One poll at a time: a click during a poll asks for another one right after it.
  let inFlight = null;
  let again = false;
  function pollNow() {
    if (pollTimer) { clearTimeout(pollTimer); pollTimer = 0; }
    if (inFlight) { again = true; return; }
    inFlight = poll().finally(() => {
      inFlight = null;
      if (again) { again = false; pollNow(); }
    });
  }

  async function start() {
    setState(state);
    if (state === "ready") {
      openDialog($("#start-dialog"));
    } else {
      try {
        const h = await getJSON("/stats/history");
        if (h.history && h.history.length) charts.seed(h.history);
      } catch (e) { /* the charts start from now */ }
    }
    pollNow();
  }
  start();
})();
