// Payload codecs: text ⇄ bytes for every encoding UDP Lab speaks (UTF-8 text, hex, base64, escaped text),
// and bytes → display strings (escaped text, hex, a Wireshark-style hex dump).
//
// One implementation used by the host, the webview and the CLI. Pure TypeScript: no Buffer, no atob/btoa,
// no TextDecoder (its replacement-character behaviour would hide invalid bytes — we escape them instead).
//
// Guarantees (property-tested): for every byte array b,
//   fromHex(toHex(b)), fromBase64(toBase64(b)), fromEscaped(toEscaped(b)) and fromEscaped(decodeText(b))
// all equal b exactly. Invalid input throws a PayloadError naming the 0-based position and the reason.

import type { PayloadEncoding } from './dto';
import { type Validation } from './validation';

export type { PayloadEncoding };

export const PAYLOAD_ENCODINGS: readonly PayloadEncoding[] = ['text', 'hex', 'base64', 'escaped'];

export function isPayloadEncoding(value: string): value is PayloadEncoding {
  return (PAYLOAD_ENCODINGS as readonly string[]).includes(value);
}

/** Invalid payload text. `position` is a 0-based index into the input string (as in JSON.parse errors). */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  constructor(
    readonly position: number,
    /** The reason without the position, e.g. `"g" is not a hex digit`. */
    readonly reason: string,
    readonly encoding: PayloadEncoding,
  ) {
    super(`Invalid ${ENCODING_NAMES[encoding]} at position ${position}: ${reason}.`);
  }
}

const ENCODING_NAMES: Record<PayloadEncoding, string> = {
  text: 'text',
  hex: 'hex',
  base64: 'base64',
  escaped: 'escaped text',
};

// ------------------------------------------------------------------------------------------- tables

const HEX_DIGITS = '0123456789abcdef';
/** byte → "00".."ff" */
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);
/** char code → hex digit value, or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

/** byte → how it appears in escaped text when it stands alone (ASCII range) — or '' for bytes ≥ 0x80. */
const ESCAPED_BYTE: string[] = Array.from({ length: 256 }, (_, b) => {
  switch (b) {
    case 0x00:
      return '\\0';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x5c:
      return '\\\\';
  }
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return '\\x' + HEX_PAIRS[b]!;
});

/** The ASCII column of a hex dump: printable ASCII as is, everything else '.'. */
const DUMP_CHAR: string[] = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** char code → 6-bit value; accepts both the standard and the URL-safe alphabet. */
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64_ALPHABET.charCodeAt(i)] = i;
B64_VALUE[45] = 62; // '-'
B64_VALUE[95] = 63; // '_'

// --------------------------------------------------------------------------------------- encode API

/** Turns payload text into bytes. Throws PayloadError (with `.position`) when the text is not valid. */
export function encodePayload(text: string, encoding: PayloadEncoding): Uint8Array {
  switch (encoding) {
    case 'text':
      return encodeUtf8(text);
    case 'hex':
      return fromHex(text);
    case 'base64':
      return fromBase64(text);
    case 'escaped':
      return fromEscaped(text);
  }
}

/** encodePayload as a Validation, for input boxes and forms. */
export function tryEncodePayload(text: string, encoding: PayloadEncoding): Validation<Uint8Array> {
  try {
    return { ok: true, value: encodePayload(text, encoding) };
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * Bytes back into payload text of the given encoding, so that encodePayload(result, encoding) gives the same
 * bytes. For 'text' this fails when the bytes are not valid UTF-8 (switch to 'escaped' or 'hex' for those).
 */
export function formatPayload(bytes: Uint8Array, encoding: PayloadEncoding): Validation<string> {
  switch (encoding) {
    case 'text': {
      const text = decodeUtf8(bytes);
      return text === undefined
        ? { ok: false, message: 'These bytes are not valid UTF-8 text. Show them as escaped text or hex instead.' }
        : { ok: true, value: text };
    }
    case 'hex':
      return { ok: true, value: toHex(bytes) };
    case 'base64':
      return { ok: true, value: toBase64(bytes) };
    case 'escaped':
      return { ok: true, value: decodeText(bytes) };
  }
}

// ------------------------------------------------------------------------------------------- UTF-8

/**
 * Strict UTF-8 encoding. A lone surrogate (which no UTF-8 can express) is an error rather than a silent U+FFFD.
 */
export function encodeUtf8(text: string, encoding: PayloadEncoding = 'text', offset = 0): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  const n = writeUtf8(text, 0, text.length, out, 0, encoding, offset);
  return out.slice(0, n);
}

/** Writes text[from, to) as UTF-8 into out at `at`; returns the new write index. */
function writeUtf8(text: string, from: number, to: number, out: Uint8Array, at: number, encoding: PayloadEncoding, offset: number): number {
  let j = at;
  for (let i = from; i < to; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[j++] = c;
    } else if (c < 0x800) {
      out[j++] = 0xc0 | (c >> 6);
      out[j++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < to ? text.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) {
        throw new PayloadError(offset + i, `a lone UTF-16 surrogate (\\u${c.toString(16)}) cannot be encoded as UTF-8`, encoding);
      }
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
      out[j++] = 0xf0 | (c >> 18);
      out[j++] = 0x80 | ((c >> 12) & 63);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    } else {
      out[j++] = 0xe0 | (c >> 12);
      out[j++] = 0x80 | ((c >> 6) & 63);
      out[j++] = 0x80 | (c & 63);
    }
  }
  return j;
}

/**
 * Length of the valid UTF-8 sequence starting at bytes[i] and its code point, or 0 when bytes[i] does not start
 * one (overlong forms, surrogates and values above U+10FFFF are invalid, as in the WHATWG decoder).
 */
function utf8SequenceAt(bytes: Uint8Array, i: number): { length: number; codePoint: number } | undefined {
  const b0 = bytes[i]!;
  const n = bytes.length;
  if (b0 < 0x80) return { length: 1, codePoint: b0 };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (i + 1 < n) {
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) === 0x80) return { length: 2, codePoint: ((b0 & 0x1f) << 6) | (b1 & 0x3f) };
    }
    return undefined;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (i + 2 >= n) return undefined;
    const b1 = bytes[i + 1]!;
    const b2 = bytes[i + 2]!;
    const lo = b0 === 0xe0 ? 0xa0 : 0x80; // overlong
    const hi = b0 === 0xed ? 0x9f : 0xbf; // surrogates
    if (b1 < lo || b1 > hi || (b2 & 0xc0) !== 0x80) return undefined;
    return { length: 3, codePoint: ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f) };
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (i + 3 >= n) return undefined;
    const b1 = bytes[i + 1]!;
    const b2 = bytes[i + 2]!;
    const b3 = bytes[i + 3]!;
    const lo = b0 === 0xf0 ? 0x90 : 0x80; // overlong
    const hi = b0 === 0xf4 ? 0x8f : 0xbf; // > U+10FFFF
    if (b1 < lo || b1 > hi || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return undefined;
    return { length: 4, codePoint: ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f) };
  }
  return undefined;
}

/** Strict UTF-8 decoding: the text, or undefined when any byte is not part of a valid sequence. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  let out = '';
  let runStart = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    if (i > runStart) out += asciiRun(bytes, runStart, i);
    const seq = utf8SequenceAt(bytes, i);
    if (seq === undefined) return undefined;
    out += String.fromCodePoint(seq.codePoint);
    i += seq.length;
    runStart = i;
  }
  if (n > runStart) out += asciiRun(bytes, runStart, n);
  return out;
}

/** Bytes [from, to) that are all < 0x80, as a string, in chunks that stay below the argument-count limit. */
function asciiRun(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let k = from; k < to; k += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(k, Math.min(to, k + 8192)) as unknown as number[]);
  }
  return s;
}

// --------------------------------------------------------------------------------------------- hex

/** byte → its two hex digits as ASCII codes, at [2b] and [2b + 1]; lower case, then upper case at +512. */
const HEX_CODES = new Uint8Array(1024);
for (let b = 0; b < 256; b++) {
  HEX_CODES[2 * b] = HEX_DIGITS.charCodeAt(b >> 4);
  HEX_CODES[2 * b + 1] = HEX_DIGITS.charCodeAt(b & 15);
  HEX_CODES[512 + 2 * b] = HEX_DIGITS.toUpperCase().charCodeAt(b >> 4);
  HEX_CODES[512 + 2 * b + 1] = HEX_DIGITS.toUpperCase().charCodeAt(b & 15);
}
/** Reused output buffer for toHex: hex runs once per datagram in the CLI and for every visible row in the panel. */
let hexScratch = new Uint8Array(4096);
const asciiDecoder = new TextDecoder();

/** Bytes as hex pairs: `toHex(b)` → "01 02 ff"; `toHex(b, '')` → "0102ff"; `toHex(b, ':', true)` → "01:02:FF". */
export function toHex(bytes: Uint8Array, separator = ' ', uppercase = false): string {
  const n = bytes.length;
  if (n === 0) return '';
  const sep = separator.length === 1 ? separator.charCodeAt(0) : -1;
  if (separator.length > 1 || sep > 0x7f) {
    const parts = new Array<string>(n);
    for (let i = 0; i < n; i++) parts[i] = HEX_PAIRS[bytes[i]!]!;
    const s = parts.join(separator);
    return uppercase ? s.toUpperCase() : s;
  }
  // ASCII codes into a reused buffer, then one native decode: ~10× faster than joining 2-character strings.
  const length = n * (sep < 0 ? 2 : 3) - (sep < 0 ? 0 : 1);
  if (hexScratch.length < length) hexScratch = new Uint8Array(Math.max(length, hexScratch.length * 2));
  writeHexAscii(bytes, hexScratch, 0, sep, uppercase);
  return length <= 64 ? String.fromCharCode.apply(null, hexScratch.subarray(0, length) as unknown as number[]) : asciiDecoder.decode(hexScratch.subarray(0, length));
}

/**
 * Writes `bytes` as hex digits (ASCII codes) into `out` at `offset`, with the one-character separator code `sep`
 * between pairs (-1 = none); returns the offset after the last digit. `out` must have room for 3 × bytes.length.
 * For writers that build output as bytes (the CLI's JSON lines) instead of strings.
 */
export function writeHexAscii(bytes: Uint8Array, out: Uint8Array, offset: number, sep = -1, uppercase = false): number {
  const n = bytes.length;
  if (sep < 0 && !uppercase && n >= PAIR_TABLE_MIN_BYTES && LITTLE_ENDIAN) return writeHexPairs(bytes, out, offset);
  const base = uppercase ? 512 : 0;
  let j = offset;
  if (sep < 0) {
    for (let i = 0; i < n; i++) {
      const k = base + 2 * bytes[i]!;
      out[j++] = HEX_CODES[k]!;
      out[j++] = HEX_CODES[k + 1]!;
    }
    return j;
  }
  for (let i = 0; i < n; i++) {
    const k = base + 2 * bytes[i]!;
    if (i > 0) out[j++] = sep;
    out[j++] = HEX_CODES[k]!;
    out[j++] = HEX_CODES[k + 1]!;
  }
  return j;
}

/** Below this many bytes the byte-at-a-time loop is as fast as building the pair table's output. */
const PAIR_TABLE_MIN_BYTES = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Two payload bytes (read little-endian as one 16-bit index) → their four hex digits as one 32-bit word. */
let hexPairTable: Uint32Array | undefined;
let pairScratch = new Uint32Array(0);

/**
 * Hex for long payloads (the CLI's `listen --json` at 1 KB is bound by it): one table lookup and one 32-bit store
 * per two bytes, into an aligned scratch array copied to `out` at once. Measured on this project's 2-core
 * machine: ~0.7 µs per KB, against ~1.3–2.1 µs for Node's native `toString('hex')` plus writing the string into
 * the output, and ~1.9 µs for the byte-at-a-time loop. The table (256 KB) is built on first use, so the webview
 * and the extension, which format hex only for rows on screen, never pay for it.
 */
function writeHexPairs(bytes: Uint8Array, out: Uint8Array, offset: number): number {
  const table = (hexPairTable ??= buildHexPairTable());
  const pairs = bytes.length >> 1;
  if (pairScratch.length < pairs) pairScratch = new Uint32Array(Math.max(pairs, 1024));
  const scratch = pairScratch;
  for (let i = 0, k = 0; i < pairs; i++, k += 2) scratch[i] = table[bytes[k]! | (bytes[k + 1]! << 8)]!;
  out.set(new Uint8Array(scratch.buffer, 0, pairs * 4), offset);
  let j = offset + pairs * 4;
  if (bytes.length & 1) {
    const k = 2 * bytes[bytes.length - 1]!;
    out[j++] = HEX_CODES[k]!;
    out[j++] = HEX_CODES[k + 1]!;
  }
  return j;
}

function buildHexPairTable(): Uint32Array {
  // Little-endian words: the first payload byte's digits land first in memory.
  const digits = new Uint16Array(256);
  for (let b = 0; b < 256; b++) digits[b] = HEX_CODES[2 * b]! | (HEX_CODES[2 * b + 1]! << 8);
  const table = new Uint32Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = (digits[i & 255]! | (digits[i >> 8]! << 16)) >>> 0;
  return table;
}

/** Separators tolerated between hex bytes: whitespace (incl. newlines), ':', ',', '-'. */
function isHexSeparator(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b || c === 0x3a || c === 0x2c || c === 0x2d;
}

/**
 * Hex text → bytes. Tolerates whitespace and newlines, ':' ',' '-' separators and `0x` prefixes
 * ("01 02 ff", "01:02:FF", "0x01 0x02", "0102ff"). Each group between separators must have an even number of
 * digits, so "1 23" is an error instead of a guess.
 */
export function fromHex(text: string, encoding: PayloadEncoding = 'hex'): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n >> 1);
  let j = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isHexSeparator(c)) {
      i++;
      continue;
    }
    // A group: optional 0x prefix, then hex digits up to the next separator.
    const groupStart = i;
    if (c === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) {
      i += 2;
      if (i >= n || isHexSeparator(text.charCodeAt(i))) {
        throw new PayloadError(groupStart, '"0x" is not followed by hex digits', encoding);
      }
    }
    const digitsStart = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isHexSeparator(d)) break;
      const hi = d < 128 ? HEX_VALUE[d]! : -1;
      if (hi < 0) throw new PayloadError(i, `${describeChar(text, i)} is not a hex digit`, encoding);
      const d2 = i + 1 < n ? text.charCodeAt(i + 1) : 0x20;
      if (isHexSeparator(d2)) {
        throw new PayloadError(
          digitsStart,
          `the group "${text.slice(groupStart, i + 1)}" has an odd number of hex digits (${i + 1 - digitsStart}); write each byte as two digits, like 0${text[i]}`,
          encoding,
        );
      }
      const lo = d2 < 128 ? HEX_VALUE[d2]! : -1;
      if (lo < 0) throw new PayloadError(i + 1, `${describeChar(text, i + 1)} is not a hex digit`, encoding);
      out[j++] = (hi << 4) | lo;
      i += 2;
    }
  }
  return out.slice(0, j);
}

/**
 * A guess for "send selection" and paste: does this text look like hex bytes rather than words or a number?
 * True when it parses as hex AND it has a `0x` prefix, or several groups of exactly two digits ("01 02 ff"),
 * or one group of ≥ 4 digits mixing decimal digits and the letters a–f ("48656c6c6f"). "cafe", "1234", "ab" are
 * not hex by this guess.
 */
export function looksLikeHex(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.length < 2) return false;
  try {
    if (fromHex(trimmed).length === 0) return false;
  } catch {
    return false;
  }
  if (/0x/i.test(trimmed)) return true;
  const groups = trimmed.split(/[\s:,-]+/).filter((g) => g !== '');
  if (groups.length >= 2) return groups.every((g) => g.length === 2);
  const only = groups[0] ?? '';
  return only.length >= 4 && /\d/.test(only) && /[a-f]/i.test(only);
}

// ------------------------------------------------------------------------------------------ base64

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk += B64_ALPHABET[v >> 18]! + B64_ALPHABET[(v >> 12) & 63]! + B64_ALPHABET[(v >> 6) & 63]! + B64_ALPHABET[v & 63]!;
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = n - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    chunk += B64_ALPHABET[v >> 18]! + B64_ALPHABET[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    chunk += B64_ALPHABET[v >> 18]! + B64_ALPHABET[(v >> 12) & 63]! + B64_ALPHABET[(v >> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * Base64 → bytes. Accepts the standard and the URL-safe alphabet, whitespace and line breaks anywhere, and
 * missing padding. Rejects characters outside the alphabet, '=' anywhere but the end, and a dangling single
 * character (which cannot encode a whole byte).
 */
export function fromBase64(text: string, encoding: PayloadEncoding = 'base64'): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(Math.ceil((n * 3) / 4));
  let j = 0;
  let acc = 0;
  let bits = 0;
  let symbols = 0;
  let lastSymbolPos = 0;
  let padAt = -1;
  let pads = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x3d) {
      if (padAt === -1) padAt = i;
      pads++;
      continue;
    }
    const v = c < 128 ? B64_VALUE[c]! : -1;
    if (v < 0) throw new PayloadError(i, `${describeChar(text, i)} is not a base64 character`, encoding);
    if (padAt !== -1) throw new PayloadError(padAt, '"=" padding may appear only at the end', encoding);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    symbols++;
    lastSymbolPos = i;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  const remainder = symbols % 4;
  if (remainder === 1) {
    throw new PayloadError(lastSymbolPos, 'the last base64 group has a single character, which cannot encode a whole byte', encoding);
  }
  if (pads > 0 && (pads > 2 || (remainder === 0 ? true : remainder + pads !== 4))) {
    throw new PayloadError(padAt, `there are ${pads} "=" padding characters where ${remainder === 0 ? 'none belong' : `${4 - remainder} belong`}`, encoding);
  }
  return out.slice(0, j);
}

// ----------------------------------------------------------------------------------- escaped text

/**
 * Escaped text → bytes. Characters are UTF-8 encoded; escapes are `\xHH` (one raw byte), `\n` `\r` `\t` `\0`
 * `\\`, and `\u{H…}` (a code point, UTF-8 encoded). Any other backslash sequence is an error, so a typo never
 * silently becomes a different byte.
 */
export function fromEscaped(text: string, encoding: PayloadEncoding = 'escaped'): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n * 3);
  let j = 0;
  let runStart = 0;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) !== 0x5c) {
      i++;
      continue;
    }
    if (i > runStart) j = writeUtf8(text, runStart, i, out, j, encoding, 0);
    const escStart = i;
    const kind = text[i + 1];
    switch (kind) {
      case 'n':
        out[j++] = 0x0a;
        i += 2;
        break;
      case 'r':
        out[j++] = 0x0d;
        i += 2;
        break;
      case 't':
        out[j++] = 0x09;
        i += 2;
        break;
      case '0':
        out[j++] = 0x00;
        i += 2;
        break;
      case '\\':
        out[j++] = 0x5c;
        i += 2;
        break;
      case 'x': {
        const h1 = hexValueAt(text, i + 2);
        const h2 = hexValueAt(text, i + 3);
        if (h1 < 0 || h2 < 0) {
          throw new PayloadError(escStart, `"\\x" must be followed by exactly two hex digits, like \\x0a`, encoding);
        }
        out[j++] = (h1 << 4) | h2;
        i += 4;
        break;
      }
      case 'u': {
        if (text[i + 2] !== '{') throw new PayloadError(escStart, '"\\u" must be followed by a code point in braces, like \\u{e9}', encoding);
        const close = text.indexOf('}', i + 3);
        const digits = close === -1 ? '' : text.slice(i + 3, close);
        if (close === -1 || !/^[0-9A-Fa-f]{1,6}$/.test(digits)) {
          throw new PayloadError(escStart, '"\\u{" must hold 1 to 6 hex digits and end with "}", like \\u{1F600}', encoding);
        }
        const cp = parseInt(digits, 16);
        if (cp > 0x10ffff) throw new PayloadError(escStart, `\\u{${digits}} is above U+10FFFF, the largest code point`, encoding);
        if (cp >= 0xd800 && cp <= 0xdfff) {
          throw new PayloadError(escStart, `\\u{${digits}} is a surrogate, which UTF-8 cannot encode; use \\xHH for raw bytes`, encoding);
        }
        j = writeUtf8(String.fromCodePoint(cp), 0, cp > 0xffff ? 2 : 1, out, j, encoding, escStart);
        i = close + 1;
        break;
      }
      case undefined:
        throw new PayloadError(escStart, 'the text ends with a lone backslash; write \\\\ for a backslash', encoding);
      default:
        throw new PayloadError(
          escStart,
          `"\\${kind}" is not an escape; use \\xHH, \\n, \\r, \\t, \\0, \\\\ or \\u{…} (write \\\\ for a backslash)`,
          encoding,
        );
    }
    runStart = i;
  }
  if (n > runStart) j = writeUtf8(text, runStart, n, out, j, encoding, 0);
  return out.slice(0, j);
}

function hexValueAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? HEX_VALUE[c]! : -1;
}

/**
 * Bytes → escaped text using ASCII only: printable ASCII as is, `\\`, `\0 \t \n \r`, and `\xHH` for every other
 * byte (multi-byte UTF-8 too). Stable and diff-friendly for files; fromEscaped() gives the bytes back exactly.
 */
export function toEscaped(bytes: Uint8Array): string {
  const n = bytes.length;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = ESCAPED_BYTE[bytes[i]!]!;
  return parts.join('');
}

export interface DecodeTextOptions {
  /** Keep line feeds (and CR LF pairs) as real line breaks instead of `\n` — for multi-line views. */
  keepNewlines?: boolean;
}

/**
 * Bytes → readable text for display. Valid UTF-8 shows as characters; control bytes, invalid UTF-8 bytes and
 * invisible or look-alike code points (C1 controls, zero-width and bidi controls, BOM, U+FFFD itself) show as
 * escapes; a backslash shows as `\\`. Nothing is dropped or replaced: fromEscaped(decodeText(b)) equals b.
 */
export function decodeText(bytes: Uint8Array, options?: DecodeTextOptions): string {
  const keepNewlines = options?.keepNewlines === true;
  const n = bytes.length;
  let out = '';
  let runStart = 0; // start of a pending run of printable ASCII other than backslash
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x5c) {
      i++;
      continue;
    }
    if (i > runStart) out += asciiRun(bytes, runStart, i);
    if (b < 0x80) {
      out += keepNewlines && b === 0x0a ? '\n' : keepNewlines && b === 0x0d && bytes[i + 1] === 0x0a ? '\r' : ESCAPED_BYTE[b]!;
      i++;
    } else {
      const seq = utf8SequenceAt(bytes, i);
      if (seq === undefined) {
        out += '\\x' + HEX_PAIRS[b]!;
        i++;
      } else {
        out += needsEscape(seq.codePoint) ? `\\u{${seq.codePoint.toString(16)}}` : String.fromCodePoint(seq.codePoint);
        i += seq.length;
      }
    }
    runStart = i;
  }
  if (n > runStart) out += asciiRun(bytes, runStart, n);
  return out;
}

/** Code points that are valid but invisible, confusing or able to reorder the text around them. */
function needsEscape(cp: number): boolean {
  return (
    cp <= 0x9f || // C1 controls (C0 and DEL never get here)
    cp === 0xad || // soft hyphen
    cp === 0x34f || // combining grapheme joiner
    cp === 0x61c || // Arabic letter mark
    (cp >= 0x115f && cp <= 0x1160) || // Hangul fillers
    (cp >= 0x17b4 && cp <= 0x17b5) ||
    (cp >= 0x180b && cp <= 0x180f) || // Mongolian free variation selectors and vowel separator
    (cp >= 0x2000 && cp <= 0x200f) || // odd-width spaces, zero-width space/joiners, LRM/RLM
    (cp >= 0x2028 && cp <= 0x202f) || // line/paragraph separators, bidi embeddings and overrides, NNBSP
    (cp >= 0x205f && cp <= 0x206f) || // word joiner, invisible operators, bidi isolates
    cp === 0x3000 ||
    cp === 0x3164 ||
    cp === 0xfeff || // BOM / zero-width no-break space
    cp === 0xffa0 ||
    (cp >= 0xfff0 && cp <= 0xfffd) || // specials, incl. U+FFFD so a real one is never mistaken for a replacement
    cp === 0xffff ||
    cp === 0xfffe ||
    (cp >= 0x1bca0 && cp <= 0x1bca3) ||
    (cp >= 0x1d173 && cp <= 0x1d17a) ||
    (cp >= 0xe0000 && cp <= 0xe0fff) // tags and variation selectors supplement
  );
}

/**
 * Text that is already text (a variable's value, a reply as the `.udp` runner matched it — which may itself be
 * decodeText's escaped form) made safe to show: the characters decodeText would escape because they are invisible
 * or reorder what is around them (C0/C1 controls, DEL, zero-width and bidi controls, lone surrogates…) become the
 * same escapes; everything else, backslashes included, stays as it is, so escaped text is not escaped twice.
 */
export function showInvisibles(text: string, options?: DecodeTextOptions): string {
  const keepNewlines = options?.keepNewlines === true;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!;
    const wide = cp > 0xffff;
    const lone = cp >= 0xd800 && cp <= 0xdfff;
    const control = cp < 0x20 || cp === 0x7f;
    if (control ? !(keepNewlines && (cp === 0x0a || (cp === 0x0d && text.charCodeAt(i + 1) === 0x0a))) : lone || (cp >= 0x80 && needsEscape(cp))) {
      out += text.slice(runStart, i) + (control ? ESCAPED_BYTE[cp]! : `\\u{${cp.toString(16)}}`);
      runStart = i + (wide ? 2 : 1);
    }
    if (wide) i++;
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}

// ----------------------------------------------------------------------------------------- hex dump

/**
 * Wireshark-style dump, 16 bytes a line:
 *   0000   48 65 6c 6c 6f 2c 20 55  44 50 0a 00 01 02 03 04   Hello, UDP......
 * offset (4 hex digits, more when needed) | 8 + 8 bytes | printable ASCII, '.' otherwise. Lines joined by "\n".
 */
export function hexDump(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return '';
  const offsetWidth = Math.max(4, (n - 1).toString(16).length);
  const lines = new Array<string>(Math.ceil(n / 16));
  for (let line = 0, off = 0; off < n; line++, off += 16) {
    const end = Math.min(n, off + 16);
    let hex = '';
    let ascii = '';
    for (let k = off; k < off + 16; k++) {
      if (k === off + 8) hex += ' ';
      if (k < end) {
        const b = bytes[k]!;
        hex += (k === off ? '' : ' ') + HEX_PAIRS[b]!;
        ascii += DUMP_CHAR[b]!;
      } else {
        hex += k === off ? '  ' : '   ';
      }
    }
    lines[line] = off.toString(16).padStart(offsetWidth, '0') + '   ' + hex + '   ' + ascii;
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------ helpers

/** How a character appears in an error message: `"g"`, `a space`, `a tab`, `U+00E9 "é"`. */
function describeChar(text: string, i: number): string {
  const cp = text.codePointAt(i) ?? 0;
  if (cp === 0x20) return 'a space';
  if (cp === 0x09) return 'a tab';
  if (cp === 0x0a || cp === 0x0d) return 'a line break';
  if (cp < 0x20 || cp === 0x7f) return `the control character 0x${HEX_PAIRS[cp]}`;
  const ch = String.fromCodePoint(cp);
  if (cp < 0x7f) return `"${ch}"`;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} "${ch}"`;
}
