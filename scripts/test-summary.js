#!/usr/bin/env node
// Prints "N passed, N failed[, N skipped]" from vitest's JSON report (the line CI reads).
const fs = require('node:fs');

const file = process.argv[2] || 'test-results.json';
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`no test report at ${file}: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// Suites that crashed before running tests count as failures too.
const failedSuites = (report.testResults || []).filter(
  (r) => r.status === 'failed' && (r.assertionResults || []).length === 0,
).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || report.success === false ? 1 : 0);
