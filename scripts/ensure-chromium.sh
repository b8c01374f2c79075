#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium); Playwright's own browser
# download cannot work on our machines. Installs it when we can, otherwise says how.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's chromium package (one time)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $chromium. Install it with: sudo apt-get install -y chromium" >&2
echo "(or point CHROMIUM_PATH at another Chromium build)" >&2
exit 1
