#!/usr/bin/env bash
# The system programs the lab and the test suite need beyond Node, npm, git and kubectl (listed in
# .ci/apt-packages.txt: restic, OpenSSH's server and client for the k3s lab's nodes, etcd and etcdctl for real etcd
# snapshots, openssl for the lab's TLS endpoints and test CAs, PostgreSQL for the lab's databases; none is on npm).
# Installs what is missing when it can (root with apt-get, or Homebrew);
# otherwise stops at once with exit 2 and one line per platform saying how to install it.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r pkg program; do
  [ -z "$pkg" ] && continue
  case "$pkg" in \#*) continue ;; esac
  program=${program:-$pkg}
  if [ "${program#/}" != "$program" ]; then
    # an absolute path may be a glob (postgresql's programs live under its major version)
    found=0; for p in $program; do [ -x "$p" ] && found=1; done; [ "$found" = 1 ] && continue
  else command -v "$program" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
done < .ci/apt-packages.txt
[ ${#missing[@]} -eq 0 ] && exit 0

say() { echo "rackhand: ${missing[*]} missing (needed by the lab and the tests): installing with $1" >&2; }
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  say apt-get
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then exit 0; fi
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  say "sudo apt-get"
  if sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then exit 0; fi
elif command -v brew >/dev/null 2>&1; then
  say brew
  if brew install "${missing[@]}"; then exit 0; fi
fi

{
  echo "rackhand: ${missing[*]} missing and could not be installed here. Install, then re-run:"
  echo "  Debian/Ubuntu:  sudo apt-get install ${missing[*]}"
  echo "  Fedora:         sudo dnf install ${missing[*]}"
  echo "  Arch:           sudo pacman -S ${missing[*]}"
  echo "  macOS:          brew install ${missing[*]}"
} >&2
exit 2
