import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { freePort, peer, sendOnce } from '../udpFile/helpers';
import { buildCli, ROOT, runCli, startCli, udpFile } from './cliProcess';

// The `udp-lab` CLI as users run it: the real bundle in a child process, real loopback sockets, exit codes.

describe('udp-lab CLI', function () {
  this.timeout(60000);
  before(async () => {
    await buildCli();
  });

  describe('help and usage', () => {
    it('prints help for the program and every command with exit 0', async () => {
      for (const args of [['--help'], ['run', '--help'], ['listen', '--help'], ['send', '--help']]) {
        const r = await runCli(args);
        assert.equal(r.code, 0, args.join(' '));
        assert.match(r.stdout, /^Usage: udp-lab/);
      }
      const version = await runCli(['--version']);
      assert.equal(version.stdout.trim(), '0.1.0');
    });
    it('exits 2 with a sentence for usage errors', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['run'], /^Missing required argument 'file'\./],
        [['frobnicate'], /^Unknown command 'frobnicate'\./],
        [['send', '127.0.0.1:9'], /^Missing required argument 'payload'\./],
        [['send', '127.0.0.1', 'x'], /has no port\. Write host:port/],
        [['send', '127.0.0.1:9', 'x', '--repeat', '0'], /--repeat must be a whole number of at least 1, not "0"\./],
        [['send', '127.0.0.1:9', 'x', '--interval', '5'], /^--interval needs --repeat/],
        [['send', '127.0.0.1:9', 'x', '--encoding', 'utf16'], /argument 'utf16' is invalid\. Allowed choices are text, hex, base64, escaped\./],
        [['send', '127.0.0.1:9', '01 0g', '--encoding', 'hex'], /^The payload is not valid hex: "g" is not a hex digit \(at character 5\)\./],
        [['send', '127.0.0.1:9', '{{nope}}'], /The variable "nope" is not defined\..*Use --no-templates/],
        [['listen', '70000'], /^Port 70000 is out of range/],
        [['listen', '9000', '--timeout', 'soon'], /--timeout must be a number of seconds greater than 0, not "soon"\./],
        [['run', 'does/not/exist.udp'], /^The file does\/not\/exist\.udp does not exist \(ENOENT\)\. Check the path\./],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
      }
    });
  });

  describe('run', () => {
    it('runs examples/echo.udp and every other example with exit 0', async () => {
      const echo = await runCli(['run', 'examples/echo.udp']);
      assert.equal(echo.code, 0, echo.stdout + echo.stderr);
      assert.match(echo.stdout, /✓ ping\s+"pong 1" · /);
      assert.match(echo.stdout, /^3 passed, 0 failed, 0 errors · /m);
      for (const example of ['statsd.udp', 'syslog.udp', 'dns.udp']) {
        const r = await runCli(['run', path.join('examples', example)]);
        assert.equal(r.code, 0, `${example}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stderr, '');
      }
    });

    it('exits 1 when an expectation fails, naming what arrived instead', async () => {
      const port = await freePort();
      const file = udpFile(['### ping', `SEND udp://127.0.0.1:${port}`, 'Expect: /^pong$/ within 1 s', '', 'ping', '### wrong', `LISTEN 127.0.0.1:${port}`, 'Respond: -> pang']);
      const r = await runCli(['run', file]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`✗ ping\\s+expected /\\^pong\\$/ but got "pang" from 127\\.0\\.0\\.1:${port}`));
      assert.match(r.stdout, /^0 passed, 1 failed, 0 errors/m);
    });

    it('exits 1 on a timeout', async () => {
      const silent = await peer();
      try {
        const r = await runCli(['run', udpFile([`SEND 127.0.0.1:${silent.port}`, 'Expect: /x/ within 200ms', '', 'x'])]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /no reply within 200 ms/);
      } finally {
        await silent.close();
      }
    });

    it('exits 2 and prints FILE:LINE:COL: message for parse errors, sending nothing', async () => {
      const sink = await peer();
      try {
        const file = udpFile(['@port = 1', `SEND 127.0.0.1:${sink.port}`, 'Encoding: hex', 'Mystery: 1', '', '01 zz']);
        const r = await runCli(['run', file], { cwd: path.dirname(file) });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^test\.udp:4:1: warning: Unknown header "Mystery"/m);
        assert.match(r.stderr, /^test\.udp:6:4: The payload is not valid hex: "z" is not a hex digit\.$/m);
        assert.match(r.stderr, /test\.udp has 1 error; nothing was sent\./);
        assert.equal(sink.received.length, 0);
      } finally {
        await sink.close();
      }
    });

    it('--block runs one block and what it needs; an unknown block is a usage error', async () => {
      const sink = await peer();
      try {
        const file = udpFile(['### a', `SEND 127.0.0.1:${sink.port}`, '', 'A', '### b', `SEND 127.0.0.1:${sink.port}`, '', 'B']);
        const r = await runCli(['run', file, '--block', 'b']);
        assert.equal(r.code, 0, r.stderr);
        await sink.waitFor(1);
        assert.deepEqual(sink.received.map((d) => d.bytes.toString()), ['B']);
        const unknown = await runCli(['run', file, '--block', 'c']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /^No block is named "c"\. Named blocks: a, b\./);
      } finally {
        await sink.close();
      }
    });

    it('--json prints one document with results, replies and round-trip times', async () => {
      const r = await runCli(['run', 'examples/echo.udp', '--json']);
      assert.equal(r.code, 0);
      const doc = JSON.parse(r.stdout) as { ok: boolean; passed: number; results: Array<{ name: string; status: string; line: number; rttMs?: { avg: number }; replies: Array<{ hex: string; text: string }> }> };
      assert.equal(doc.ok, true);
      assert.equal(doc.passed, 3);
      const ping = doc.results.find((x) => x.name === 'ping')!;
      assert.equal(ping.status, 'passed');
      assert.equal(ping.line, 11);
      assert.ok(ping.rttMs && ping.rttMs.avg > 0);
      assert.deepEqual(ping.replies.map((x) => [x.text, x.hex]), [['pong 1', Buffer.from('pong 1').toString('hex')]]);
    });

    it('binds 0.0.0.0 / :: as the file says (nobody to ask in CI) with one warning line per bind on stderr, stdout untouched', async () => {
      // Every datagram goes to loopback; the wildcard binds only receive.
      const file = udpFile([
        '### echo',
        'LISTEN udp://0.0.0.0:0',
        'Respond: /^ping$/ -> pong',
        '',
        '### ping',
        'SEND udp://127.0.0.1:{{echo.port}}',
        'From: 0.0.0.0:0',
        'Expect: /^pong$/ within 2 s',
        '',
        'ping',
        '',
        '### local',
        'LISTEN udp://127.0.0.1:0',
      ]);
      const r = await runCli(['run', file, '--json'], { cwd: path.dirname(file) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { passed: number }).passed, 1, 'stdout is the JSON document alone');
      assert.deepEqual(r.stderr.trim().split('\n'), [
        'test.udp:1: warning: echo listens on 0.0.0.0:0, reachable from the network; use 127.0.0.1 in the file to stay on this machine.',
        'test.udp:5: warning: ping sends from 0.0.0.0:0, reachable from the network; use 127.0.0.1 in the file to stay on this machine.',
      ]);
    });
  });

  describe('listen', () => {
    it('prints one JSON line per datagram with --json and exits after --count', async () => {
      const port = await freePort();
      const listener = await startCli(['listen', `127.0.0.1:${port}`, '--json', '--count', '4']);
      await listener.waitForStderr('Listening on');
      await sendOnce(port, 'one');
      await sendOnce(port, Buffer.from([0x00, 0xff]));
      await sendOnce(port, '');
      const long = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
      await sendOnce(port, long);
      const r = await listener.done;
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 4);
      assert.deepEqual(Object.keys(lines[0]!), ['time', 'address', 'family', 'port', 'size', 'hex']);
      assert.deepEqual(lines.slice(0, 3).map((l) => [l.address, l.family, l.size, l.hex]), [['127.0.0.1', 'IPv4', 3, '6f6e65'], ['127.0.0.1', 'IPv4', 2, '00ff'], ['127.0.0.1', 'IPv4', 0, '']]);
      assert.equal(lines[3]!.size, 300);
      assert.equal(lines[3]!.hex, long.toString('hex'));
      assert.ok(!Number.isNaN(Date.parse(lines[0]!.time as string)));
      assert.match(lines[0]!.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('prints readable lines by default (escapes for control bytes), on IPv6 too', async () => {
      const port = await freePort('udp6');
      const listener = await startCli(['listen', `[::1]:${port}`, '--count', '1']);
      await listener.waitForStderr(`Listening on [::1]:${port} (udp6)`);
      await sendOnce(port, 'hi\n\x00', 'udp6');
      const r = await listener.done;
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^\S+Z {2}\[::1\]:\d+ {2}4 B {2}hi\\n\\0\n$/);
    });

    it('exits 1 when --timeout passes before --count datagrams, 0 with only a timeout', async () => {
      const port = await freePort();
      const short = await runCli(['listen', String(port), '--count', '2', '--timeout', '0.3']);
      assert.equal(short.code, 1);
      assert.match(short.stderr, /Received 0 of 2 datagrams within 0\.3 s\./);
      const timeOnly = await runCli(['listen', String(port), '--timeout', '0.2']);
      assert.equal(timeOnly.code, 0);
    });

    it('explains a port in use (EADDRINUSE) with exit 1', async () => {
      const taken = await peer();
      try {
        const r = await runCli(['listen', `127.0.0.1:${taken.port}`, '--timeout', '1']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /EADDRINUSE/);
        assert.match(r.stderr, /\.\n$/);
      } finally {
        await taken.close();
      }
    });

    it('stops cleanly on Ctrl-C (SIGINT) and keeps what it printed', async () => {
      const port = await freePort();
      const listener = await startCli(['listen', String(port)]);
      await listener.waitForStderr('Listening on');
      await sendOnce(port, 'before interrupt');
      // The datagram is printed in the next event-loop turn; wait for it through a second, known datagram count.
      await new Promise((resolve) => setTimeout(resolve, 200));
      listener.child.kill('SIGINT');
      const r = await listener.done;
      assert.equal(r.code, 0);
      assert.match(r.stdout, /before interrupt/);
    });
  });

  describe('send', () => {
    it('sends exact bytes in each encoding', async () => {
      const sink = await peer();
      try {
        const cases: Array<[string[], number[]]> = [
          [['hello'], [...Buffer.from('hello')]],
          [['01 02 ff', '--encoding', 'hex'], [1, 2, 255]],
          [['AQL/', '--encoding', 'base64'], [1, 2, 255]],
          [['a\\x00\\n', '--encoding', 'escaped'], [0x61, 0, 0x0a]],
        ];
        for (const [args, bytes] of cases) {
          const r = await runCli(['send', `127.0.0.1:${sink.port}`, ...args]);
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stderr, new RegExp(`^Sent 1 datagram \\(${bytes.length} bytes?\\) to 127\\.0\\.0\\.1:${sink.port}\\.`));
        }
        await sink.waitFor(cases.length);
        assert.deepEqual(sink.received.map((d) => [...d.bytes]), cases.map((c) => c[1]));
      } finally {
        await sink.close();
      }
    });

    it('repeats with an interval and fills in {{$seq}}', async () => {
      const sink = await peer();
      try {
        const r = await runCli(['send', `udp://127.0.0.1:${sink.port}`, 'n={{$seq}}', '--repeat', '3', '--interval', '10']);
        assert.equal(r.code, 0, r.stderr);
        await sink.waitFor(3);
        assert.deepEqual(sink.received.map((d) => d.bytes.toString()), ['n=1', 'n=2', 'n=3']);
        const literal = await runCli(['send', `127.0.0.1:${sink.port}`, '{{x}}', '--no-templates']);
        assert.equal(literal.code, 0);
        await sink.waitFor(4);
        assert.equal(sink.received[3]!.bytes.toString(), '{{x}}');
      } finally {
        await sink.close();
      }
    });

    it('--await prints the reply and exits 0; without a reply exits 1', async () => {
      const echo = await peer({ reply: (b) => Buffer.concat([Buffer.from('re:'), b]) });
      const silent = await peer();
      try {
        const r = await runCli(['send', `127.0.0.1:${echo.port}`, 'ping', '--await', '2000']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 're:ping\n');
        assert.match(r.stderr, new RegExp(`Reply from 127\\.0\\.0\\.1:${echo.port}: 7 bytes in [\\d.]+ ms\\.`));
        const json = await runCli(['send', `127.0.0.1:${echo.port}`, 'ping', '--await', '2000', '--json', '--repeat', '2']);
        assert.equal(json.code, 0);
        const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { hex: string; rttMs: number; port: number });
        assert.equal(lines.length, 2);
        assert.equal(lines[0]!.hex, Buffer.from('re:ping').toString('hex'));
        assert.ok(lines[0]!.rttMs > 0);
        const none = await runCli(['send', `127.0.0.1:${silent.port}`, 'ping', '--await', '200']);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /No reply within 200 ms\./);
        assert.equal(none.stdout, '');
      } finally {
        await echo.close();
        await silent.close();
      }
    });

    it('--from binds the sending port; "-" sends stdin byte for byte', async () => {
      const sink = await peer();
      const from = await freePort();
      try {
        const r = await runCli(['send', `127.0.0.1:${sink.port}`, 'x', '--from', `127.0.0.1:${from}`]);
        assert.equal(r.code, 0, r.stderr);
        await sink.waitFor(1);
        assert.equal(sink.received[0]!.port, from);
        const raw = Buffer.from([0x00, 0xff, 0x5c, 0x0a, 0xc3, 0x28, 0x7b, 0x7b]);
        const piped = await runCli(['send', `127.0.0.1:${sink.port}`, '-'], { stdin: raw });
        assert.equal(piped.code, 0, piped.stderr);
        await sink.waitFor(2);
        assert.deepEqual([...sink.received[1]!.bytes], [...raw]);
        const hexStdin = await runCli(['send', `127.0.0.1:${sink.port}`, '-', '--encoding', 'hex'], { stdin: '01 02\n03\n' });
        assert.equal(hexStdin.code, 0, hexStdin.stderr);
        await sink.waitFor(3);
        assert.deepEqual([...sink.received[2]!.bytes], [1, 2, 3]);
      } finally {
        await sink.close();
      }
    });
  });

  it('is runnable as `npx udp-lab` through the package bin', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require(path.join(ROOT, 'package.json')) as { bin: Record<string, string>; scripts: Record<string, string> };
    assert.equal(pkg.bin['udp-lab'], './dist/cli.js');
    assert.match(pkg.scripts.prepare ?? '', /build-cli\.js/, 'npm ci must build dist/cli.js');
  });
});
