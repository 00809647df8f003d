#!/usr/bin/env node
// `npm test`: every check and every suite, in order, then one summary line over all suites:
//   tests: N passed, N failed
// Each suite writes {passed, failed, pending} to the file named by UDP_LAB_RESULTS_FILE; a suite that
// exits non-zero without writing counts is counted as one failure, so a crash can never look green.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const resultsDir = path.join(root, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });

/** Checks must pass but are not counted as tests. */
const checks = [
  // First: the machine tools the suites need (Chromium, iproute2 for the namespace tests, Node 24 and
  // code-server in ~/.cache/udp-lab-test). Idempotent; later runs only confirm the cache.
  ['setup', 'npm', ['run', '-s', 'test:setup']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['build', 'npm', ['run', '-s', 'build']],
];

/** Suites whose entry exists are run; a suite is added to the project by adding its runner here. */
const suites = [
  { name: 'unit', cmd: 'npx', args: ['mocha'], entry: 'test/unit' },
  { name: 'webview', cmd: 'node', args: ['test/webview/run.js'], entry: 'test/webview/run.js' },
  { name: 'integration', cmd: 'node', args: ['scripts/integration/run.js'], entry: 'scripts/integration/run.js' },
];

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failedChecks = 0;
for (const [name, cmd, args] of checks) {
  if (process.argv.includes('--no-checks')) break;
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`✘ ${name} failed (exit ${r.status})`);
    failedChecks++;
  }
}

const totals = { passed: 0, failed: 0, pending: 0 };
const lines = [];
/** Every failed test by suite, reprinted just above the summary: CI keeps only the end of a long log. */
const failureLines = [];
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  if (!fs.existsSync(path.join(root, suite.entry))) continue;
  const resultsFile = path.join(resultsDir, `${suite.name}.json`);
  fs.rmSync(resultsFile, { force: true });
  console.log(`\n=== ${suite.name} tests`);
  const started = Date.now();
  const r = spawnSync(suite.cmd, suite.args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, UDP_LAB_RESULTS_FILE: resultsFile },
  });
  let counts = { passed: 0, failed: 0, pending: 0 };
  try {
    counts = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  } catch {
    // No counts written: the runner itself failed before or after mocha.
  }
  if (r.status !== 0 && counts.failed === 0) {
    counts.failed = 1;
    failureLines.push(`  ${suite.name}: the runner exited ${r.status ?? r.signal} without a failed test (see its output above)`);
  }
  for (const f of counts.failures || []) failureLines.push(`  ${suite.name}: ${f.title}\n      ${f.message}`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.pending += counts.pending || 0;
  lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// The benchmark's quick mode runs once so the benchmark itself cannot rot; a missed ratio is a finding,
// not a failure (bench exits non-zero only when a section crashed). Skipped when only some suites were asked.
if (only.length === 0 && !process.argv.includes('--no-bench')) {
  console.log('\n=== bench (quick smoke run; ratios do not fail the run)');
  const r = spawnSync('npm', ['run', '-s', 'bench', '--', '--quick'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`✘ bench --quick crashed (exit ${r.status})`);
    failedChecks++;
  }
}

if (failureLines.length > 0) console.log('\nfailed:\n' + failureLines.join('\n'));
console.log('\n' + lines.join('\n'));
if (failedChecks > 0) console.log(`checks: ${failedChecks} failed (setup / lint / typecheck / build / bench smoke)`);
console.log(`tests: ${totals.passed} passed, ${totals.failed + failedChecks} failed`);
process.exit(totals.failed + failedChecks > 0 ? 1 : 0);
