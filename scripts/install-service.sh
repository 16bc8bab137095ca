#!/usr/bin/env bash
# Installs Rootimg Studio as the systemd service `rootimg-studio`, running this checkout or unpacked release
# as root: prepares it (scripts/setup.sh: Debian packages, dependencies and build in a checkout; only the
# checks and the database in a release), writes /etc/systemd/system/rootimg-studio.service, creates
# /etc/rootimg-studio/env (mode 0600, kept when it exists) and /var/lib/rootimg-studio, then enables and
# starts the service.
#
# Usage: scripts/install-service.sh [--no-start] [--dest-root DIR] [--no-setup]
#   --no-start    write the files but do not enable or start the service
#   --dest-root   write every file under DIR instead of / (a staging root; implies --no-start)
#   --no-setup    do not run scripts/setup.sh (the tree is already prepared)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=""
start=1
setup=1
while [ $# -gt 0 ]; do
  case "$1" in
    --no-start) start=0 ;;
    --no-setup) setup=0 ;;
    --dest-root) dest=$(realpath -m "${2:?--dest-root needs a directory}"); start=0; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\033[1m[install-service]\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[ -n "$dest" ] || [ "$(id -u)" = 0 ] || die "run this as root (the service runs as root and writes /etc and /var/lib)"
node=$(command -v node) || die "node is not on PATH: install Node.js 20"
node=$(readlink -f "$node")
case "$root" in *[[:space:]]*) die "the directory $root contains white space, which a systemd unit cannot carry unquoted: move it" ;; esac

if [ "$setup" = 1 ]; then
  say "preparing $root (scripts/setup.sh)"
  "$root/scripts/setup.sh"
fi

unit="$dest/etc/systemd/system/rootimg-studio.service"
envfile="$dest/etc/rootimg-studio/env"
datadir="$dest/var/lib/rootimg-studio"
mkdir -p "$(dirname "$unit")"
install -d -m 0700 "$(dirname "$envfile")" "$datadir"
sed -e "s|@ROOT@|$root|g" -e "s|@NODE@|$node|g" "$root/scripts/rootimg-studio.service" > "$unit.tmp"
mv -f "$unit.tmp" "$unit"
say "wrote $unit (runs $node --import tsx server.ts in $root)"
if [ -e "$envfile" ]; then
  say "kept the existing configuration $envfile"
else
  install -m 0600 "$root/scripts/rootimg-studio.env" "$envfile"
  say "wrote the configuration $envfile (data directory /var/lib/rootimg-studio, http://127.0.0.1:3000)"
fi

if [ "$start" = 0 ]; then
  say "not started (--no-start/--dest-root)"
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  say "systemd is not running on this machine: the unit is installed but not started; start the server by hand with scripts/start.sh"
  exit 0
fi
systemctl daemon-reload
systemctl enable rootimg-studio.service >/dev/null 2>&1
systemctl restart rootimg-studio.service
say "started: systemctl status rootimg-studio; logs: journalctl -u rootimg-studio -f"
say "the first start creates the user admin; its log line says how to sign in: journalctl -u rootimg-studio | grep admin"
