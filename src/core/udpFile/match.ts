// Judging datagrams: how bytes are shown as text for a regex (in the block's encoding), Expect-Hex patterns with
// `??` wildcards, and the sentences that say what was expected and what arrived.

import type { PayloadEncoding } from '../../shared/dto';
import { decodeText, decodeUtf8, fromHex, toBase64, toHex } from '../../shared/payload';

/**
 * The text a regex sees for a datagram, in the block's encoding: text → the UTF-8 text (or, when the bytes are
 * not valid UTF-8, the escaped display form so `\xff` can be matched), escaped → the escaped form, hex → lowercase
 * pairs separated by single spaces ("01 02 ff"), base64 → standard base64.
 */
export function textForMatch(bytes: Uint8Array, encoding: PayloadEncoding): string {
  switch (encoding) {
    case 'text':
      return decodeUtf8(bytes) ?? decodeText(bytes);
    case 'escaped':
      return decodeText(bytes);
    case 'hex':
      return toHex(bytes);
    case 'base64':
      return toBase64(bytes);
  }
}

export interface HexPattern {
  /** A byte value, or -1 for `??` (any byte). */
  bytes: number[];
  /** A trailing `*`: any number of further bytes. */
  rest: boolean;
  /** The pattern as it is shown in messages: "01 02 ?? *". */
  text: string;
}

/** Parses `01 02 ?? ff *` (after variables are filled in). Throws an Error with a sentence on bad input. */
export function parseHexPattern(text: string): HexPattern {
  const tokens = text.trim().split(/[\s:,]+/).filter((t) => t !== '');
  const bytes: number[] = [];
  let rest = false;
  tokens.forEach((t, i) => {
    if (t === '??') bytes.push(-1);
    else if (t === '*' && i === tokens.length - 1) rest = true;
    else bytes.push(...fromHex(t));
  });
  const shown = bytes.map((b) => (b < 0 ? '??' : b.toString(16).padStart(2, '0'))).join(' ') + (rest ? ' *' : '');
  return { bytes, rest, text: shown.trim() };
}

export function matchesHex(pattern: HexPattern, bytes: Uint8Array): boolean {
  if (pattern.rest ? bytes.length < pattern.bytes.length : bytes.length !== pattern.bytes.length) return false;
  for (let i = 0; i < pattern.bytes.length; i++) {
    const want = pattern.bytes[i]!;
    if (want >= 0 && bytes[i] !== want) return false;
  }
  return true;
}

/** A datagram shown inside a one-line message: quoted, escaped, cut at `max` characters. */
export function quoteDatagram(bytes: Uint8Array, encoding: PayloadEncoding, max = 80): string {
  const shown = encoding === 'hex' ? toHex(bytes.subarray(0, max)) : encoding === 'base64' ? toBase64(bytes.subarray(0, max)) : decodeText(bytes.subarray(0, max * 4));
  const cut = shown.length > max ? `${shown.slice(0, max)}…` : bytes.length > max && encoding !== 'text' && encoding !== 'escaped' ? `${shown}…` : shown;
  if (bytes.length === 0) return 'an empty datagram';
  return `"${cut}"`;
}

/** "3.2 ms", "0.41 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
