#!/usr/bin/env node
// `npm start`: builds UDP Lab and opens a real VS Code with it loaded for development, on a machine with nothing
// else installed. Ctrl+C stops everything it started.
//
//   npm start                      code-server on 127.0.0.1 (a free port; the URL is printed)
//   npm start -- --port 8080       choose the port
//   npm start -- --desktop         a desktop VS Code instead (`code` on PATH), in an Extension Development Host
//   npm start -- --fresh           forget the saved workbench state (settings, layout) first
//
// The workbench opens sample-workspace/. Bundles are rebuilt on change (esbuild --watch); reload the browser
// tab (or run "Developer: Reload Window") to load the new build. The workbench state lives in
// ~/.cache/udp-lab-test/start, so layout and settings survive restarts.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureTools, cacheDir } = require('./integration/install');
const { Harness } = require('./integration/harness');
const { isolatedProfile, startCodeServer, vscodeVersion } = require('./integration/codeServer');
const { workbenchUrl } = require('./integration/workbench');

const root = path.resolve(__dirname, '..');
const sampleWorkspace = path.join(root, 'sample-workspace');

function parseArgs(argv) {
  const opts = { port: 0, desktop: false, fresh: false, watch: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') opts.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) opts.port = Number(a.slice('--port='.length));
    else if (a === '--desktop') opts.desktop = true;
    else if (a === '--fresh') opts.fresh = true;
    else if (a === '--no-watch') opts.watch = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm start -- [--port <port>] [--desktop] [--fresh] [--no-watch]');
      process.exit(0);
    } else throw new Error(`Unknown option ${a}. Run npm start -- --help for the options.`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error('--port takes a port number from 1 to 65535 (or 0 for any free port).');
  }
  return opts;
}

function build() {
  const r = spawnSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('The build failed (see above); fix it and run npm start again.');
}

/** esbuild in watch mode, quiet unless a build fails. */
function startWatcher() {
  const child = spawn(process.execPath, ['esbuild.js', '--watch'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.startsWith('✘')) console.log(line);
  });
  return child;
}

function codeOnPath() {
  return spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
}

async function startDesktop(harness, opts) {
  const code = codeOnPath();
  if (!code) throw new Error('--desktop needs the `code` command on PATH (VS Code: "Shell Command: Install \'code\' command in PATH").');
  build();
  if (opts.watch) startWatcher();
  console.log(`Opening ${sampleWorkspace} in an Extension Development Host of ${code}. Close that window or press Ctrl+C to stop.`);
  harness.phase = 'desktop VS Code';
  // --wait keeps this process (and the watcher) alive until the window closes.
  const child = spawn(code, ['--new-window', '--wait', `--extensionDevelopmentPath=${root}`, sampleWorkspace], { stdio: 'inherit' });
  const status = await new Promise((resolve) => child.once('exit', resolve));
  await harness.shutdown();
  process.exit(status ?? 0);
}

async function startServer(harness, opts) {
  const tools = await harness.step('tools', 1800, async () => ensureTools({ needChromium: false }));
  await harness.step('build', 180, async () => build());
  const profileRoot = path.join(cacheDir, 'start');
  if (opts.fresh) fs.rmSync(profileRoot, { recursive: true, force: true });
  const profile = isolatedProfile(profileRoot, { isolateHome: false, keepSettings: true });
  const logFile = path.join(root, 'test-results', 'start-code-server.log');
  const server = await harness.step('start code-server', 60, () =>
    startCodeServer({ tools, profile, port: opts.port, logFile }),
  );
  if (opts.watch) startWatcher();
  const url = workbenchUrl(server.origin, { folder: sampleWorkspace, extensionDevelopmentPath: root });
  console.log(`\nUDP Lab in VS Code ${vscodeVersion(tools)} (code-server ${tools.codeServerVersion}) — open this URL in a browser:\n`);
  console.log(`  ${url}\n`);
  console.log(`Server: ${server.origin} (log: ${path.relative(root, logFile)}). Bundles rebuild on change; reload the page to load them.`);
  console.log('Press Ctrl+C to stop.');
  harness.phase = 'serving';
  const exitCode = await server.exited;
  if (!harness.shuttingDown) {
    console.error(`✘ code-server stopped on its own (${exitCode}); see ${logFile}.`);
    await harness.shutdown();
    process.exit(1);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const harness = new Harness({ interruptExitCode: 0 });
  if (opts.desktop) await startDesktop(harness, opts);
  else await startServer(harness, opts);
}

main().catch((e) => {
  console.error(`✘ ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
