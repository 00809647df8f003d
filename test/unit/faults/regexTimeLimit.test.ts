// Hostile input meets a user's regular expression: a payload a peer chose makes a backtracking pattern run for
// seconds (measured: /(a+)+$/ on 25 × "a" + "b" ≈ 8 s, /\d+x/ on 65 507 digits ≈ 18 s). Every such match in the
// host and the CLI runs under the regex time limit and ends in a sentence instead of a frozen extension host:
// the core guard itself, the .udp runner's Expect and Respond on real loopback sockets, and the panel's export.
// Without the limit these tests would not finish (each would run far past mocha's timeout).

import * as assert from 'node:assert/strict';
import { DatagramLog } from '../../../src/core/datagramLog';
import { GuardedRegex, REGEX_CONFIRM_MS, RegexTimeoutError } from '../../../src/core/regexGuard';
import { parseUdpFile, runUdpFile, startListener, type RunEvent } from '../../../src/core/udpFile';
import { StandaloneSockets } from '../../../src/core/udpFile/standaloneSockets';
import { FilterTimeoutError, filteredJsonLines } from '../../../src/host/panel/panelExport';
import { compileFilter } from '../../../src/shared/datagramFilter';
import { mayBacktrack } from '../../../src/shared/regexRisk';
import { freePort, peer } from '../udpFile/helpers';

/** Catastrophic for /(a+)+$/: exponential in the number of a's (30 would take minutes unguarded). */
const EVIL = `${'a'.repeat(30)}b`;
/** Quadratic for /\d+x/ at the largest IPv4 datagram. */
const DIGITS = '1'.repeat(65_507);

describe('regex time limit (hostile payloads vs. user patterns)', function () {
  this.timeout(20_000);

  describe('which patterns are guarded', () => {
    it('guards every repetition, backreference and many choices (?, |); leaves patterns that cannot repeat native', () => {
      const guarded = ['(a+)+$', 'a*', '\\d+x', '.*x', 'x{2,}', 'x{3}', '(a)\\1', '(?<n>a)\\k<n>', 'a?a?a?a?a?a?a?a?aaaaaaaa', '[*]+', '(.|.)'.repeat(20) + '!', '\\(?'.repeat(30) + '\\('.repeat(30)];
      const native = ['^GET /', 'pong', 'ping|pong', '^\\d\\d?$', '[*+{]', '\\*\\+', '(?:ab)?c', 'a\\{2\\}', '\\\\1', '(?:a)(?=b)(?!c)(?<n>d)', '^\\(?\\d\\d\\d\\)?$'];
      for (const p of guarded) assert.equal(mayBacktrack(p), true, p);
      for (const p of native) assert.equal(mayBacktrack(p), false, p);
      assert.equal(new GuardedRegex(/^GET \//).guarded, false);
      // No repetition at all, yet exponential: every (.|.) doubles the paths tried before the final ! fails
      // (measured: 22 groups 360 ms; 30 would take minutes).
      assert.throws(() => new GuardedRegex(new RegExp(`^${'(.|.)'.repeat(30)}!`)).test('z'.repeat(30)), RegexTimeoutError);
    });
  });

  describe('the core guard', () => {
    it('stops /(a+)+$/ on "aaaa…b" at the limit with RegexTimeoutError, and the same object keeps working', () => {
      const re = new GuardedRegex(/(a+)+$/);
      assert.throws(
        () => re.test(EVIL),
        (e: unknown) => e instanceof RegexTimeoutError && e.code === 'REGEX_TIMEOUT' && e.message === `The pattern /(a+)+$/ took longer than ${REGEX_CONFIRM_MS} ms and was stopped`,
      );
      assert.equal(re.test('aaa'), true);
      assert.deepEqual(Array.from(new GuardedRegex(/^pong (\d+)$/).exec('pong 42') ?? []), ['pong 42', '42']);
    });

    it('stops a single quantifier that is quadratic on a 64 KiB payload (/\\d+x/ on 65 507 digits)', () => {
      assert.throws(() => new GuardedRegex(/\d+x/).test(DIGITS), RegexTimeoutError);
    });

    it('testEach: batches answer every text, and the one text that alone exceeds the limit is named by index', () => {
      const texts = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `pong ${i}` : `ping ${i}`));
      const out: boolean[] = [];
      const re = new GuardedRegex(/^(a+)+$|^pong \d+$/);
      assert.equal(re.testEach(texts.length, (i) => texts[i]!, out), -1);
      assert.deepEqual(
        out.map((m, i) => [m, i]).filter(([m]) => m).length,
        texts.filter((t) => t.startsWith('pong')).length,
      );
      texts[3210] = EVIL;
      const again: boolean[] = [];
      assert.equal(re.testEach(texts.length, (i) => texts[i]!, again), 3210);
      assert.deepEqual(again.slice(0, 3210), out.slice(0, 3210), 'answers before the slow text are kept');
    });
  });

  describe('.udp runner on loopback', () => {
    let sockets: StandaloneSockets;
    beforeEach(() => (sockets = new StandaloneSockets()));
    afterEach(async () => {
      assert.equal(sockets.openCount, 0);
      await sockets.closeAll();
    });

    it('a Respond pattern that runs out of time is turned off with a sentence; the next Respond and the socket keep answering', async () => {
      const port = await freePort();
      const m = parseUdpFile(['### echo', `LISTEN udp://127.0.0.1:${port}`, 'Respond: /^(a+)+$/ -> slow', 'Respond: /^ping$/ -> pong', ''].join('\n'));
      const events: RunEvent[] = [];
      const handle = await startListener(m, m.blocks[0]!, { registry: sockets, onEvent: (e) => events.push(e) });
      const client = await peer();
      try {
        client.socket.send(EVIL, port, '127.0.0.1');
        client.socket.send('ping', port, '127.0.0.1');
        await client.waitFor(1);
        assert.equal(client.received[0]!.bytes.toString(), 'pong');
        // Turned off: the same payload again costs nothing and gets no answer; a good one still does.
        client.socket.send(EVIL, port, '127.0.0.1');
        client.socket.send('ping', port, '127.0.0.1');
        await client.waitFor(2);
        assert.deepEqual(
          client.received.map((r) => r.bytes.toString()),
          ['pong', 'pong'],
        );
      } finally {
        await client.close();
      }
      const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
      assert.equal(warnings.length, 1, 'one warning: the pattern is not run again');
      assert.match(
        warnings[0]!,
        new RegExp(`^The Respond pattern /\\^\\(a\\+\\)\\+\\$/ took longer than ${REGEX_CONFIRM_MS} ms on 31 bytes from 127\\.0\\.0\\.1:\\d+ and was stopped and turned off for this listener \\(line 3\\); it answers nothing more\\.`),
      );
      const result = await handle.stop();
      assert.equal(result.status, 'listened');
      assert.equal(result.received, 4);
      assert.equal(result.responded, 2);
      assert.match(result.message, /; the Respond pattern \/\^\(a\+\)\+\$\/ took longer than/);
    });

    it('a burst judged in one guarded batch keeps the order: answers before the slow datagram, the next Respond from it on', async () => {
      const port = await freePort();
      const m = parseUdpFile(['### echo', `LISTEN udp://127.0.0.1:${port}`, 'Respond: /^(a+)+$/ -> A', 'Respond: /^.+$/ -> B', ''].join('\n'));
      const handle = await startListener(m, m.blocks[0]!, { registry: sockets });
      const client = await peer();
      try {
        // Sent back to back, so they usually arrive as one burst; the answers are the same however they are split.
        for (const text of ['aaa', 'aa', 'a', EVIL, 'aaa', 'aa', 'a']) client.socket.send(text, port, '127.0.0.1');
        await client.waitFor(7);
        assert.deepEqual(
          client.received.map((r) => r.bytes.toString()),
          ['A', 'A', 'A', 'B', 'B', 'B', 'B'],
        );
      } finally {
        await client.close();
      }
      const result = await handle.stop();
      assert.equal(result.received, 7);
      assert.equal(result.responded, 7);
    });

    it('a later Respond never runs on what an earlier one answers: a backtracking fallback is not run (nor turned off) by those', async () => {
      const port = await freePort();
      // EVIL would take /^(a+)+$/ minutes; /b$/ answers it first, so the fallback is never asked.
      const m = parseUdpFile(['### echo', `LISTEN udp://127.0.0.1:${port}`, 'Respond: /b$/ -> first', 'Respond: /^(a+)+$/ -> fallback', ''].join('\n'));
      const events: RunEvent[] = [];
      const handle = await startListener(m, m.blocks[0]!, { registry: sockets, onEvent: (e) => events.push(e) });
      const client = await peer();
      try {
        for (const text of [EVIL, EVIL, 'aaa', EVIL]) client.socket.send(text, port, '127.0.0.1');
        await client.waitFor(4);
        assert.deepEqual(client.received.map((r) => r.bytes.toString()).sort(), ['fallback', 'first', 'first', 'first']);
      } finally {
        await client.close();
        await handle.stop(); // also when the wait timed out: an open listener would keep mocha from ending
      }
      assert.deepEqual(events.filter((e) => e.type === 'warning'), [], 'no Respond ran out of time');
      const result = await handle.stop();
      assert.equal(result.responded, 4);
    });

    it('a LISTEN block whose Expect runs out of time on a datagram ends as an error naming it; datagrams before it were judged', async () => {
      const port = await freePort();
      const m = parseUdpFile(['### watch', `LISTEN udp://127.0.0.1:${port}`, 'Expect: /^(a+)+$/ within 5 s', ''].join('\n'));
      const handle = await startListener(m, m.blocks[0]!, { registry: sockets });
      const client = await peer();
      try {
        client.socket.send('bbb', port, '127.0.0.1');
        client.socket.send(EVIL, port, '127.0.0.1');
        await handle.settled;
      } finally {
        await client.close();
      }
      const result = await handle.stop();
      assert.equal(result.status, 'error');
      assert.equal(result.error?.code, 'REGEX_TIMEOUT');
      assert.equal(result.received, 2);
      assert.match(result.message, /^The Expect pattern \/\^\(a\+\)\+\$\/ took longer than 250 ms on 31 bytes from 127\.0\.0\.1:\d+ and was stopped, so the reply could not be judged/);
    });

    it('an Expect pattern that runs out of time ends the SEND block with a sentence (REGEX_TIMEOUT), not a hang', async () => {
      const port = await freePort();
      const m = parseUdpFile(
        ['### evil', `LISTEN udp://127.0.0.1:${port}`, `Respond: -> ${EVIL}`, '', '### ask', `SEND udp://127.0.0.1:${port}`, 'Expect: /(a+)+$/ within 5 s', '', 'hi', ''].join('\n'),
      );
      const result = await runUdpFile(m, { registry: sockets });
      const ask = result.results.find((r) => r.label === 'ask')!;
      assert.equal(ask.status, 'error');
      assert.equal(ask.error?.code, 'REGEX_TIMEOUT');
      assert.match(ask.message, /^The Expect pattern \/\(a\+\)\+\$\/ took longer than 250 ms on 31 bytes from 127\.0\.0\.1:\d+ and was stopped, so the reply could not be judged\. Simplify the pattern/);
    });
  });

  describe('panel export over the whole log', () => {
    it('exports what a guarded regex matches, and stops at the datagram that makes it backtrack, naming it', async () => {
      const log = new DatagramLog({ maxCount: 100_000, maxBytes: 100_000_000 });
      const peerAt = { address: '127.0.0.1', family: 'IPv4' as const, port: 5000 };
      for (let i = 0; i < 6000; i++) log.append('s1', 'in', peerAt, Buffer.from(i % 2 === 0 ? `aaaa ${i}` : `bbbb ${i}`), Date.now());
      const filter = compileFilter({ search: { mode: 'regex', query: '^(a+)+ \\d+$' } });
      assert.ok(filter.ok);
      const all: string[] = [];
      for await (const line of filteredJsonLines(log, filter.value, () => undefined)) all.push(line);
      assert.equal(all.length, 3000);

      const evilSeq = log.append('s1', 'in', peerAt, Buffer.from(EVIL), Date.now());
      log.append('s1', 'in', peerAt, Buffer.from('aaaa 1'), Date.now());
      const lines: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const line of filteredJsonLines(log, filter.value, () => undefined)) lines.push(line);
        })(),
        (e: unknown) =>
          e instanceof FilterTimeoutError &&
          e.message.startsWith(`The filter /^(a+)+ \\d+$/i took longer than ${REGEX_CONFIRM_MS} ms on datagram #${evilSeq} and was stopped, so the export ended there.`),
      );
      assert.equal(lines.length, 3000, 'everything before the slow datagram was exported');
    });
  });
});
