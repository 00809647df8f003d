// Runs in the panel's test page before the webview bundle (bundled by panelPage.ts). It stands in for VS Code:
// acquireVsCodeApi (postMessage, getState, setState) and message delivery to the page, and gives tests and the
// bench a way to make rows in the page (RowBlocks hold typed arrays, which are best built where they are used).

import type { DatagramView } from '../../../src/shared/dto';
import { encodePayload, fromHex } from '../../../src/shared/payload';
import type { HostToWebview, LogCaps, LogTotals, SocketSummary, TargetSuggestion } from '../../../src/shared/protocol';
import { encodeRowBlock, type BlockSource } from '../../../src/shared/rowBlock';
import type { PageWindow } from './pageTypes';
import { DEFAULT_SOCKETS } from './sockets';

const w = globalThis as unknown as PageWindow;

export interface RowSpec {
  seq: number;
  time?: number;
  direction?: 'in' | 'out';
  socketId?: string;
  peer?: { address: string; port: number; family?: 'IPv4' | 'IPv6' };
  /** Payload: text (UTF-8), or hex when `hex` is set. */
  text?: string;
  hex?: string;
  /** The datagram's true size when the row carries only part of it (to test truncated rows). */
  size?: number;
}

export interface SynthOptions {
  from: number;
  count: number;
  socketId?: string;
  /** Every n-th row is 'out' (0 = all in). */
  outEvery?: number;
  time0?: number;
}

const fromWebview: unknown[] = [];
let savedState: unknown = w.__udpLabInitialState;
let stream = 0;
const prepared: HostToWebview[] = [];
let totals: LogTotals = { logged: 0, dropped: 0, cleared: 0, kept: 0, keptBytes: 0, lastSeq: 0 };

w.acquireVsCodeApi = () => ({
  postMessage: (message: unknown) => {
    fromWebview.push(message);
    // Tests in Node hear about it at once (panelPage.ts exposes this binding before the page loads).
    w.__udpLabToNode?.(message);
  },
  getState: () => savedState,
  setState: (s: unknown) => {
    savedState = s;
  },
});

function toSource(r: RowSpec): BlockSource {
  const bytes = r.hex !== undefined ? fromHex(r.hex) : encodePayload(r.text ?? `datagram ${r.seq}`, 'text');
  return {
    seq: r.seq,
    time: r.time ?? Date.UTC(2024, 4, 1, 12, 0, 0) + r.seq,
    direction: r.direction ?? 'in',
    socketId: r.socketId ?? 'udp4-1',
    peer: { address: r.peer?.address ?? '127.0.0.1', port: r.peer?.port ?? 40000 + (r.seq % 1000), family: r.peer?.family ?? 'IPv4' },
    size: r.size ?? bytes.length,
    bytes,
  } satisfies Pick<DatagramView, keyof BlockSource>;
}

function synth(o: SynthOptions): BlockSource[] {
  const out: BlockSource[] = [];
  const t0 = o.time0 ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  for (let i = 0; i < o.count; i++) {
    const seq = o.from + i;
    const outgoing = o.outEvery !== undefined && o.outEvery > 0 && seq % o.outEvery === 0;
    out.push(
      toSource({
        seq,
        time: t0 + seq * 0.25,
        direction: outgoing ? 'out' : 'in',
        socketId: o.socketId ?? (seq % 3 === 0 ? 'udp4-2' : 'udp4-1'),
        peer: { address: seq % 5 === 0 ? '::1' : '127.0.0.1', port: 40000 + (seq % 7), family: seq % 5 === 0 ? 'IPv6' : 'IPv4' },
        text: `ping ${seq} ${seq % 2 === 0 ? 'even' : 'odd'}`,
      }),
    );
  }
  return out;
}

function deliver(message: HostToWebview): void {
  w.postMessage(message, '*');
}


const api = {
  /** Everything the webview posted, in order (not drained). */
  fromWebview,
  /** Messages posted since the last call. */
  take(): unknown[] {
    return fromWebview.splice(0, fromWebview.length);
  },
  get state(): unknown {
    return savedState;
  },
  get stream(): number {
    return stream;
  },
  post(message: HostToWebview): void {
    deliver(message);
  },
  /** Posts a snapshot of these rows (specs, or synthetic rows) and returns its stream seq. */
  snapshot(o: {
    rows?: RowSpec[];
    synth?: SynthOptions;
    caps?: LogCaps;
    sockets?: SocketSummary[];
    targets?: TargetSuggestion[];
    totals?: Partial<LogTotals>;
    omitted?: number;
  }): number {
    const sources = o.synth ? synth(o.synth) : (o.rows ?? []).map(toSource);
    const last = sources[sources.length - 1];
    totals = {
      logged: sources.length,
      dropped: 0,
      cleared: 0,
      kept: sources.length,
      keptBytes: sources.reduce((n, s) => n + s.bytes.length, 0),
      lastSeq: last ? last.seq : 0,
      ...o.totals,
    };
    stream++;
    deliver({
      type: 'snapshot',
      seq: stream,
      reason: 'ready',
      caps: o.caps ?? { maxCount: 100_000, maxBytes: 64 * 1024 * 1024 },
      totals,
      rows: encodeRowBlock(sources, { maxBytes: 64 * 1024 * 1024, truncatedRowBytes: 256 }),
      omitted: o.omitted ?? 0,
      sockets: o.sockets ?? DEFAULT_SOCKETS,
      targets: o.targets ?? [],
      defaultEncoding: 'text',
    });
    return stream;
  },
  /** Posts a batch; `seq` overrides the next stream seq (to make a gap). */
  batch(o: { rows?: RowSpec[]; synth?: SynthOptions; skipped?: number; seq?: number; totals?: Partial<LogTotals> }): number {
    const sources = o.synth ? synth(o.synth) : (o.rows ?? []).map(toSource);
    const last = sources[sources.length - 1];
    const arrived = sources.length + (o.skipped ?? 0);
    totals = {
      logged: totals.logged + arrived,
      dropped: totals.dropped,
      cleared: totals.cleared,
      kept: totals.kept + sources.length,
      keptBytes: totals.keptBytes + sources.reduce((n, s) => n + s.bytes.length, 0),
      lastSeq: last ? last.seq : totals.lastSeq,
      ...o.totals,
    };
    stream = o.seq ?? stream + 1;
    deliver({ type: 'batch', seq: stream, totals, rows: encodeRowBlock(sources), skipped: o.skipped ?? 0 });
    return stream;
  },
  /**
   * Builds `count` batches of `rows` synthetic rows each (with `skipped` counted per batch) ahead of time, so a
   * measurement of the panel does not include making its input. deliverPrepared() posts the next one.
   */
  prepareBatches(o: { count: number; rows: number; skipped: number; from: number }): number {
    prepared.length = 0;
    let from = o.from;
    for (let i = 0; i < o.count; i++) {
      const sources = synth({ from, count: o.rows });
      from += o.rows + o.skipped;
      const last = sources[sources.length - 1]!;
      totals = {
        logged: totals.logged + o.rows + o.skipped,
        dropped: totals.dropped,
        cleared: totals.cleared,
        kept: totals.kept + o.rows,
        keptBytes: totals.keptBytes + sources.reduce((n, s) => n + s.bytes.length, 0),
        lastSeq: last.seq,
      };
      stream++;
      prepared.push({ type: 'batch', seq: stream, totals, rows: encodeRowBlock(sources), skipped: o.skipped });
    }
    stream -= o.count;
    return prepared.length;
  },
  /** Posts the next prepared batch; returns its newest seq, or -1 when none is left. */
  deliverPrepared(): number {
    const next = prepared.shift();
    if (!next || next.type !== 'batch') return -1;
    stream = next.seq;
    deliver(next);
    return next.rows.seq[next.rows.count - 1] ?? -1;
  },
  /** Answers request `id` of the given type (tests decide what the host says). */
  respond(id: number, request: string, ok: boolean, resultOrError: unknown): void {
    deliver((ok ? { type: 'response', id, request, ok, result: resultOrError } : { type: 'response', id, request, ok, error: resultOrError }) as HostToWebview);
  },
  /** Bytes from hex, for getBytes answers made in the page. */
  bytesFromHex(hex: string): Uint8Array {
    return fromHex(hex);
  },

};

w.__udpLabTest = api;

// The theme: the page URL says which; VS Code sets the variables on <html> and a class on <body>.
const theme = new URLSearchParams(w.location.search).get('theme') ?? 'dark';
const link = w.document.createElement('link');
link.rel = 'stylesheet';
link.href = `/theme/${encodeURIComponent(theme)}.css`;
w.document.head.append(link);
const bodyClass = theme === 'light' ? 'vscode-light' : theme === 'high-contrast' ? 'vscode-high-contrast' : 'vscode-dark';
w.document.body.classList.add(bodyClass);
w.document.body.dataset.vscodeThemeKind = bodyClass;

export type TestApi = typeof api;
