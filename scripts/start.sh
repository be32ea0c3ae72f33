#!/usr/bin/env bash
# `npm start`: on a fresh Debian 12 machine, installs what is missing (apt packages, the Docker
# engine, npm ci), builds the single executables and the images (both cached: a re-run takes
# seconds), then brings the platform up and shows a sovereign request served and refused
# (appliance/src/quickStart.ts). Settings: PORTEN_SITE_DIR, PORTEN_PROJECT, PORTEN_HUB_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
bash scripts/bootstrap.sh
# The project's Node 24 (npm ci installed it), also when this script is run without npm.
export PATH="$PWD/node_modules/.bin:$PATH"
say "building the executables (npm run build; cached)"
node bundle/src/build.ts
say "building the images from Debian packages (npm run build:images; cached)"
node bundle/src/images/buildImagesCli.ts
exec node scripts/quickstart/quickStart.ts "$@"
