// Helpers for the editor-surface suites: the extension's API (activate's return value), a real dgram peer on
// loopback that the tests send from and receive with, and waits on real events (never sleeps).
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../../src/host/api';
import type { ShownMessage } from '../../../src/host/errorReporter';
import { udpLab } from './extension';

export async function api(): Promise<UdpLabApi> {
  const exports = (await udpLab().activate()) as UdpLabApi | undefined;
  assert.ok(exports && exports.registry && exports.testing, 'activate() did not return the UDP Lab API');
  return exports;
}

export interface Received {
  bytes: Buffer;
  address: string;
  port: number;
}

/** A plain Node dgram socket on loopback, standing in for the other end of the conversation. */
export class TestPeer {
  readonly received: Received[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => {
      this.received.push({ bytes: Buffer.from(msg), address: rinfo.address, port: rinfo.port });
      this.waiters = this.waiters.filter((w) => {
        if (this.received.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  }

  static async open(type: 'udp4' | 'udp6' = 'udp4'): Promise<TestPeer> {
    const socket = dgram.createSocket(type);
    const errors: Error[] = [];
    socket.on('error', (e) => errors.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new TestPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get address(): string {
    return this.socket.address().address;
  }

  get target(): string {
    return this.address.includes(':') ? `[${this.address}]:${this.port}` : `${this.address}:${this.port}`;
  }

  /** Resolves once `total` datagrams have arrived in all (rejects after `ms`, so a lost datagram fails the test). */
  receivedCount(total: number, ms = 5000): Promise<Received[]> {
    if (this.received.length >= total) return Promise.resolve(this.received.slice(0, total));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${total} datagrams, got ${this.received.length} within ${ms} ms`)), ms);
      this.waiters.push({
        count: total,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.received.slice(0, total));
        },
      });
    });
  }

  send(bytes: string | Uint8Array, port: number, address = '127.0.0.1'): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, address, (e) => (e ? reject(e) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Waits until `predicate()` holds, re-checking on every registry change and log signal. */
export function until(udp: UdpLabApi, predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!predicate()) return;
      done();
      resolve();
    };
    const subs = [udp.registry.onDidChange(check), udp.registry.onDidLog(check)];
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${ms} ms waiting until ${what}`));
    }, ms);
    const done = (): void => {
      clearTimeout(timer);
      subs.forEach((s) => s.dispose());
    };
  });
}

/** Runs `action` and returns the error/warning notifications it showed. */
export async function shownDuring(udp: UdpLabApi, action: () => Thenable<unknown> | Promise<unknown>): Promise<ShownMessage[]> {
  const before = udp.testing.shownMessages().length;
  const beforeLast = udp.testing.shownMessages().at(-1);
  await action();
  const all = udp.testing.shownMessages();
  // The reporter keeps the last 100; find where the new ones start even if old ones were trimmed.
  const start = beforeLast ? all.lastIndexOf(beforeLast) + 1 : Math.min(before, all.length);
  return all.slice(start);
}

/** Asserts that `action` showed exactly one error notification whose sentence matches `pattern`. */
export async function expectError(udp: UdpLabApi, action: () => Thenable<unknown>, pattern: RegExp): Promise<string> {
  const shown = await shownDuring(udp, action);
  const errors = shown.filter((m) => m.severity === 'error');
  assert.equal(errors.length, 1, `expected one error notification, got: ${JSON.stringify(shown.map((m) => m.message))}`);
  assert.match(errors[0]!.message, pattern);
  assert.doesNotMatch(errors[0]!.message, /\n\s+at /, 'a notification must never carry a stack trace');
  return errors[0]!.message;
}

/** Closes every socket the extension holds and clears the datagram log: each test starts and ends with none. */
export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('udpLab.closeAllSockets');
  await vscode.commands.executeCommand('udpLab.clearLog');
}

/** Rejects with "timed out … waiting for <what>" when `promise` takes longer than `ms` (a guard, not a sleep). */
export function within<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    Promise.resolve(promise).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
