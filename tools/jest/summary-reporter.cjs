// Appends each Jest run's totals to the file named by HOOKLINE_TEST_SUMMARY so that `npm test`
// can print one closing line for the whole workspace.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.HOOKLINE_TEST_SUMMARY;
    if (!file) return;
    const line = {
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      // Suites that failed to run at all; a suite whose tests failed is counted by its tests.
      suitesFailed: results.numRuntimeErrorTestSuites,
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = SummaryReporter;
