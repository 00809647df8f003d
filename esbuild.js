// Builds every bundle UDP Lab ships (and the integration-test bundle the real-VS Code harness loads).
//   node esbuild.js               development build (sourcemaps)
//   node esbuild.js --production  minified, no sourcemaps (what `npm run package` ships)
//   node esbuild.js --watch       rebuild on change
// Exits non-zero when any bundle fails.
// Bundles marked `lazy` ship next to dist/extension.js, which require()s them on first use (src/host/lazyBundle.ts);
// .vscodeignore must let them into the .vsix, and scripts/package.js checks that it did.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;

/** Each bundle is built only when its entry exists, so layers can land one at a time. */
const bundles = [
  {
    name: 'extension',
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    // The `.udp` feature (language features, CodeLens runner, Test Explorer): dist/extension.js require()s it on
    // first use (src/host/udpFilesOnDemand.ts), so activations that never touch a `.udp` file never load it.
    name: 'udpFiles',
    entryPoints: ['src/host/udpFile/bundle.ts'],
    outfile: 'dist/udpFiles.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    lazy: true,
  },
  {
    // A Messages panel's session (HTML, feed, requests): required when a panel is first opened or restored
    // (src/host/panel/messagesPanel.ts).
    name: 'panel',
    entryPoints: ['src/host/panel/bundle.ts'],
    outfile: 'dist/panel.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    lazy: true,
  },
  {
    name: 'webview',
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'src/webview/tsconfig.json',
  },
  {
    name: 'cli',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // Integration suites: one bundle per suite file plus the entry `run()`; `vscode` comes from the host.
    name: 'integration-tests',
    entryPoints: listTs('test/integration'),
    outdir: 'out/test/integration',
    outbase: 'test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    development: true,
  },
];

function listTs(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true })
    .filter((f) => typeof f === 'string' && f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

/** Copies the codicon font and CSS next to the webview bundle (localResourceRoots covers dist/). */
function copyCodicons() {
  const from = path.join(root, 'node_modules/@vscode/codicons/dist');
  const to = path.join(root, 'dist/codicons');
  if (!fs.existsSync(from)) return;
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

/**
 * The integration entry runs every `*.test.js` it finds in out/test/integration, so the bundle of a deleted or
 * renamed suite must go too, or it would keep running.
 */
function removeStaleTestBundles() {
  const out = path.join(root, 'out/test/integration');
  if (!fs.existsSync(out)) return;
  for (const f of fs.readdirSync(out, { recursive: true })) {
    if (typeof f !== 'string' || !/\.js(\.map)?$/.test(f)) continue;
    const source = path.join(root, 'test/integration', f.replace(/\.js(\.map)?$/, '.ts'));
    if (!fs.existsSync(source)) fs.rmSync(path.join(out, f), { force: true });
  }
}

/** Logs each build's result so `--watch` shows what happened without a full reporter. */
const reportPlugin = (name) => ({
  name: 'report',
  setup(build) {
    build.onEnd((result) => {
      for (const e of result.errors) console.error(`✘ [${name}] ${e.text} (${e.location?.file}:${e.location?.line})`);
      if (result.errors.length === 0) console.log(`✔ built ${name}`);
    });
  },
});

/**
 * `import * as vscode from 'vscode'` of an external module makes esbuild copy the whole `vscode` namespace into a
 * fresh object (`__toESM(require("vscode"))`) once per importing file: 30+ copies, tens of ms at activation under
 * load. Every import of `vscode` goes through one bundled module that re-exports it instead: one copy per bundle.
 */
const vscodeOncePlugin = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
  },
};

/** The esbuild options of one bundle; exported so `npm run bench` builds the same production bundles elsewhere. */
function optionsFor({ name: _name, development, lazy: _lazy, ...options }, { production }) {
  return {
    absWorkingDir: root,
    bundle: true,
    minify: production && !development,
    sourcemap: production && !development ? false : 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    ...(options.external?.includes('vscode') && !development ? { plugins: [vscodeOncePlugin] } : {}),
    ...options,
  };
}

async function main() {
  const active = bundles.filter((b) => b.entryPoints.every((e) => fs.existsSync(path.join(root, e))) && b.entryPoints.length > 0);
  const contexts = await Promise.all(
    active.map((b) => {
      const options = optionsFor(b, { production });
      return esbuild.context({ ...options, plugins: [...(options.plugins ?? []), reportPlugin(b.name)] });
    }),
  );
  copyCodicons();
  removeStaleTestBundles();
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('watching for changes…');
    return;
  }
  const results = await Promise.allSettled(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) process.exit(1);
  if (fs.existsSync(path.join(root, 'dist/cli.js'))) fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}

module.exports = { bundles, optionsFor };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
