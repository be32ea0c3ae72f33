#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian 12 machine (apt packages, the Docker
# engine, npm ci), builds the single executables and the images the appliance tests run (both
# cached), then runs every test once with vitest and ends with the plain summary line
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
bash scripts/bootstrap.sh
# The project's Node 24 (npm ci installed it), also when this script is run without npm.
export PATH="$PWD/node_modules/.bin:$PATH"
say "building the executables (cached)"
node bundle/src/build.ts
say "building the images from Debian packages (cached)"
node bundle/src/images/buildImagesCli.ts
exec node scripts/runTests.ts "$@"
