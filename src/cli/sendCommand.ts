// `udp-lab send HOST:PORT PAYLOAD [--encoding E] [--from ADDRESS:PORT] [--repeat N --interval MS] [--await MS]`.
// The command builds a one-block .udp model and hands it to the same runner `udp-lab run` and the editor use, so
// sending, repeating, awaiting and round-trip timing have one implementation.

import * as fs from 'node:fs';
import type { PayloadEncoding } from '../shared/dto';
import { decodeText, encodePayload, PayloadError, toBase64, toHex } from '../shared/payload';
import { parseBindSpec, parseHostPort } from '../shared/validation';
import { StandaloneSockets } from '../core/udpFile/standaloneSockets';
import { runUdpFile, type Block, type Diagnostic, type Template, type UdpFileModel } from '../core/udpFile';
import { joinTemplateLines, parseTemplateLine, range } from '../core/udpFile/template';
import { ExitCode, UsageError } from './exitCodes';
import { interruptToken } from './interrupt';
import { BatchedWriter, datagramJson, formatEndpoint, plural } from './output';

export interface SendCommandOptions {
  encoding?: PayloadEncoding;
  from?: string;
  repeat?: number;
  interval?: number;
  await?: number;
  json?: boolean;
  /** false with --no-templates: send `{{…}}` literally. */
  templates?: boolean;
}

export async function sendCommand(destination: string, payloadArg: string, options: SendCommandOptions): Promise<number> {
  const target = parseHostPort(destination);
  if (!target.ok) throw new UsageError(target.message);
  if (options.from !== undefined) {
    const from = parseBindSpec(options.from);
    if (!from.ok) throw new UsageError(from.message.replace(/^The destination/, 'The --from address'));
  }
  // PAYLOAD "-" reads stdin: raw bytes unless --encoding says how the text there is written.
  const fromStdin = payloadArg === '-';
  const stdinBytes = fromStdin ? new Uint8Array(fs.readFileSync(0)) : undefined;
  const encoding: PayloadEncoding = options.encoding ?? (fromStdin ? 'escaped' : 'text');
  const payloadText = stdinBytes !== undefined ? (options.encoding === undefined ? toEscapedRaw(stdinBytes) : new TextDecoder().decode(stdinBytes)) : payloadArg;
  const templates = options.templates !== false && !(fromStdin && options.encoding === undefined);

  const diagnostics: Diagnostic[] = [];
  const body = bodyTemplate(payloadText, templates, diagnostics);
  const problem = diagnostics.find((d) => d.severity === 'error');
  if (problem) throw new UsageError(`${problem.message} Use --no-templates to send "{{" literally.`);
  if (!body.segments.some((s) => s.kind === 'expression')) {
    try {
      encodePayload(payloadText, encoding);
    } catch (error) {
      if (error instanceof PayloadError) throw new UsageError(`The payload is not valid ${encoding === 'escaped' ? 'escaped text' : encoding}: ${error.reason} (at character ${error.position + 1}).`);
      throw error;
    }
  }

  const model = oneBlockModel(destination, body, encoding, options);
  const sockets = new StandaloneSockets();
  const interrupt = interruptToken();
  const out = new BatchedWriter(process.stdout);
  const show = encoding === 'hex' ? (b: Uint8Array) => toHex(b) : encoding === 'base64' ? toBase64 : (b: Uint8Array) => decodeText(b);
  let result;
  try {
    result = await runUdpFile(
      model,
      {
        registry: sockets,
        env: process.env,
        label: 'udp-lab send',
        onEvent: (e) => {
          if (e.type !== 'received') return;
          const r = e.reply;
          if (options.json) out.line(datagramJson(r.time, r.peer, r.bytes, r.rttMs !== undefined ? `,"rttMs":${Math.round(r.rttMs * 1000) / 1000}` : ''));
          else {
            out.line(show(r.bytes));
            process.stderr.write(`Reply from ${formatEndpoint(r.peer)}: ${plural(r.bytes.length, 'byte')}${r.rttMs !== undefined ? ` in ${r.rttMs.toFixed(2)} ms` : ''}.\n`);
          }
        },
      },
      interrupt,
    );
  } finally {
    interrupt.dispose();
    await sockets.closeAll();
  }
  await out.end();
  const r = result.results[0]!;
  if (r.status === 'error') {
    process.stderr.write(`${sentence(r.message)}\n`);
    return ExitCode.Failed;
  }
  const total = options.repeat ?? 1;
  const sentLine = `Sent ${plural(r.sent, 'datagram')} (${plural(r.bytesSent, 'byte')}) to ${formatEndpoint({ address: r.target!.host, port: r.target!.port })}.`;
  if (!options.json) process.stderr.write(`${sentLine}\n`);
  if (result.cancelled) return ExitCode.Interrupted;
  if (options.await !== undefined && r.matched < total) {
    process.stderr.write(
      total === 1 ? `No reply within ${options.await} ms.\n` : `${total - r.matched} of ${plural(total, 'datagram')} got no reply within ${options.await} ms.\n`,
    );
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Raw stdin bytes as escaped text, so they pass through the escaped codec byte for byte. */
function toEscapedRaw(bytes: Uint8Array): string {
  return decodeText(bytes, { keepNewlines: true });
}

function literal(text: string): Template {
  return { raw: text, segments: text === '' ? [] : [{ kind: 'text', text }], range: range(0, 0, 0) };
}

function bodyTemplate(text: string, templates: boolean, diagnostics: Diagnostic[]): Template {
  if (!templates || !text.includes('{{')) return literal(text);
  const scope = { isVariable: () => false, variableNames: () => [], allowCaptures: false, where: 'the payload' };
  return joinTemplateLines(text.split('\n').map((line, i) => parseTemplateLine(line, { line: i, character: 0 }, scope, diagnostics)));
}

function oneBlockModel(destination: string, body: Template, encoding: PayloadEncoding, options: SendCommandOptions): UdpFileModel {
  const here = range(0, 0, 0);
  const block: Block = {
    index: 0,
    label: `send ${destination}`,
    range: here,
    method: 'SEND',
    requestRange: here,
    scheme: 'udp',
    target: literal(destination),
    headers: [],
    encoding,
    joins: [],
    responders: [],
    body,
    hasErrors: false,
    ...(options.from !== undefined ? { from: literal(options.from) } : {}),
    ...(options.repeat !== undefined && options.repeat > 1 ? { repeat: { count: options.repeat, intervalMs: options.interval ?? 0, range: here } } : {}),
    // --await: any reply counts (Expect-Hex "*"), and the runner times the round trip.
    ...(options.await !== undefined ? { expect: { kind: 'hex' as const, pattern: literal('*'), withinMs: options.await, range: here } } : {}),
  };
  return { blocks: [block], variables: new Map(), variableDefinitions: [], diagnostics: [], lineCount: 1 };
}
