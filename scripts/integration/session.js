// One workbench session, the unit every harness run is made of: a code-server with its own isolated profile
// (optionally with a .vsix installed first), headless Chromium on the workbench URL with an extensionTestsPath
// payload, the browser driver answering tests that type and click (uiDriver.js), test lines streamed to the
// terminal, and the tests' exit code awaited — each step under a time limit. On failure it keeps a screenshot,
// VS Code's logs and the code-server log; it always stops the server and browser it started.
'use strict';
const fs = require('fs');
const path = require('path');
const { isolatedProfile, startCodeServer, installExtension, codeRunningBuiltins } = require('./codeServer');
const { openWorkbench, workbenchUrl } = require('./workbench');
const { killDescendants } = require('./processes');
const { handleUiLine } = require('./uiDriver');

const root = path.resolve(__dirname, '..', '..');
/** test/integration/support/runMocha.ts prefixes every line of test output with it. */
const TEST_LINE_MARKER = '[udp-lab:test] ';

const tty = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);

/**
 * @param {import('./harness').Harness} harness
 * @param {object} tools from install.js ensureTools()
 * @param {object} s
 * @param {string} s.name short id: phase names, file names in resultsDir; its first letter names the temp folder
 * @param {string} s.title printed as the section header
 * @param {string} s.resultsDir where logs (always) and failure artifacts go
 * @param {string} s.folder workspace folder to open
 * @param {string} s.extensionDevelopmentPath
 * @param {string} s.extensionTestsPath module exporting run()
 * @param {string} [s.vsix] install this into the fresh profile first
 * @param {Record<string, string>} [s.env] extra environment for code-server and so the extension host
 * @param {object} [s.settings] user settings over the harness's quiet defaults
 * @param {number} [s.timeout] seconds the tests may take (default 300)
 * @param {object} [s.browser] extra openWorkbench options (viewport, colorScheme)
 * @param {object} [s.ui] extra uiDriver options (screenshotDir)
 * @returns {Promise<{ failure?: string, exitCode?: number }>}
 */
async function runSession(harness, tools, s) {
  const { name, title, resultsDir } = s;
  console.log(`\n── ${title}`);
  const profile = isolatedProfile(harness.dir(name[0]), { settings: s.settings });
  // Answers of the browser driver (uiDriver.js) to tests that type and click like a person.
  const uiDir = path.join(profile.root, 'ui');
  fs.mkdirSync(uiDir, { recursive: true });
  const logs = {
    server: path.join(resultsDir, `${name}-code-server.log`),
    workbench: path.join(resultsDir, `${name}-workbench.log`),
  };
  let server;
  let wb;
  let failure;
  let result;
  let sawTestLine;
  const firstTestLine = new Promise((r) => (sawTestLine = r));
  try {
    if (s.vsix) {
      const out = await harness.step(`${name}: install .vsix`, 90, () => installExtension(tools, profile, s.vsix));
      console.log(dim(out.split('\n').filter((l) => /install/i.test(l)).join('\n')));
    }
    server = await harness.step(`${name}: start code-server`, 90, () =>
      startCodeServer({
        tools,
        profile,
        logFile: logs.server,
        // Read in the extension host, which inherits code-server's environment.
        env: {
          UDP_LAB_TEST_COLOR: tty ? '1' : '0',
          UDP_LAB_UI_DIR: uiDir,
          // Where the extension host writes the output channels' log files (tests read UDP Lab's own log there).
          UDP_LAB_LOGS_DIR: path.join(profile.userData, 'logs'),
          VSCODE_SKIP_BUILTIN_EXTENSIONS: codeRunningBuiltins(tools).join(','),
          ...(s.env || {}),
        },
      }),
    );
    const url = workbenchUrl(server.origin, {
      folder: s.folder,
      extensionDevelopmentPath: s.extensionDevelopmentPath,
      extensionTestsPath: s.extensionTestsPath,
    });
    wb = await harness.step(`${name}: launch Chromium`, 120, () =>
      openWorkbench({
        harness,
        url,
        profileDir: path.join(profile.root, 'c'),
        logFile: logs.workbench,
        ...(s.browser || {}),
        onLog(_level, message) {
          if (handleUiLine(() => wb?.page, uiDir, message, s.ui || {})) return;
          const at = message.indexOf(TEST_LINE_MARKER);
          if (at < 0 || harness.shuttingDown) return;
          sawTestLine();
          console.log(message.slice(at + TEST_LINE_MARKER.length));
        },
      }),
    );
    // The limits catch hangs, not slowness: on two cores shared with other work each step can take 30 s.
    const seeLog = `See ${path.relative(root, logs.workbench)}.`;
    await harness.step(`${name}: load workbench`, 120, () => wb.drawn(), seeLog);
    await harness.step(
      `${name}: start tests`,
      120,
      () => Promise.race([firstTestLine, wb.exit]),
      `The workbench is up but the extension host did not start the tests. ${seeLog}`,
    );
    result = await harness.step(
      `${name}: run tests`,
      s.timeout || 300,
      () => wb.exit,
      'A test or hook never finished: the last test lines above show where (raise the limit with --timeout <seconds>).',
    );
    if (result.code !== 0) failure = `the tests reported exit code ${result.code}`;
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }

  if (failure) {
    console.error(`✘ ${title}: ${failure}`);
    await saveFailureArtifacts({ name, resultsDir, wb, result, server, logs });
  }
  // Stop this session's browser and server now (a next session starts its own).
  if (wb) await Promise.race([wb.context.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
  if (server) await killDescendants({ rootPid: server.child.pid });
  if (wb) await wb.closeLog();
  return { failure, exitCode: result?.code };
}

async function saveFailureArtifacts({ name, resultsDir, wb, result, server, logs }) {
  const saved = [];
  if (wb) {
    try {
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('screenshot timed out')), 10_000));
      saved.push(await Promise.race([wb.screenshot(path.join(resultsDir, `${name}-failure.png`)), timeout]));
    } catch (e) {
      console.error(`  (no screenshot: ${e instanceof Error ? e.message : e})`);
    }
  }
  if (result && result.logs.length > 0) {
    // The workbench hands its log files over with the exit code.
    const dir = path.join(resultsDir, `${name}-vscode-logs`);
    for (const { relativePath, contents } of result.logs) {
      const file = path.join(dir, relativePath);
      if (!file.startsWith(dir + path.sep)) continue;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, contents);
    }
    saved.push(dir);
  }
  if (server) {
    // The server side's own logs (remote extension host, server) live in the isolated user-data folder.
    const serverLogs = path.join(server.profile.userData, 'logs');
    if (fs.existsSync(serverLogs)) {
      const dir = path.join(resultsDir, `${name}-server-logs`);
      fs.cpSync(serverLogs, dir, { recursive: true });
      saved.push(dir);
    }
    saved.push(logs.server);
  }
  saved.push(logs.workbench);
  console.error(`  saved for reading: ${saved.map((f) => path.relative(root, f)).join(', ')}`);
}

module.exports = { runSession, dim, TEST_LINE_MARKER };
