// Builds the real CLI bundle (the same esbuild options `npm run build` uses, into a temp folder) and runs it as
// a child process, the way a user or CI runs `udp-lab`.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');

let built: Promise<string> | undefined;

/** Path of a freshly built cli.js (built once per test run). */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { bundles, optionsFor } = require(path.join(ROOT, 'esbuild.js')) as {
      bundles: Array<{ name: string }>;
      optionsFor: (b: { name: string }, o: { production: boolean }) => Record<string, unknown>;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-cli-'));
    const outfile = path.join(dir, 'cli.js');
    const cli = bundles.find((b) => b.name === 'cli')!;
    await esbuild.build({ ...optionsFor(cli, { production: false }), outfile, sourcemap: false });
    return outfile;
  })();
  return built;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when stderr contains `text` (e.g. "Listening on"). */
  waitForStderr(text: string | RegExp): Promise<string>;
  done: Promise<CliResult>;
}

export async function startCli(args: string[], options: { stdin?: Buffer | string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunningCli> {
  const cli = await buildCli();
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: Array<{ test: string | RegExp; resolve: (s: string) => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const w of [...stderrWaiters]) {
      if (typeof w.test === 'string' ? stderr.includes(w.test) : w.test.test(stderr)) {
        stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
        w.resolve(stderr);
      }
    }
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  else child.stdin.end();
  const timeoutMs = options.timeoutMs ?? 15000;
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`udp-lab ${args.join(' ')} did not exit within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    waitForStderr: (test) =>
      (typeof test === 'string' ? stderr.includes(test) : test.test(stderr)) ? Promise.resolve(stderr) : new Promise((resolve) => stderrWaiters.push({ test, resolve })),
    done,
  };
}

export async function runCli(args: string[], options?: Parameters<typeof startCli>[1]): Promise<CliResult> {
  return (await startCli(args, options)).done;
}

/** Writes a temporary .udp file and returns its path. */
export function udpFile(lines: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-file-'));
  const file = path.join(dir, 'test.udp');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}
