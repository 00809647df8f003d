// Starts code-server (VS Code's server + web workbench) under Node 24, isolated from the user's own setup:
// its own user-data, extensions, HOME, XDG and TMPDIR folders under the harness temp root, no marketplace,
// no telemetry, no update checks, and a user settings file that turns off what the tests do not need.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

/** User settings for every harness workbench: quiet, fast, nothing that phones home or pops up. */
const quietSettings = {
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * The folders and environment one code-server instance runs with, all under `root`.
 * @param {string} root a short folder (socket paths live below it)
 * @param {{ settings?: object, isolateHome?: boolean, keepSettings?: boolean }} [options]
 *   settings: merged over quietSettings; isolateHome (default true): HOME and XDG folders under root too
 *   (npm start keeps the user's own, so its terminal feels normal); keepSettings: leave an existing user
 *   settings file alone (npm start's profile persists, and the user may have changed it).
 */
function isolatedProfile(root, { settings = {}, isolateHome = true, keepSettings = false } = {}) {
  const profile = {
    root,
    home: path.join(root, 'h'),
    userData: path.join(root, 'u'),
    extensions: path.join(root, 'x'),
    tmp: path.join(root, 't'),
    config: path.join(root, 'config.yaml'),
  };
  for (const d of [profile.userData, profile.extensions, profile.tmp]) fs.mkdirSync(d, { recursive: true });
  const settingsFile = path.join(profile.userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  if (!(keepSettings && fs.existsSync(settingsFile))) {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...quietSettings, ...settings }, null, 2));
  }
  // An empty config: code-server otherwise reads and writes ~/.config/code-server/config.yaml.
  fs.writeFileSync(profile.config, '');
  profile.env = { TMPDIR: profile.tmp, EXTENSIONS_GALLERY: '{}' };
  if (isolateHome) {
    fs.mkdirSync(profile.home, { recursive: true });
    Object.assign(profile.env, {
      HOME: profile.home,
      XDG_CONFIG_HOME: path.join(profile.home, '.config'),
      XDG_DATA_HOME: path.join(profile.home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(profile.home, '.cache'),
      XDG_STATE_HOME: path.join(profile.home, '.local', 'state'),
      XDG_RUNTIME_DIR: profile.tmp,
    });
  }
  return profile;
}

/**
 * The environment for code-server: ours without the variables a VS Code terminal sets (VSCODE_IPC_HOOK_CLI,
 * ELECTRON_RUN_AS_NODE, ...), which would make the server talk to the desktop VS Code the user runs us from.
 */
function serverEnv(profile, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VSCODE_|ELECTRON_)/.test(k)) env[k] = v;
  return { ...env, ...profile.env, ...extra };
}

function baseArgs(profile) {
  return [
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--config', profile.config,
    '--user-data-dir', profile.userData,
    '--extensions-dir', profile.extensions,
  ];
}

/**
 * `code-server --install-extension file.vsix` into the profile's extensions folder; resolves with its output.
 * Asynchronous, so the harness's time limit and Ctrl+C stay in charge while it runs.
 */
function installExtension(tools, profile, vsix) {
  return new Promise((resolve, reject) => {
    const child = spawn(tools.node, [tools.codeServerEntry, ...baseArgs(profile), '--force', '--install-extension', vsix], {
      env: serverEnv(profile),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      output = output.trim();
      if (code !== 0 || /failed|error/i.test(output)) {
        reject(new Error(`code-server --install-extension ${path.basename(vsix)} failed (exit ${code}):\n${output}`));
      } else resolve(output);
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode || 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(5000, () => req.destroy());
  });
}

/**
 * Starts code-server on 127.0.0.1 (port 0 = a free port chosen by the OS, read back from its log) and waits
 * until both /healthz and / answer (healthz alone is 200 even when every workbench page fails).
 * @returns {Promise<{ port: number, origin: string, child: import('child_process').ChildProcess, logFile: string, exited: Promise<number|null> }>}
 */
async function startCodeServer({ tools, profile, port = 0, logFile, extraArgs = [], env = {} }) {
  const args = [
    tools.codeServerEntry,
    ...baseArgs(profile),
    '--bind-addr', `127.0.0.1:${port}`,
    // Without this the workbench ignores the URL payload (extensionDevelopmentPath, extensionTestsPath): the
    // extension would not load and a test run would wait forever.
    '--vscode-option', 'enable-smoke-test-driver',
    ...extraArgs,
  ];
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  log.write(`$ ${tools.node} ${args.join(' ')}\n`);
  const child = spawn(tools.node, args, {
    env: serverEnv(profile, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let output = '';
  const origin = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log.write(chunk);
      if (output.length < 20000) output += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+))\//.exec(output);
      if (m) resolve({ origin: m[1], port: Number(m[2]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(new Error(`Could not start code-server: ${e.message}`)));
    void exited.then((code) => {
      if (/EADDRINUSE/.test(output)) {
        reject(new Error(`Port ${port} on 127.0.0.1 is already in use (EADDRINUSE). Choose another with --port, or leave --port out to use any free port.`));
      } else {
        reject(new Error(`code-server exited (${code}) before listening:\n${output.trim().split('\n').slice(-15).join('\n')}`));
      }
    });
  });
  const where = await origin;
  for (;;) {
    const [health, root] = await Promise.all([httpStatus(`${where.origin}/healthz`), httpStatus(`${where.origin}/`)]);
    if (health === 200 && root > 0 && root < 400) break;
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}) while starting; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...where, child, logFile, exited, profile };
}

/**
 * Built-in extensions that run code (they have a `main` or `browser` entry): git, GitHub, Copilot Chat, the
 * TypeScript and JSON servers, js-debug, emmet… Test sessions leave them out (VSCODE_SKIP_BUILTIN_EXTENSIONS):
 * the extension host then starts sooner and nothing else competes for the two cores. Themes and grammars stay.
 */
function codeRunningBuiltins(tools) {
  const dir = path.join(path.dirname(tools.codeServerEntry), '..', '..', 'lib', 'vscode', 'extensions');
  const ids = [];
  for (const name of fs.readdirSync(dir)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
      if (manifest.main || manifest.browser) ids.push(`${manifest.publisher}.${manifest.name}`);
    } catch {
      // Not an extension folder (node_modules, files).
    }
  }
  return ids;
}

/** The VS Code version inside the pinned code-server, from its product.json. */
function vscodeVersion(tools) {
  try {
    const product = path.join(path.dirname(tools.codeServerEntry), '..', '..', 'lib', 'vscode', 'package.json');
    return JSON.parse(fs.readFileSync(product, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

module.exports = { isolatedProfile, startCodeServer, installExtension, vscodeVersion, codeRunningBuiltins, quietSettings };
