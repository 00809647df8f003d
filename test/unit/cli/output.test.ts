// The CLI's `listen --json` writer: lines built as bytes with a cached head must be exactly the JSON a consumer
// expects, whatever changes between consecutive datagrams (time, sender, family, size) — a stale cached head
// would silently misreport who sent a datagram.

import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { BatchedWriter, datagramJson, writeDatagramJson } from '../../../src/cli/output';
import type { Endpoint } from '../../../src/shared/dto';

function sink(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('cli: listen --json lines', () => {
  it('match datagramJson and parse to the right fields as time, sender, family and size change line by line', async () => {
    const out = sink();
    const writer = new BatchedWriter(out.stream);
    const a: Endpoint = { address: '127.0.0.1', family: 'IPv4', port: 4000 };
    const sameObjectOtherValues = { ...a };
    const cases: Array<[number, Endpoint, Uint8Array]> = [
      [1_700_000_000_123.25, a, Buffer.from('abc')],
      [1_700_000_000_123.75, a, Buffer.from('abc')], // same head
      [1_700_000_000_123.8, a, Buffer.from('abcd')], // size
      [1_700_000_000_123.9, { ...a, port: 4001 }, Buffer.from('abcd')], // port
      [1_700_000_000_123.95, { ...a, address: '127.0.0.2' }, Buffer.from('abcd')], // address
      [1_700_000_000_124.0, { address: 'fe80::1%eth0', family: 'IPv6', port: 4001 }, Buffer.alloc(300, 0xfe)], // family, zone, long payload
      [1_700_000_000_124.0, { address: '::ffff:127.0.0.1', family: 'IPv6', port: 4001 }, new Uint8Array(0)],
      [1_700_000_000_124.0, { address: 'fe80::1%wlän0', family: 'IPv6', port: 4001 }, Buffer.from('z')], // non-ASCII zone (UTF-8, not latin1)
      [1_700_000_000_125.0, sameObjectOtherValues, Buffer.alloc(1024, 7)], // millisecond
    ];
    const expected = cases.map(([time, peer, bytes]) => [time, { ...peer }, bytes] as [number, Endpoint, Uint8Array]);
    for (const [time, peer, bytes] of cases) writeDatagramJson(writer, time, peer, bytes);
    // One object mutated between lines (not how the core hands peers out, but nothing may depend on identity).
    sameObjectOtherValues.port = 9;
    writeDatagramJson(writer, 1_700_000_000_125.0, sameObjectOtherValues, Buffer.alloc(1024, 7));
    await writer.end();
    const lines = out.text().split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a newline');
    assert.equal(lines.length, cases.length + 1);
    expected.push([1_700_000_000_125.0, { ...a, port: 9 }, Buffer.alloc(1024, 7)]);
    lines.forEach((line, i) => {
      const [time, peer, bytes] = expected[i]!;
      assert.equal(line, datagramJson(time, peer, bytes), `line ${i} as datagramJson writes it`);
      assert.deepEqual(JSON.parse(line), {
        time: new Date(Math.floor(time)).toISOString(),
        address: peer.address,
        family: peer.family,
        port: peer.port,
        size: bytes.length,
        hex: Buffer.from(bytes).toString('hex'),
      });
    });
  });
});
