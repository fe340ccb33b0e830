/**
 * Prints the wall time of each test file that took a second or more (slowest first: where a run's time goes, and
 * what the workers share), then one plain closing line CI can read: `tests: N passed, N failed, N skipped`.
 */
export default class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map(r => ({
        file: r.testFilePath.replace(`${process.cwd()}/`, ''),
        ms: r.perfStats.end - r.perfStats.start
      }))
      .filter(f => f.ms >= 1000)
      .sort((a, b) => b.ms - a.ms);
    if (files.length > 0) {
      process.stdout.write('\ntime per test file:\n');
      for (const { file, ms } of files)
        process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`);
    }
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(
      `\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`
    );
  }
}
