// The Messages panel's host⇄webview protocol: one discriminated union per direction (`type` field), in the
// vscode-hexeditor style. Requests from the webview carry an `id` and get exactly one typed `response`.
//
// Flow: the webview posts `ready`; the host answers with a `snapshot` (stream seq = n), then `batch` messages
// (n+1, n+2, …) at most every 50–100 ms, each with at most a bounded number of rows. A batch whose `seq` is not
// the next one tells the webview it missed something; it posts `resync` and the host sends a fresh snapshot.
// Rows travel as a columnar RowBlock (see rowBlock.ts): a few typed arrays instead of one object per datagram,
// so a flood costs a handful of buffer copies per batch, not thousands of objects.
//
// Messages from the webview are untrusted input (a compromised or buggy page can post anything):
// `parseWebviewMessage` checks type, fields and ranges, and the host refuses everything else.

import type { AddressFamily, Direction, Endpoint, PayloadEncoding, SocketState, SocketType } from './dto';
import { isPayloadEncoding } from './payload';
import type { Validation } from './validation';

export const PROTOCOL_VERSION = 1;

/** Limits on what the webview may ask for. The webview's forms use the same numbers, so they never ask for more. */
export const PROTOCOL_LIMITS = {
  /** Payload text: 65 527 bytes as hex with separators and line breaks is ≈ 200 k characters; leave room. */
  maxPayloadChars: 1_000_000,
  maxTargetChars: 300,
  maxSocketIdChars: 200,
  maxRepeatCount: 1_000_000,
  maxIntervalMs: 3_600_000,
  maxQueryChars: 2_000,
  /** Copy-as text: a 65 527-byte datagram as a shell line with octal escapes is ≈ 262 k characters. */
  maxCopyChars: 2_000_000,
  maxRequestId: Number.MAX_SAFE_INTEGER,
} as const;

// ------------------------------------------------------------------------------------------ rows

/**
 * Rows in columnar form. Row i: seq[i], time[i], dir[i] (0 in, 1 out), size[i] (the datagram's true size),
 * strings[socket[i]] (socket id), strings[peerAddress[i]], peerPort[i], peerFamily[i] (4 or 6), and its bytes
 * bytes[offsets[i] .. offsets[i+1]). When fewer bytes than size[i] are carried, the row is truncated (under a
 * flood the host keeps each batch's bytes bounded); the webview fetches the whole datagram with `getBytes`.
 */
export interface RowBlock {
  count: number;
  seq: Float64Array;
  time: Float64Array;
  dir: Uint8Array;
  size: Uint32Array;
  socket: Uint32Array;
  peerAddress: Uint32Array;
  peerPort: Uint16Array;
  peerFamily: Uint8Array;
  /** Interned socket ids and peer addresses: each appears once per block. */
  strings: string[];
  /** count + 1 entries. */
  offsets: Uint32Array;
  bytes: Uint8Array;
}

/** Exact counts from the host's log; the panel may hold only a sample of the rows, never of these numbers. */
export interface LogTotals {
  /** Datagrams recorded (in and out) since UDP Lab started. Never goes down. */
  logged: number;
  /** Older datagrams the log let go of because of its count/byte caps. */
  dropped: number;
  /** Datagrams removed by Clear (logged = kept + dropped + cleared, exactly); absent = none. */
  cleared?: number;
  /** Datagrams the log holds right now. */
  kept: number;
  /** Bytes of payload the log holds right now. */
  keptBytes: number;
  /** Sequence number of the newest logged datagram (0 when none yet). */
  lastSeq: number;
}

export interface LogCaps {
  maxCount: number;
  maxBytes: number;
}

/** An open socket as the panel shows it (the "from" list, the socket filter, the list's socket column). */
export interface SocketSummary {
  id: string;
  /** `statsd · udp4 127.0.0.1:8125`, made by the host so every surface names a socket the same way. */
  title: string;
  /** Absent for closed sockets known only by name. */
  type?: SocketType;
  state: SocketState;
  local?: Endpoint;
  remote?: Endpoint;
}

/** A suggestion for the composer's target field. */
export interface TargetSuggestion {
  /** `host:port` / `[v6]:port`, exactly what the target field takes. */
  target: string;
  kind: 'recent' | 'peer';
  /** A short description: "peer of udp4 127.0.0.1:5000 · 18 datagrams". */
  detail?: string;
  /** For peers: the socket that talked to it (Reply-like default for "from"). */
  socketId?: string;
}

/** Fields the host may put into the composer (the tree's "Send…"/"Reply", or a restore). */
export interface ComposerPrefill {
  target?: string;
  /** A socket id, or 'ephemeral' (a throw-away socket per send, of the target's family). */
  from?: string;
  payload?: string;
  encoding?: PayloadEncoding;
  /** Move keyboard focus to the payload editor. */
  focus?: boolean;
  /** Also filter the list to this socket (the tree's "Show Messages" on a socket). */
  filterSocketId?: string;
}

// ------------------------------------------------------------------------------------ filters

export type SearchMode = 'text' | 'regex' | 'hex';

/** What the list shows; also what "Export" writes (applied by the host to the whole log, not just the sample). */
export interface DatagramFilter {
  /** A socket id; empty or absent = every socket. */
  socketId?: string;
  /** Substring of the peer as `address:port` / `[v6]:port`; empty = any. */
  peer?: string;
  direction?: Direction;
  search?: { mode: SearchMode; query: string; caseSensitive?: boolean };
}

// --------------------------------------------------------------------------- webview → host

export type FromSpec = { socketId: string } | { ephemeral: SocketType };

export interface SendParams {
  from: FromSpec;
  /** `host:port`, `[v6]:port` or `udp://host:port`; parsed by the host with the shared validation. */
  target: string;
  payload: string;
  encoding: PayloadEncoding;
  /** Send `count` times, `intervalMs` apart (count 1 = once). */
  repeat?: { count: number; intervalMs: number };
}

/** Requests and what each one answers: the single source of the request/response types. */
export interface RequestMap {
  send: { params: SendParams; result: { sent: number; failed: number; cancelled: boolean; bytes: number; target: string } };
  cancelSend: { params: { sendId: number }; result: { cancelled: boolean } };
  /** The whole datagram, when a row arrived truncated. */
  getBytes: { params: { seq: number }; result: { seq: number; bytes: Uint8Array } };
  /** Writes text to the clipboard (the webview's own clipboard access is not reliable in every host). */
  copy: { params: { text: string; what: string }; result: { chars: number } };
  /** Save dialog, then the filtered log as JSON Lines. */
  export: { params: { filter: DatagramFilter }; result: { written: number; path: string } | { cancelled: true } };
  clear: { params: Record<never, never>; result: { cleared: number } };
  /** Runs one of a few UDP Lab commands (the empty state's "Listen on Port…"). */
  runCommand: { params: { command: PanelCommand }; result: { done: true } };
}

export type RequestType = keyof RequestMap;
export const PANEL_COMMANDS = ['listen'] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];

export type WebviewRequest = { [K in RequestType]: { type: K; id: number } & RequestMap[K]['params'] }[RequestType];

export type WebviewToHost =
  | { type: 'ready'; protocol: number }
  /** The webview saw a batch out of order (or none where one was due): please send a snapshot. */
  | { type: 'resync'; lastSeq: number; reason: string }
  /** The webview has applied stream message `seq` (flow control: the host keeps only a few unacknowledged). */
  | { type: 'ack'; seq: number }
  | WebviewRequest;

// --------------------------------------------------------------------------- host → webview

export interface Snapshot {
  type: 'snapshot';
  /** Stream sequence: the next batch carries seq + 1. */
  seq: number;
  reason: 'ready' | 'visible' | 'resync' | 'cleared';
  caps: LogCaps;
  totals: LogTotals;
  /** The newest rows of the log (all of them when they fit the snapshot's bounds). */
  rows: RowBlock;
  /** Rows of the log not included (older than the ones sent, or sent truncated to nothing). */
  omitted: number;
  sockets: SocketSummary[];
  targets: TargetSuggestion[];
  defaultEncoding: PayloadEncoding;
}

export interface Batch {
  type: 'batch';
  seq: number;
  totals: LogTotals;
  rows: RowBlock;
  /** Datagrams logged since the previous batch that this batch does not carry (it carries the newest). */
  skipped: number;
}

export type HostResponse = {
  [K in RequestType]:
    | { type: 'response'; id: number; request: K; ok: true; result: RequestMap[K]['result'] }
    | { type: 'response'; id: number; request: K; ok: false; error: string };
}[RequestType];

export type HostToWebview =
  | Snapshot
  | Batch
  | { type: 'sockets'; sockets: SocketSummary[] }
  | { type: 'targets'; targets: TargetSuggestion[] }
  | { type: 'caps'; caps: LogCaps }
  /** Progress of a repeated send (request id of the `send`). */
  | { type: 'sendProgress'; id: number; sent: number; failed: number; total: number }
  | { type: 'prefill'; prefill: ComposerPrefill }
  | HostResponse;

// --------------------------------------------------------------------------- validation

/** Checks an untrusted message from the webview. Unknown fields are ignored; the value returned holds only known ones. */
export function parseWebviewMessage(raw: unknown): Validation<WebviewToHost> {
  if (!isRecord(raw)) return fail('The message is not an object.');
  const type = raw.type;
  if (typeof type !== 'string') return fail('The message has no "type".');
  try {
    switch (type) {
      case 'ready':
        return ok({ type, protocol: int(raw, 'protocol', 0, 1_000_000) });
      case 'resync':
        return ok({ type, lastSeq: int(raw, 'lastSeq', -1, Number.MAX_SAFE_INTEGER), reason: str(raw, 'reason', 200, true) });
      case 'ack':
        return ok({ type, seq: int(raw, 'seq', 0, Number.MAX_SAFE_INTEGER) });
      case 'send':
        return ok({ type, id: requestId(raw), ...sendParams(raw) });
      case 'cancelSend':
        return ok({ type, id: requestId(raw), sendId: int(raw, 'sendId', 0, PROTOCOL_LIMITS.maxRequestId) });
      case 'getBytes':
        return ok({ type, id: requestId(raw), seq: int(raw, 'seq', 0, Number.MAX_SAFE_INTEGER) });
      case 'copy':
        return ok({ type, id: requestId(raw), text: str(raw, 'text', PROTOCOL_LIMITS.maxCopyChars, true), what: str(raw, 'what', 100, true) });
      case 'export':
        return ok({ type, id: requestId(raw), filter: parseFilter(raw.filter) });
      case 'clear':
        return ok({ type, id: requestId(raw) });
      case 'runCommand': {
        const command = raw.command;
        if (typeof command !== 'string' || !(PANEL_COMMANDS as readonly string[]).includes(command)) {
          throw new Invalid(`"command" must be one of ${PANEL_COMMANDS.join(', ')}.`);
        }
        return ok({ type, id: requestId(raw), command: command as PanelCommand });
      }
      default:
        return fail(`Unknown message type ${JSON.stringify(type.slice(0, 40))}.`);
    }
  } catch (error) {
    if (error instanceof Invalid) return fail(`${type}: ${error.message}`);
    throw error;
  }
}

/** Checks a filter (from a message or from saved webview state). Throws Invalid with the reason. */
export function parseFilter(raw: unknown): DatagramFilter {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw new Invalid('"filter" must be an object.');
  const filter: DatagramFilter = {};
  if (raw.socketId !== undefined && raw.socketId !== '') filter.socketId = str(raw, 'socketId', PROTOCOL_LIMITS.maxSocketIdChars);
  if (raw.peer !== undefined && raw.peer !== '') filter.peer = str(raw, 'peer', PROTOCOL_LIMITS.maxTargetChars);
  if (raw.direction !== undefined) {
    if (raw.direction !== 'in' && raw.direction !== 'out') throw new Invalid('"direction" must be "in" or "out".');
    filter.direction = raw.direction;
  }
  if (raw.search !== undefined) {
    const s = raw.search;
    if (!isRecord(s)) throw new Invalid('"search" must be an object.');
    if (s.mode !== 'text' && s.mode !== 'regex' && s.mode !== 'hex') throw new Invalid('"search.mode" must be text, regex or hex.');
    const query = str(s, 'query', PROTOCOL_LIMITS.maxQueryChars, true);
    if (s.caseSensitive !== undefined && typeof s.caseSensitive !== 'boolean') throw new Invalid('"search.caseSensitive" must be a boolean.');
    if (query !== '') filter.search = { mode: s.mode, query, caseSensitive: s.caseSensitive === true };
  }
  return filter;
}

function sendParams(raw: Record<string, unknown>): SendParams {
  const from = raw.from;
  let fromSpec: FromSpec;
  if (!isRecord(from)) throw new Invalid('"from" must be an object.');
  if (from.ephemeral !== undefined) {
    if (from.ephemeral !== 'udp4' && from.ephemeral !== 'udp6') throw new Invalid('"from.ephemeral" must be udp4 or udp6.');
    fromSpec = { ephemeral: from.ephemeral };
  } else {
    fromSpec = { socketId: str(from, 'socketId', PROTOCOL_LIMITS.maxSocketIdChars) };
  }
  const encoding = raw.encoding;
  if (typeof encoding !== 'string' || !isPayloadEncoding(encoding)) throw new Invalid('"encoding" must be text, hex, base64 or escaped.');
  const params: SendParams = {
    from: fromSpec,
    target: str(raw, 'target', PROTOCOL_LIMITS.maxTargetChars),
    payload: str(raw, 'payload', PROTOCOL_LIMITS.maxPayloadChars, true),
    encoding,
  };
  if (raw.repeat !== undefined) {
    const r = raw.repeat;
    if (!isRecord(r)) throw new Invalid('"repeat" must be an object.');
    params.repeat = { count: int(r, 'count', 1, PROTOCOL_LIMITS.maxRepeatCount), intervalMs: int(r, 'intervalMs', 0, PROTOCOL_LIMITS.maxIntervalMs) };
  }
  return params;
}

class Invalid extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requestId(raw: Record<string, unknown>): number {
  return int(raw, 'id', 0, PROTOCOL_LIMITS.maxRequestId);
}

function int(raw: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = raw[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Invalid(`"${key}" must be a whole number.`);
  if (v < min || v > max) throw new Invalid(`"${key}" must be from ${min} to ${max}.`);
  return v === 0 ? 0 : v; // never -0

}

function str(raw: Record<string, unknown>, key: string, maxChars: number, allowEmpty = false): string {
  const v = raw[key];
  if (typeof v !== 'string') throw new Invalid(`"${key}" must be a string.`);
  if (!allowEmpty && v === '') throw new Invalid(`"${key}" is empty.`);
  if (v.length > maxChars) throw new Invalid(`"${key}" is longer than ${maxChars} characters.`);
  return v;
}

function ok<T>(value: T): Validation<T> {
  return { ok: true, value };
}

function fail<T>(message: string): Validation<T> {
  return { ok: false, message };
}

/** `127.0.0.1:5000`, `[::1]:5000`: how the panel writes a peer (and what the peer filter matches). */
export function formatPeer(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function familyOf(code: number): AddressFamily {
  return code === 6 ? 'IPv6' : 'IPv4';
}
