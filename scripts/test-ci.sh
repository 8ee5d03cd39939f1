#!/usr/bin/env bash
# The full check: types, lint, client bundles, the benchmark harness at smoke size, every test.
# Exits non-zero when any test fails or is skipped; the last line is "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
npm run typecheck
npm run lint
npm run lint:openapi
npm run build:client -- --check-readme
status=0
# The benchmark harness at its smallest size, so it keeps working (figures are not judged here).
npm run bench -- --size=smoke --only=fanout,reads || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=1
node scripts/check-test-report.mjs test-artifacts/vitest.json || status=1
exit $status
