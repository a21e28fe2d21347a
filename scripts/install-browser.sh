#!/usr/bin/env bash
# Installs Debian's headless Chromium and its chromedriver for the console's browser tests
# (ConsoleBrowserIT) when they are missing. Run by the build before the integration tests; never
# fails the build: when it cannot install (not root, no apt-get, no network) it says why and the
# browser tests skip themselves with the same reason.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: chromium/chromedriver missing and this is not root with apt-get;" \
    "the console's browser tests will be skipped" >&2
  exit 0
fi
echo "install-browser: installing chromium and chromium-driver with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; then
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
    || echo "install-browser: apt-get install chromium chromium-driver failed;" \
      "the console's browser tests will be skipped" >&2
fi
exit 0
