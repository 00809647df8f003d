#!/usr/bin/env node
// `npm run screenshots`: pictures of every UDP Lab surface in a real workbench, for the README and docs.
//
//   node scripts/screenshots.js [--out <dir>] [--theme dark|light]      (default: docs/images, dark)
//
// The scenario (test/integration/screenshots/scenario.ts) runs in the extension host: it opens loopback
// sockets, sends some traffic, shows each surface and asks the browser driver (uiDriver.js, step
// "screenshot") for a PNG. Look at every picture before committing it.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ensureTools } = require('./integration/install');
const { Harness } = require('./integration/harness');
const { runSession } = require('./integration/session');

const root = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = { out: path.join(root, 'docs', 'images'), theme: 'dark' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = path.resolve(argv[++i]);
    else if (a === '--theme') opts.theme = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run screenshots -- [--out <dir>] [--theme dark|light]');
      process.exit(0);
    } else throw new Error(`Unknown option ${a}. Run with --help for the options.`);
  }
  if (opts.theme !== 'dark' && opts.theme !== 'light') throw new Error('--theme is dark or light.');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const harness = new Harness();
  const before = new Map(
    (fs.existsSync(opts.out) ? fs.readdirSync(opts.out) : []).map((f) => [f, fs.statSync(path.join(opts.out, f)).mtimeMs]),
  );
  let failure;
  try {
    const tools = await harness.step('tools', 1800, async () => ensureTools());
    await harness.step('build', 180, async () => {
      if (spawnSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('The build failed.');
    });
    const workspace = harness.dir('sample-workspace'); // its name shows in the pictures
    fs.cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true });
    fs.mkdirSync(opts.out, { recursive: true });
    ({ failure } = await runSession(harness, tools, {
      name: 'screenshots',
      title: `screenshots into ${path.relative(root, opts.out) || '.'}`,
      resultsDir: path.join(root, 'test-results', 'screenshots'),
      folder: workspace,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out/test/integration/screenshots/scenario.js'),
      timeout: 180,
      settings: {
        'workbench.colorTheme': opts.theme === 'dark' ? 'Default Dark Modern' : 'Default Light Modern',
        'editor.minimap.enabled': false,
        'breadcrumbs.enabled': false,
      },
      browser: { viewport: { width: 1280, height: 800 }, colorScheme: opts.theme, deviceScaleFactor: 1 },
      ui: { screenshotDir: opts.out },
    }));
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  await harness.shutdown();
  const written = (fs.existsSync(opts.out) ? fs.readdirSync(opts.out) : [])
    .filter((f) => f.endsWith('.png') && before.get(f) !== fs.statSync(path.join(opts.out, f)).mtimeMs);
  for (const f of written) console.log(`  wrote ${path.relative(root, path.join(opts.out, f))}`);
  if (failure) {
    console.error(`✘ screenshots: ${failure}`);
    process.exit(1);
  }
  console.log('Look at each picture before committing it.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
