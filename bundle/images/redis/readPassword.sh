# Sourced by the redis entrypoint and healthcheck: sets $password from REDIS_PASSWORD or
# REDIS_PASSWORD_FILE (exactly one must be set), or exits 1 saying what to set.
die() { echo "porten-redis: $*" >&2; exit 1; }
if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  [ -z "${REDIS_PASSWORD:-}" ] || die "both REDIS_PASSWORD and REDIS_PASSWORD_FILE are set: set only one"
  [ -r "$REDIS_PASSWORD_FILE" ] || die "REDIS_PASSWORD_FILE=$REDIS_PASSWORD_FILE cannot be read by uid $(id -u)"
  password="$(< "$REDIS_PASSWORD_FILE")"
else
  password="${REDIS_PASSWORD:-}"
fi
[ -n "$password" ] || die "no password: set REDIS_PASSWORD or REDIS_PASSWORD_FILE (redis refuses to run without one here)"
case "$password" in
  *[[:cntrl:]]*) die "the redis password contains a control character (newline?): use printable characters only" ;;
esac
