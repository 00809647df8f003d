#!/usr/bin/env node
// The Messages panel's webview in real Chromium: builds the webview bundle, then runs test/webview/*.test.ts
// with mocha (tsx for TypeScript) and the counting reporter, so scripts/test-all.js can sum the results.
//   node test/webview/run.js                 all webview tests
//   node test/webview/run.js --grep hostile  mocha options pass through
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { CHROMIUM_PATH } = require('../../scripts/chromium');

const root = path.resolve(__dirname, '../..');

async function buildWebview() {
  const esbuild = require('esbuild');
  const { bundles, optionsFor } = require(path.join(root, 'esbuild.js'));
  const webview = bundles.find((b) => b.name === 'webview');
  await esbuild.build(optionsFor(webview, { production: false }));
  // The codicon font and CSS sit next to the bundle (esbuild.js copies them on a full build too).
  const from = path.join(root, 'node_modules/@vscode/codicons/dist');
  const to = path.join(root, 'dist/codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

async function main() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.error(`✘ ${CHROMIUM_PATH} is missing. Install Debian's chromium (apt-get install -y chromium); no browser is downloaded.`);
    process.exit(1);
  }
  await buildWebview();
  const mocha = path.join(root, 'node_modules/.bin/mocha');
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join('test/webview', f));
  const args = [
    '--no-config',
    '--require',
    'tsx/cjs',
    '--extension',
    'ts',
    '--reporter',
    path.join(root, 'test/support/countingReporter.js'),
    '--timeout',
    '60000',
    '--forbid-only',
    ...process.argv.slice(2),
    ...files,
  ];
  const r = spawnSync(mocha, args, { cwd: root, stdio: 'inherit', env: process.env });
  process.exit(r.status ?? 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
