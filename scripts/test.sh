#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian 12 machine, then runs every test once
# with vitest and ends with the plain summary line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# npm puts node_modules/.bin first on PATH, so `node` here is the project's Node 24 once npm ci ran.
exec node scripts/runTests.ts "$@"
