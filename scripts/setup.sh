#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Node 20: Debian packages, npm dependencies,
# the generated Prisma client, the database, and the production build. A second run does only what changed
# (seconds). Usage: scripts/setup.sh [--for-tests | --deps-only]
#   --for-tests  also the Debian packages the tests need
#   --deps-only  packages, npm dependencies, Prisma client and CLI bundle only: no database, no build
#                (what scripts/release.sh needs; it builds the dashboard in its own staging directory)
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# What the product runs (packing, chroot, the demo image and its test hosts), and what only the tests need.
# python3, make and g++ build node-pty (the shell's pseudo-terminal) at `npm ci`: it ships no Linux prebuild.
RUNTIME_PKGS=(pigz libdeflate-tools openssl cpio xz-utils libarchive-tools busybox-static attr acl file util-linux linux-image-amd64 qemu-system-x86 python3 make g++)
TEST_PKGS=(chromium time libcap2-bin systemd iproute2 curl)

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))"

want=("${RUNTIME_PKGS[@]}")
deps_only=0
case "${1:-}" in
  "") ;;
  --for-tests) want+=("${TEST_PKGS[@]}") ;;
  --deps-only) deps_only=1 ;;
  *) die "unknown option $1 (usage: scripts/setup.sh [--for-tests | --deps-only])" ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}; run this as root or install them with apt-get"
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: check the network and /etc/apt/sources.list"
  apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install failed for: ${missing[*]}"
fi

# An unpacked release (scripts/release.sh) carries its node_modules, the Prisma client, the CLI bundle and the
# build: nothing to install or build, and no network needed (air-gapped management nodes).
if [ -f RELEASE ]; then
  # better-sqlite3 is compiled for one Node ABI: a different Node major would fail later with a less clear error.
  node -e 'const r = JSON.parse(require("fs").readFileSync("RELEASE", "utf8")); if (r.abi !== process.versions.modules) { console.error(`error: this release was built for Node ${r.node} (ABI ${r.abi}); this machine runs Node ${process.versions.node} (ABI ${process.versions.modules}): install Node ${r.node.split(".")[0]}`); process.exit(1); }'
  node scripts/db.mjs deploy --quiet
  exit 0
fi

# npm ci only when the lockfile changed since the last install (node_modules/.package-lock.json is npm's own copy).
if [ ! -d node_modules ] || ! cmp -s <(sed -n '/"packages"/,$p' package-lock.json) <(sed -n '/"packages"/,$p' node_modules/.rootimg-lock 2>/dev/null); then
  say "installing npm dependencies (npm ci; compiles better-sqlite3, about 2 minutes the first time)"
  npm ci --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed (see above)"
  cp package-lock.json node_modules/.rootimg-lock
fi
[ -f lib/db/generated/client.ts ] || npx prisma generate >/dev/null
bin/rootimg --help >/dev/null  # builds dist/rootimg.mjs, the CLI bundle (the launcher rebuilds it when sources change)
[ "$deps_only" = 1 ] && exit 0

# The database is migrated by server.ts at every start too; doing it here makes `--for-tests` runs self-contained.
node scripts/db.mjs deploy --quiet

# Build only when a source file is newer than the last build.
dist=${NEXT_DIST_DIR:-.next}
if [ ! -f "$dist/BUILD_ID" ] || [ -n "$(find app components lib public next.config.js package-lock.json -newer "$dist/BUILD_ID" -type f -not -path 'lib/db/generated/*' -not -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
  say "building the dashboard (next build, about a minute)"
  # webpack, not Turbopack: Turbopack's file tracing follows the core's computed paths into the data and
  # image directories and fails on an image's dangling symlinks (e.g. etc/mtab).
  npx next build --webpack >&2 || die "next build failed (see above)"
fi
