#!/bin/bash
# porten/redis entrypoint. Contract (the compose files rely on it):
#   REDIS_PASSWORD or REDIS_PASSWORD_FILE  required; every client must AUTH with it
# Serves on all container interfaces, port 6379, in the foreground, as redis (999); protected mode off
# (the password protects it); AOF (appendfsync everysec) and RDB snapshots in /data (a volume).
# Extra arguments are passed to redis-server (`redis-server --maxmemory 1gb`); other commands run as
# given. The password reaches redis-server on stdin as configuration, never on its command line.
set -Eeuo pipefail
if [ "${1:-}" != redis-server ]; then exec "$@"; fi
shift
. /usr/local/lib/porten/readPassword.sh

escaped="${password//\\/\\\\}"
escaped="${escaped//\"/\\\"}"
exec redis-server - --bind '* -::*' --port 6379 --protected-mode no --dir /data \
  --appendonly yes --appendfsync everysec --save '3600 1 300 100 60 10000' "$@" <<< "requirepass \"$escaped\""
