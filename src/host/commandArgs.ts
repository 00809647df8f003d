// Run-time checks for command arguments. Callers are other extensions, keybindings (JSON) and tests, so every
// field is `unknown` until checked here; a wrong one becomes a VALIDATION UdpLabError whose message is the user's sentence.
// Ports, addresses and targets go through the shared validation (the same rules as the input boxes).

import type { PayloadEncoding, SocketType } from '../shared/dto';
import { isPayloadEncoding, PAYLOAD_ENCODINGS } from '../shared/payload';
import { parseHostPort, quoteInput, validateAddress, validatePort, type HostPort } from '../shared/validation';
import { validationError } from '../core/errors';

export type ArgObject = Record<string, unknown>;

/** The argument object, or undefined when the command was run without one (palette) or with a tree element. */
export function argObject(arg: unknown): ArgObject | undefined {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg !== 'object' || Array.isArray(arg)) {
    throw validationError(`UDP Lab expected an object of named arguments but got ${describeValue(arg)}.`);
  }
  if (isTreeNode(arg)) return undefined;
  return arg as ArgObject;
}

/** Tree elements carry `kind` and `socketId`; see socketsTree.ts. */
export function isTreeNode(arg: unknown): arg is { kind: 'socket' | 'peer' | 'membership'; socketId: string } {
  if (!arg || typeof arg !== 'object') return false;
  const a = arg as { kind?: unknown; socketId?: unknown };
  return (a.kind === 'socket' || a.kind === 'peer' || a.kind === 'membership') && typeof a.socketId === 'string';
}

export function optString(args: ArgObject, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw validationError(`The argument "${key}" must be a string, not ${describeValue(v)}.`);
  return v;
}

export function reqString(args: ArgObject, key: string, what: string): string {
  const v = optString(args, key);
  if (v === undefined) throw validationError(`The argument "${key}" is missing. Pass ${what}.`);
  return v;
}

export function optBoolean(args: ArgObject, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw validationError(`The argument "${key}" must be true or false, not ${describeValue(v)}.`);
  return v;
}

/** A whole number within [min, max]; `what` names it in the sentence ("The TTL"). */
export function optInt(args: ArgObject, key: string, min: number, max: number, what: string): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  return checkInt(typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v, min, max, what);
}

export function checkInt(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw validationError(`${what} must be a whole number from ${min} to ${max}, not ${describeValue(v)}.`);
  }
  if (v < min || v > max) throw validationError(`${what} ${v} is out of range. Use a whole number from ${min} to ${max}.`);
  return v;
}

export function reqPort(args: ArgObject, key = 'port'): number {
  const v = args[key];
  if (v === undefined) throw validationError(`The argument "${key}" is missing. Pass a port number from 0 to 65535.`);
  if (typeof v !== 'number' && typeof v !== 'string') {
    throw validationError(`The argument "${key}" must be a port number from 0 to 65535, not ${describeValue(v)}.`);
  }
  return unwrap(validatePort(v));
}

export function optAddress(args: ArgObject, key: string): string | undefined {
  const v = optString(args, key);
  return v === undefined ? undefined : unwrap(validateAddress(v)).address;
}

export function optSocketType(args: ArgObject, key = 'type'): SocketType | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (v !== 'udp4' && v !== 'udp6') throw validationError(`The argument "${key}" must be "udp4" or "udp6", not ${describeValue(v)}.`);
  return v;
}

export function optEncoding(args: ArgObject, key = 'encoding'): PayloadEncoding | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !isPayloadEncoding(v)) {
    throw validationError(`The encoding ${describeValue(v)} is not one UDP Lab knows. Use one of ${PAYLOAD_ENCODINGS.join(', ')}.`);
  }
  return v;
}

/** `host:port` text or `{ host, port }` (also `{ address, port }`, the shape of a peer). */
export function reqTarget(args: ArgObject, key = 'target'): HostPort {
  const v = args[key];
  if (v === undefined) throw validationError(`The argument "${key}" is missing. Pass host:port, like 127.0.0.1:9000.`);
  return parseTarget(v, key);
}

export function parseTarget(v: unknown, key: string): HostPort {
  if (typeof v === 'string') return unwrap(parseHostPort(v));
  if (v && typeof v === 'object') {
    const o = v as { host?: unknown; address?: unknown; port?: unknown };
    const host = typeof o.host === 'string' ? o.host : o.address;
    if (typeof host !== 'string') throw validationError(`The argument "${key}" has no host. Pass host:port, like 127.0.0.1:9000.`);
    const address = unwrap(validateAddress(host));
    if (typeof o.port !== 'number' && typeof o.port !== 'string') {
      throw validationError(`The argument "${key}" has no port. Pass host:port, like ${host}:9000.`);
    }
    return { host: address.address, kind: address.kind, port: unwrap(validatePort(o.port)) };
  }
  throw validationError(`The argument "${key}" must be host:port, like 127.0.0.1:9000, not ${describeValue(v)}.`);
}

export function unwrap<T>(v: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!v.ok) throw validationError(v.message);
  return v.value;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return quoteInput(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
