#!/usr/bin/env bash
# `npm start`: installs what is missing (apt packages, npm ci), then brings up a local Porten hub with
# its own PostgreSQL and Redis under .porten/, and shows the sovereign policy failing closed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node scripts/local/startLocal.ts "$@"
