// Child process for faultMatrix.test.ts: the faults that need broadcast run here, inside the private network
// namespace test/unit/support/netns.ts makes (`unshare -rn`: nothing but its own loopback), never on the host.
// Prints one line `NETNS_RESULT {"ok":true,"result":…}` with what the user would see and what the sockets did.

import * as dgram from 'node:dgram';
import { UdpLabError } from '../../../src/core/errors';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { settle, watchProcess } from '../../support/processWatch';
import { nextEvent } from '../support/events';

const watch = watchProcess();
const registry = new SocketRegistry({});

/** Sends `text` from a plain dgram socket to `socket` and waits until the socket has it. */
async function proveReceives(socket: UdpSocket, text: string): Promise<boolean> {
  const prober = dgram.createSocket('udp4');
  prober.on('error', () => undefined);
  try {
    const arrived = nextEvent(socket.onDidReceive, (d) => d.bytes.toString('utf8') === text, 4000, `"${text}" on ${socket.id}`);
    await new Promise<void>((resolve, reject) => prober.send(text, socket.local!.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await arrived;
    return true;
  } catch {
    return false;
  } finally {
    prober.close();
  }
}

const scenarios: Record<string, () => Promise<unknown>> = {
  /** EACCES: a broadcast address without SO_BROADCAST. The kernel refuses before anything is sent. */
  async broadcastWithoutFlag() {
    const witness = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1', label: 'witness' });
    const sender = await registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
    let error: { code: string; message: string; isUdpLabError: boolean } | undefined;
    try {
      await sender.send(Buffer.from('refused'), { host: '127.255.255.255', port: witness.local!.port });
    } catch (e) {
      error = { code: (e as { code?: string }).code ?? '', message: (e as UdpLabError).userMessage ?? String(e), isUdpLabError: e instanceof UdpLabError };
    }
    await settle();
    return {
      error,
      sender: { state: sender.state, lastError: sender.view().lastError, registered: registry.get(sender.id) !== undefined },
      witnessReceives: await proveReceives(witness, 'witness after EACCES'),
      senderReceives: await proveReceives(sender, 'sender after EACCES'),
      openSockets: registry.size,
      problems: watch.problems,
    };
  },
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const scenario = scenarios[name];
  let payload: { ok: boolean; result?: unknown; error?: string };
  try {
    if (!scenario) throw new Error(`no scenario named ${JSON.stringify(name)}`);
    payload = { ok: true, result: await scenario() };
  } catch (error) {
    payload = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  } finally {
    registry.dispose();
    watch.dispose();
  }
  process.stdout.write(`NETNS_RESULT ${JSON.stringify(payload)}\n`);
}

void main();
