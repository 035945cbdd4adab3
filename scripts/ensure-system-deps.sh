#!/usr/bin/env bash
# Debian packages the product needs at run time: a CJK font and HarfBuzz's subsetter for
# WeasyPrint (PDFs in Chinese); with --test also Chromium for the browser tests (tests/e2e)
# and poppler-utils. Installs them when running as root with apt-get, otherwise says exactly
# what to install. Never fails the caller: the app runs without them, PDFs don't.
set -u
need=()
if [ "${1:-}" = "--test" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # T24/T25 start their own
fi
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    echo "WARNING: could not install ${need[*]}; Chinese PDFs will not render until they are installed."
  fi
else
  echo "WARNING: missing Debian packages: ${need[*]}"
  echo "         install them with: sudo apt-get install ${need[*]}"
fi
exit 0
