// Reads vitest's JSON report and fails when a test failed, was skipped, or none ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-artifacts/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`no test report at ${file}: ${err.message}`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (skipped > 0) {
  for (const r of report.testResults ?? []) {
    for (const a of r.assertionResults ?? []) {
      if (a.status === 'pending' || a.status === 'skipped' || a.status === 'todo')
        console.error(`skipped: ${r.name} > ${a.fullName}`);
    }
  }
  console.error('skipped tests are not allowed in CI (a missing Redis or PostgreSQL must fail, not skip)');
}
for (const r of failedSuites) console.error(`failed suite: ${r.name}: ${(r.message ?? '').slice(0, 500)}`);
if (passed === 0 || failed > 0 || skipped > 0 || failedSuites.length > 0) process.exit(1);
