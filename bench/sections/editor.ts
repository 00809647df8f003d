// 5. Editor: the production bundles' sizes, whether anything makes VS Code start the extension before a user
// reaches for it, and its activation time inside a real VS Code (taken from the integration harness).

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { type BenchContext } from '../lib/context';
import { measureActivation } from '../lib/activation';

const KB = 1024;

/** Activation events that start an extension without the user doing anything UDP-related. */
const EAGER_EVENTS = ['*', 'onStartupFinished'];

/** "node_modules/x 40 KB, src/core 30 KB, …": inputs grouped by package or top-level source folder. */
function biggestParts(parts: Array<{ file: string; bytes: number }>): string {
  const groups = new Map<string, number>();
  for (const { file, bytes } of parts) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1]! : file.split('/').slice(0, 2).join('/');
    groups.set(key, (groups.get(key) ?? 0) + bytes);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .filter(([, bytes]) => bytes >= KB / 2)
    .slice(0, 4)
    .map(([k, b]) => `${k} ${(b / KB).toFixed(0)} KB`)
    .join(', ');
}

export async function editor(ctx: BenchContext): Promise<void> {
  if (ctx.workerExecArgv.includes('--cpu-prof')) {
    ctx.log('bundle sizes are not measured with --cpu-prof (the bundles are built unminified for readable profiles)');
    await measureActivation(ctx);
    return;
  }
  for (const [name, limitKb] of [
    ['extension', 150],
    ['webview', 200],
    ['cli', undefined],
  ] as const) {
    const entry = ctx.production[name];
    if (!entry?.file) {
      ctx.report.add({ name: `bundle ${name}.js (minified)`, value: null, unit: 'KB', target: limitKb ? `< ${limitKb} KB` : null, met: null, note: entry?.error ?? 'no bundle yet' });
      continue;
    }
    const bytes = fs.readFileSync(entry.file);
    const gzipKb = zlib.gzipSync(bytes).length / KB;
    const note = `${bytes.length} bytes, ${gzipKb.toFixed(1)} KB gzipped; biggest parts: ${biggestParts(entry.parts ?? [])}`;
    if (limitKb) ctx.report.check(`bundle ${name}.js (minified)`, bytes.length / KB, 'KB', limitKb, 'max', note);
    else ctx.report.info(`bundle ${name}.js (minified)`, bytes.length / KB, 'KB', note);
  }
  // Bundles extension.js require()s on first use (esbuild.js `lazy`): not loaded by an activation that skips them.
  for (const [name, entry] of Object.entries(ctx.production)) {
    if (!entry.lazy || !entry.file) continue;
    const bytes = fs.readFileSync(entry.file);
    const note = `loaded by extension.js on first use; ${bytes.length} bytes, ${(zlib.gzipSync(bytes).length / KB).toFixed(1)} KB gzipped; biggest parts: ${biggestParts(entry.parts ?? [])}`;
    ctx.report.info(`bundle ${name}.js (minified, lazy)`, bytes.length / KB, 'KB', note);
  }

  const manifest = JSON.parse(fs.readFileSync(path.join(ctx.root, 'package.json'), 'utf8')) as {
    activationEvents?: string[];
  };
  const eager = (manifest.activationEvents ?? []).filter((e) => EAGER_EVENTS.includes(e) || e.startsWith('workspaceContains:'));
  ctx.report.property(
    'no activation before first use (manifest)',
    eager.length === 0,
    eager.length === 0 ? `activationEvents: ${JSON.stringify(manifest.activationEvents ?? [])} (derived from contributions)` : `eager: ${eager.join(', ')}`,
  );

  await measureActivation(ctx);
}
