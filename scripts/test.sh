#!/usr/bin/env bash
# Installs what the tests need (same set-up as the start command, plus Chromium) and runs every test:
# the type check, the linter (Biome: lint rules and import order), the unit tests (vitest) and the browser tests
# (Playwright in Debian's Chromium against the real server). Ends with one line "tests: N passed, N failed"
# (a failed type check or lint counts as one failure each). Exit code non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p test-results
scripts/setup.sh --for-tests || exit 1

status=0
failed_checks=()
echo "== type check (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json || { echo "type check failed"; failed_checks+=("type check"); status=1; }

echo "== lint (biome check)"
npx biome check --error-on-warnings || { echo "biome check failed (npx biome check --write fixes the import order)"; failed_checks+=("biome check"); status=1; }

echo "== unit tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=1

echo "== browser tests (playwright, Debian chromium)"
# One retry: the suite shares two cores with the build and QEMU; a test that passes only on its retry is named
# "FLAKY" in the summary below so that it gets fixed rather than hidden.
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --retries=1 --reporter=list,json || status=1

FAILED_CHECKS="$(IFS=,; echo "${failed_checks[*]}")" node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json || status=1
exit $status
