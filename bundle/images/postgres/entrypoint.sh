#!/bin/bash
# porten/postgres entrypoint. Contract (the compose files rely on it):
#   POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE  password of POSTGRES_USER; one of them is required on
#                                                the first start, the other must then be unset
#   POSTGRES_USER (default porten)               login role created on the first start, owner of POSTGRES_DB
#   POSTGRES_DB   (default porten)               database created on the first start
#   PGDATA        (/var/lib/postgresql/data)     the data folder (a volume)
# First start (no PGDATA/PG_VERSION): initdb (UTF8, C.UTF-8), create the role and the database, then
# serve. Later starts only serve: the variables are not read again (change a password with ALTER ROLE).
# Superuser "postgres" has no password: reachable only through the local socket (peer), e.g.
# `docker exec <container> psql`. Network clients: any address, scram-sha-256 only; listens on all
# container interfaces, in the foreground, as postgres (999). Started as root (e.g. `--user 0` with a
# bind mount), it gives PGDATA to postgres and drops to it. Other commands (`psql …`) run as given.
set -Eeuo pipefail

die() { echo "porten-postgres: $*" >&2; exit 1; }

if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
  chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

[ -w "$PGDATA" ] || die "$PGDATA is not writable by uid $(id -u): give the volume to uid 999 (chown -R 999:999 <path>) or start the container once as root"

read_password() {
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    [ -z "${POSTGRES_PASSWORD:-}" ] || die "both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set: set only one"
    [ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE cannot be read by uid $(id -u)"
    password="$(< "$POSTGRES_PASSWORD_FILE")"
  else
    password="${POSTGRES_PASSWORD:-}"
  fi
  [ -n "$password" ] || die "no password: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE for the first start (it initialises $PGDATA)"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  read_password
  user="${POSTGRES_USER:-porten}"
  db="${POSTGRES_DB:-porten}"
  echo "porten-postgres: first start, initialising $PGDATA (database $db, owner $user)"
  initdb -D "$PGDATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  printf '\n# porten: network clients from any address, password (SCRAM) only\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  # A private socket folder and no TCP while setting up: the healthcheck (socket in /run/postgresql)
  # and clients see nothing until the real server starts below.
  sock="$(mktemp -d)"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$sock" start >/dev/null
  # The password reaches psql through its environment (\getenv), never through a command line.
  PORTEN_PG_PASSWORD="$password" psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U postgres -d postgres --set=user="$user" --set=db="$db" <<'SQL'
\getenv password PORTEN_PG_PASSWORD
SELECT :'user' = 'postgres' AS is_superuser \gset
\if :is_superuser
ALTER ROLE postgres PASSWORD :'password';
\else
CREATE ROLE :"user" LOGIN PASSWORD :'password';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') AS create_db \gset
\if :create_db
CREATE DATABASE :"db" OWNER :"user";
\endif
SQL
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  rmdir "$sock"
  echo "porten-postgres: initialised"
fi

shift
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
