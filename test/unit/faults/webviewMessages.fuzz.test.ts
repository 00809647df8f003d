// Untrusted messages from the Messages panel's webview, end to end through the host's handler: every random
// message goes through the validator (parseWebviewMessage) exactly as PanelSession.receive does, and every one it
// accepts through PanelRequests.handle over the REAL core (registry, sockets, scheduler, log). The host must
// survive all of them: handle() never rejects, each request gets exactly one response with its id (a result, or
// a sentence — never a stack), repeats stop when the panel goes away, nothing escapes as an unhandled rejection,
// and the sockets still receive afterwards. The validator's own 10 000-case fuzz is in test/unit/panel.
//
// Network safety: the services the handler calls send only to loopback sinks this test owns; any other target
// a random message names (a host name, another address or port) is refused by the test's sendOnce before any
// lookup or send, so a fuzz run never reaches the network or another program's port.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import fc from 'fast-check';
import { validationError } from '../../../src/core/errors';
import { SendScheduler } from '../../../src/core/sendScheduler';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { PanelRequests, type PanelServices } from '../../../src/host/panel/panelRequests';
import { PANEL_COMMANDS, parseWebviewMessage, PROTOCOL_LIMITS, type HostToWebview, type WebviewRequest } from '../../../src/shared/protocol';
import type { HostPort } from '../../../src/shared/validation';
import { settle, watchProcess, type ProcessWatch } from '../../support/processWatch';
import { Prober } from './faultKit';

const REQUEST_TYPES = new Set(['send', 'cancelSend', 'getBytes', 'copy', 'export', 'clear', 'runCommand']);

describe('untrusted webview messages through the host handler (fuzz, real core)', function () {
  this.timeout(120_000);
  let registry: SocketRegistry;
  let scheduler: SendScheduler;
  let from4: UdpSocket;
  let from6: UdpSocket;
  let sink4: dgram.Socket;
  let sink6: dgram.Socket;
  let sinkReceived = 0;
  let prober: Prober;
  let watch: ProcessWatch;
  const refusedTargets = new Set<string>();
  const commandsRun: string[] = [];

  const bindSink = async (type: 'udp4' | 'udp6'): Promise<dgram.Socket> => {
    const s = dgram.createSocket(type);
    s.on('error', () => undefined);
    s.on('message', () => sinkReceived++);
    await new Promise<void>((r) => s.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => r()));
    return s;
  };

  before(async () => {
    watch = watchProcess();
    registry = new SocketRegistry({ logCaps: { maxCount: 2000, maxBytes: 4 * 1024 * 1024 } });
    scheduler = new SendScheduler();
    from4 = await registry.open({ type: 'udp4', port: 0 });
    from6 = await registry.open({ type: 'udp6', port: 0 });
    sink4 = await bindSink('udp4');
    sink6 = await bindSink('udp6');
    prober = await Prober.open();
  });

  after(async () => {
    scheduler?.cancelAll();
    await prober?.close();
    sink4?.close();
    sink6?.close();
    registry?.dispose();
    watch?.dispose();
  });

  /** The host's services over the real core, with sends confined to this test's loopback sinks. */
  function services(posted: HostToWebview[], logLines: string[]): PanelServices {
    /** The test's own sink for `target`, or a refusal (recorded) before any lookup or send. */
    const sinkFor = (target: HostPort): { host: string; port: number } => {
      if (target.host === '127.0.0.1' && target.port === sink4.address().port) return { host: '127.0.0.1', port: target.port };
      if (target.host === '::1' && target.port === sink6.address().port) return { host: '::1', port: target.port };
      refusedTargets.add(`${target.host}:${target.port}`);
      throw validationError(`Test refuses ${target.host}:${target.port}: the fuzz sends only to its own sinks.`);
    };
    const chosenSocket = (socketId: string) => {
      const socket = registry.get(socketId);
      if (!socket) throw validationError('The socket chosen under "From" closed before the send.');
      return socket;
    };
    return {
      sendOnce: async (bytes, target, socketId) => {
        const to = sinkFor(target);
        const sent = socketId !== undefined ? await chosenSocket(socketId).send(bytes, to) : (await registry.sendEphemeral(bytes, to)).bytes;
        return { bytes: sent, target: `${to.host}:${to.port}` };
      },
      withRepeatSender: async (target, socketId, run) => {
        const to = sinkFor(target);
        const socket = socketId !== undefined ? chosenSocket(socketId) : await registry.openRunSocket(to.host, to.port, undefined, 'fuzz run');
        try {
          return await run({ target: `${to.host}:${to.port}`, send: (bytes, done) => socket.sendWithCallback(bytes, to, done) });
        } finally {
          if (socketId === undefined) await registry.close(socket.id);
        }
      },
      socketType: (id) => {
        const s = registry.get(id);
        return s && (s.state === 'listening' || s.state === 'connected') ? s.type : undefined;
      },
      onSocketClose: (id, listener) => registry.get(id)?.onDidClose(listener),
      scheduler,
      datagram: (seq) => registry.log.get(seq),
      writeClipboard: async () => undefined,
      exportFiltered: async (filter) => {
        let written = 0;
        registry.log.forEach((d) => {
          if (filter.matches({ direction: d.direction, socketId: d.socketId, peerAddress: d.peer.address, peerPort: d.peer.port, bytes: d.bytes })) written++;
        });
        return { written, path: '/dev/null' };
      },
      clearLog: async () => {
        const n = registry.log.size;
        registry.log.clear();
        return n;
      },
      runCommand: async (command) => {
        commandsRun.push(command);
      },
      rememberTarget: async () => undefined,
      log: { info: (m) => logLines.push(m), warn: (m) => logLines.push(m) },
      post: (m) => posted.push(m),
    };
  }

  /** Messages a buggy or hostile page could post: well-formed ones with hostile values, near misses, and junk. */
  function messageArbitrary(): fc.Arbitrary<unknown> {
    const id = fc.oneof({ weight: 12, arbitrary: fc.nat({ max: 50 }) }, fc.constant(PROTOCOL_LIMITS.maxRequestId), fc.integer(), fc.double(), fc.string());
    const target = fc.oneof(
      { weight: 4, arbitrary: fc.constant(`127.0.0.1:${sink4.address().port}`) },
      { weight: 3, arbitrary: fc.constant(`[::1]:${sink6.address().port}`) },
      fc.constant(`udp://127.0.0.1:${sink4.address().port}`),
      fc.constantFrom('127.0.0.1:0', '127.0.0.1:65536', '[::1]:-1', 'nonexistent.invalid:9', 'javascript:alert(1)', '<img src=x>:80', '', '::1:80'),
      fc.string({ maxLength: 40 }),
    );
    const payload = fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 200 }) },
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.constantFrom('de ad be ef', 'zz', '\\xZZ', '\\u{110000}', '====', '\ud800', 'A'.repeat(65_508), '00'.repeat(65_528)),
    );
    const from = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ socketId: from4.id }) },
      { weight: 3, arbitrary: fc.constant({ socketId: from6.id }) },
      fc.record({ socketId: fc.string({ maxLength: 10 }) }),
      fc.record({ ephemeral: fc.constantFrom('udp4', 'udp6', 'udp4', 'udp6', 'udp5') }),
      fc.anything(),
    );
    const repeat = fc.oneof(
      { weight: 4, arbitrary: fc.record({ count: fc.integer({ min: 1, max: 5 }), intervalMs: fc.integer({ min: 0, max: 3 }) }) },
      fc.record({ count: fc.constantFrom(1_000_000, PROTOCOL_LIMITS.maxRepeatCount + 1, 0, -1), intervalMs: fc.constantFrom(0, 3_600_000, 3_600_001) }),
      fc.anything(),
    );
    const filter = fc.oneof(
      { weight: 4, arbitrary: fc.record(
        {
          socketId: fc.oneof(fc.constant(from4.id), fc.string({ maxLength: 8 })),
          peer: fc.string({ maxLength: 20 }),
          direction: fc.constantFrom('in', 'out', 'sideways'),
          search: fc.record({ mode: fc.constantFrom('text', 'hex', 'regex', 'sql'), query: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('(', '[a-', 'zz', '\\', '(?<x>a)\\k<x>')), caseSensitive: fc.oneof(fc.boolean(), fc.string()) }),
        },
        { requiredKeys: [] },
      ) },
      fc.anything(),
    );
    const request = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record(
          { type: fc.constant('send'), id, from, target, payload, encoding: fc.constantFrom('text', 'text', 'text', 'hex', 'base64', 'escaped', 'rot13'), repeat },
          { requiredKeys: ['type', 'id', 'from', 'target', 'payload', 'encoding'] },
        ),
      },
      fc.record({ type: fc.constant('cancelSend'), id, sendId: fc.oneof(fc.nat({ max: 50 }), fc.anything()) }),
      fc.record({ type: fc.constant('getBytes'), id, seq: fc.oneof(fc.nat({ max: 3000 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.anything()) }),
      fc.record({ type: fc.constant('copy'), id, text: fc.oneof(fc.string(), fc.anything()), what: fc.oneof(fc.string({ maxLength: 120 }), fc.anything()) }),
      fc.record({ type: fc.constant('export'), id, filter }, { requiredKeys: ['type', 'id'] }),
      fc.record({ type: fc.constant('clear'), id }),
      fc.record({ type: fc.constant('runCommand'), id, command: fc.oneof(fc.constantFrom(...PANEL_COMMANDS), fc.constantFrom('workbench.action.quit', 'udpLab.closeAllSockets', '__proto__'), fc.anything()) }),
    );
    const stream = fc.oneof(
      fc.record({ type: fc.constant('ready'), protocol: fc.oneof(fc.constant(1), fc.integer()) }),
      fc.record({ type: fc.constant('resync'), lastSeq: fc.integer(), reason: fc.string() }),
      fc.record({ type: fc.constant('ack'), seq: fc.oneof(fc.integer(), fc.anything()) }),
    );
    return fc.oneof({ weight: 6, arbitrary: request }, { weight: 1, arbitrary: stream }, { weight: 1, arbitrary: fc.anything({ withObjectString: true, withNullPrototype: true }) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', null, undefined, [], { type: 'constructor' }, { type: 'toString', id: 1 }) });
  }

  it('a second repeat under an id already running is refused, so closing the panel stops every repeat', async () => {
    // Found by the fuzz: two `send` requests with the same id made the first repeat un-cancellable (the second
    // replaced it in the table of running repeats), so it outlived the panel — a send every hour, for ever.
    const posted: HostToWebview[] = [];
    const handler = new PanelRequests(services(posted, []));
    const slow = { from: { socketId: from4.id }, target: `127.0.0.1:${sink4.address().port}`, payload: 'tick', encoding: 'text' as const, repeat: { count: 1_000_000, intervalMs: 3_600_000 } };
    const first = handler.handle({ type: 'send', id: 7, ...slow });
    const second = handler.handle({ type: 'send', id: 7, ...slow });
    await second;
    const refusal = posted.find((m) => m.type === 'response' && m.id === 7);
    assert.ok(refusal && refusal.type === 'response' && !refusal.ok, 'the duplicate is refused at once');
    assert.match(refusal.error, /already running/);
    handler.dispose();
    await first; // resolves: the one repeat that ran is cancelled
    const answers = posted.filter((m) => m.type === 'response');
    assert.equal(answers.length, 2);
    const done = answers[1]!;
    assert.ok(done.type === 'response' && done.ok && done.request === 'send' && done.result.cancelled === true);
  });

  it('survives 2 000 random sessions of 1–20 messages: one response per request, no unhandled rejection, sockets still receive', async () => {
    let accepted = 0;
    let rejected = 0;
    let responses = 0;
    let failures = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(messageArbitrary(), { minLength: 1, maxLength: 20 }), async (messages) => {
        const posted: HostToWebview[] = [];
        const logLines: string[] = [];
        const handler = new PanelRequests(services(posted, logLines));
        const handled: Array<Promise<void>> = [];
        const requests: WebviewRequest[] = [];
        for (const raw of messages) {
          const parsed = parseWebviewMessage(raw);
          if (!parsed.ok) {
            rejected++;
            assert.ok(typeof parsed.message === 'string' && parsed.message.length > 0 && parsed.message.length < 400, 'a rejection has a short reason for the log line');
            continue;
          }
          accepted++;
          if (!REQUEST_TYPES.has(parsed.value.type)) continue; // ready / resync / ack: the feed's business
          const request = parsed.value as WebviewRequest;
          requests.push(request);
          handled.push(handler.handle(request));
        }
        // Let short repeats run a little, then the panel closes: outstanding repeats must stop and still answer.
        await settle();
        handler.dispose();
        await Promise.all(handled); // handle() never rejects (a rejection fails the property here)
        const answers = posted.filter((m): m is Extract<HostToWebview, { type: 'response' }> => m.type === 'response');
        assert.equal(answers.length, requests.length, 'exactly one response per request');
        const byId = new Map<number, number>();
        for (const r of requests) byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
        for (const a of answers) {
          assert.ok(byId.has(a.id), `a response for an id that was asked (${a.id})`);
          if (!a.ok) {
            failures++;
            assert.ok(typeof a.error === 'string' && a.error.length > 0, 'a refusal carries a sentence');
            assert.doesNotMatch(a.error, /\n\s+at /, `no stack trace reaches the webview: ${a.error}`);
          }
        }
        responses += answers.length;
        for (const m of posted) assert.ok(['response', 'sendProgress'].includes(m.type), `the handler posts only responses and progress (${m.type})`);
      }),
      { numRuns: 2000 },
    );
    await settle();
    assert.equal(watch.problems.length, 0, `unhandled rejections or exceptions:\n${watch.describe()}`);
    assert.deepEqual(
      commandsRun.filter((c) => !(PANEL_COMMANDS as readonly string[]).includes(c)),
      [],
      'only the panel’s own commands ever run',
    );
    // The sockets the messages used still work.
    await prober.proveReceives(from4, 'after the fuzz');
    await prober.proveReceives(from6, 'after the fuzz');
    assert.equal(from4.state, 'listening');
    console.log(
      `      webview fuzz: ${accepted + rejected} messages (${accepted} accepted, ${rejected} refused by the validator), ` +
        `${responses} responses (${failures} of them refusals with a sentence), ${sinkReceived} datagrams reached the test's sinks, ` +
        `${refusedTargets.size} other targets refused by the test before any lookup`,
    );
  });
});
