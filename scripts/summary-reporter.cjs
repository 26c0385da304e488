// Prints the plain closing line CI reads: "N passed, N failed".
// A suite that could not run (syntax error, failing hook) counts as one failure, so a broken file
// can never look green. Under scripts/test.mjs the counts go to a file instead, and that script
// prints the one closing line for the whole run (checks + tests).
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const brokenSuites = results.testResults.filter(
      (r) => r.testExecError || (r.failureMessage && r.numFailingTests === 0),
    ).length;
    const summary = { passed: results.numPassedTests, failed: results.numFailedTests + brokenSuites };
    if (process.env.CAMPUS_SUMMARY_FILE) {
      writeFileSync(process.env.CAMPUS_SUMMARY_FILE, JSON.stringify(summary));
    } else {
      process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed\n`);
    }
  }
}
module.exports = SummaryReporter;
