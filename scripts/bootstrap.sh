#!/usr/bin/env bash
# Installs what this repository needs on a Debian 12 machine, idempotently and only when missing:
#   system packages through apt-get (PostgreSQL 15 and Redis 7 for tests; the Docker engine,
#   docker-compose and mmdebstrap for the appliance images and stacks; the tools below),
#   a running Docker engine (dockerd started when `docker info` fails),
#   node_modules through `npm ci` when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# Every program a test, a benchmark or a repository command spawns, with the Debian package that
# provides it (a minimal Debian 12 image lacks most of them). scripts/bootstrapTools.test.ts fails
# when code spawns a program missing from this table, so keep one "program=package" per line.
tools=(
  redis-server=redis-server
  dockerd=docker.io
  docker=docker.io
  mmdebstrap=mmdebstrap
  ip=iproute2
  nsenter=util-linux
  umount=mount
  sysctl=procps
  ps=procps
  pgrep=procps
  curl=curl
  sha256sum=coreutils
  tar=tar
  gzip=gzip
  git=git
  strip=binutils
)

need_pkgs=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_pkgs+=(postgresql)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need_pkgs+=(docker-compose)
for entry in "${tools[@]}"; do
  command -v "${entry%%=*}" >/dev/null 2>&1 || need_pkgs+=("${entry#*=}")
done
mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | sort -u | sed '/^$/d')

if [ "${#need_pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "missing system packages: ${need_pkgs[*]}; install them with apt-get as root, then run again" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  say "installing ${need_pkgs[*]} (apt-get)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # A temporary policy-rc.d keeps the packages' own system services from starting (and holding
  # ports 5432/6379): tests and `npm start` run their own servers. An existing policy is left alone.
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  trap 'if [ -n "$added_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi' EXIT
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

bash scripts/ensureDocker.sh

stamp=node_modules/.porten-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/node ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
