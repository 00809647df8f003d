// Where a block sends to or listens on: `udp://host:port`, `udp4://…`, `udp6://[::1]:9000`, `host:port`, and for
// LISTEN also a bare port. Used by the parser (for targets known before running) and the runner (after variables
// are filled in), so both give the same answer and the same sentences.

import type { SocketType } from '../../shared/dto';
import { parseBindSpec, parseHostPort, type AddressKind, type Validation } from '../../shared/validation';
import type { BlockMethod, TargetScheme } from './model';

export interface ResolvedTarget {
  /** Undefined for a LISTEN block given only a port (it binds to loopback). */
  host?: string;
  port: number;
  kind?: AddressKind;
  type: SocketType;
}

const SCHEME = /^(udp[46]?):\/\//i;

/** Splits a leading `udp://`, `udp4://` or `udp6://` off the text. */
export function splitScheme(text: string): { scheme?: TargetScheme; rest: string; schemeLength: number } {
  const m = SCHEME.exec(text);
  if (!m) return { rest: text, schemeLength: 0 };
  return { scheme: m[1]!.toLowerCase() as TargetScheme, rest: text.slice(m[0].length), schemeLength: m[0].length };
}

export function resolveTarget(text: string, method: BlockMethod, scheme: TargetScheme): Validation<ResolvedTarget> {
  const split = splitScheme(text.trim());
  const effective = split.scheme ?? scheme;
  const other = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(split.rest);
  if (other) return { ok: false, message: `"${other[1]}://" is not a UDP address. Write udp://host:port.` };
  const parsed = method === 'SEND' ? parseHostPort(split.rest) : parseBindSpec(split.rest);
  if (!parsed.ok) return parsed;
  const { host, port, kind } = parsed.value as { host?: string; port: number; kind?: AddressKind };
  let type: SocketType;
  if (effective === 'udp4') {
    if (kind === 'ipv6') return { ok: false, message: `udp4:// cannot reach the IPv6 address ${host}. Use udp6:// or udp://.` };
    type = 'udp4';
  } else if (effective === 'udp6') {
    if (kind === 'ipv4') return { ok: false, message: `udp6:// cannot reach the IPv4 address ${host}. Use udp4:// or udp://.` };
    type = 'udp6';
  } else {
    type = kind === 'ipv6' ? 'udp6' : 'udp4';
  }
  if (method === 'SEND' && port === 0) {
    return { ok: false, message: 'Port 0 cannot be sent to; it only asks the system for a free port when listening. Use the port the receiver listens on.' };
  }
  return { ok: true, value: { ...(host !== undefined ? { host } : {}), port, ...(kind !== undefined ? { kind } : {}), type } };
}

/** The loopback address a LISTEN block binds to when the file gives only a port. */
export function defaultListenAddress(type: SocketType): string {
  return type === 'udp6' ? '::1' : '127.0.0.1';
}
