// Opens the VS Code web workbench served by code-server in Debian's headless Chromium (playwright-core; no
// Playwright browser is ever downloaded) and wires the smoke-test driver hooks the workbench calls:
//   codeAutomationLog(level, message)  every workbench/extension-host log line, including the tests' output;
//   codeAutomationExit(code, logs)     the test run's exit code (0 passed) and the workbench's log files.
// Both must be exposed before the page navigates, or the workbench never sees them.
'use strict';
const fs = require('fs');
const path = require('path');

const { CHROMIUM_PATH, CHROMIUM_ARGS } = require('../chromium');

// The workbench also needs no default apps or extensions of Chromium's own, and no OS keyring.
const chromiumArgs = [...CHROMIUM_ARGS, '--disable-default-apps', '--disable-extensions', '--password-store=basic'];

/**
 * The workbench URL. With `extensionTestsPath` the workbench runs that module's `run()` in the extension host
 * and reports through codeAutomationExit; with only `extensionDevelopmentPath` it loads the extension for
 * development (npm start, screenshots).
 * @param {string} origin e.g. http://127.0.0.1:40123
 * @param {{ folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} options absolute server paths
 */
function workbenchUrl(origin, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const authority = new URL(origin).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = [];
  if (folder) query.push(`folder=${encodeURIComponent(folder)}`);
  if (payload.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${origin}/${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/**
 * Launches Chromium and opens `url`.
 * @param {object} o
 * @param {import('./harness').Harness} o.harness closes the browser on shutdown
 * @param {string} o.url
 * @param {string} o.profileDir Chromium profile (inside the harness temp root)
 * @param {string} o.logFile every automation log line and browser console message, kept for reading later
 * @param {(level: string, message: string) => void} [o.onLog] each automation log line
 * @param {{ width: number, height: number }} [o.viewport]
 * @param {'light'|'dark'} [o.colorScheme] what the page's prefers-color-scheme says
 * @param {number} [o.deviceScaleFactor]
 */
async function openWorkbench({ harness, url, profileDir, logFile, onLog, viewport = { width: 1440, height: 900 }, colorScheme = 'light', deviceScaleFactor = 1 }) {
  const { chromium } = require('playwright-core');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  const started = Date.now();
  const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: chromiumArgs,
    viewport,
    colorScheme,
    deviceScaleFactor,
    // code-server compresses every response on the fly (~3 s of CPU for workbench.js alone on a busy 2-core
    // machine); over loopback that only costs time.
    extraHTTPHeaders: { 'Accept-Encoding': 'identity' },
    // The harness owns signal handling and cleanup; Playwright must not exit the process on its own.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  harness.onShutdown(() => context.close());
  const page = context.pages()[0] || (await context.newPage());

  let resolveExit;
  const exit = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code, logs) => resolveExit({ code: Number(code), logs: Array.isArray(logs) ? logs : [] }));
  await page.exposeFunction('codeAutomationLog', (level, message) => {
    log.write(`${stamp()} [${level}] ${message}\n`);
    if (onLog) onLog(String(level), String(message));
  });
  // The workbench's info lines already arrive through codeAutomationLog; keep the console's warnings and errors.
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.write(`${stamp()} [console.${m.type()}] ${m.text()}\n`);
  });
  page.on('pageerror', (e) => log.write(`${stamp()} [pageerror] ${e.stack || e.message}\n`));
  page.on('crash', () => log.write(`${stamp()} [crash] the workbench page crashed\n`));
  log.write(`${stamp()} opening ${url}\n`);
  await page.goto(url, { waitUntil: 'domcontentloaded' });

  return {
    context,
    page,
    /** Resolves with { code, logs } when the workbench reports the end of the extension tests. */
    exit,
    /** Resolves when the workbench UI is on screen. */
    async drawn() {
      await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ state: 'visible', timeout: 0 });
    },
    async screenshot(file) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
      return file;
    },
    closeLog() {
      return new Promise((r) => log.end(r));
    },
  };
}

module.exports = { openWorkbench, workbenchUrl, chromiumArgs };
