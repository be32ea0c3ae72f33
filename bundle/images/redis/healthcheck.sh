#!/bin/bash
# porten/redis healthcheck: healthy when an authenticated PING answers PONG (server up, password set).
set -Eeuo pipefail
. /usr/local/lib/porten/readPassword.sh
[ "$(REDISCLI_AUTH="$password" redis-cli --no-auth-warning -h 127.0.0.1 -p 6379 ping)" = PONG ]
