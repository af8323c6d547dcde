#!/usr/bin/env node
// Prints "N passed, N failed[, N skipped]" summed over vitest JSON reports (the line CI reads).
// A missing or unreadable report counts as one failure.
const fs = require('node:fs');

const files = process.argv.slice(2);
if (!files.length) files.push('test-results.json');
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const file of files) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.log(`no test report at ${file}: ${err.message}`);
    failed += 1;
    ok = false;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  // Suites that crashed before running tests count as failures too.
  const failedSuites = (report.testResults || []).filter(
    (r) => r.status === 'failed' && (r.assertionResults || []).length === 0,
  ).length;
  const fileFailed = (report.numFailedTests ?? 0) + failedSuites;
  failed += fileFailed;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (fileFailed > 0 || report.success === false) ok = false;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
