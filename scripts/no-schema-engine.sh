#!/bin/sh
# Stand-in for Prisma's native schema engine (not downloadable offline). Lets `prisma generate`
# and `prisma --version` run; any migrate/db command fails loudly.
[ "$1" = "--version" ] && { echo "schema-engine-cli offline-stub"; exit 0; }
echo "No native Prisma schema engine offline. Use: node scripts/db.mjs dev <name>|deploy|push|diff" >&2
exit 1
