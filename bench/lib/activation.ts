// The extension's activation time inside a real VS Code, from the integration harness: it runs the
// "UDP Lab activation cost" test alone (test/integration/activationCost.test.ts), which activates the
// extension itself and writes the time to $UDP_LAB_BENCH_ACTIVATION_FILE. Full mode only: one workbench
// session takes 20–30 s, and the harness's tools must already be installed (`npm run test:integration` once).

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchContext } from './context';

interface ActivationRecord {
  activeAtStartup: boolean;
  activeBefore: boolean;
  activationMs: number | null;
  codeLoadingMs: number;
  /** Fresh require of each bundle loaded on first use, by file name (absent in records from older tests). */
  lazyLoadingMs?: Record<string, number>;
}

/** When each lazily loaded bundle is required (src/host/udpFilesOnDemand.ts, src/host/panel/messagesPanel.ts). */
const LAZY_USE: Record<string, string> = {
  'udpFiles.js': 'a .udp file open or in the workspace',
  'panel.js': 'the Messages panel opened or restored',
};

function toolsInstalled(root: string): string | undefined {
  const runner = path.join(root, 'scripts/integration/run.js');
  if (!fs.existsSync(runner)) return 'the integration harness (scripts/integration/run.js) is not there yet';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const install = require(path.join(root, 'scripts/integration/install.js')) as { cacheDir: string; CODE_SERVER_VERSION: string; NODE_VERSION: string };
    const markers = [`code-server-${install.CODE_SERVER_VERSION}`, `node-v${install.NODE_VERSION}`].map((d) => path.join(install.cacheDir, d, '.complete'));
    const missing = markers.filter((m) => !fs.existsSync(m));
    if (missing.length > 0) return `the harness's tools are not installed (run \`npm run test:integration\` once)`;
  } catch (error) {
    return `cannot read the harness's install settings: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

function runOnce(root: string, profileFile: string | undefined): Promise<ActivationRecord> {
  const file = path.join(os.tmpdir(), `udp-lab-activation-${process.pid}-${Date.now()}.json`);
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(process.execPath, ['scripts/integration/run.js', '--grep', 'activation cost', '--no-package', '--timeout', '120'], {
      cwd: root,
      env: {
        ...process.env,
        UDP_LAB_BENCH_ACTIVATION_FILE: file,
        UDP_LAB_RESULTS_FILE: '',
        ...(profileFile ? { UDP_LAB_BENCH_ACTIVATION_PROFILE: profileFile } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        const record = JSON.parse(fs.readFileSync(file, 'utf8')) as ActivationRecord;
        fs.rmSync(file, { force: true });
        resolve(record);
      } catch {
        reject(new Error(`the harness run (exit ${code}) wrote no activation record; its last lines:\n${output.trim().split('\n').slice(-8).join('\n')}`));
      }
    });
  });
}

export async function measureActivation(ctx: BenchContext): Promise<void> {
  const name = 'activation time in VS Code';
  if (ctx.quick) {
    ctx.report.add({ name, value: null, unit: 'ms', target: null, met: null, note: 'full mode only (a workbench session takes 20–30 s)' });
    return;
  }
  const missing = toolsInstalled(ctx.root);
  if (missing) {
    ctx.report.add({ name, value: null, unit: 'ms', target: null, met: null, note: missing });
    return;
  }
  ctx.log('activation: one workbench session running the "activation cost" test');
  const profileFile = ctx.workerExecArgv.includes('--cpu-prof') ? path.join(ctx.root, 'bench/profiles/activation.cpuprofile') : undefined;
  const record = await runOnce(ctx.root, profileFile);
  ctx.report.info(
    name,
    record.activationMs,
    'ms',
    record.activationMs === null
      ? `not measurable: VS Code had already activated it at startup (see below); bundle code loading ${record.codeLoadingMs.toFixed(1)} ms`
      : `ext.activate() from inactive, development bundle; of which code loading ${record.codeLoadingMs.toFixed(1)} ms`,
  );
  ctx.report.info('extension code loading in VS Code', record.codeLoadingMs, 'ms', 'fresh require of the bundle in the extension host (read, compile, evaluate)');
  for (const [bundle, ms] of Object.entries(record.lazyLoadingMs ?? {})) {
    ctx.report.info(`${bundle} code loading in VS Code`, ms, 'ms', `fresh require; paid on first use (${LAZY_USE[bundle] ?? 'its feature'}), not by every activation`);
  }
  ctx.report.property('not active after the workbench starts', !record.activeAtStartup, 'isActive read before any suite ran, sample workspace open');
}
