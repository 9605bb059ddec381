#!/usr/bin/env bash
# The web UI's browser test: Debian's chromium driven by playwright-core. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "web/e2e: ${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install -y chromium)" >&2
  exit 1
fi
npm ci --no-audit --no-fund || npm install --no-audit --no-fund
node --test --test-reporter=spec webui.test.mjs
