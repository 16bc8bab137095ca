#!/usr/bin/env bash
# Sets up what is missing (Debian packages, npm dependencies, database, build) and starts the dashboard.
# Configuration comes from the environment (see README: ROOTIMG_DATA_DIR, HOST, PORT, TLS_CERT, TLS_KEY, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
scripts/setup.sh
export NODE_ENV=production
exec node --import tsx server.ts
