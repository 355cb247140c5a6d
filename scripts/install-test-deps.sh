#!/usr/bin/env bash
# Installs the Debian packages Fovea's test suite needs, only those that are missing:
#   postgresql (Debian 12: v15)          - server for the store contract tests (see scripts/pg-test-server.sh)
#   chromium, chromium-driver            - headless browser tests of fovea-app
#   dataset-fashion-mnist                - real images (MIT) that the training tests train on
#   fonts-dejavu-core                    - a known font for rendering tests
#   python3-torch, python3-torchvision,  - PyTorch, which makes the published-weights fixtures
#     python3-pil                          (scripts/make-weights-fixtures.py, run by the tests)
#   strace                               - watches every connect(2) of Fovea's processes (NoConnectionsIT)
# A second run, with everything present, only asks dpkg and does not call apt-get.
# The distribution's own PostgreSQL cluster service is NOT started: the tests run their own
# server as the postgres user on a private folder and port (scripts/pg-test-server.sh start).
# Usage: scripts/install-test-deps.sh        (as root, or with everything already installed)
set -euo pipefail

PACKAGES=(postgresql chromium chromium-driver fonts-dejavu-core dataset-fashion-mnist python3-torch python3-torchvision python3-pil strace)

say() { echo "install-test-deps: $*" >&2; }
die() { say "error: $*"; exit 1; }

is_installed() { # true when dpkg has package $1 fully installed
  dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  say "all test packages are installed (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  die "missing packages: ${missing[*]}
  install them as root, e.g.:
    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}
  (or run this script as root)"
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"

# Keep package scripts from starting services (above all the postgresql@15-main cluster) while
# we install: invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d, and 101 means
# "action forbidden". Any policy-rc.d already there (Docker images ship one) is put back after.
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
restore_policy() {
  if [ -n "$POLICY_BACKUP" ] && [ -e "$POLICY_BACKUP" ]; then
    mv -f "$POLICY_BACKUP" "$POLICY"
  else
    rm -f "$POLICY"
  fi
}
if [ -e "$POLICY" ] || [ -L "$POLICY" ]; then
  POLICY_BACKUP="$POLICY.fovea-backup.$$"
  cp -a "$POLICY" "$POLICY_BACKUP"
fi
trap restore_policy EXIT
printf '#!/bin/sh\n# temporary, from fovea scripts/install-test-deps.sh: start no services during install\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
# Wait for an apt/dpkg lock held by someone else (e.g. unattended-upgrades on a fresh VM) rather than fail.
APT_OPTS=(-o DPkg::Lock::Timeout=600)

say "missing packages: ${missing[*]}"
say "running apt-get update"
apt-get "${APT_OPTS[@]}" update >&2 || die "apt-get update failed"
say "installing: ${missing[*]} (this can take a few minutes)"
apt-get "${APT_OPTS[@]}" install -y --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" >&2 || die "apt-get install failed for: ${missing[*]}"

still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
[ "${#still_missing[@]}" -eq 0 ] || die "still not installed after apt-get: ${still_missing[*]}"

say "installed: ${missing[*]}"
say "note: the distribution's PostgreSQL service was not started; use scripts/pg-test-server.sh start"
