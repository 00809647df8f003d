// What the fault suites share: a plain dgram "prober" that proves a socket still receives (a real datagram, waited
// for as an event), the checks every user-facing sentence must pass, and the table the lead quotes.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as os from 'node:os';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { nextEvent } from '../support/events';

/** A plain Node socket on loopback that sends probe datagrams (udp4 from 127.0.0.1, udp6 from ::1). */
export class Prober {
  private constructor(
    private readonly v4: dgram.Socket,
    private readonly v6: dgram.Socket,
  ) {}

  static async open(): Promise<Prober> {
    const make = async (type: 'udp4' | 'udp6'): Promise<dgram.Socket> => {
      const s = dgram.createSocket(type);
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      return s;
    };
    return new Prober(await make('udp4'), await make('udp6'));
  }

  /**
   * Sends a unique marker to `socket` and resolves once the socket reported it (rejects after 4 s). UDP may drop
   * a datagram when the receive buffer is full (right after a flood), so the marker is sent again every 200 ms
   * until it arrives: a retransmission, as a real peer would do, not a sleep.
   */
  async proveReceives(socket: UdpSocket, what: string): Promise<void> {
    const local = socket.local;
    assert.ok(local, `${socket.id} (${what}) is not bound`);
    const marker = `probe ${what} ${process.hrtime.bigint()}`;
    const arrived = nextEvent(socket.onDidReceive, (d) => d.bytes.toString('utf8') === marker, 4000, `the probe "${marker}" on ${socket.id}`);
    const from = local.family === 'IPv6' ? this.v6 : this.v4;
    const send = (): void => from.send(marker, local.port, local.address);
    send();
    const again = setInterval(send, 200);
    try {
      await arrived;
    } finally {
      clearInterval(again);
    }
  }

  close(): Promise<void> {
    return Promise.all([this.v4, this.v6].map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  }
}

/**
 * The checks every sentence a user sees must pass: one or two sentences on one line, ending with a full stop,
 * naming the raw code in parentheses (validation messages, made before any socket call, have none), never a stack.
 */
export function assertUserSentence(message: string | undefined, code: string): string {
  assert.ok(typeof message === 'string' && message.length > 0, 'the error carries a sentence for the user');
  assert.doesNotMatch(message, /\n/, `one line: ${message}`);
  assert.doesNotMatch(message, /\bat .+:\d+:\d+/, `no stack frames: ${message}`);
  assert.match(message, /[.]$/, `ends like a sentence: ${message}`);
  assert.ok(message.length < 400, `short enough to read in a notification (${message.length} characters)`);
  if (code !== 'VALIDATION') assert.ok(message.includes(`(${code})`), `names the code (${code}) for searching: ${message}`);
  return message;
}

/** An IPv4 address no interface of this machine has (binding it must fail with EADDRNOTAVAIL; nothing is sent). */
export function addressNotOnThisMachine(): string {
  const local = new Set(
    Object.values(os.networkInterfaces())
      .flat()
      .map((i) => i?.address),
  );
  const candidate = ['203.0.113.77', '198.51.100.77', '192.0.2.77'].find((a) => !local.has(a));
  assert.ok(candidate, 'every documentation address is on this machine?');
  return candidate;
}

export interface FaultRow {
  fault: string;
  code: string;
  sentence: string;
  state: string;
  othersOk: string;
}

/** Rows of the closing table; printed as Markdown so the figures can be quoted as they are. */
export class FaultTable {
  readonly rows: FaultRow[] = [];

  add(fault: string, code: string, sentence: string, state: string): FaultRow {
    const row = { fault, code, sentence, state, othersOk: 'not checked' };
    this.rows.push(row);
    return row;
  }

  /** Marks every row added by the test that just ran. */
  markOthersOk(text: string): void {
    for (const row of this.rows) if (row.othersOk === 'not checked') row.othersOk = text;
  }

  print(title: string): void {
    if (this.rows.length === 0) return;
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    const lines = [
      '',
      `${title}`,
      '| fault or input | code | what the user sees | socket state after | other sockets |',
      '|---|---|---|---|---|',
      ...this.rows.map((r) => `| ${esc(r.fault)} | ${esc(r.code)} | ${esc(r.sentence)} | ${esc(r.state)} | ${esc(r.othersOk)} |`),
      '',
    ];
    console.log(lines.join('\n'));
  }
}
