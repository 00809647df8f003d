import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { parseUdpFile, type Range, type UdpFileModel } from '../../../src/core/udpFile';

// The parser is total: for any text it returns a model, and every diagnostic points inside the document.
// Inputs are built from the format's own tokens so the cases reach deep into the grammar, plus raw noise.

const TOKENS = [
  '###', '### ping', '#', '//', '@', '@host', '=', ' = ', '127.0.0.1', '[::1]', '::1', 'localhost', ':', '9000', '0', '65536',
  'SEND', 'LISTEN', 'send', ' ', '  ', '\t', 'udp://', 'udp4://', 'udp6://', 'http://', '{{', '}}', '{{host}}', '{{$seq}}',
  '{{$randomInt 1 6}}', '{{$randomInt 6 1}}', '{{$randomHex 2}}', '{{$uuid}}', '{{$1}}', '{{ping.reply}}', '{{ping.reply.1}}', '{{$nope}}',
  'Encoding:', 'Encoding: hex', 'Encoding: bogus', 'From:', 'Repeat:', 'Repeat: 3 every 10 ms', 'Expect:', 'Expect: /^pong (\\d+)$/ within 500ms',
  'Expect-Hex:', 'Expect-Hex: 01 ?? *', 'Respond:', 'Respond: /x/ -> y', '->', 'Join:', 'Join: 239.1.2.3@127.0.0.1', 'Broadcast: on',
  'TTL: 300', 'Multicast-TTL: 1', 'Reuse-Address: maybe', 'X-Unknown: 1', '/', '\\', '\\/', '[', ']', '(', ')', '*', '+', '?',
  'within', 'ms', 's', '01', 'ff', 'zz', '0x', 'é', '😀', '\u0000', '\ud800', '\r',
];

const noise = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }), { maxLength: 6 }).map((parts) => parts.join(''));
const pick = (...values: string[]) => fc.constantFrom(...values);
const host = pick('127.0.0.1', '[::1]', '::1', 'localhost', '{{host}}', '256.1.1.1', 'bad_host', '', '{{nope}}', '{{$env H}}');
const port = pick('9000', '0', '65536', '{{port}}', '', 'x', '{{$randomInt 1 9}}');
const headerName = pick('Encoding', 'From', 'Repeat', 'Expect', 'Expect-Hex', 'Respond', 'Join', 'Broadcast', 'TTL', 'Multicast-TTL',
  'Multicast-Loopback', 'Multicast-Interface', 'Reuse-Address', 'expect', 'X-Custom', 'Bad Name');
const headerValue = pick('text', 'hex', 'base64', 'escaped', 'nope', '127.0.0.1:5000', '3 every 10 ms', '0', '/^pong (\\d+)$/ within 500ms',
  '/[/]x/i within 2s', '/(/', '/a/gz', '/a/ within soon', '01 02 ?? *', '* 01', 'zz', '/^ping (\\d+)$/ -> pong {{$1}}', '-> {{$0}}', '/x/',
  '/x/ junk', '239.1.2.3@127.0.0.1', '10.0.0.1', 'ff02::1 from ::1', 'on', 'off', 'maybe', '255', '256', '{{ping.reply}}', '{{$1}}', '');

const separatorLine = fc.tuple(pick('###', '### ', '  ###'), pick('', 'ping', 'echo', 'raw bytes', 'ping')).map(([a, b]) => a + b);
const requestLine = fc
  .tuple(pick('SEND', 'LISTEN', 'SEND', 'LISTEN', 'send', ' SEND'), pick(' ', ' ', '  ', ''), pick('udp://', 'udp://', 'udp4://', 'udp6://', '', 'http://'), host, pick(':', ':', ''), port, pick('', '', '', ' extra'))
  .map((p) => p.join(''));
const headerLine = fc.tuple(headerName, pick(':', ': ', ': ', ' : ', ''), headerValue, noise).map(([n, c, v, x]) => `${n}${c}${v}${x.length < 3 ? x : ''}`);
const variableLine = fc.tuple(pick('@host', '@port', '@n', '@', '@9x', '@a.b'), pick(' = ', '=', ' '), fc.oneof(host, port, pick('{{host}}', '{{a.b}}', '{{$uuid}}'))).map((p) => p.join(''));
const bodyLine = fc.oneof(pick('ping {{$seq}}', '01 02 ff', '01 0g', 'aGk=', 'a\\q', '{{ping.reply.1}}', '{{$1}}', '{{', '', '### inside'), noise);
const commentLine = pick('# comment', '// comment', '#');

/** Blocks shaped like real ones (separator, preamble, request, headers, blank, body), with noise mixed in. */
const blockArb = fc
  .tuple(
    fc.option(separatorLine, { nil: undefined }),
    fc.array(fc.oneof(variableLine, commentLine, pick('')), { maxLength: 2 }),
    fc.option(requestLine, { freq: 8, nil: undefined }),
    fc.array(fc.oneof({ weight: 6, arbitrary: headerLine }, { weight: 1, arbitrary: commentLine }, { weight: 1, arbitrary: noise }), { maxLength: 5 }),
    fc.option(pick('', ' '), { freq: 5, nil: undefined }),
    fc.array(bodyLine, { maxLength: 3 }),
  )
  .map(([sep, pre, req, headers, blank, body]) => [...(sep !== undefined ? [sep] : []), ...pre, ...(req !== undefined ? [req] : []), ...headers, ...(blank !== undefined ? [blank] : []), ...body]);
const documentArb = fc
  .array(fc.oneof({ weight: 5, arbitrary: blockArb }, { weight: 1, arbitrary: fc.array(noise, { maxLength: 3 }) }), { maxLength: 6 })
  .chain((blocks) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => blocks.flat().join(eol)));

function inside(model: UdpFileModel, lines: string[], r: Range): boolean {
  const ok = (p: { line: number; character: number }) => p.line >= 0 && p.line < model.lineCount && p.character >= 0 && p.character <= (lines[p.line]?.length ?? 0);
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

describe('.udp parser — properties', function () {
  this.timeout(120000);
  it('never throws, never fails internally, and positions every diagnostic inside the document (10 000 cases)', () => {
    fc.assert(
      fc.property(documentArb, (text) => {
        const model = parseUdpFile(text);
        const lines = text.split(/\r\n|\r|\n/);
        assert.equal(model.lineCount, lines.length);
        for (const d of model.diagnostics) {
          assert.notEqual(d.code, 'internal', d.message);
          assert.ok(inside(model, lines, d.range), `diagnostic outside the document: ${JSON.stringify(d)}`);
          assert.match(d.message, /[.?]$/, `not a sentence: ${d.message}`);
          assert.ok(['error', 'warning', 'information'].includes(d.severity));
        }
        for (const b of model.blocks) {
          assert.ok(inside(model, lines, b.range));
          assert.ok(b.method === 'SEND' || b.method === 'LISTEN');
          assert.equal(model.blocks[b.index], b);
          // A block with an error from its request line on is marked as not runnable (variable lines above the
          // request line belong to the file, not the block).
          const errorsInside = model.diagnostics.some((d) => d.severity === 'error' && d.range.start.line >= b.requestRange.start.line && d.range.start.line <= b.range.end.line);
          if (errorsInside) assert.equal(b.hasErrors, true, `block ${b.index} should have errors`);
        }
      }),
      { numRuns: 10000 },
    );
  });

  it('arbitrary Unicode noise parses without throwing (2 000 cases)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const model = parseUdpFile(text);
        assert.ok(model.diagnostics.every((d) => d.code !== 'internal'));
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic: the same text gives the same model', () => {
    fc.assert(
      fc.property(documentArb, (text) => {
        assert.deepEqual(JSON.stringify(parseUdpFile(text), replacer), JSON.stringify(parseUdpFile(text), replacer));
      }),
      { numRuns: 500 },
    );
  });
});

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value.entries()] : value;
}
