// Output for the CLI: batched writes to stdout (one write per event-loop turn instead of one per datagram, which
// is what keeps `udp-lab listen` close to raw dgram speed), bounded so a stalled pipe cannot eat all memory,
// and small formatting helpers shared by the commands.

import type { Endpoint } from '../shared/dto';
import { toHex } from '../shared/payload';

/** Above this many bytes waiting in the stream, new lines are dropped (and counted) rather than queued. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Flush early when a batch grows past this, so a flood does not build one huge string. */
const FLUSH_AT_CHARS = 256 * 1024;

export class BatchedWriter {
  private parts: string[] = [];
  private chars = 0;
  private scheduled = false;
  /** Lines not written because the reader was too slow. */
  dropped = 0;

  constructor(private readonly stream: NodeJS.WritableStream & { writableLength?: number }) {}

  line(text: string): void {
    if ((this.stream.writableLength ?? 0) > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.parts.push(text, '\n');
    this.chars += text.length + 1;
    if (this.chars >= FLUSH_AT_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    this.stream.write(chunk);
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
  return `{"time":"${isoTime(time)}","address":${jsonAddress(peer.address)},"family":"${peer.family}","port":${peer.port},"size":${bytes.length},"hex":"${toHex(bytes, '')}"${extra ?? ''}}`;
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
