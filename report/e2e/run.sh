#!/bin/sh
# Renders a sample report in headless Chromium and checks its charts.
# Needs node, npm, Go and Chromium (/usr/bin/chromium, or set CHROMIUM).
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund || npm install --no-audit --no-fund
mkdir -p out
(cd ../.. && go run ./report/e2e/gen report/e2e/out/report.html)
REPORT="$PWD/out/report.html" SCREENSHOT="${SCREENSHOT:-$PWD/out/report.png}" node --test
