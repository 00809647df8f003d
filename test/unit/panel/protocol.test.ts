// The Messages panel's protocol: the validator of webview → host messages (untrusted input), the columnar row
// blocks, and the filter shared by the webview and the export.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileFilter, indexOfBytes } from '../../../src/shared/datagramFilter';
import { parseWebviewMessage, PROTOCOL_LIMITS } from '../../../src/shared/protocol';
import { bytesAt, encodeRowBlock, rowBlockProblem, sliceRowBlock, type BlockSource } from '../../../src/shared/rowBlock';

const peer = { address: '127.0.0.1', family: 'IPv4' as const, port: 1234 };
const row = (seq: number, bytes: Uint8Array, extra: Partial<BlockSource> = {}): BlockSource => ({
  seq,
  time: 1000 + seq,
  direction: 'in',
  socketId: 's1',
  peer,
  size: bytes.length,
  bytes,
  ...extra,
});

describe('panel protocol: webview → host validation', () => {
  it('accepts each well-formed message and keeps only the known fields', () => {
    const send = parseWebviewMessage({
      type: 'send',
      id: 3,
      from: { socketId: 's1', extra: 1 },
      target: '127.0.0.1:9000',
      payload: 'hi',
      encoding: 'text',
      repeat: { count: 5, intervalMs: 10 },
      evil: '<script>',
    });
    assert.deepEqual(send, {
      ok: true,
      value: { type: 'send', id: 3, from: { socketId: 's1' }, target: '127.0.0.1:9000', payload: 'hi', encoding: 'text', repeat: { count: 5, intervalMs: 10 } },
    });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocol: 1 }), { ok: true, value: { type: 'ready', protocol: 1 } });
    assert.deepEqual(parseWebviewMessage({ type: 'ack', seq: 9 }), { ok: true, value: { type: 'ack', seq: 9 } });
    assert.deepEqual(parseWebviewMessage({ type: 'export', id: 1, filter: { direction: 'in', search: { mode: 'hex', query: 'ff' } } }), {
      ok: true,
      value: { type: 'export', id: 1, filter: { direction: 'in', search: { mode: 'hex', query: 'ff', caseSensitive: false } } },
    });
    assert.equal(parseWebviewMessage({ type: 'runCommand', id: 1, command: 'listen' }).ok, true);
  });

  it('refuses wrong types, ranges, sizes and unknown commands with a reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [[], /not an object/],
      [{ type: 7 }, /no "type"/],
      [{ type: 'sendAll' }, /Unknown message type "sendAll"/],
      [{ type: 'send', id: -1 }, /"id" must be from 0/],
      [{ type: 'send', id: 1.5 }, /"id" must be a whole number/],
      [{ type: 'send', id: 1, from: { socketId: 's1' }, target: 'x:1', payload: 'a', encoding: 'rot13' }, /"encoding"/],
      [{ type: 'send', id: 1, from: { ephemeral: 'udp5' }, target: 'x:1', payload: 'a', encoding: 'text' }, /udp4 or udp6/],
      [{ type: 'send', id: 1, from: { socketId: 's1' }, target: 'x:1', payload: 'a'.repeat(PROTOCOL_LIMITS.maxPayloadChars + 1), encoding: 'text' }, /longer than/],
      [{ type: 'send', id: 1, from: { socketId: 's1' }, target: 'x:1', payload: 'a', encoding: 'text', repeat: { count: 0, intervalMs: 0 } }, /"count"/],
      [{ type: 'copy', id: 1, text: 5, what: 'hex' }, /"text" must be a string/],
      [{ type: 'runCommand', id: 1, command: 'workbench.action.quit' }, /"command" must be one of listen/],
      [{ type: 'export', id: 1, filter: { search: { mode: 'sql', query: 'x' } } }, /search.mode/],
      [{ type: 'getBytes', id: 1, seq: '5' }, /"seq" must be a whole number/],
    ];
    for (const [input, reason] of cases) {
      const r = parseWebviewMessage(input);
      assert.equal(r.ok, false, JSON.stringify(input)?.slice(0, 80));
      if (!r.ok) assert.match(r.message, reason);
    }
  });

  it('never throws on random input, and whatever it accepts re-validates to itself (10 000 cases)', function () {
    this.timeout(60_000);
    const anyMessage = fc.oneof(
      fc.anything(),
      fc.record(
        {
          type: fc.constantFrom('ready', 'resync', 'ack', 'send', 'cancelSend', 'getBytes', 'copy', 'export', 'clear', 'runCommand', 'other'),
          id: fc.oneof(fc.integer(), fc.double(), fc.string()),
          seq: fc.oneof(fc.integer(), fc.string()),
          protocol: fc.integer(),
          from: fc.oneof(fc.record({ socketId: fc.string() }), fc.record({ ephemeral: fc.constantFrom('udp4', 'udp6', 'x') }), fc.anything()),
          target: fc.string(),
          payload: fc.string(),
          encoding: fc.constantFrom('text', 'hex', 'base64', 'escaped', 'utf16'),
          text: fc.string(),
          what: fc.string(),
          command: fc.string(),
          filter: fc.anything(),
          repeat: fc.anything(),
        },
        { requiredKeys: ['type'] },
      ),
    );
    fc.assert(
      fc.property(anyMessage, (input) => {
        const r = parseWebviewMessage(input);
        if (r.ok) assert.deepEqual(parseWebviewMessage(JSON.parse(JSON.stringify(r.value))), r);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('panel protocol: row blocks', () => {
  it('round-trips rows through a block: fields, interned strings and exact bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (payloads) => {
        const rows = payloads.map((b, i) =>
          row(i + 1, b, { direction: i % 2 ? 'out' : 'in', socketId: `s${i % 3}`, peer: i % 4 ? peer : { address: '::1', family: 'IPv6', port: 53 } }),
        );
        const block = encodeRowBlock(rows);
        assert.equal(rowBlockProblem(block), undefined);
        assert.ok(block.strings.length <= 5, 'socket ids and addresses appear once each');
        rows.forEach((r, i) => {
          assert.equal(block.seq[i], r.seq);
          assert.equal(block.dir[i], r.direction === 'out' ? 1 : 0);
          assert.equal(block.strings[block.socket[i]!], r.socketId);
          assert.equal(block.strings[block.peerAddress[i]!], r.peer.address);
          assert.equal(block.peerFamily[i], r.peer.family === 'IPv6' ? 6 : 4);
          assert.deepEqual(bytesAt(block, i), r.bytes);
        });
        const tail = sliceRowBlock(block, Math.floor(rows.length / 2));
        assert.equal(rowBlockProblem(tail), undefined);
        for (let i = 0; i < tail.count; i++) assert.deepEqual(bytesAt(tail, i), rows[Math.floor(rows.length / 2) + i]!.bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed blocks instead of reading past their buffers', () => {
    const good = encodeRowBlock([row(1, new Uint8Array([1, 2, 3]))]);
    assert.equal(rowBlockProblem(good), undefined);
    assert.match(rowBlockProblem({ ...good, count: 2 })!, /malformed/);
    assert.match(rowBlockProblem({ ...good, offsets: new Uint32Array([0, 99]) })!, /past the bytes/);
    assert.match(rowBlockProblem({ ...good, socket: new Uint32Array([7]) })!, /out of range/);
    assert.match(rowBlockProblem({ ...good, seq: [1] })!, /column seq/);
    assert.match(rowBlockProblem(undefined)!, /missing/);
  });
});

describe('panel protocol: filters', () => {
  const rows = [
    { direction: 'in' as const, socketId: 's1', peerAddress: '127.0.0.1', peerPort: 40000, bytes: new TextEncoder().encode('GET /Status') },
    { direction: 'out' as const, socketId: 's2', peerAddress: '::1', peerPort: 53, bytes: new Uint8Array([0xde, 0xad, 0x00, 0xbe, 0xef]) },
  ];
  const match = (filter: Parameters<typeof compileFilter>[0]) => {
    const f = compileFilter(filter);
    assert.ok(f.ok, f.ok ? '' : f.message);
    return rows.map((r) => (f.ok ? f.value.matches(r) : false));
  };

  it('matches socket, direction and peer (as address:port, v6 in brackets)', () => {
    assert.deepEqual(match({}), [true, true]);
    assert.deepEqual(match({ socketId: 's2' }), [false, true]);
    assert.deepEqual(match({ direction: 'in' }), [true, false]);
    assert.deepEqual(match({ peer: '[::1]:53' }), [false, true]);
    assert.deepEqual(match({ peer: ':40000' }), [true, false]);
  });

  it('searches text bytes (ASCII case folding unless asked), hex bytes, and regex over the escaped text', () => {
    assert.deepEqual(match({ search: { mode: 'text', query: 'get /status' } }), [true, false]);
    assert.deepEqual(match({ search: { mode: 'text', query: 'get /status', caseSensitive: true } }), [false, false]);
    assert.deepEqual(match({ search: { mode: 'hex', query: '00 BE' } }), [false, true]);
    assert.deepEqual(match({ search: { mode: 'regex', query: '\\\\0\\\\xbe' } }), [false, true]);
    assert.deepEqual(match({ search: { mode: 'regex', query: '^get' } }), [true, false]);
  });

  it('explains an invalid query', () => {
    const bad = compileFilter({ search: { mode: 'regex', query: '(' } });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.message, /regular expression is not valid/);
    const hex = compileFilter({ search: { mode: 'hex', query: 'xyz' } });
    assert.equal(hex.ok, false);
  });

  it('finds byte sequences anywhere, like a naive scan (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 4 }), (hay, needle) => {
        const naive = Buffer.from(hay).indexOf(Buffer.from(needle));
        assert.equal(indexOfBytes(hay, needle), naive);
      }),
      { numRuns: 2000 },
    );
  });
});
