import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/events';
import { parseUdpFile, runUdpFile, startListener, type RunEvent, type RunOptions, type UdpFileModel } from '../../../src/core/udpFile';
import { StandaloneSockets } from '../../../src/core/udpFile/standaloneSockets';
import { fromHex } from '../../../src/shared/payload';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { RunnerRegistry } from '../../../src/core/udpFile';
import { freePort, peer, sendOnce } from './helpers';

// The runner on real loopback sockets: a responder and a sender in the same file, failures, timeouts, exact
// bytes, repeats, replies reused by later blocks, selection, cancellation and bind errors.

function model(lines: string[]): UdpFileModel {
  const m = parseUdpFile(lines.join('\n'));
  const errors = m.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the test file itself must parse cleanly');
  return m;
}

describe('.udp runner on loopback', function () {
  this.timeout(20000);
  let sockets: StandaloneSockets;
  let options: RunOptions;
  let events: RunEvent[];

  beforeEach(() => {
    sockets = new StandaloneSockets();
    events = [];
    options = { registry: sockets, onEvent: (e) => events.push(e) };
  });

  afterEach(async () => {
    // Every run must close what it opened.
    assert.equal(sockets.openCount, 0, 'sockets left open after the run');
    await sockets.closeAll();
  });

  it('runs a responder and a sender that awaits it: pass, round-trip time, $seq and captures', async () => {
    const port = await freePort();
    const m = model([
      `@port = ${port}`,
      '### ping',
      'SEND udp://127.0.0.1:{{port}}',
      'Expect: /^pong (\\d+)$/ within 2000 ms',
      '',
      'ping {{$seq}}',
      '',
      '### echo',
      'LISTEN udp://127.0.0.1:{{port}}',
      'Respond: /^ping (\\d+)$/ -> pong {{$1}}',
    ]);
    const result = await runUdpFile(m, options);
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    const [ping, echo] = result.results;
    assert.equal(ping!.status, 'passed');
    assert.equal(ping!.sent, 1);
    assert.equal(ping!.replies[0]!.text, 'pong 1');
    assert.equal(ping!.matched, 1);
    assert.ok(ping!.rtt && ping!.rtt.last > 0 && ping!.rtt.last < 2000);
    assert.match(ping!.message, /^"pong 1" · [\d.]+ m?s$/);
    assert.equal(echo!.status, 'listened');
    assert.equal(echo!.received, 1);
    assert.equal(echo!.responded, 1);
    assert.equal(echo!.local?.port, port);
    // LISTEN blocks start first, then SEND blocks run; every block reports start and finish.
    assert.deepEqual(
      events.filter((e) => e.type !== 'received' && e.type !== 'sent' && e.type !== 'responded').map((e) => `${e.type}:${e.block.label}`),
      ['blockStarted:echo', 'listening:echo', 'blockStarted:ping', 'blockFinished:ping', 'blockFinished:echo'],
    );
  });

  it('fails when the reply does not match, and says what arrived instead', async () => {
    const far = await peer({ reply: () => Buffer.from('nope') });
    try {
      const result = await runUdpFile(model(['### ping', `SEND udp://127.0.0.1:${far.port}`, 'Expect: /^pong/ within 2s', '', 'ping']), options);
      assert.equal(result.ok, false);
      assert.equal(result.failed, 1);
      const r = result.results[0]!;
      assert.equal(r.status, 'failed');
      assert.equal(r.message, `expected /^pong/ but got "nope" from 127.0.0.1:${far.port}`);
      assert.equal(r.replies[0]!.matched, false);
    } finally {
      await far.close();
    }
  });

  it('fails with "no reply within T" when nothing answers', async () => {
    const far = await peer(); // receives but never answers
    try {
      const started = Date.now();
      const result = await runUdpFile(model([`SEND udp://127.0.0.1:${far.port}`, 'Expect: /pong/ within 150 ms', '', 'ping']), options);
      assert.equal(result.results[0]!.status, 'failed');
      assert.equal(result.results[0]!.message, 'no reply within 150 ms');
      assert.ok(Date.now() - started >= 140);
      assert.equal(far.received.length, 1);
    } finally {
      await far.close();
    }
  });

  it('matches exact bytes with Expect-Hex, with ?? wildcards, and fails on a different byte', async () => {
    const port = await freePort();
    const file = (expect: string) =>
      model([
        '### binary',
        `SEND udp://127.0.0.1:${port}`,
        'Encoding: hex',
        `Expect-Hex: ${expect} within 2000ms`,
        '',
        '01 02 ff',
        '### responder',
        `LISTEN udp://127.0.0.1:${port}`,
        'Encoding: hex',
        'Respond: /^01 02 (..)$/ -> {{$1}} fe 00',
      ]);
    const pass = await runUdpFile(file('ff fe 00'), options);
    assert.equal(pass.results[0]!.status, 'passed', pass.results[0]!.message);
    assert.deepEqual([...pass.results[0]!.replies[0]!.bytes], [0xff, 0xfe, 0x00]);
    assert.equal((await runUdpFile(file('ff ?? 00'), options)).results[0]!.status, 'passed');
    assert.equal((await runUdpFile(file('ff *'), options)).results[0]!.status, 'passed');
    const fail = await runUdpFile(file('ff fe 01'), options);
    assert.equal(fail.results[0]!.status, 'failed');
    assert.match(fail.results[0]!.message, /^expected ff fe 01 but got "ff fe 00" from 127\.0\.0\.1:\d+$/);
  });

  it('sends Repeat N datagrams (fire and forget) and N request/reply rounds with Expect', async () => {
    const sink = await peer();
    try {
      const r = await runUdpFile(model([`SEND udp://127.0.0.1:${sink.port}`, 'Repeat: 5 every 5 ms', '', 'tick {{$seq}}']), options);
      await sink.waitFor(5);
      assert.equal(r.results[0]!.status, 'sent');
      assert.equal(r.results[0]!.sent, 5);
      assert.equal(r.results[0]!.message, `sent 5 datagrams (30 bytes) to 127.0.0.1:${sink.port}`);
      assert.deepEqual(sink.received.map((d) => d.bytes.toString()), ['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    } finally {
      await sink.close();
    }
    const port = await freePort();
    const rounds = await runUdpFile(
      model([`SEND udp://127.0.0.1:${port}`, 'Repeat: 4', 'Expect: /^pong (\\d+)$/ within 2s', '', 'ping {{$seq}}', '###', `LISTEN 127.0.0.1:${port}`, 'Respond: /^ping (\\d+)$/ -> pong {{$1}}']),
      options,
    );
    const send = rounds.results[0]!;
    assert.equal(send.status, 'passed', send.message);
    assert.equal(send.matched, 4);
    assert.deepEqual(send.replies.map((x) => x.text), ['pong 1', 'pong 2', 'pong 3', 'pong 4']);
    assert.match(send.message, /^4\/4 replies matched · round trip min .* avg .* max .*$/);
    assert.equal(rounds.results[1]!.received, 4);
  });

  it('passes an earlier reply and its captures to later blocks ({{ping.reply}}, {{ping.reply.1}})', async () => {
    const port = await freePort();
    const sink = await peer();
    try {
      const result = await runUdpFile(
        model([
          '### ping',
          `SEND udp://127.0.0.1:${port}`,
          'Expect: /^token (\\w+)$/ within 2s',
          '',
          'hello',
          '### use',
          `SEND udp://127.0.0.1:${sink.port}`,
          '',
          'got {{ping.reply.1}} from "{{ping.reply}}"',
          '### server',
          `LISTEN udp://127.0.0.1:${port}`,
          'Respond: -> token abc123',
        ]),
        options,
      );
      assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
      await sink.waitFor(1);
      assert.equal(sink.received[0]!.bytes.toString(), 'got abc123 from "token abc123"');
    } finally {
      await sink.close();
    }
  });

  it('a later block whose reply source failed is an error that names the missing value', async () => {
    const far = await peer();
    const sink = await peer();
    try {
      const result = await runUdpFile(
        model(['### ping', `SEND udp://127.0.0.1:${far.port}`, 'Expect: /x/ within 100ms', '', 'a', '### use', `SEND udp://127.0.0.1:${sink.port}`, '', '{{ping.reply}}']),
        options,
      );
      assert.equal(result.results[1]!.status, 'error');
      assert.match(result.results[1]!.message, /\{\{ping\.reply\}\} has no value yet: the block "ping" has not received a matching reply in this run\. \(line 9\)/);
      assert.equal(result.results[1]!.error?.code, 'VARIABLE');
      assert.equal(sink.received.length, 0);
    } finally {
      await far.close();
      await sink.close();
    }
  });

  it('echoes bytes exactly (invalid UTF-8 included) with a Respond that has no payload', async () => {
    const port = await freePort();
    const result = await runUdpFile(
      model([`SEND udp://127.0.0.1:${port}`, 'Encoding: escaped', 'Expect-Hex: 00 ff c3 28 0a within 2s', '', '\\0\\xff\\xc3(\\n', '###', `LISTEN 127.0.0.1:${port}`, 'Respond: /./s']),
      options,
    );
    assert.equal(result.results[0]!.status, 'passed', result.results[0]!.message);
    assert.deepEqual([...result.results[0]!.replies[0]!.bytes], [...fromHex('00 ff c3 28 0a')]);
  });

  it('sends From a given local port', async () => {
    const sink = await peer();
    const from = await freePort();
    try {
      const result = await runUdpFile(model([`SEND udp://127.0.0.1:${sink.port}`, `From: 127.0.0.1:${from}`, '', 'x']), options);
      assert.equal(result.results[0]!.status, 'sent');
      assert.equal(result.results[0]!.local?.port, from);
      await sink.waitFor(1);
      assert.equal(sink.received[0]!.port, from);
    } finally {
      await sink.close();
    }
  });

  it('works over IPv6 loopback', async () => {
    const port = await freePort('udp6');
    const result = await runUdpFile(
      model([`SEND udp://[::1]:${port}`, 'Expect: /^hi$/ within 2s', '', 'hi', '###', `LISTEN udp://[::1]:${port}`, 'Respond: /.*/ -> {{$0}}']),
      options,
    );
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    assert.equal(result.results[1]!.local?.family, 'IPv6');
  });

  it('a LISTEN block with Expect passes when a matching datagram arrives and fails when none does', async () => {
    const port = await freePort();
    const m = model(['### heartbeat', `LISTEN 127.0.0.1:${port}`, 'Expect: /^beat \\d+$/ within 3s']);
    const listening = new Promise<void>((resolve) => {
      options.onEvent = (e) => {
        if (e.type === 'listening') resolve();
      };
    });
    const run = runUdpFile(m, options);
    await listening;
    await sendOnce(port, 'noise');
    await sendOnce(port, 'beat 7');
    const result = await run;
    assert.equal(result.results[0]!.status, 'passed');
    assert.equal(result.results[0]!.received, 2);
    const none = await runUdpFile(model([`LISTEN 127.0.0.1:${port}`, 'Expect: /x/ within 100 ms']), { registry: sockets });
    assert.equal(none.results[0]!.status, 'failed');
    assert.equal(none.results[0]!.message, 'no datagram within 100 ms');
  });

  it('with `only`, runs the selected block plus the responders and reply sources it needs', async () => {
    const port = await freePort();
    const sink = await peer();
    try {
      const m = model([
        '### first',
        `SEND udp://127.0.0.1:${port}`,
        'Expect: /^(\\d+)$/ within 2s',
        '',
        '41',
        '### unrelated',
        `SEND udp://127.0.0.1:${sink.port}`,
        '',
        'should not be sent',
        '### second',
        `SEND udp://127.0.0.1:${sink.port}`,
        '',
        'n={{first.reply.1}}',
        '### server',
        `LISTEN 127.0.0.1:${port}`,
        'Respond: /^(\\d+)$/ -> {{$1}}',
      ]);
      const result = await runUdpFile(m, { ...options, only: ['second'] });
      assert.deepEqual(result.results.map((r) => [r.label, r.status, r.dependency]), [['first', 'passed', true], ['second', 'sent', false], ['server', 'listened', true]]);
      await sink.waitFor(1);
      assert.deepEqual(sink.received.map((d) => d.bytes.toString()), ['n=41']);
      await assert.rejects(runUdpFile(m, { ...options, only: ['nope'] }), /No block is named "nope"\. Named blocks: first, unrelated, second, server\./);
    } finally {
      await sink.close();
    }
  });

  it('reports a bind error as a sentence with its code, and still runs the other blocks', async () => {
    const taken = await peer();
    const sink = await peer();
    try {
      const result = await runUdpFile(model(['### busy', `LISTEN 127.0.0.1:${taken.port}`, '### other', `SEND 127.0.0.1:${sink.port}`, '', 'x']), options);
      const busy = result.results[0]!;
      assert.equal(busy.status, 'error');
      assert.equal(busy.error?.code, 'EADDRINUSE');
      assert.match(busy.message, /EADDRINUSE/);
      assert.equal(result.results[1]!.status, 'sent');
      assert.equal(result.ok, false);
    } finally {
      await taken.close();
      await sink.close();
    }
  });

  it('does not run blocks with errors', async () => {
    const m = parseUdpFile(['### bad', 'SEND 127.0.0.1:1', 'Encoding: hex', '', 'zz'].join('\n'));
    const result = await runUdpFile(m, options);
    assert.equal(result.results[0]!.status, 'error');
    assert.equal(result.results[0]!.error?.code, 'PARSE');
  });

  it('stops at once when cancelled, closing its sockets', async () => {
    const far = await peer();
    const cancel = new Emitter<void>();
    let cancelled = false;
    const token = { get isCancellationRequested() { return cancelled; }, onCancellationRequested: cancel.event };
    try {
      const started = Date.now();
      const run = runUdpFile(model([`SEND 127.0.0.1:${far.port}`, 'Repeat: 100 every 10 ms', 'Expect: /x/ within 5 s', '', 'x']), options, token);
      await far.waitFor(1);
      cancelled = true;
      cancel.fire();
      const result = await run;
      assert.equal(result.cancelled, true);
      assert.equal(result.results[0]!.status, 'cancelled');
      assert.ok(Date.now() - started < 3000);
    } finally {
      await far.close();
    }
  });

  it('applies the socket option headers (Broadcast, TTL, Multicast-TTL, Multicast-Loopback, Multicast-Interface, Reuse-Address)', async () => {
    const sink = await peer();
    const port = await freePort();
    const views: Array<ReturnType<UdpSocket['view']>> = [];
    const byId = new Map<string, UdpSocket>();
    const sub = sockets.onDidOpen((socket) => byId.set(socket.id, socket));
    // Read the options back when the runner reports the socket in use (it applies them right after opening).
    options.onEvent = (e) => {
      if (e.type === 'sent' || e.type === 'listening') views.push(byId.get(e.socketId)!.view());
    };
    try {
      const result = await runUdpFile(
        model([
          '### tuned',
          `SEND udp://127.0.0.1:${sink.port}`,
          'Broadcast: on',
          'TTL: 7',
          'Multicast-TTL: 2',
          'Multicast-Loopback: off',
          'Multicast-Interface: 127.0.0.1',
          '',
          'x',
          '### shared',
          `LISTEN 127.0.0.1:${port}`,
          'Reuse-Address: on',
        ]),
        options,
      );
      assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
      const listen = views.find((v) => v.options.port === port)!;
      const send = views.find((v) => v.options.port === 0)!;
      assert.equal(listen.options.reuseAddr, true);
      assert.deepEqual([send.broadcast, send.ttl, send.multicastTTL, send.multicastLoopback, send.multicastInterface], [true, 7, 2, false, '127.0.0.1']);
      assert.equal(send.options.label, '.udp › tuned');
    } finally {
      sub.dispose();
      await sink.close();
    }
  });

  it('{{name.port}} gives the port a LISTEN …:0 block was given', async () => {
    const result = await runUdpFile(
      model(['### server', 'LISTEN 127.0.0.1:0', 'Respond: -> port {{server.port}}', '### client', 'SEND 127.0.0.1:{{server.port}}', 'Expect: /^port (\\d+)$/ within 2s', '', 'x']),
      options,
    );
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    const server = result.results[0]!;
    assert.equal(result.results[1]!.replies[0]!.text, `port ${server.local!.port}`);
    assert.notEqual(server.local!.port, 0);
  });

  it('a matched reply carries what {{name.reply.N}} gives: the whole match at 0, then the captures', async () => {
    const port = await freePort();
    const result = await runUdpFile(
      model([
        '@word = token',
        '### ping',
        `SEND udp://127.0.0.1:${port}`,
        // A pattern with a variable in it: the captures come from the pattern as the run filled it in.
        'Expect: /^{{word}} (\\w+)-(\\d+)$/ within 2s',
        '',
        'hello',
        '### server',
        `LISTEN udp://127.0.0.1:${port}`,
        'Respond: -> token abc-42',
      ]),
      options,
    );
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    assert.deepEqual(result.results[0]!.replies[0]!.captures, ['token abc-42', 'abc', '42']);
  });

  it('listeningPorts: a run that leaves out a LISTEN block already listening uses that listener and its port', async () => {
    const port = await freePort();
    const m = model([
      '### echo',
      `LISTEN 127.0.0.1:${port}`,
      'Respond: /^ping$/ -> pong',
      '### client',
      'SEND 127.0.0.1:{{echo.port}}',
      'Expect: /^pong$/ within 2s',
      '',
      'ping',
    ]);
    // The editor's Listen lens keeps the fixed port bound; a second bind of it would fail (EADDRINUSE).
    const lens = await startListener(m, m.blocks[0]!, { registry: sockets });
    try {
      const result = await runUdpFile(m, { ...options, only: [1], withDependencies: false, listeningPorts: new Map([['echo', lens.local.port]]) });
      assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
      assert.deepEqual(result.results.map((r) => r.label), ['client']);
    } finally {
      const stopped = await lens.stop();
      assert.equal(stopped.responded, 1, 'the running listener answered');
    }
  });

  it('Repeat without Expect goes through the core scheduler: in order, all counted, and cancellable mid-run', async () => {
    const sink = await peer();
    try {
      const fast = await runUdpFile(model([`SEND 127.0.0.1:${sink.port}`, 'Repeat: 200', '', '{{$seq}}']), options);
      assert.equal(fast.results[0]!.sent, 200);
      await sink.waitFor(1);
      const numbers = sink.received.map((d) => Number(d.bytes.toString()));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'datagrams leave in $seq order');
      const cancel = new Emitter<void>();
      let cancelled = false;
      const token = { get isCancellationRequested() { return cancelled; }, onCancellationRequested: cancel.event };
      const before = sink.received.length;
      const slow = runUdpFile(model([`SEND 127.0.0.1:${sink.port}`, 'Repeat: 1000 every 20 ms', '', 'slow']), options, token);
      await sink.waitFor(before + 3);
      cancelled = true;
      cancel.fire();
      const result = await slow;
      assert.equal(result.results[0]!.status, 'cancelled');
      assert.ok(result.results[0]!.sent < 1000);
      assert.match(result.results[0]!.message, /^cancelled after \d+ of 1000 datagrams$/);
    } finally {
      await sink.close();
    }
  });

  it('the core SocketRegistry is a runner registry: .udp sockets can live in the extension’s registry', async () => {
    const registry: RunnerRegistry = new SocketRegistry();
    const sink = await peer();
    try {
      const result = await runUdpFile(model([`SEND 127.0.0.1:${sink.port}`, '', 'via registry']), { registry });
      assert.equal(result.results[0]!.status, 'sent');
      await sink.waitFor(1);
    } finally {
      (registry as SocketRegistry).dispose();
      await sink.close();
    }
  });

  it('startListener keeps a LISTEN block up until stopped (the editor’s Listen lens)', async () => {
    const port = await freePort();
    const m = model(['### echo', `LISTEN 127.0.0.1:${port}`, 'Respond: /^hi$/ -> hello']);
    const handle = await startListener(m, m.blocks[0]!, { registry: sockets });
    assert.equal(handle.local.port, port);
    const client = await peer();
    try {
      client.socket.send('hi', port, '127.0.0.1');
      await client.waitFor(1);
      assert.equal(client.received[0]!.bytes.toString(), 'hello');
    } finally {
      await client.close();
    }
    const result = await handle.stop();
    assert.equal(result.status, 'listened');
    assert.equal(result.responded, 1);
  });
});
