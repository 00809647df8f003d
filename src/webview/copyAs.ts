// "Copy as": a datagram as hex, escaped text, base64, a shell line (nc or socat) that sends the same bytes
// again, or a Node snippet. Every byte survives: the shell lines use printf with octal escapes (POSIX printf
// has no \x), so NUL, quotes and non-UTF-8 bytes go through any sh, dash included.

import { toBase64, toEscaped, toHex } from '../shared/payload';

export type CopyFormat = 'hex' | 'escaped' | 'base64' | 'nc' | 'socat' | 'node';

export const COPY_FORMATS: ReadonlyArray<{ format: CopyFormat; label: string; title: string }> = [
  { format: 'hex', label: 'Hex', title: 'Copy the payload as hex bytes' },
  { format: 'escaped', label: 'Escaped', title: 'Copy the payload as an escaped string (\\xHH, \\n, \\0 …), as the composer reads it' },
  { format: 'base64', label: 'Base64', title: 'Copy the payload as base64' },
  { format: 'nc', label: 'nc', title: 'Copy a shell line that resends this datagram with nc' },
  { format: 'socat', label: 'socat', title: 'Copy a shell line that resends this datagram with socat' },
  { format: 'node', label: 'Node', title: 'Copy a Node.js snippet that resends this datagram' },
];

export interface ResendTarget {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export function copyText(format: CopyFormat, bytes: Uint8Array, target: ResendTarget): string {
  switch (format) {
    case 'hex':
      return toHex(bytes);
    case 'escaped':
      return toEscaped(bytes);
    case 'base64':
      return toBase64(bytes);
    case 'nc':
      return `printf ${printfFormat(bytes)} | nc -u -w1 ${shellWord(target.address)} ${target.port}`;
    case 'socat': {
      const host = target.family === 'IPv6' ? `[${target.address}]` : target.address;
      const kind = target.family === 'IPv6' ? 'UDP6-SENDTO' : 'UDP4-SENDTO';
      return `printf ${printfFormat(bytes)} | socat -u - ${shellWord(`${kind}:${host}:${target.port}`)}`;
    }
    case 'node':
      return nodeSnippet(bytes, target);
  }
}

/** A single-quoted printf format that prints exactly these bytes. */
export function printfFormat(bytes: Uint8Array): string {
  let out = "'";
  for (const b of bytes) {
    if (b === 0x25) out += '%%';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x27 || b < 0x20 || b >= 0x7f) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out + "'";
}

/** Leaves plain words alone and single-quotes anything else. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_.:%@/[\]=+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function nodeSnippet(bytes: Uint8Array, target: ResendTarget): string {
  const data = bytes.length <= 256 ? `Buffer.from(${JSON.stringify(toHex(bytes, ''))}, 'hex')` : `Buffer.from(${JSON.stringify(toBase64(bytes))}, 'base64')`;
  return [
    "const dgram = require('node:dgram');",
    '',
    `const payload = ${data}; // ${bytes.length} bytes`,
    `const socket = dgram.createSocket(${JSON.stringify(target.family === 'IPv6' ? 'udp6' : 'udp4')});`,
    `socket.send(payload, ${target.port}, ${JSON.stringify(target.address)}, (err) => {`,
    '  if (err) console.error(err);',
    '  socket.close();',
    '});',
    '',
  ].join('\n');
}
