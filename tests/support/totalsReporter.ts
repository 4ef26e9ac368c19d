import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

/**
 * Mocha's `spec` output, then one plain totals line as the very last thing printed:
 * `tests: N passed, M failed`. Failures are mocha's own count, so a failing hook
 * ("before all" hook, "after each" hook, ...) counts as a failure, not as nothing.
 * When TEST_TOTALS_FILE is set (under .ci/run), the totals go there as JSON instead and the line
 * names mocha, so that the only `tests:` line CI prints is its own over every runner, at the very end.
 */
class TotalsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    // A test that passed and was then failed by an "after each" check (the contract check) counts once, as failed.
    const passedTests = new Set<Mocha.Runnable>();
    let failed = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => passedTests.add(test));
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (runnable) => {
      failed += 1;
      passedTests.delete(runnable);
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const passed = passedTests.size;
      const file = process.env.TEST_TOTALS_FILE;
      // After spec's own epilogue, which is registered (by the base class) before this listener.
      if (file) {
        writeFileSync(file, `${JSON.stringify({ runner: 'mocha', passed, failed })}\n`);
        process.stdout.write(`\nmocha: ${passed} passed, ${failed} failed\n`);
      } else {
        process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
      }
    });
  }
}

export = TotalsReporter;
