#!/usr/bin/env node
// `npm run test:integration` (and the integration part of `npm test`): UDP Lab's mocha suites inside a real
// VS Code — code-server's workbench in headless Chromium — offline, with nothing but loopback.
//
//   node scripts/integration/run.js [--grep <pattern>] [--no-package] [--keep-temp] [--timeout <seconds>]
//
// Phases (each with a time limit; a hang ends with a message naming the phase):
//   1. tools      Node 24, code-server and Chromium, installed once into ~/.cache/udp-lab-test (install.js)
//   2. build      node esbuild.js (the extension and out/test/integration/**)
//   3. suites     test/integration/**/*.test.ts in the extension host, with the extension under development
//   4. packaged   `npm run package`, then the .vsix installed into a FRESH code-server (--install-extension) and
//                 checked from there (test/integration/packaged/), so a broken .vscodeignore or a missing
//                 bundle fails CI. Its checks are mocha tests too and count in the `tests:` line.
// Test lines stream to the terminal; the full workbench log of each phase is kept in test-results/integration/.
// On failure a screenshot, the code-server log and VS Code's own logs are saved there too. Counts of both
// phases are summed into $UDP_LAB_RESULTS_FILE for scripts/test-all.js.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureTools } = require('./install');
const { Harness } = require('./harness');
const { vscodeVersion } = require('./codeServer');
const { memorySampler } = require('./processes');
const { runSession, dim } = require('./session');
const { packageVsix } = require('../package');

const root = path.resolve(__dirname, '..', '..');
const resultsDir = path.join(root, 'test-results', 'integration');

function parseArgs(argv) {
  const opts = { grep: undefined, package: true, keepTemp: false, timeout: Number(process.env.UDP_LAB_INTEGRATION_TIMEOUT) || 300 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep' || a === '-g') opts.grep = argv[++i];
    else if (a === '--no-package') opts.package = false;
    else if (a === '--keep-temp') opts.keepTemp = true;
    else if (a === '--timeout') opts.timeout = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/integration/run.js [--grep <pattern>] [--no-package] [--keep-temp] [--timeout <seconds>]');
      process.exit(0);
    } else throw new Error(`Unknown option ${a}. Run with --help for the options.`);
  }
  return opts;
}

function runChild(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}).`)),
    );
  });
}

function readCounts(file) {
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { passed: c.passed | 0, failed: c.failed | 0, pending: c.pending | 0, failures: Array.isArray(c.failures) ? c.failures : [] };
  } catch {
    return undefined;
  }
}

/**
 * A session whose mocha counts are summed: the extension host writes them (countingReporter) to a file of
 * its own; a session that ends without counts, or fails while its counts say 0 failed (a hang after the
 * last test, a crash), is one failure — never green.
 */
async function countedSession(harness, tools, opts, session) {
  // In this run's own temp folder: other runs in the same checkout (the bench, a colleague) must not see or
  // remove it.
  const countsFile = path.join(harness.dir('counts'), `${session.name}.json`);
  // --grep narrows the suites only; the packaged check always runs whole (and ignores an inherited grep).
  const grep = session.name === 'suites' ? opts.grep || process.env.UDP_LAB_TEST_GREP || '' : '';
  const env = { UDP_LAB_RESULTS_FILE: countsFile, UDP_LAB_TEST_GREP: grep, ...(session.env || {}) };
  const { failure } = await runSession(harness, tools, { ...session, env, resultsDir, timeout: opts.timeout });
  const counts = readCounts(countsFile);
  if (!counts) {
    if (!failure) console.error(`✘ ${session.title}: the tests ended without writing their counts (${countsFile})`);
    return { passed: 0, failed: 1, pending: 0, failures: [{ title: session.title, message: failure ? String(failure) : 'ended without counts' }] };
  }
  if (failure && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push({ title: session.title, message: String(failure) });
  }
  return counts;
}

/** "tools 0.0 s, build 0.4 s, suites 12.1 s (start code-server 0.8 s, …), …" from the harness's phase timings. */
function timingSummary(timings) {
  const groups = new Map();
  for (const [name, seconds] of timings) {
    const [group, detail] = name.includes(': ') ? name.split(': ') : [name, undefined];
    if (!groups.has(group)) groups.set(group, { total: 0, details: [] });
    const g = groups.get(group);
    g.total += seconds;
    if (detail) g.details.push(`${detail} ${seconds.toFixed(1)} s`);
  }
  return [...groups]
    .map(([group, g]) => `${group} ${g.total.toFixed(1)} s${g.details.length > 0 ? ` (${g.details.join(', ')})` : ''}`)
    .join('; ');
}

/**
 * The previous run's failure artifacts go, so a stale screenshot cannot mislead; logs are overwritten by name.
 * (Not the whole folder: another run in the same checkout, e.g. the bench, may be writing its logs there.)
 */
function clearResults() {
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const f of fs.readdirSync(resultsDir)) {
    if (/-(failure\.png|vscode-logs|server-logs)$|\.counts\.json$/.test(f)) fs.rmSync(path.join(resultsDir, f), { recursive: true, force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const harness = new Harness({ keepTemp: opts.keepTemp });
  const memory = memorySampler();
  clearResults();
  const totals = { passed: 0, failed: 0, pending: 0, failures: [] };
  const add = (c) => {
    totals.passed += c.passed;
    totals.failed += c.failed;
    totals.pending += c.pending;
    totals.failures.push(...c.failures);
  };

  try {
    const tools = await harness.step('tools', 1800, async () => ensureTools());
    console.log(`VS Code ${vscodeVersion(tools)} (code-server ${tools.codeServerVersion}), Chromium ${tools.chromium}`);
    await harness.step('build', 180, () => runChild(process.execPath, ['esbuild.js']));
    const entry = path.join(root, 'out/test/integration/index.js');
    if (!fs.existsSync(entry)) throw new Error(`The build did not produce ${path.relative(root, entry)}.`);

    // The suites get a throw-away copy of the sample workspace, so they may write files freely.
    const workspace = harness.dir('w');
    fs.cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true });

    add(
      await countedSession(harness, tools, opts, {
        name: 'suites',
        title: 'integration suites (extension under development)',
        folder: workspace,
        extensionDevelopmentPath: root,
        extensionTestsPath: entry,
      }),
    );

    if (opts.package) {
      let vsix;
      try {
        vsix = await harness.step('package', 180, () => packageVsix({ outDir: harness.dir('vsix'), quiet: true }));
        console.log(`\npackaged ${path.basename(vsix.file)} (${vsix.files.length} files, ${(vsix.bytes / 1024).toFixed(0)} KiB)`);
      } catch (e) {
        console.error(`✘ packaging failed: ${e instanceof Error ? e.message : e}`);
        add({ passed: 0, failed: 1, pending: 0 });
      } finally {
        // Packaging leaves production bundles in dist/; put the development build back for whoever runs next.
        await harness.step('rebuild for development', 180, () => runChild(process.execPath, ['esbuild.js'], { stdio: 'ignore' }));
      }
      if (vsix) {
        add(
          await countedSession(harness, tools, opts, {
            name: 'packaged',
            title: 'packaged .vsix installed into a fresh code-server',
            folder: workspace,
            vsix: vsix.file,
            // The workbench runs tests only for a development session; this folder holds no extension, so the
            // UDP Lab that runs is the installed one.
            extensionDevelopmentPath: harness.dir('no-dev-extension'),
            extensionTestsPath: path.join(root, 'out/test/integration/packaged/index.js'),
            env: { UDP_LAB_EXPECT_FILES: vsix.expectFiles.join(',') },
          }),
        );
      }
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`\n✘ ${message}`);
    if (totals.failed === 0) totals.failed = 1;
    totals.failures.push({ title: 'integration run', message });
  }

  await harness.shutdown();
  memory.stop();
  const file = process.env.UDP_LAB_RESULTS_FILE;
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(totals));
  }
  console.log(
    `\nintegration: ${totals.passed} passed, ${totals.failed} failed` +
      `${totals.pending ? `, ${totals.pending} pending` : ''} in ${harness.elapsed().toFixed(1)} s; ` +
      `peak memory ${memory.peakMiB} MiB (PSS, ${memory.peakProcesses} processes)`,
  );
  console.log(dim(`time: ${timingSummary(harness.timings)}`));
  console.log(dim(`logs: ${path.relative(root, resultsDir)}/`));
  process.exit(totals.failed > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
