#!/usr/bin/env bash
# Makes sure a Docker engine answers: through systemd where it runs, else by starting dockerd in the
# background (overlay2 storage, log in /var/log/porten-dockerd.log). Never starts a second daemon:
# an engine that answers, or a dockerd process already running, is left alone.
set -euo pipefail
say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

docker info >/dev/null 2>&1 && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  say "starting the Docker engine (systemctl start docker)"
  $SUDO systemctl start docker
elif ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting the Docker engine (dockerd in the background; log /var/log/porten-dockerd.log)"
  $SUDO sh -c 'nohup setsid dockerd --storage-driver overlay2 >>/var/log/porten-dockerd.log 2>&1 </dev/null &'
fi
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "the Docker engine did not start within 60 s; see /var/log/porten-dockerd.log (or journalctl -u docker), fix it, then run again" >&2
exit 1
