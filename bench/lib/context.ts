// What every section gets: the mode, where things are, and the report to add rows to.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Report } from './report';

export interface BenchContext {
  quick: boolean;
  /** Repository root. */
  root: string;
  /** out/bench: the built bench and its workers. */
  outDir: string;
  /** Extra node flags for workers (e.g. --cpu-prof). */
  workerExecArgv: string[];
  report: Report;
  /** Production bundles built by bench/run.js: name → file, or why it could not be built. */
  production: Record<string, ProductionBundle>;
  log(message: string): void;
  /** `--memory-datagrams=N`: a longer memory run (default 1 000 000, quick 200 000). */
  memoryDatagrams?: number;
}

export interface ProductionBundle {
  file?: string;
  error?: string;
  /** Input files and the bytes each contributes to the minified output, biggest first. */
  parts?: Array<{ file: string; bytes: number }>;
  /** Loaded by extension.js with require() on first use (esbuild.js `lazy`), not at activation. */
  lazy?: boolean;
}

export function loadProduction(outDir: string): BenchContext['production'] {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'production.json'), 'utf8')) as BenchContext['production'];
  } catch {
    return {};
  }
}

/** The production bundle of `name`, or an Error naming why there is none. */
export function productionBundle(ctx: BenchContext, name: string): string {
  const entry = ctx.production[name];
  if (entry?.file) return entry.file;
  throw new SkipSection(entry?.error ? `the ${name} bundle does not build: ${entry.error}` : `there is no ${name} bundle yet`);
}

/** Thrown by a section that cannot run on this machine or at this stage of the project; it is reported, not failed. */
export class SkipSection extends Error {}
