// Input validation that runs before any socket is made: ports, addresses, host:port pairs, payload sizes.
// Pure TypeScript (used by the host's input boxes, the webview's forms, the .udp parser and the CLI alike).
// Every failure message is a full sentence that names what was wrong and what to type instead.

import type { AddressFamily } from './dto';
import { formatCount } from './format';

export type Validation<T> = { ok: true; value: T } | { ok: false; message: string };

export type AddressKind = 'ipv4' | 'ipv6' | 'hostname';

export interface ValidatedAddress {
  kind: AddressKind;
  /**
   * The address as socket APIs want it: no brackets, and for IPv6 with a zone the `%scope` suffix kept
   * (`fe80::1%eth0`), because `dgram` needs it to pick the link.
   */
  address: string;
  /** The IPv6 zone (interface name or index) without the `%`, when one was given. */
  scope?: string;
}

export interface HostPort {
  /** Host name or address, without brackets (an IPv6 zone stays attached: `fe80::1%eth0`). */
  host: string;
  port: number;
  kind: AddressKind;
}

export const MAX_PORT = 65535;
/** 65 535 − 8 (UDP header) − 20 (IPv4 header). */
export const MAX_PAYLOAD_IPV4 = 65507;
/** 65 535 − 8 (UDP header); the IPv6 header is not counted in the payload length. */
export const MAX_PAYLOAD_IPV6 = 65527;
/** 1 500 (Ethernet MTU) − 20 (IPv4) − 8 (UDP): above this the datagram is fragmented on a typical network. */
export const SAFE_PAYLOAD_IPV4 = 1472;
/** 1 280 (IPv6 minimum MTU) − 40 (IPv6) − 8 (UDP): the size every IPv6 path must carry unfragmented. */
export const SAFE_PAYLOAD_IPV6 = 1232;

const ok = <T>(value: T): Validation<T> => ({ ok: true, value });
const fail = <T>(message: string): Validation<T> => ({ ok: false, message });

/** Quotes user input for a message, shortened so a pasted megabyte does not become the message. */
export function quoteInput(input: string, max = 40): string {
  const shown = input.length > max ? `${input.slice(0, max)}…` : input;
  return JSON.stringify(shown);
}

// ---------------------------------------------------------------------------------------------- ports

/** A port is a whole number 0–65535 (0 asks the OS for a free one). Strings may carry surrounding spaces. */
export function validatePort(input: string | number): Validation<number> {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) return fail(`Port ${input} is not a whole number. Use a number from 0 to 65535.`);
    if (input < 0 || input > MAX_PORT) return fail(`Port ${input} is out of range. Use a number from 0 to 65535.`);
    return ok(input);
  }
  const text = input.trim();
  if (text === '') return fail('The port is empty. Enter a number from 0 to 65535 (0 picks a free port).');
  if (!/^\d+$/.test(text)) {
    return fail(`Port ${quoteInput(text)} is not a whole number. Use a number from 0 to 65535.`);
  }
  // Parse after the digit check so "1e3", "0x50" or "+5" never sneak through Number().
  const value = text.length > 6 ? Number.POSITIVE_INFINITY : Number(text);
  if (value > MAX_PORT) return fail(`Port ${text.length > 12 ? quoteInput(text, 12) : text} is out of range. Use a number from 0 to 65535.`);
  return ok(value);
}

// ------------------------------------------------------------------------------------------ addresses

/** Strict dotted quad: four decimal parts 0–255, no leading zeros (which some stacks read as octal). */
export function isIPv4(text: string): boolean {
  return ipv4Problem(text) === undefined;
}

function ipv4Problem(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return 'it needs four numbers separated by dots';
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return `${quoteInput(part)} is not a number from 0 to 255`;
    if (part.length > 1 && part.startsWith('0')) return `${quoteInput(part)} has a leading zero, which some systems read as octal`;
    if (Number(part) > 255) return `${part} is larger than 255`;
  }
  return undefined;
}

/** IPv6 without zone or brackets: eight groups, one `::` allowed, an IPv4 tail allowed. */
export function isIPv6(text: string): boolean {
  return ipv6Problem(text) === undefined;
}

function ipv6Problem(text: string): string | undefined {
  if (text.length === 0) return 'it is empty';
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return 'it may contain only hex digits, colons and (in an IPv4 tail) dots';
  const doubleColon = text.indexOf('::');
  if (doubleColon !== -1 && text.indexOf('::', doubleColon + 1) !== -1) return '"::" may appear only once';
  let groups: string[];
  let compressed = false;
  if (doubleColon !== -1) {
    compressed = true;
    const head = text.slice(0, doubleColon);
    const tail = text.slice(doubleColon + 2);
    groups = [...(head === '' ? [] : head.split(':')), ...(tail === '' ? [] : tail.split(':'))];
  } else {
    groups = text.split(':');
  }
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g.includes('.')) {
      if (i !== groups.length - 1) return 'an embedded IPv4 address may appear only at the end';
      const v4 = ipv4Problem(g);
      if (v4 !== undefined) return `the embedded IPv4 address is invalid: ${v4}`;
      count += 2;
      continue;
    }
    if (g === '') return 'a group between colons is empty';
    if (g.length > 4) return `group ${quoteInput(g)} has more than four hex digits`;
    count += 1;
  }
  if (compressed ? count > 7 : count !== 8) {
    return compressed ? 'it has too many groups for "::" to stand for any' : `it has ${count} groups instead of 8 (use "::" to skip zeros)`;
  }
  return undefined;
}

/** RFC 1123 host name: dot-separated labels of 1–63 letters, digits and hyphens, ≤ 253 characters in all. */
function hostnameProblem(text: string): string | undefined {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0) return 'it is empty';
  if (name.length > 253) return `it is ${name.length} characters long and a host name may have at most 253`;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return 'it has an empty label (two dots in a row, or a leading dot)';
    if (label.length > 63) return `the label ${quoteInput(label, 20)} is longer than 63 characters`;
    const bad = /[^A-Za-z0-9-]/.exec(label);
    if (bad) return `it contains ${describeChar(bad[0])}, and host names may contain only letters, digits, hyphens and dots`;
    if (label.startsWith('-') || label.endsWith('-')) return `the label ${quoteInput(label, 20)} starts or ends with a hyphen`;
  }
  return undefined;
}

function describeChar(ch: string): string {
  if (ch === ' ') return 'a space';
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (0x${code.toString(16).padStart(2, '0')})`;
  return `"${ch}"`;
}

/**
 * An IPv4 address, an IPv6 address (optionally `[bracketed]` and with a `%scope` zone) or an RFC 1123 host name.
 * Host names are only checked for shape here; resolving them is the socket's job.
 */
export function validateAddress(input: string): Validation<ValidatedAddress> {
  let text = input.trim();
  if (text === '') return fail('The address is empty. Enter an IPv4 address, an IPv6 address or a host name.');
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (text.includes(':')) {
    const percent = text.indexOf('%');
    const bare = percent === -1 ? text : text.slice(0, percent);
    const scope = percent === -1 ? undefined : text.slice(percent + 1);
    const problem = ipv6Problem(bare);
    if (problem !== undefined) return fail(`${quoteInput(text)} is not a valid IPv6 address: ${problem}.`);
    if (scope !== undefined) {
      if (scope === '') return fail(`${quoteInput(text)} has an empty zone after "%". Name an interface, like fe80::1%eth0.`);
      if (!/^[A-Za-z0-9_.-]+$/.test(scope)) {
        return fail(`The zone ${quoteInput(scope)} in ${quoteInput(text)} is not an interface name or index.`);
      }
      return ok({ kind: 'ipv6', address: text, scope });
    }
    return ok({ kind: 'ipv6', address: bare });
  }
  if (/^[\d.]+$/.test(text)) {
    // All digits and dots: the user meant an IPv4 address (RFC 1123 forbids an all-numeric top-level label).
    const problem = ipv4Problem(text);
    if (problem !== undefined) return fail(`${quoteInput(text)} is not a valid IPv4 address: ${problem}.`);
    return ok({ kind: 'ipv4', address: text });
  }
  const problem = hostnameProblem(text);
  if (problem !== undefined) return fail(`${quoteInput(text)} is not a valid host name: ${problem}.`);
  const lastLabel = text.replace(/\.$/, '').split('.').pop() ?? '';
  if (/^\d+$/.test(lastLabel)) {
    return fail(`${quoteInput(text)} is neither an IPv4 address nor a host name (a host name cannot end in a number).`);
  }
  return ok({ kind: 'hostname', address: text });
}

// --------------------------------------------------------------------------------------- host + port

/**
 * Parses `host:port`, `[ipv6]:port` or `udp://host:port` (a trailing `/` is tolerated).
 * A bare IPv6 address without brackets is refused because its last group cannot be told from a port.
 */
export function parseHostPort(input: string): Validation<HostPort> {
  let text = input.trim();
  if (text === '') return fail('The destination is empty. Enter host:port, like 127.0.0.1:9000 or [::1]:9000.');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'udp') {
      return fail(`${quoteInput(text)} uses the scheme "${scheme[1]}://"; UDP Lab understands only udp://host:port.`);
    }
    text = text.slice(scheme[0].length);
  }
  if (text.endsWith('/')) text = text.slice(0, -1);
  let hostPart: string;
  let portPart: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return fail(`${quoteInput(input)} opens "[" but never closes it. Write IPv6 as [::1]:9000.`);
    hostPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (!rest.startsWith(':')) return fail(`${quoteInput(input)} has no port after "]". Write it as [${hostPart}]:9000.`);
    portPart = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return fail(`${quoteInput(input)} has no port. Write host:port, like ${text || '127.0.0.1'}:9000.`);
    hostPart = text.slice(0, colon);
    portPart = text.slice(colon + 1);
    if (hostPart.includes(':')) {
      return fail(`${quoteInput(input)} looks like an IPv6 address without brackets. Write it as [${hostPart}]:${portPart || '9000'}.`);
    }
  }
  if (hostPart === '') return fail(`${quoteInput(input)} has no host before the port. Write host:port, like 127.0.0.1:9000.`);
  const address = validateAddress(hostPart);
  if (!address.ok) return address;
  if (portPart === '') return fail(`${quoteInput(input)} has no port after ":". Add one, like ${hostPart}:9000.`);
  const port = validatePort(portPart);
  if (!port.ok) return port;
  return ok({ host: address.value.address, port: port.value, kind: address.value.kind });
}

/**
 * Parses a local bind spec `[ADDRESS:]PORT` as the CLI's `listen` and a `From:` header take it: `9000`,
 * `127.0.0.1:9000`, `[::1]:9000`, `:9000`, `udp://…`. Without an address, `host` is undefined (the caller picks a
 * default).
 */
export function parseBindSpec(input: string): Validation<{ host?: string; port: number; kind?: AddressKind }> {
  const text = input.trim().replace(/^udp:\/\/(?=:?\d+\/?$)/i, '').replace(/^:(?=\d)/, '').replace(/^(\d+)\/$/, '$1');
  if (/^\d+$/.test(text) || text === '') {
    const port = validatePort(text);
    return port.ok ? ok({ port: port.value }) : port;
  }
  return parseHostPort(text);
}

// ------------------------------------------------------------------------------------- payload sizes

export interface SizeCheck {
  /** Set when the payload cannot be sent at all. */
  error?: string;
  /** Set when it can be sent but will be fragmented on a typical network. */
  warning?: string;
}

/** The largest UDP payload for the family, and a warning above the size that fits one Ethernet/minimum-MTU packet. */
export function checkPayloadSize(size: number, family: AddressFamily): SizeCheck {
  const max = family === 'IPv6' ? MAX_PAYLOAD_IPV6 : MAX_PAYLOAD_IPV4;
  const safe = family === 'IPv6' ? SAFE_PAYLOAD_IPV6 : SAFE_PAYLOAD_IPV4;
  if (size > max) {
    return {
      error: `The payload is ${formatCount(size)} bytes, more than the ${formatCount(max)} bytes a UDP datagram over ${family} can carry (EMSGSIZE). Shorten it or split it over several datagrams.`,
    };
  }
  if (size > safe) {
    return {
      warning: `The payload is ${formatCount(size)} bytes, more than the ${formatCount(safe)} bytes that fit one ${family === 'IPv6' ? 'minimum-MTU IPv6' : 'Ethernet'} packet, so it will be fragmented and may be dropped on the way.`,
    };
  }
  return {};
}
