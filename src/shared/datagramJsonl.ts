// One datagram as one line of JSON Lines — the export format of "UDP: Export Log…" and the Messages panel's
// export alike, so a file from either reads the same:
//   {"seq":12,"time":"2025-01-31T10:20:30.123Z","direction":"in","socket":"udp4-1","peer":"127.0.0.1:40123",
//    "family":"IPv4","size":5,"hex":"68656c6c6f"}
// `time` is ISO 8601 (UTC, ms); `peer` is `address:port` (`[v6]:port`); `hex` is the exact bytes, no separators.

import type { DatagramView } from './dto';
import { toHex } from './payload';

export interface DatagramJsonLine {
  seq: number;
  time: string;
  direction: 'in' | 'out';
  socket: string;
  /** The local endpoint of the socket (`127.0.0.1:5000`), when known. */
  local?: string;
  peer: string;
  family: 'IPv4' | 'IPv6';
  size: number;
  hex: string;
}

export function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The line's object; `local` names the socket's bound endpoint when the caller knows it. */
export function toJsonLineObject(d: DatagramView, local?: string): DatagramJsonLine {
  return {
    seq: d.seq,
    time: new Date(Math.floor(d.time)).toISOString(),
    direction: d.direction,
    socket: d.socketId,
    ...(local !== undefined ? { local } : {}),
    peer: endpointText(d.peer.address, d.peer.port),
    family: d.peer.family,
    size: d.size,
    hex: toHex(d.bytes, ''),
  };
}

/** One line, without the trailing newline. JSON.stringify escapes everything a line could be broken by. */
export function toJsonLine(d: DatagramView, local?: string): string {
  return JSON.stringify(toJsonLineObject(d, local));
}
