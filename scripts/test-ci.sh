#!/usr/bin/env bash
# The full check: types, lint, client bundles, every test. Exits non-zero when any test fails
# or is skipped, and prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
npm run typecheck
npm run lint
npm run build:client
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?
node scripts/check-test-report.mjs test-artifacts/vitest.json || status=1
# The benchmark harness at its smallest size, so it keeps working (figures are not judged here).
npm run bench -- --size=smoke --only=fanout,reads || status=1
exit $status
