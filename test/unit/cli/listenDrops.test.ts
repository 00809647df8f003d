// `udp-lab listen` whose output cannot keep up: datagrams the system drops while the CLI is blocked writing are
// not silently lost — it says how many, exactly as the kernel counted them (Linux), and prints every other one.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { kernelDrops } from '../../../src/core/kernelDrops';
import { startCli } from './cliProcess';

describe('cli: listen when the output cannot keep up', function () {
  this.timeout(60_000);

  it('reports the datagrams the system dropped while stdout was full; printed + dropped = sent', async () => {
    if (process.platform !== 'linux') {
      // The count is Linux's (/proc/net/udp); elsewhere it is unknown, and nothing may be claimed.
      assert.equal(kernelDrops({ address: '127.0.0.1', family: 'IPv4', port: 9 }), undefined);
      return;
    }
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const listener = await startCli(['listen', `127.0.0.1:${port}`, '--json'], { timeoutMs: 50_000 });
    await listener.waitForStderr('Listening on');
    let lines = 0;
    let onLines: (() => void) | undefined;
    listener.child.stdout.on('data', (chunk: string) => {
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
      onLines?.();
    });
    // Stop reading its stdout: once the pipe is full, the CLI blocks in its write and reads no datagrams.
    listener.child.stdout.pause();

    const sender = dgram.createSocket('udp4');
    sender.on('error', () => undefined);
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    // The CLI asks for a 4 MiB receive buffer, which Linux doubles for its bookkeeping: about 10 000 datagrams of
    // 1 KB wait in its queue (measured: 6.5 MB queued). 30 MB overflows that threefold, so drops are certain.
    const total = 30_000;
    const payload = Buffer.alloc(1024, 0x41);
    for (let sent = 0; sent < total; sent += 500) {
      await new Promise<void>((resolve) => {
        let left = 500;
        for (let i = 0; i < 500; i++) sender.send(payload, port, '127.0.0.1', () => --left === 0 && resolve());
      });
    }
    await new Promise<void>((resolve) => sender.close(() => resolve()));
    const dropped = kernelDrops({ address: '127.0.0.1', family: 'IPv4', port })!;
    assert.ok(dropped > 0, 'the flood overflowed the blocked CLI');

    // Read again: the CLI prints what was queued, then stops on Ctrl-C and accounts for the rest.
    await new Promise<void>((resolve) => {
      onLines = () => lines >= total - dropped && resolve();
      listener.child.stdout.resume();
      onLines();
    });
    listener.child.kill('SIGINT');
    const result = await listener.done;
    assert.equal(result.code, 0);
    assert.equal(lines, total - dropped, 'every datagram not dropped was printed');
    assert.match(result.stderr, new RegExp(`^${dropped} datagrams were dropped by the system before udp-lab could read them: they arrived faster than the output was written`, 'm'));
  });
});
