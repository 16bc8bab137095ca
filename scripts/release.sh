#!/usr/bin/env bash
# Builds the release tarball for management nodes without a route to the npm registry:
#   rootimg-studio-<version>-linux-<arch>.tar.gz  (+ .sha256)
# holding the built dashboard (.next), the server's sources (run by tsx), production node_modules with the
# native modules compiled for this platform (better-sqlite3 for this Node ABI), the CLI bundle (dist/rootimg.mjs)
# and the database migrations. On the target (Debian 12, Node.js 20 of the same major version, the Debian
# packages of scripts/setup.sh): unpack it anywhere and run scripts/install-service.sh or scripts/start.sh;
# neither touches the network.
#
# Usage: scripts/release.sh [--out DIR]   (default DIR: ./release); prints the tarball's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
out=release
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { printf '\033[1m[release]\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
[ -f RELEASE ] && die "this is already a release; build releases from a git checkout"

# Dependencies, Prisma client and CLI bundle, as the start command does. Not the checkout's build: the
# release's dashboard is built below from the sources, in the staging directory, so the checkout's .next
# (which a running server or a test run may be using) is never rebuilt or read.
scripts/setup.sh --deps-only

version=$(git describe --tags --always --dirty 2>/dev/null || date -u +%Y%m%d%H%M%S)
name="rootimg-studio-$version-linux-$(uname -m)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.stage-XXXXXX")
trap 'rm -rf "$stage"' EXIT
dir="$stage/$name"
mkdir "$dir"

say "copying the server, the build and the migrations"
# What `node --import tsx server.ts` loads: server.ts and lib/ (TypeScript, compiled on load by tsx),
# tsconfig.json for the @/ paths, scripts/db.mjs for the migrations, and the build without its cache.
cp -a server.ts tsconfig.json next.config.js package.json package-lock.json prisma.config.ts README.md "$dir/"
cp -a lib prisma docs bin "$dir/"
mkdir -p "$dir/scripts" "$dir/dist"
cp -a scripts/setup.sh scripts/start.sh scripts/db.mjs scripts/no-schema-engine.sh scripts/install-service.sh \
  scripts/rootimg-studio.service scripts/rootimg-studio.env "$dir/scripts/"
cp -a dist/rootimg.mjs "$dir/dist/"

say "building the dashboard in the staging directory (next build, a few minutes)"
# The pages' sources are needed for the build only; the release runs the build.
cp -a app components "$dir/"
cp -a node_modules "$dir/"
(cd "$dir" && env -u NEXT_DIST_DIR NEXT_TELEMETRY_DISABLED=1 npx next build --webpack >&2) || die "next build failed (see above)"
[ -f "$dir/.next/BUILD_ID" ] || die "next build left no .next/BUILD_ID"
rm -rf "$dir/app" "$dir/components" "$dir/.next/cache" "$dir/.next/dev" "$dir/next-env.d.ts"
find "$dir/lib" "$dir/bin" -name '*.test.ts' -delete
cp -a tsconfig.json "$dir/"  # as in the checkout (the build adds its type paths to the staged copy)

say "removing the development packages (npm prune --omit=dev, offline)"
(cd "$dir" && npm prune --omit=dev --offline --no-audit --no-fund --ignore-scripts --loglevel=error >&2) || die "npm prune failed (see above)"
# Compile artefacts of better-sqlite3 the loader never reads (its addon is build/Release/better_sqlite3.node).
rm -rf "$dir/node_modules/better-sqlite3/deps" "$dir/node_modules/better-sqlite3/src" "$dir/node_modules/better-sqlite3/build/Release/obj" \
  "$dir/node_modules/better-sqlite3/build/Release/.deps" "$dir/node_modules/better-sqlite3/build/Release/obj.target"
# The CLI bundle must be newer than its sources so bin/rootimg never tries to rebuild it on the target.
touch "$dir/dist/rootimg.mjs"

node -e 'console.log(JSON.stringify({ version: process.argv[1], node: process.versions.node, abi: process.versions.modules, arch: process.arch, built: new Date().toISOString() }))' "$version" > "$dir/RELEASE"

say "writing $name.tar.gz"
tarball="$out/$name.tar.gz"
tar -C "$stage" -cf - "$name" | pigz -6 > "$tarball.tmp"
mv -f "$tarball.tmp" "$tarball"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
say "$(du -h "$tarball" | cut -f1) $(cat "$tarball.sha256" | cut -c1-16)…"
echo "$tarball"
