// The bench's driver (built by bench/run.js into out/bench/main.js). Runs each section, prints rows as they
// come and a table at the end, writes bench/results.json, and — when UDP_LAB_RESULTS_FILE is set (npm test) —
// counts each section that ran as a passed test and each that crashed as a failed one. Missed targets are
// findings, not failures (`--strict` makes them fail).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchContext, loadProduction, SkipSection } from './lib/context';
import { printProfiles } from './lib/profile';
import { Report } from './lib/report';
import { cli } from './sections/cli';
import { editor } from './sections/editor';
import { ingest } from './sections/ingest';
import { memory } from './sections/memory';
import { panel } from './sections/panel';
import { send } from './sections/send';

type Section = (ctx: BenchContext) => Promise<void>;

/** Sections still start in quick mode until this much time has gone (the run must stay under 60 s). */
const QUICK_BUDGET_MS = 40_000;

const sections: Array<[string, Section]> = [
  ['ingest', ingest],
  ['send', send],
  ['memory', memory],
  ['panel', panel],
  ['editor', editor],
  ['cli', cli],
];

export interface Options {
  quick: boolean;
  strict: boolean;
  cpuProf: boolean;
  only: string[] | undefined;
  memoryDatagrams: number | undefined;
}

export function parseArgs(argv: string[]): Options {
  const onlyArg = argv.find((a) => a.startsWith('--only'));
  const onlyValue = onlyArg?.includes('=') ? onlyArg.split('=')[1] : onlyArg ? argv[argv.indexOf(onlyArg) + 1] : undefined;
  return {
    quick: argv.includes('--quick'),
    strict: argv.includes('--strict'),
    cpuProf: argv.includes('--cpu-prof'),
    only: onlyValue ? onlyValue.split(',') : undefined,
    memoryDatagrams: Number(argv.find((a) => a.startsWith('--memory-datagrams='))?.split('=')[1]) || undefined,
  };
}

export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}, load ${load}`;
}

export async function runBench(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const root = path.resolve(__dirname, '..', '..');
  const outDir = __dirname;
  const profileDir = path.join(root, 'bench', 'profiles');
  if (options.cpuProf) fs.mkdirSync(profileDir, { recursive: true });
  const report = new Report();
  const started = performance.now();
  const ctx: BenchContext = {
    quick: options.quick,
    root,
    outDir,
    workerExecArgv: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    report,
    production: loadProduction(outDir),
    log: (m) => process.stdout.write(`  · ${m}\n`),
    ...(options.memoryDatagrams ? { memoryDatagrams: options.memoryDatagrams } : {}),
  };
  console.log(`UDP Lab bench (${options.quick ? 'quick' : 'full'}) on ${machineLine()}`);
  for (const [name, section] of sections) {
    if (options.only && !options.only.includes(name)) continue;
    const t0 = performance.now();
    console.log(`\n== ${name}`);
    // The smoke check must end within a minute even on a loaded machine: later sections give way.
    if (options.quick && t0 - started > QUICK_BUDGET_MS) {
      report.skipped.push(`${name}: the quick mode's ${QUICK_BUDGET_MS / 1000} s budget was spent (machine loaded?)`);
      console.log(`  skipped: the quick mode's time budget was spent`);
      continue;
    }
    try {
      await section(ctx);
      console.log(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      if (error instanceof SkipSection) {
        report.skipped.push(`${name}: ${error.message}`);
        console.log(`  skipped: ${error.message}`);
      } else {
        report.failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        console.log(`  ✘ ${name} crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  }

  if (options.cpuProf) printProfiles(profileDir, Date.now() - (performance.now() - started) - 1000);
  const resultsFile = path.join(root, 'bench', 'results.json');
  report.writeJson(resultsFile);
  console.log(`\n${report.table()}\n`);
  for (const s of report.skipped) console.log(`skipped  ${s}`);
  for (const f of report.failures) console.log(`CRASHED  ${f}`);
  const missed = report.rows.filter((r) => r.met === false);
  const met = report.rows.filter((r) => r.met === true);
  console.log(
    `targets: ${met.length} met, ${missed.length} missed; sections: ${report.failures.length} crashed, ${report.skipped.length} skipped; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s; results in ${path.relative(process.cwd(), resultsFile)}`,
  );

  const countsFile = process.env.UDP_LAB_RESULTS_FILE;
  if (countsFile) {
    const ran = sections.filter(([n]) => !options.only || options.only.includes(n)).length;
    fs.mkdirSync(path.dirname(countsFile), { recursive: true });
    fs.writeFileSync(
      countsFile,
      JSON.stringify({ passed: ran - report.failures.length - report.skipped.length, failed: report.failures.length, pending: report.skipped.length }),
    );
  }
  if (report.failures.length > 0) return 1;
  if (options.strict && missed.length > 0) return 1;
  return 0;
}
