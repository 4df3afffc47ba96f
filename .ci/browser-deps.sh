#!/usr/bin/env bash
# Browser-test dependencies: Debian's Chromium (never a downloaded browser) and playwright-core
# from the npm lockfile. Idempotent and quiet; run by .ci/run before `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "browser-deps: installing chromium (apt)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-liberation fonts-dejavu-core >/dev/null
fi

# Korean pages need a Korean font, or screenshots show boxes instead of Hangul.
# (grep without -q reads all of fc-list: with pipefail, -q would fail the pipe on SIGPIPE)
if ! fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "browser-deps: installing a Korean font (fonts-noto-cjk, apt)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    fonts-noto-cjk >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "browser-deps: node is missing (the machine's Node.js runs the browser flows)" >&2
  exit 1
fi

# Installed already at the lockfile's version? Then there is nothing to do.
installed_matches_lock() {
  node -e '
    // playwright-core (browser flows) and kafkajs (tests/java_style_clients.rs)
    const ok = ["playwright-core", "kafkajs"].every((name) => {
      const lock = require("./package-lock.json").packages["node_modules/" + name];
      const have = require("./node_modules/" + name + "/package.json");
      return lock && have.version === lock.version;
    });
    process.exit(ok ? 0 : 1);
  ' 2>/dev/null
}

if ! installed_matches_lock; then
  echo "browser-deps: npm ci"
  # playwright-core downloads nothing on install; the flows use /usr/bin/chromium.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
echo "browser-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium?), node $(node --version), playwright-core $(node -p "require('./node_modules/playwright-core/package.json').version")"
