#!/usr/bin/env node
// `npm run package`: the .vsix users install, built with @vscode/vsce from a production build
// (package.json `vscode:prepublish` runs `npm run build:production`, so plain `vsce package` does the same).
//
//   node scripts/package.js [--out <dir>]      writes <dir>/udp-lab-<version>.vsix (default: the repository)
//
// After packaging it reads the .vsix's file list and fails when something the manifest points at is not in it
// (main bundle, webview bundle, grammar, snippets, icons, README images...): that is what a wrong
// .vscodeignore looks like.
// The integration run (scripts/integration/run.js) also installs the result into a fresh code-server.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** Names of the files in a zip archive (a .vsix is one), from its central directory. */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip archive (no end-of-central-directory record).`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: damaged central directory at entry ${n}.`);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/**
 * Files the installed extension must contain, relative to its folder: the `main` bundle, the webview bundle
 * when the project has a webview, and every file the manifest's contributions point at.
 */
function expectedFiles(manifest) {
  const files = new Set(['package.json']);
  if (manifest.main) {
    const main = path.posix.normalize(manifest.main.replace(/^\.\//, ''));
    files.add(main.endsWith('.js') ? main : `${main}.js`);
  }
  if (fs.existsSync(path.join(root, 'src/webview/main.ts'))) files.add('dist/webview.js');
  // Bundles the main one require()s on first use (esbuild.js marks them `lazy`): missing, a feature breaks late.
  for (const bundle of lazyBundles()) files.add(bundle);
  const visit = (value, key) => {
    if (typeof value === 'string') {
      const isFileKey = ['path', 'configuration', 'icon', 'light', 'dark', 'image'].includes(key);
      if (isFileKey && !value.startsWith('$(') && /\.[a-z0-9]+$/i.test(value) && !/^[a-z]+:/i.test(value)) {
        files.add(path.posix.normalize(value.replace(/^\.\//, '')));
      }
    } else if (Array.isArray(value)) value.forEach((v) => visit(v, key));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(manifest.contributes || {}, '');
  if (manifest.icon) files.add(manifest.icon);
  if (!hostedRepository(manifest)) for (const image of readmeImages()) files.add(image);
  return [...files].sort();
}

/** dist/ files of the bundles esbuild.js builds for dist/extension.js to load lazily (those whose entries exist). */
function lazyBundles() {
  const { bundles } = require('../esbuild.js');
  return bundles
    .filter((b) => b.lazy && b.entryPoints.every((e) => fs.existsSync(path.join(root, e))))
    .map((b) => path.posix.normalize(b.outfile));
}

/** Relative image paths in README.md (markdown and <img>), which the Extensions view resolves inside the package. */
function readmeImages() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const found = [...readme.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)/g), ...readme.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)];
  return found
    .map((m) => m[1])
    .filter((src) => !/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(src))
    .map((src) => path.posix.normalize(decodeURI(src.replace(/^\.\//, '').split(/[?#]/)[0])));
}

/**
 * vsce rewrites README's relative links to absolute ones only for GitHub/GitLab repositories and refuses to
 * package otherwise; for any other repository the links stay relative and the images ship inside the .vsix
 * (.vscodeignore keeps docs/images), where VS Code's Extensions view finds them.
 */
function hostedRepository(manifest) {
  const url = typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository && manifest.repository.url) || '';
  return /(^|[/.@])(github\.com|gitlab\.com)[/:]/i.test(url);
}

function run(cmd, args, { quiet }) {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    const collect = (stream) => (chunk) => {
      output += chunk;
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on('data', collect(process.stdout));
    child.stderr.on('data', collect(process.stderr));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`vsce package failed (exit ${code}):\n${output.trim()}`))));
  });
}

/**
 * Builds the .vsix. Returns its path, size, file list and the files an installed copy must contain.
 * @param {{ outDir?: string, quiet?: boolean }} [options]
 */
async function packageVsix({ outDir = root, quiet = false } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const file = path.join(outDir, `${manifest.name}-${manifest.version}.vsix`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(file, { force: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Everything ships bundled, so there are no runtime dependencies for vsce to collect.
  const args = ['package', '--no-dependencies', '--out', file];
  if (!hostedRepository(manifest)) args.push('--no-rewrite-relative-links');
  await run(process.execPath, [vsce, ...args], { quiet });
  const files = zipEntries(file)
    .filter((n) => n.startsWith('extension/'))
    .map((n) => n.slice('extension/'.length));
  const expectFiles = expectedFiles(manifest);
  const missing = expectFiles.filter((f) => !files.includes(f));
  if (missing.length > 0) {
    throw new Error(`${path.basename(file)} lacks files the manifest needs: ${missing.join(', ')}. Check .vscodeignore and the build.`);
  }
  return { file, bytes: fs.statSync(file).size, files, expectFiles };
}

module.exports = { packageVsix, zipEntries, expectedFiles };

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 ? path.resolve(process.argv[at + 1]) : root;
  packageVsix({ outDir }).then(
    ({ file, bytes, files }) => {
      console.log(`\n✔ ${path.relative(process.cwd(), file) || file}: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
      for (const f of files) console.log(`  ${f}`);
    },
    (e) => {
      console.error(`✘ ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    },
  );
}
