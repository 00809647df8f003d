// Output for the CLI: batched writes to stdout (one write per event-loop turn instead of one per datagram, which
// is what keeps `udp-lab listen` close to raw dgram speed), bounded so a stalled pipe cannot eat all memory,
// and small formatting helpers shared by the commands.

import type { Endpoint } from '../shared/dto';
import { toHex } from '../shared/payload';
import { fastHexWriter } from './simdHex';

/** Above this many bytes waiting in the stream, new lines are dropped (and counted) rather than queued. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Batch size: a flood fills a batch and writes it at once; a trickle is written at the end of each turn. */
const BATCH_BYTES = 256 * 1024;

/**
 * Lines written as bytes into a batch buffer and handed to the stream once per event-loop turn (or when the
 * batch is full). Building bytes directly — hex digits straight from the payload, ASCII fields with a native
 * latin1 write — avoids a string per datagram, a join and a UTF-8 re-encode of every line.
 */
export class BatchedWriter {
  private buf = Buffer.allocUnsafe(BATCH_BYTES);
  private len = 0;
  private scheduled = false;
  private readonly hexWriter = fastHexWriter();
  /** Lines not written because the reader was too slow. */
  dropped = 0;

  constructor(private readonly stream: NodeJS.WritableStream & { writableLength?: number }) {}

  /** False (and the line is counted as dropped) when the reader is too far behind. */
  begin(maxBytes: number): boolean {
    if ((this.stream.writableLength ?? 0) > MAX_PENDING_BYTES) {
      this.dropped++;
      return false;
    }
    if (this.len + maxBytes > this.buf.length) {
      this.flush();
      if (maxBytes > this.buf.length) this.buf = Buffer.allocUnsafe(maxBytes);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  /** ASCII-only text (JSON field names, numbers, ISO times, IP addresses). */
  ascii(text: string): void {
    this.len += this.buf.write(text, this.len, 'latin1');
  }

  utf8(text: string): void {
    this.len += this.buf.write(text, this.len, 'utf8');
  }

  /** Bytes already encoded (a cached piece of a line). */
  raw(bytes: Uint8Array): void {
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Lowercase hex digits of `bytes` (WebAssembly SIMD where the runtime has it: see simdHex). */
  hex(bytes: Uint8Array): void {
    this.len = this.hexWriter(bytes, this.buf, this.len);
  }

  endLine(): void {
    this.buf[this.len++] = 0x0a;
  }

  /** `"}` and the newline: the end of a JSON line whose last value is a string. */
  endJsonString(): void {
    const buf = this.buf;
    buf[this.len] = 0x22;
    buf[this.len + 1] = 0x7d;
    buf[this.len + 2] = 0x0a;
    this.len += 3;
  }

  /** One line of any text. */
  line(text: string): void {
    if (!this.begin(text.length * 3 + 1)) return;
    this.utf8(text);
    this.endLine();
  }

  flush(): void {
    this.scheduled = false;
    if (this.len === 0) return;
    const chunk = this.buf.subarray(0, this.len);
    this.len = 0;
    this.stream.write(chunk);
    // stdout to a file or (on Linux) a pipe writes synchronously: nothing is left queued, so the buffer can be
    // reused. When the stream kept the chunk to write later, it owns that memory: start a fresh buffer.
    if ((this.stream.writableLength ?? 1) > 0) this.buf = Buffer.allocUnsafe(Math.max(BATCH_BYTES, this.buf.length));
  }

  /** Flushes and resolves once the stream has taken everything (so `process.exit` does not cut output). */
  end(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.stream.write('')) resolve();
      else this.stream.once('drain', () => resolve());
    });
  }
}

export function formatEndpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/**
 * One datagram as a JSON line: {"time","address","family","port","size","hex"}. Built by hand because it runs
 * once per datagram; every value is either a number or a string that needs no escaping except the address
 * (an IPv6 zone is an interface name), which goes through JSON.stringify.
 */
export function datagramJson(time: number, peer: Endpoint, bytes: Uint8Array, extra?: string): string {
  return `${datagramJsonHead(time, peer, bytes.length)}${toHex(bytes, '')}"${extra ?? ''}}`;
}

/**
 * The same JSON line straight into a BatchedWriter (the `listen --json` hot path). Under a flood consecutive
 * datagrams share their millisecond, sender and size, so the line up to the hex digits is encoded once and reused
 * as bytes: per datagram what remains is the hex itself and one copy of the cached head.
 */
export function writeDatagramJson(out: BatchedWriter, time: number, peer: Endpoint, bytes: Uint8Array): void {
  const size = bytes.length;
  const ms = Math.floor(time);
  if (ms !== headMs || size !== headSize || peer.port !== headPort || peer.address !== headAddress || peer.family !== headFamily) {
    const head = datagramJsonHead(time, peer, size);
    // UTF-8: the address is JSON.stringify'd, which leaves non-ASCII (an IPv6 zone's interface name) as is.
    if (head.length * 3 > headBytes.length) headBytes = Buffer.allocUnsafe(head.length * 3);
    headView = headBytes.subarray(0, headBytes.write(head, 0, 'utf8'));
    headMs = ms;
    headSize = size;
    headPort = peer.port;
    headAddress = peer.address;
    headFamily = peer.family;
  }
  if (!out.begin(headView.length + size * 2 + 3)) return;
  out.raw(headView);
  out.hex(bytes);
  out.endJsonString();
}

// The cached head of the last `listen --json` line and what it was made from.
let headBytes = Buffer.allocUnsafe(256);
let headView = headBytes.subarray(0, 0);
let headMs = Number.NaN;
let headSize = -1;
let headPort = -1;
let headAddress = '';
let headFamily = '';

/** Everything up to the hex digits: `{"time":"…","address":"…","family":"…","port":N,"size":N,"hex":"`. */
function datagramJsonHead(time: number, peer: Endpoint, size: number): string {
  return `{"time":"${isoTime(time)}","address":${jsonAddress(peer.address)},"family":"${peer.family}","port":${peer.port},"size":${size},"hex":"`;
}

// Under a flood many datagrams share a millisecond and a sender: format each once, not once per datagram.
let lastMs = Number.NaN;
let lastIso = '';
let lastAddress = '';
let lastAddressJson = '""';

/** ISO 8601 with milliseconds (the precision JSON consumers expect), cached per millisecond. */
export function isoTime(time: number): string {
  const ms = Math.floor(time);
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function jsonAddress(address: string): string {
  if (address !== lastAddress) {
    lastAddress = address;
    lastAddressJson = JSON.stringify(address);
  }
  return lastAddressJson;
}

export interface Style {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** ANSI colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function styleFor(stream: NodeJS.WriteStream): Style {
  const on = stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
