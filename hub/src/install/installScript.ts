/**
 * The node installer served at GET /install.sh. POSIX sh, for any Linux x86_64 machine inside the
 * site's network with curl, sha256sum and tar (Debian minbase plus curl is enough; no Node.js):
 *
 *   curl -fsSL http://<hub>/install.sh | sh
 *
 * It downloads the agent and its native payload from this hub (never from the internet), checks
 * both against the hub's release manifest (SHA256SUMS, derived from release.json) before anything
 * is written to the install directory, installs them, enrolls the machine (`porten login`, which
 * prints the approval code an operator enters) unless it is already enrolled, and starts the agent:
 * as a systemd service where systemd runs, else in the background with a pid file. Re-running it
 * upgrades the agent in place: same credential, the running agent drained and restarted.
 *
 * Every command the script runs gets </dev/null: under `curl | sh` the script itself is stdin,
 * and a child reading stdin would eat the rest of it.
 */
export function renderInstallScript(hubUrl: string, version: string): string {
  return TEMPLATE.replaceAll('__HUB_URL__', hubUrl).replaceAll('__VERSION__', version);
}

const TEMPLATE = `#!/bin/sh
# Porten node installer (release __VERSION__), served by the hub at __HUB_URL__/install.sh
#   curl -fsSL __HUB_URL__/install.sh | sh
# Settings (environment):
#   PORTEN_HUB_URL     hub to install from and enroll with (default: __HUB_URL__)
#   PORTEN_PREFIX      install directory (default /opt/porten); \`porten\` is linked into PORTEN_BIN_DIR
#   PORTEN_BIN_DIR     default /usr/local/bin
#   PORTEN_NODE_NAME   node name shown to operators (default: the hostname)
#   PORTEN_NO_START=1  install and enroll, but do not start the agent
#   PORTEN_HOME, PORTEN_ENGINE, ...  passed to the agent (see docs/agent.md)
# Re-running upgrades the agent in place; the node keeps its enrollment.
set -eu
HUB="\${PORTEN_HUB_URL:-__HUB_URL__}"
HUB="\${HUB%/}"
PREFIX="\${PORTEN_PREFIX:-/opt/porten}"
BIN_DIR="\${PORTEN_BIN_DIR:-/usr/local/bin}"
AGENT_HOME="\${PORTEN_HOME:-\${HOME:-/root}/.porten}"

say() { printf '==> %s\\n' "$*"; }
die() { printf 'porten install: %s\\n' "$*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "this release is for Linux x86_64; this machine is $(uname -s) $(uname -m)"
for tool in curl sha256sum tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required; install it (e.g. apt-get install $tool) and run this again"
done
mkdir -p "$PREFIX" "$BIN_DIR" 2>/dev/null && [ -w "$PREFIX" ] && [ -w "$BIN_DIR" ] ||
  die "cannot write to $PREFIX and $BIN_DIR; run as root (curl -fsSL $HUB/install.sh | sudo sh) or set PORTEN_PREFIX and PORTEN_BIN_DIR"

STAGE=$(mktemp -d "$PREFIX/.install.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
trap 'exit 130' INT TERM

fetch() {
  curl -fsS --retry 3 --connect-timeout 10 -o "$STAGE/$1" "$HUB/install/$1" </dev/null ||
    die "could not download $1 from $HUB/install/$1; check that this machine reaches the hub"
}
say "downloading the agent (release __VERSION__) from $HUB"
fetch SHA256SUMS
fetch porten
fetch porten-payload.tar.gz
if ! (cd "$STAGE" && sha256sum -c --quiet --strict SHA256SUMS) >"$STAGE/check.log" 2>&1 </dev/null; then
  sed 's/^/    /' "$STAGE/check.log" >&2
  die "the downloaded agent does not match the hub's release manifest (sha256); nothing was installed. The release files on the hub may be damaged or tampered with: tell the hub's operator"
fi
say "checksums match the release manifest"

mkdir "$STAGE/payload"
tar -xzf "$STAGE/porten-payload.tar.gz" -C "$STAGE/payload" </dev/null || die "could not unpack porten-payload.tar.gz (disk full?)"
PAYLOAD="$STAGE/payload"
[ -d "$PAYLOAD/porten-payload" ] && PAYLOAD="$PAYLOAD/porten-payload"
chmod 0755 "$STAGE/porten"
"$STAGE/porten" version >/dev/null 2>&1 </dev/null || die "the downloaded agent does not run on this machine: $("$STAGE/porten" version 2>&1 </dev/null | head -n 1)"

# Swap in: the payload, then the binary (each a rename on the same filesystem). An agent still
# running keeps the files it has open until it is restarted below.
rm -rf "$PREFIX/porten-payload.old"
[ ! -d "$PREFIX/porten-payload" ] || mv "$PREFIX/porten-payload" "$PREFIX/porten-payload.old"
mv "$PAYLOAD" "$PREFIX/porten-payload"
mv "$STAGE/porten" "$PREFIX/porten"
rm -rf "$PREFIX/porten-payload.old"
ln -sf "$PREFIX/porten" "$BIN_DIR/porten"
say "installed $("$PREFIX/porten" version </dev/null) in $PREFIX"

status=0
"$PREFIX/porten" status >/dev/null 2>&1 </dev/null || status=$?
if [ "$status" -eq 3 ]; then
  say "enrolling this machine with $HUB: an operator approves the code below"
  if [ -n "\${PORTEN_NODE_NAME:-}" ]; then
    "$PREFIX/porten" login --hub "$HUB" --name "$PORTEN_NODE_NAME" </dev/null
  else
    "$PREFIX/porten" login --hub "$HUB" </dev/null
  fi
else
  say "this machine is already enrolled; keeping its credential"
fi

if [ "\${PORTEN_NO_START:-}" = 1 ]; then
  say "done; start the agent with: porten run"
  exit 0
fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  was_active=0
  systemctl is-active --quiet porten 2>/dev/null && was_active=1
  "$PREFIX/porten" service install </dev/null
  # enable --now does not restart a running unit: an upgrade restarts it (porten drains on SIGTERM).
  [ "$was_active" -eq 0 ] || systemctl restart porten </dev/null
  say "done; the agent runs as the systemd service porten (journalctl -u porten)"
else
  # No systemd (a container, a minimal host): run in the background with a pid file.
  mkdir -p "$AGENT_HOME"
  PIDFILE="$AGENT_HOME/porten.pid"
  LOG="$AGENT_HOME/porten.log"
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    old=$(cat "$PIDFILE")
    say "stopping the running agent (pid $old; it finishes in-flight requests first)"
    kill -TERM "$old"
    n=0
    while kill -0 "$old" 2>/dev/null; do
      n=$((n + 1))
      [ "$n" -le 120 ] || die "the old agent (pid $old) did not stop within 60 s; stop it, then run this again"
      sleep 0.5
    done
  fi
  nohup "$PREFIX/porten" run >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  say "done; the agent runs in the background (pid $!, log $LOG); no systemd here, so start it again after a reboot with: porten run"
fi
`;
