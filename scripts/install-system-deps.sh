#!/usr/bin/env bash
# Installs the Debian packages the tests need (openssl for the upstream TLS
# tests; redis-server for the Redis
# budget store tests; pocketsphinx, pocketsphinx-en-us and flite for the
# speech-to-text tests; chromium and firefox-esr for the console's browser tests). Idempotent: installs only what is missing, so a warm
# machine spends no time here. Run as root (CI is root) or with sudo at hand.
# The package's own service is not started: tests start their own
# redis-server on an ephemeral loopback port (test/harness/redis.ts).
set -euo pipefail

# package → a file it installs, checked to decide whether it is missing
declare -A WANT=(
  [redis-server]=/usr/bin/redis-server
  # speech-to-text: libpocketsphinx (in-process via koffi), its en-us model, flite for test speech
  [pocketsphinx]=/usr/bin/pocketsphinx_continuous
  [pocketsphinx-en-us]=/usr/share/pocketsphinx/model/en-us/en-us
  [flite]=/usr/bin/flite
  # upstream TLS tests make a private CA and certificates
  [openssl]=/usr/bin/openssl
  # the web console's browser tests (test/console) drive it headless through playwright-core
  [chromium]=/usr/bin/chromium
  # the console's Firefox smoke test drives Firefox ESR over WebDriver BiDi (puppeteer-core)
  [firefox-esr]=/usr/bin/firefox-esr
)

missing=()
for pkg in "${!WANT[@]}"; do
  [[ -x "${WANT[$pkg]}" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system deps present: ${!WANT[*]}"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "install-system-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Keep apt from starting the packages' services (a daemon on :6379 helps no
# test): a policy-rc.d that denies every start, removed again on exit, only if
# none was there before.
POLICY=/usr/sbin/policy-rc.d
if [[ ! -e $POLICY ]]; then
  "${SUDO[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod +x $POLICY"
  trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
for pkg in "${missing[@]}"; do
  [[ -x "${WANT[$pkg]}" ]] || { echo "install-system-deps: $pkg did not install ${WANT[$pkg]}" >&2; exit 1; }
done
