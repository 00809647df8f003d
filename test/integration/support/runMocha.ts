// Runs mocha inside the VS Code extension host, the way every integration entry needs it:
//   - the project's counting reporter (spec output + {passed, failed, pending} to $UDP_LAB_RESULTS_FILE;
//     the extension host inherits code-server's environment, which the harness sets);
//   - output that actually reaches the harness: mocha formats through Base.consoleLog, whose arguments the
//     extension host would forward unformatted ("✔ %s (%dms),title,718"), so each call is formatted with
//     util.format here and sent line by line with a marker the harness uses to tell test lines from the
//     workbench's own log.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';
import CountingReporter from '../../support/countingReporter';

/** Prefix of every test-output line; scripts/integration/run.js prints what follows it. */
export const TEST_LINE_MARKER = '[udp-lab:test] ';

/** Every `*<suffix>` file under `dir` (recursive), sorted so suites run in a stable order. */
export function findFiles(dir: string, suffix: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f))
    .sort();
}

function routeReporterOutput(): void {
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    for (const line of util.format(...args).split('\n')) console.log(TEST_LINE_MARKER + line);
  };
}

export function runMocha(files: string[], options: { timeoutMs?: number } = {}): Promise<void> {
  if (typeof Mocha !== 'function') throw new Error('mocha did not load as a constructor in the extension host');
  routeReporterOutput();
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: CountingReporter,
    timeout: Number(process.env.UDP_LAB_TEST_TIMEOUT_MS) || options.timeoutMs || 20_000,
    color: process.env.UDP_LAB_TEST_COLOR === '1',
    forbidOnly: true,
    ...(process.env.UDP_LAB_TEST_GREP ? { grep: process.env.UDP_LAB_TEST_GREP } : {}),
  });
  if (files.length === 0) return Promise.reject(new Error('No integration test files were found.'));
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed.`)) : resolve()));
    } catch (e) {
      // A suite file that throws while loading: report it like a failing test so it is seen and counted.
      console.log(TEST_LINE_MARKER + `✘ loading the test files failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      reject(e);
    }
  });
}
