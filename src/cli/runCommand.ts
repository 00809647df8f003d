// `udp-lab run FILE [--block NAME] [--json]`: parse a .udp file, print its problems as FILE:LINE:COL, run it
// with the same runner the editor uses, and exit 0 (all expectations held), 1 (one failed) or 2 (usage/parse).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { StandaloneSockets } from '../core/udpFile/standaloneSockets';
import { defaultListenAddress } from '../core/udpFile/target';
import { exposesToNetwork } from '../core/localAddresses';
import { parseUdpFile, runUdpFile, UnknownBlockError, type BindGuard, type BlockResult, type Diagnostic, type RunResult } from '../core/udpFile';
import { toHex } from '../shared/payload';
import { ExitCode, UsageError } from './exitCodes';
import { interruptToken } from './interrupt';
import { BatchedWriter, formatEndpoint, styleFor } from './output';

export interface RunCommandOptions {
  block?: string[];
  json?: boolean;
}

export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT'
        ? `The file ${file} does not exist (ENOENT). Check the path.`
        : code === 'EISDIR'
          ? `${file} is a directory (EISDIR). Give the path of a .udp file.`
          : `Cannot read ${file} (${code ?? 'error'}): ${(error as Error).message}.`,
    );
  }
  const model = parseUdpFile(text);
  const shownName = path.relative(process.cwd(), file) || file;
  const errors = model.diagnostics.filter((d) => d.severity === 'error');
  // Problems go to stderr in the FILE:LINE:COL form editors and CI annotate; warnings never change the exit code.
  for (const d of model.diagnostics) {
    if (d.severity !== 'information') process.stderr.write(`${formatDiagnostic(shownName, d)}\n`);
  }
  if (errors.length > 0) {
    if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, file: shownName, diagnostics: model.diagnostics.map(diagnosticJson), results: [] })}\n`);
    process.stderr.write(`${shownName} has ${errors.length === 1 ? '1 error' : `${errors.length} errors`}; nothing was sent. Fix ${errors.length === 1 ? 'it' : 'them'} and run again.\n`);
    return ExitCode.Usage;
  }
  if (model.blocks.length === 0) throw new UsageError(`${shownName} has no SEND or LISTEN blocks, so there is nothing to run.`);

  const registry = new StandaloneSockets();
  const interrupt = interruptToken();
  const out = new BatchedWriter(process.stdout);
  const style = styleFor(process.stdout);
  let result: RunResult;
  try {
    result = await runUdpFile(
      model,
      {
        registry,
        ...(options.block && options.block.length > 0 ? { only: options.block } : {}),
        env: process.env,
        label: shownName,
        confirmBind: warnOnNetworkBind(shownName),
        onEvent: options.json
          ? undefined
          : (e) => {
              if (e.type === 'blockFinished') out.line(formatResultLine(e.result, style));
            },
      },
      interrupt,
    );
  } catch (error) {
    if (error instanceof UnknownBlockError) throw new UsageError(error.message);
    throw error;
  } finally {
    interrupt.dispose();
    await registry.closeAll();
  }
  if (options.json) {
    out.line(JSON.stringify({ ok: result.ok, file: shownName, ...summary(result), diagnostics: model.diagnostics.map(diagnosticJson), results: result.results.map(resultJson) }));
  } else {
    const parts = [`${result.passed} passed`, `${result.failed} failed`, `${result.errors} ${result.errors === 1 ? 'error' : 'errors'}`];
    const line = `${parts.join(', ')} · ${(result.durationMs / 1000).toFixed(2)} s${result.cancelled ? ' · interrupted' : ''}`;
    out.line(result.ok ? style.green(line) : style.red(line));
  }
  await out.end();
  if (result.cancelled) return ExitCode.Interrupted;
  return result.ok ? ExitCode.Ok : ExitCode.Failed;
}

/**
 * The editor asks before a .udp file exposes a port to the network; a terminal run cannot ask (CI has nobody to
 * answer), so it binds as the file says and prints one warning line per such bind on stderr, where it is seen
 * but never mixes with --json output on stdout.
 */
function warnOnNetworkBind(file: string): BindGuard {
  return async (request) => {
    if (exposesToNetwork(request.address)) {
      const local = defaultListenAddress(request.type);
      const verb = request.header === 'LISTEN' ? 'listens on' : 'sends from';
      process.stderr.write(
        `${file}:${request.block.range.start.line + 1}: warning: ${request.block.label} ${verb} ${formatEndpoint(request)}, reachable from the network; use ${local} in the file to stay on this machine.\n`,
      );
    }
    return request.address;
  };
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
  return d.severity === 'error' ? `${where}: ${d.message}` : `${where}: ${d.severity}: ${d.message}`;
}

const GLYPH: Record<BlockResult['status'], string> = {
  passed: '✓',
  failed: '✗',
  sent: '→',
  listened: '◦',
  error: '!',
  cancelled: '-',
};

function formatResultLine(r: BlockResult, style: ReturnType<typeof styleFor>): string {
  const glyph = GLYPH[r.status];
  const coloured = r.status === 'passed' ? style.green(glyph) : r.status === 'failed' || r.status === 'error' ? style.red(glyph) : style.dim(glyph);
  const name = r.label.length > 28 ? `${r.label.slice(0, 27)}…` : r.label.padEnd(28);
  return `${coloured} ${style.bold(name)} ${r.status === 'error' ? style.red(r.message) : r.message}${r.dependency ? style.dim(' (needed by the selected blocks)') : ''}`;
}

function summary(r: RunResult) {
  return { passed: r.passed, failed: r.failed, errors: r.errors, cancelled: r.cancelled, durationMs: round(r.durationMs) };
}

function diagnosticJson(d: Diagnostic) {
  return { severity: d.severity, code: d.code, message: d.message, line: d.range.start.line + 1, column: d.range.start.character + 1 };
}

function resultJson(r: BlockResult) {
  return {
    block: r.blockIndex,
    ...(r.name !== undefined ? { name: r.name } : {}),
    label: r.label,
    method: r.method,
    line: r.line + 1,
    status: r.status,
    message: r.message,
    ...(r.expected !== undefined ? { expected: r.expected } : {}),
    ...(r.target ? { target: formatEndpoint({ address: r.target.host, port: r.target.port }) } : {}),
    ...(r.local ? { local: formatEndpoint(r.local) } : {}),
    sent: r.sent,
    bytesSent: r.bytesSent,
    received: r.method === 'LISTEN' ? r.received : r.replies.length,
    matched: r.matched,
    ...(r.method === 'LISTEN' ? { responded: r.responded } : {}),
    ...(r.rtt ? { rttMs: { min: round(r.rtt.min), avg: round(r.rtt.avg), max: round(r.rtt.max) } } : {}),
    durationMs: round(r.durationMs),
    ...(r.error ? { error: r.error } : {}),
    dependency: r.dependency,
    replies: r.replies.map((x) => ({
      time: new Date(x.time).toISOString(),
      address: x.peer.address,
      family: x.peer.family,
      port: x.peer.port,
      size: x.bytes.length,
      hex: toHex(x.bytes, ''),
      text: x.text,
      matched: x.matched,
      ...(x.rttMs !== undefined ? { rttMs: round(x.rttMs) } : {}),
    })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
