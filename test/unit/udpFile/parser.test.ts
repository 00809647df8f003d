import * as assert from 'node:assert/strict';
import { blockAtLine, findBlock, hoverAt, parseUdpFile, type Block, type Diagnostic, type Template, type UdpFileModel } from '../../../src/core/udpFile';

// Golden tests: one small file per feature, and the exact model / diagnostics it must give.

function parse(lines: string[]): UdpFileModel {
  return parseUdpFile(lines.join('\n'));
}

function only(model: UdpFileModel): Block {
  assert.equal(model.blocks.length, 1, JSON.stringify(model.diagnostics));
  return model.blocks[0]!;
}

/** Diagnostics as "LINE:COL severity code" (1-based, as the CLI prints them). */
function diag(model: UdpFileModel): string[] {
  return model.diagnostics.map((d: Diagnostic) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code}`);
}

function segments(t: Template | undefined): unknown[] {
  return (t?.segments ?? []).map((s) => (s.kind === 'text' ? s.text : s.expression));
}

describe('.udp parser — golden files', () => {
  it('parses the example from the issue: variables, a SEND with Expect, a hex SEND, a LISTEN with Respond', () => {
    const model = parse([
      '# a comment line (also //)',
      '@host = 127.0.0.1',
      '@port = 9000',
      '',
      '### ping',
      'SEND udp://{{host}}:{{port}}',
      'Encoding: text',
      'Expect: /^pong (\\d+)$/ within 500ms',
      '',
      'ping {{$seq}}',
      '',
      '### raw bytes',
      'SEND udp://127.0.0.1:9000',
      'Encoding: hex',
      '',
      '01 02 ff',
      '',
      '### echo',
      'LISTEN udp://127.0.0.1:9001',
      'Respond: /^ping (\\d+)$/ -> pong {{$1}}',
    ]);
    assert.deepEqual(diag(model), []);
    assert.deepEqual([...model.variables.values()].map((v) => [v.name, v.staticValue]), [['host', '127.0.0.1'], ['port', '9000']]);
    const [ping, raw, echo] = model.blocks as [Block, Block, Block];
    assert.equal(ping.name, 'ping');
    assert.equal(ping.method, 'SEND');
    assert.deepEqual(ping.range, { start: { line: 4, character: 0 }, end: { line: 9, character: 13 } });
    assert.deepEqual(segments(ping.target), [{ type: 'variable', name: 'host' }, ':', { type: 'variable', name: 'port' }]);
    assert.equal(ping.encoding, 'text');
    assert.equal(ping.expect?.kind, 'regex');
    assert.equal(ping.expect?.pattern.raw, '^pong (\\d+)$');
    assert.equal(ping.expect?.withinMs, 500);
    assert.deepEqual(segments(ping.body), ['ping ', { type: 'builtin', name: 'seq', args: [] }]);
    assert.equal(raw.encoding, 'hex');
    assert.equal(raw.body?.raw, '01 02 ff');
    assert.equal(echo.method, 'LISTEN');
    assert.equal(echo.responders.length, 1);
    assert.equal(echo.responders[0]!.pattern?.raw, '^ping (\\d+)$');
    assert.deepEqual(segments(echo.responders[0]!.payload), ['pong ', { type: 'capture', index: 1 }]);
    assert.equal(blockAtLine(model, 8)?.name, 'ping');
    assert.equal(blockAtLine(model, 3), undefined);
    assert.equal(findBlock(model, 'echo'), echo);
    assert.equal(findBlock(model, 1), raw);
  });

  it('a file may start without ###, and a block without a name gets a label with its line', () => {
    const model = parse(['SEND 127.0.0.1:9000', '', 'hi']);
    const b = only(model);
    assert.equal(b.name, undefined);
    assert.equal(b.label, 'SEND 127.0.0.1:9000 (line 1)');
    assert.equal(b.scheme, 'udp');
    assert.equal(b.body?.raw, 'hi');
  });

  it('keeps multi-line bodies (LF between lines) and drops blank lines around them; CRLF files parse the same', () => {
    const lf = parseUdpFile('SEND udp://127.0.0.1:1\n\n\nline 1\n  line 2\n\n\n### next\nSEND udp://127.0.0.1:2\n');
    const crlf = parseUdpFile('SEND udp://127.0.0.1:1\r\n\r\n\r\nline 1\r\n  line 2\r\n\r\n\r\n### next\r\nSEND udp://127.0.0.1:2\r\n');
    for (const model of [lf, crlf]) {
      assert.equal(model.blocks[0]!.body?.raw, 'line 1\n  line 2');
      assert.equal(model.blocks[0]!.range.end.line, 4);
      assert.equal(model.blocks[1]!.name, 'next');
    }
  });

  describe('headers', () => {
    it('Encoding: text, hex, base64, escaped (any case); anything else is an error', () => {
      for (const e of ['text', 'hex', 'base64', 'escaped', 'HEX']) {
        assert.equal(only(parse(['SEND 127.0.0.1:1', `Encoding: ${e}`])).encoding, e.toLowerCase());
      }
      const bad = parse(['SEND 127.0.0.1:1', 'Encoding: utf16']);
      assert.deepEqual(diag(bad), ['2:11 error bad-encoding']);
      assert.match(bad.diagnostics[0]!.message, /Use text, hex, base64 or escaped\./);
    });

    it('From: address:port or a port; host names and bad ports are errors', () => {
      assert.deepEqual(segments(only(parse(['SEND 127.0.0.1:1', 'From: 127.0.0.1:5000'])).from), ['127.0.0.1:5000']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'From: 5000'])), []);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'From: 127.0.0.1:99999'])), ['2:7 error bad-from']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'From: example.com:5'])), ['2:7 error bad-from']);
    });

    it('Repeat: N, N times, N every T ms / s', () => {
      const r = (v: string) => only(parse(['SEND 127.0.0.1:1', `Repeat: ${v}`])).repeat;
      assert.deepEqual(pick(r('5')), { count: 5, intervalMs: 0 });
      assert.deepEqual(pick(r('5 times')), { count: 5, intervalMs: 0 });
      assert.deepEqual(pick(r('10 every 100 ms')), { count: 10, intervalMs: 100 });
      assert.deepEqual(pick(r('3 every 1.5s')), { count: 3, intervalMs: 1500 });
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Repeat: often'])), ['2:9 error bad-repeat']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Repeat: 0'])), ['2:9 error bad-repeat']);
      function pick(x: { count: number; intervalMs: number } | undefined) {
        return x && { count: x.count, intervalMs: x.intervalMs };
      }
    });

    it('Expect: /regex/flags within T ms|s, with the default wait when within is left out', () => {
      const e = (v: string) => only(parse(['SEND 127.0.0.1:1', `Expect: ${v}`])).expect;
      const a = e('/^pong$/i within 250 ms');
      assert.ok(a?.kind === 'regex');
      assert.equal(a.pattern.raw, '^pong$');
      assert.equal(a.flags, 'i');
      assert.equal(a.withinMs, 250);
      assert.equal(e('/x/ within 2s')?.withinMs, 2000);
      assert.equal(e('/x/')?.withinMs, 1000);
      assert.equal(e('/a[/]b\\/c/')?.pattern.raw, 'a[/]b\\/c', 'a slash may stand unescaped in a class');
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect: pong'])), ['2:9 error bad-expect']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect: /(/'])), ['2:10 error bad-regex']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect: /x/ soon'])), ['2:12 error bad-within']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect: /x/g'])), ['2:9 warning regex-flags']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect: /x/q'])), ['2:9 error regex-flags']);
    });

    it('Expect-Hex: bytes with ?? and a trailing *, and within', () => {
      const b = only(parse(['SEND 127.0.0.1:1', 'Expect-Hex: 01 02 ?? ff * within 300ms']));
      assert.ok(b.expect?.kind === 'hex');
      assert.equal(b.expect.pattern.raw, '01 02 ?? ff *');
      assert.equal(b.expect.withinMs, 300);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect-Hex: 01 0g'])), ['2:13 error bad-expect-hex']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Expect-Hex: * 01'])), ['2:13 error bad-expect-hex']);
    });

    it('Respond: several allowed, pattern and/or payload; no payload means echo', () => {
      const b = only(parse(['LISTEN 9001', 'Respond: /^ping (\\d+)$/ -> pong {{$1}}', 'Respond: /^echo/', 'Respond: -> fallback {{$0}}']));
      assert.equal(b.responders.length, 3);
      assert.equal(b.responders[1]!.payload, undefined);
      assert.equal(b.responders[2]!.pattern, undefined);
      assert.deepEqual(segments(b.responders[2]!.payload), ['fallback ', { type: 'capture', index: 0 }]);
      assert.deepEqual(diag(parse(['LISTEN 9001', 'Respond:'])), ['2:1 error bad-respond']);
      assert.deepEqual(diag(parse(['LISTEN 9001', 'Respond: /x/ pong'])), ['2:13 error bad-respond']);
      assert.deepEqual(diag(parse(['LISTEN 9001', 'Encoding: hex', 'Respond: /x/ -> 0g'])), ['3:18 error bad-payload']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Respond: /x/ -> y'])), ['2:1 warning header-not-for-method']);
    });

    it('Join: group[@interface] [from source], multicast groups only, LISTEN only', () => {
      const b = only(parse(['LISTEN 0.0.0.0:5000', 'Join: 239.1.2.3@127.0.0.1', 'Join: ff02::1', 'Join: 232.1.1.1 from 10.0.0.1']));
      assert.deepEqual(b.joins.map((j) => [j.group, j.interface, j.source]), [['239.1.2.3', '127.0.0.1', undefined], ['ff02::1', undefined, undefined], ['232.1.1.1', undefined, '10.0.0.1']]);
      assert.deepEqual(diag(parse(['LISTEN 5000', 'Join: 10.0.0.1'])), ['2:7 error bad-join']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Join: 239.1.1.1'])), ['2:1 warning header-not-for-method']);
    });

    it('Broadcast, Multicast-Loopback, Reuse-Address: on/off; TTL 1–255, Multicast-TTL 0–255; Multicast-Interface', () => {
      const b = only(parse(['LISTEN 5000', 'Broadcast: on', 'Multicast-Loopback: off', 'Reuse-Address: yes', 'TTL: 64', 'Multicast-TTL: 0', 'Multicast-Interface: 127.0.0.1']));
      assert.deepEqual([b.broadcast, b.multicastLoopback, b.reuseAddress, b.ttl, b.multicastTTL, b.multicastInterface], [true, false, true, 64, 0, '127.0.0.1']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Broadcast: maybe'])), ['2:12 error bad-switch']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'TTL: 0'])), ['2:6 error bad-ttl']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Multicast-TTL: 256'])), ['2:16 error bad-ttl']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Multicast-Interface: eth0'])), ['2:22 error bad-interface']);
    });

    it('header names are case-insensitive; unknown headers warn and list the known ones', () => {
      assert.equal(only(parse(['SEND 127.0.0.1:1', 'encoding: hex'])).encoding, 'hex');
      const model = parse(['SEND 127.0.0.1:1', 'Content-Type: text/plain']);
      assert.deepEqual(diag(model), ['2:1 warning unknown-header']);
      assert.match(model.diagnostics[0]!.message, /Known headers: Encoding, From, Repeat, Expect, Expect-Hex, Respond, Join, Broadcast, TTL, Multicast-TTL, Multicast-Loopback, Multicast-Interface, Reuse-Address\./);
    });

    it('a duplicate single-value header warns and the later one wins', () => {
      const model = parse(['SEND 127.0.0.1:1', 'Encoding: hex', 'Encoding: base64']);
      assert.equal(only(model).encoding, 'base64');
      assert.deepEqual(diag(model), ['3:1 warning duplicate-header']);
    });

    it('header values may use file variables but not built-ins', () => {
      const model = parse(['@n = 3', 'SEND 127.0.0.1:1', 'Repeat: {{n}} every 10 ms']);
      assert.equal(only(model).repeat?.count, 3);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Repeat: {{$randomInt 1 3}}'])), ['2:9 error dynamic-header']);
    });
  });

  describe('request lines', () => {
    it('understands udp://, udp4://, udp6:// and bare host:port', () => {
      assert.equal(only(parse(['SEND udp4://127.0.0.1:1'])).scheme, 'udp4');
      assert.equal(only(parse(['SEND udp6://[::1]:1'])).scheme, 'udp6');
      assert.deepEqual(diag(parse(['SEND [::1]:1'])), ['1:1 information empty-payload']);
    });
    it('reports bad targets where they are', () => {
      assert.deepEqual(diag(parse(['SEND udp://127.0.0.1'])), ['1:6 error bad-target']);
      assert.deepEqual(diag(parse(['SEND udp://127.0.0.1:70000', '', 'x'])), ['1:6 error bad-target']);
      assert.deepEqual(diag(parse(['SEND udp4://[::1]:5', '', 'x'])), ['1:6 error bad-target']);
      assert.deepEqual(diag(parse(['SEND http://x:5', '', 'x'])), ['1:6 error bad-target']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:0', '', 'x'])), ['1:6 error bad-target']);
      assert.deepEqual(diag(parse(['SEND'])), ['1:1 error missing-target']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1 HTTP/1.1', '', 'x'])), ['1:18 error trailing-text']);
      assert.deepEqual(diag(parse(['send 127.0.0.1:1'])), ['1:1 error method-case']);
      assert.deepEqual(diag(parse(['GET http://example.com'])), ['1:1 error expected-request']);
    });
    it('LISTEN takes a bare port, address:port or [v6]:port', () => {
      for (const t of ['9001', ':9001', 'udp://:9001', '127.0.0.1:9001', 'udp://[::1]:9001', 'udp://0.0.0.0:0', 'udp6://9001']) assert.deepEqual(diag(parse([`LISTEN ${t}`])), [], t);
    });
  });

  describe('payloads', () => {
    it('reports a hex typo at its line and column', () => {
      const model = parse(['SEND 127.0.0.1:1', 'Encoding: hex', '', '01 02', 'ff 0g']);
      assert.deepEqual(diag(model), ['5:5 error bad-payload']);
      assert.match(model.diagnostics[0]!.message, /The payload is not valid hex: "g" is not a hex digit\./);
    });
    it('reports a bad escape and a too-large payload', () => {
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', 'Encoding: escaped', '', 'ok\\q'])), ['4:3 error bad-payload']);
      const big = parse(['SEND 127.0.0.1:1', '', 'x'.repeat(70000)]);
      assert.deepEqual(diag(big), ['3:1 error payload-too-large']);
      const frag = parse(['SEND 127.0.0.1:1', '', 'x'.repeat(2000)]);
      assert.deepEqual(diag(frag), ['3:1 warning payload-fragmented']);
    });
    it('a LISTEN body is ignored with a warning', () => {
      assert.deepEqual(diag(parse(['LISTEN 9001', '', 'hello'])), ['3:1 warning listen-body']);
    });
    it('a missing blank line before the payload is explained', () => {
      const model = parse(['SEND 127.0.0.1:1', 'hello there']);
      assert.deepEqual(diag(model), ['2:1 error bad-header']);
      assert.match(model.diagnostics[0]!.message, /Leave a blank line between the headers and the payload\./);
    });
  });

  describe('variables and expressions', () => {
    it('resolves variables that use other variables, in any order, and reports cycles and unknown names', () => {
      const model = parse(['@url = {{host}}:{{port}}', '@host = 127.0.0.1', '@port = 9000', '@a = {{b}}', '@b = {{a}}', '@id = {{$uuid}}']);
      assert.equal(model.variables.get('url')?.staticValue, '127.0.0.1:9000');
      assert.equal(model.variables.get('id')?.staticValue, undefined, 'a built-in is evaluated per run');
      assert.deepEqual(diag(model).filter((d) => d.includes('cycle')), ['4:2 error variable-cycle']);
      const unknown = parse(['@host = x', 'SEND {{hots}}:1', '', 'x']);
      assert.deepEqual(diag(unknown), ['2:6 error unknown-variable']);
      assert.match(unknown.diagnostics[0]!.message, /The variable "hots" is not defined\. Defined: host\./);
    });
    it('checks built-ins and their arguments', () => {
      const ok = parse(['SEND 127.0.0.1:1', '', '{{$seq}} {{$timestamp}} {{$isoTimestamp}} {{$randomInt -5 5}} {{$randomHex 4}} {{$uuid}} {{$env HOME}}']);
      assert.deepEqual(diag(ok), []);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', '{{$randomInt 5 1}}'])), ['3:1 error bad-builtin-arguments']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', '{{$randomHex}}'])), ['3:1 error bad-builtin-arguments']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', 'a {{$guid}}'])), ['3:3 error unknown-builtin']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', '{{}}'])), ['3:1 error empty-expression']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', 'a {{ b'])), ['3:3 warning unclosed-expression']);
    });
    it('allows captures only in Respond payloads', () => {
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:1', '', '{{$1}}'])), ['3:1 error capture-outside-respond']);
      assert.deepEqual(diag(parse(['LISTEN 1', 'Respond: /(x)/ -> {{$1}}'])), []);
    });
    it('checks {{name.reply}} references against earlier SEND blocks with Expect', () => {
      const ok = parse(['### ping', 'SEND 127.0.0.1:1', 'Expect: /(\\d+)/', '', 'ping', '### next', 'SEND 127.0.0.1:1', '', 'got {{ping.reply}} {{ping.reply.1}}']);
      assert.deepEqual(diag(ok), []);
      assert.deepEqual(segments(ok.blocks[1]!.body), ['got ', { type: 'reply', block: 'ping' }, ' ', { type: 'reply', block: 'ping', capture: 1 }]);
      const bad = parse(['### a', 'SEND 127.0.0.1:1', '', '{{b.reply}} {{a.reply}} {{c.reply}}', '### b', 'SEND 127.0.0.1:1', 'Expect: /x/', '', 'x', '### c', 'SEND 127.0.0.1:1', '', 'x', '### d', 'SEND 127.0.0.1:1', '', '{{c.reply}}']);
      assert.deepEqual(diag(bad), ['4:1 error bad-reply-reference', '4:13 error bad-reply-reference', '4:25 error bad-reply-reference', '17:1 error bad-reply-reference']);
      assert.equal(bad.blocks[0]!.hasErrors, true);
      assert.equal(bad.blocks[1]!.hasErrors, false);
    });
    it('checks {{name.port}} references against LISTEN blocks (anywhere in the file)', () => {
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:{{srv.port}}', '', 'x', '### srv', 'LISTEN 0'])), []);
      assert.deepEqual(diag(parse(['### a', 'SEND 127.0.0.1:{{a.port}}', '', 'x'])), ['2:16 error bad-port-reference']);
      assert.deepEqual(diag(parse(['SEND 127.0.0.1:{{zz.port}}', '', 'x'])), ['1:16 error bad-port-reference']);
      assert.deepEqual(diag(parse(['### l', 'LISTEN 127.0.0.1:{{l.port}}'])), ['2:18 error bad-port-reference']);
    });
    it('treats "#" in a hex body as a comment to the end of the line', () => {
      const b = only(parse(['SEND 127.0.0.1:1', 'Encoding: hex', '', '# header', '01 02 # id', 'ff']));
      assert.equal(b.body?.raw, '\n01 02 \nff');
      const text = only(parse(['SEND 127.0.0.1:1', '', '# not a comment in text']));
      assert.equal(text.body?.raw, '# not a comment in text');
    });
    it('warns about duplicate variables and block names', () => {
      assert.deepEqual(diag(parse(['@a = 1', '@a = 2'])), ['2:2 warning duplicate-variable']);
      assert.equal(parse(['@a = 1', '@a = 2']).variables.get('a')?.staticValue, '2');
      assert.deepEqual(diag(parse(['### x', 'SEND 127.0.0.1:1', '', 'a', '### x', 'SEND 127.0.0.1:1', '', 'b'])), ['5:1 warning duplicate-block-name']);
    });
    it('reports bad variable lines', () => {
      assert.deepEqual(diag(parse(['@ = 1'])), ['1:1 error bad-variable-name']);
      assert.deepEqual(diag(parse(['@9x = 1'])), ['1:1 error bad-variable-name']);
      assert.deepEqual(diag(parse(['@x 1'])), ['1:1 error variable-without-value']);
    });
  });

  describe('hover', () => {
    const model = parse(['@host = 127.0.0.1', '### ping', 'SEND {{host}}:9000', 'Expect: /x/', '', '{{$randomInt 1 6}}', '### next', 'SEND 127.0.0.1:1', '', '{{ping.reply}}']);
    it('shows a variable’s value on its use and its definition', () => {
      assert.deepEqual(pickHover(hoverAt(model, { line: 2, character: 7 })), ['variable', '{{host}}', '127.0.0.1']);
      assert.deepEqual(pickHover(hoverAt(model, { line: 0, character: 2 })), ['variable', '{{host}}', '127.0.0.1']);
    });
    it('explains built-ins, replies and headers', () => {
      assert.deepEqual(pickHover(hoverAt(model, { line: 5, character: 3 })), ['builtin', '{{$randomInt min max}}', undefined]);
      assert.deepEqual(pickHover(hoverAt(model, { line: 9, character: 4 })), ['reply', '{{ping.reply}}', undefined]);
      assert.deepEqual(pickHover(hoverAt(model, { line: 3, character: 2 })), ['header', 'Expect', undefined]);
      assert.equal(hoverAt(model, { line: 4, character: 0 }), undefined);
    });
    function pickHover(h: ReturnType<typeof hoverAt>) {
      return h && [h.kind, h.title, h.value];
    }
  });
});
