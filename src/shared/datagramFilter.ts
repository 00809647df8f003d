// The Messages panel's filter, compiled once and run per row: by the webview over the rows it holds, and by
// the host when it exports the filtered log (so "Export" writes exactly what the filter means, over the whole
// log and not only the sample the panel was sent). Pure TypeScript.
//
// Search modes:
//   text  — the query's UTF-8 bytes anywhere in the payload (ASCII letters case-insensitive unless asked);
//           no decoding, so it is cheap enough to run over every row of a large log.
//   hex   — the query parsed by the shared hex codec ("de ad be ef", "0xdead"), matched as exact bytes.
//   regex — a JavaScript regular expression over the payload as the list shows it (decodeText: escapes for
//           control and invalid bytes, a backslash as \\), so /\\0/ finds a NUL and /^GET / a request line.

import type { Direction } from './dto';
import { decodeText, encodeUtf8, tryEncodePayload } from './payload';
import { formatPeer, type DatagramFilter } from './protocol';
import type { Validation } from './validation';

/** One row as the filter sees it. Reuse one object across rows when filtering many. */
export interface FilterableRow {
  direction: Direction;
  socketId: string;
  peerAddress: string;
  peerPort: number;
  bytes: Uint8Array;
}

export interface CompiledFilter {
  /** True when the filter lets every row through (the list can skip building an index). */
  readonly matchesAll: boolean;
  /** Every test, the regex included, run natively: only for payloads whose time a caller bounds some other way. */
  matches(row: FilterableRow): boolean;
  /**
   * In regex mode, the pattern, tested against regexText(row.bytes). A pattern can backtrack for seconds on a
   * payload a peer chose, so callers facing the network test it under a time limit (src/core/regexGuard.ts on the
   * host, src/webview/regexWorker.ts in the panel) after `prefilter`.
   */
  readonly regex?: RegExp;
  /** Every test except the regex (all of them when there is none). Cheap: linear in the payload. */
  prefilter(row: FilterableRow): boolean;
}

/** The text a filter regex sees for a payload: the list's display form (escapes for control and invalid bytes). */
export const regexText: (bytes: Uint8Array) => string = decodeText;

export function compileFilter(filter: DatagramFilter): Validation<CompiledFilter> {
  const tests: Array<(row: FilterableRow) => boolean> = [];
  if (filter.socketId) {
    const id = filter.socketId;
    tests.push((row) => row.socketId === id);
  }
  if (filter.direction) {
    const dir = filter.direction;
    tests.push((row) => row.direction === dir);
  }
  if (filter.peer) {
    const needle = filter.peer.trim().toLowerCase();
    if (needle !== '') tests.push((row) => formatPeer(row.peerAddress, row.peerPort).toLowerCase().includes(needle));
  }
  const search = filter.search;
  let regex: RegExp | undefined;
  if (search && search.query !== '') {
    const caseSensitive = search.caseSensitive === true;
    switch (search.mode) {
      case 'text': {
        const encoded = tryEncodeUtf8(search.query);
        if (!encoded.ok) return encoded;
        const needle = encoded.value;
        tests.push(caseSensitive ? (row) => indexOfBytes(row.bytes, needle) !== -1 : (row) => indexOfBytesAsciiFold(row.bytes, foldAscii(needle)) !== -1);
        break;
      }
      case 'hex': {
        const parsed = tryEncodePayload(search.query, 'hex');
        if (!parsed.ok) return { ok: false, message: parsed.message };
        const needle = parsed.value;
        if (needle.length > 0) tests.push((row) => indexOfBytes(row.bytes, needle) !== -1);
        break;
      }
      case 'regex': {
        try {
          regex = new RegExp(search.query, caseSensitive ? '' : 'i');
        } catch (error) {
          return { ok: false, message: `The regular expression is not valid: ${(error as Error).message}. Fix it, or search as text.` };
        }
        break;
      }
    }
  }
  const prefilter = (row: FilterableRow): boolean => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(row)) return false;
    return true;
  };
  const re = regex;
  const compiled: CompiledFilter = {
    matchesAll: tests.length === 0 && re === undefined,
    matches: re === undefined ? prefilter : (row) => prefilter(row) && re.test(regexText(row.bytes)),
    prefilter,
    ...(re !== undefined ? { regex: re } : {}),
  };
  return { ok: true, value: compiled };
}

function tryEncodeUtf8(text: string): Validation<Uint8Array> {
  try {
    return { ok: true, value: encodeUtf8(text) };
  } catch (error) {
    return { ok: false, message: `The search text cannot be encoded as UTF-8: ${(error as Error).message}` };
  }
}

/** First index of needle in haystack, or -1. A plain scan: payloads are at most 64 KiB. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const n = haystack.length;
  const m = needle.length;
  if (m === 0) return 0;
  const first = needle[0]!;
  outer: for (let i = 0; i + m <= n; i++) {
    if (haystack[i] !== first) continue;
    for (let k = 1; k < m; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

function foldAscii(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = lower(bytes[i]!);
  return out;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** indexOfBytes with ASCII letters compared case-insensitively (needle already folded). */
function indexOfBytesAsciiFold(haystack: Uint8Array, needle: Uint8Array): number {
  const n = haystack.length;
  const m = needle.length;
  if (m === 0) return 0;
  const first = needle[0]!;
  outer: for (let i = 0; i + m <= n; i++) {
    if (lower(haystack[i]!) !== first) continue;
    for (let k = 1; k < m; k++) if (lower(haystack[i + k]!) !== needle[k]) continue outer;
    return i;
  }
  return -1;
}
