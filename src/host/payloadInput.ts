// The one check every payload typed in the editor surface goes through (Send…, Reply, Repeat, Send Selection):
// the shared codec turns it into bytes, the shared size rules say whether it fits one datagram.

import type { AddressFamily, PayloadEncoding } from '../shared/dto';
import { tryEncodePayload } from '../shared/payload';
import { checkPayloadSize } from '../shared/validation';
import { validationError } from '../core/errors';
import type { Check } from './quickInput';

export const ENCODING_LABELS: Record<PayloadEncoding, string> = {
  text: 'Text (UTF-8)',
  hex: 'Hex bytes',
  base64: 'Base64',
  escaped: 'Escaped text (\\xHH, \\n, \\0…)',
};

const EMPTY: Record<PayloadEncoding, string> = {
  text: 'The payload is empty, so there is nothing to send. Type the text to send.',
  hex: 'The payload is empty, so there is nothing to send. Type the bytes as hex, like 48 65 6c 6c 6f.',
  base64: 'The payload is empty, so there is nothing to send. Paste the base64 to send.',
  escaped: 'The payload is empty, so there is nothing to send. Type the text to send, with escapes like \\x00 or \\n.',
};

export type PayloadCheck = Check & { bytes?: Uint8Array };

/** Encodes and checks a payload; `family` picks the size limit (IPv4 when the destination is not known yet). */
export function checkPayload(text: string, encoding: PayloadEncoding, family: AddressFamily = 'IPv4'): PayloadCheck {
  if (text === '') return { error: EMPTY[encoding] };
  const encoded = tryEncodePayload(text, encoding);
  if (!encoded.ok) return { error: encoded.message };
  if (encoded.value.length === 0) return { error: EMPTY[encoding] };
  const size = checkPayloadSize(encoded.value.length, family);
  if (size.error) return { error: size.error };
  return { bytes: encoded.value, ...(size.warning ? { warning: size.warning } : {}) };
}

/** checkPayload for callers that want bytes or a VALIDATION UdpLabError carrying the sentence. */
export function encodeOrThrow(text: string, encoding: PayloadEncoding, family: AddressFamily = 'IPv4'): Uint8Array {
  const c = checkPayload(text, encoding, family);
  if (c.error || !c.bytes) throw validationError(c.error ?? EMPTY[encoding]);
  return c.bytes;
}
