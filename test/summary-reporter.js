/**
 * Prints each test file's wall time (slowest first, the basis for splitting work between workers), then one plain
 * closing line CI can read: `tests: N passed, N failed, N skipped`.
 */
export default class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map(r => ({
        file: r.testFilePath.replace(`${process.cwd()}/`, ''),
        ms: r.perfStats.end - r.perfStats.start
      }))
      .filter(f => f.ms > 0)
      .sort((a, b) => b.ms - a.ms);
    if (files.length > 1) {
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
