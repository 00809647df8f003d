// The bounded log: caps by count and by bytes, seq per entry, exact dropped count, reads, clear and re-capping.
// Besides examples, a model-based property test replays random operations against a plain array and compares.

import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DatagramLog } from '../../../src/core/datagramLog';
import type { Endpoint } from '../../../src/shared/dto';

const peer: Endpoint = { address: '127.0.0.1', family: 'IPv4', port: 9 };
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('core: DatagramLog', () => {
  it('assigns seqs from 1, records both directions with socket, peer, time and the bytes given', () => {
    const log = new DatagramLog();
    assert.equal(log.lastSeq, 0);
    assert.equal(log.firstSeq, 1);
    const a = log.append('s1', 'in', peer, bytes(3, 7), 1000.5);
    const b = log.append('s2', 'out', { address: '::1', family: 'IPv6', port: 5 }, bytes(2), 1001);
    assert.deepEqual([a, b], [1, 2]);
    const [first, second] = log.since(0);
    assert.deepEqual({ ...first!, bytes: [...first!.bytes] }, { seq: 1, time: 1000.5, direction: 'in', socketId: 's1', peer, size: 3, bytes: [7, 7, 7] });
    assert.equal(second!.direction, 'out');
    assert.equal(second!.peer.address, '::1');
    assert.equal(log.size, 2);
    assert.equal(log.bytes, 5);
    assert.equal(log.totalAppended, 2);
    assert.equal(log.dropped, 0);
  });

  it('socketIdsHeld: the sockets of the entries still held, oldest first, none of the evicted or cleared', () => {
    const log = new DatagramLog({ maxCount: 4 });
    for (const id of ['gone', 's2', 's1', 's1', 's2', 's3']) log.append(id, 'in', peer, bytes(1), 0);
    assert.deepEqual([...log.socketIdsHeld()], ['s1', 's2', 's3']);
    log.clear();
    assert.deepEqual([...log.socketIdsHeld()], []);
  });

  it('caps by count: the oldest go, counted exactly in dropped; seqs are never reused', () => {
    const log = new DatagramLog({ maxCount: 3 });
    for (let i = 0; i < 10; i++) log.append('s1', 'in', peer, bytes(1), i);
    assert.equal(log.size, 3);
    assert.equal(log.dropped, 7);
    assert.equal(log.firstSeq, 8);
    assert.equal(log.lastSeq, 10);
    assert.deepEqual(log.since(0).map((d) => d.seq), [8, 9, 10]);
    assert.deepEqual(log.since(0).map((d) => d.time), [7, 8, 9]);
  });

  it('caps by bytes: evicts the oldest until the newest fits', () => {
    const log = new DatagramLog({ maxCount: 100, maxBytes: 10 });
    log.append('s1', 'in', peer, bytes(4), 1);
    log.append('s1', 'in', peer, bytes(4), 2);
    assert.equal(log.bytes, 8);
    log.append('s1', 'in', peer, bytes(4), 3);
    assert.equal(log.bytes, 8);
    assert.equal(log.size, 2);
    assert.equal(log.dropped, 1);
    // A datagram larger than the whole cap is kept alone, so the newest is always visible.
    log.append('s1', 'in', peer, bytes(25), 4);
    assert.equal(log.size, 1);
    assert.equal(log.bytes, 25);
    assert.equal(log.dropped, 3);
    log.append('s1', 'in', peer, bytes(1), 5);
    assert.equal(log.size, 1);
    assert.equal(log.bytes, 1);
  });

  it('copies the bytes in, and hands out exact copies (own memory of exactly the size) on every read', () => {
    const log = new DatagramLog();
    const source = new Uint8Array([1, 2, 3, 4]);
    const seq = log.append('s1', 'out', peer, source.subarray(1, 3), 1);
    source.fill(9);
    const first = log.get(seq)!;
    assert.deepEqual([...first.bytes], [2, 3]);
    assert.equal(first.bytes.buffer.byteLength, 2);
    assert.equal(first.bytes.byteOffset, 0);
    first.bytes[0] = 77;
    assert.deepEqual([...log.get(seq)!.bytes], [2, 3], 'a reader cannot change the log');
    // Datagrams up to the largest UDP payload, many of them, across slab boundaries.
    const big = new Uint8Array(65_535).map((_, i) => i & 0xff);
    const seqs = Array.from({ length: 40 }, (_, i) => log.append('s1', 'in', peer, big.subarray(i), i));
    seqs.forEach((s, i) => {
      const d = log.get(s)!;
      assert.equal(d.size, 65_535 - i);
      assert.equal(d.bytes[0], i & 0xff);
      assert.equal(d.bytes[d.size - 1], 0xfe);
    });
  });

  it('at its caps reuses emptied payload slabs instead of allocating new ones, and every kept entry stays exact', () => {
    // 1 000 datagrams of 1 000 B fill ~1 MB: the byte cap keeps about 3 slabs' worth while 20 slabs' worth pass.
    const log = new DatagramLog({ maxCount: 100_000, maxBytes: 3_000_000 });
    const payload = (i: number) => new Uint8Array(1000).fill(i & 0xff).map((v, k) => (k === 0 ? (i >> 8) & 0xff : v));
    for (let i = 0; i < 20_000; i++) {
      log.append('s1', 'in', peer, payload(i), i);
      if (i % 997 === 0) {
        // Everything still held reads back as written, while slabs turn over.
        for (const d of log.since(0)) {
          const n = d.time;
          assert.equal(d.bytes[0], (n >> 8) & 0xff);
          assert.equal(d.bytes[999], n & 0xff, `entry ${n} intact`);
        }
      }
    }
    assert.equal(log.size, 3000);
    assert.ok(log.slabsAllocated <= 6, `slabs reused: ${log.slabsAllocated} allocated for 20 MB of datagrams`);
    // Tiny caps: a slab's entries are all evicted while it is still being filled; it is still reused.
    const tiny = new DatagramLog({ maxCount: 1 });
    for (let i = 0; i < 5000; i++) tiny.append('s1', 'in', peer, payload(i), i);
    assert.equal(tiny.get(tiny.lastSeq)!.bytes[999], 4999 & 0xff);
    assert.ok(tiny.slabsAllocated <= 3, `tiny caps: ${tiny.slabsAllocated} slabs`);
    // clear() keeps a spare for what comes next.
    const before = log.slabsAllocated;
    log.clear();
    for (let i = 0; i < 1000; i++) log.append('s1', 'in', peer, payload(i), i);
    assert.equal(log.slabsAllocated, before);
    assert.equal(log.get(log.lastSeq)!.bytes[999], 999 & 0xff);
  });

  it('peekSince reads what since reads, with views into its own memory instead of copies', () => {
    const log = new DatagramLog({ maxCount: 50 });
    for (let i = 0; i < 80; i++) log.append('s1', i % 2 ? 'out' : 'in', peer, new Uint8Array(i % 7).fill(i), i);
    const copied = log.since(40, 5);
    const peeked = log.peekSince(40, 5);
    assert.deepEqual(
      peeked.map((d) => ({ ...d, bytes: [...d.bytes] })),
      copied.map((d) => ({ ...d, bytes: [...d.bytes] })),
    );
    assert.deepEqual(log.peekSince(0).map((d) => d.seq), log.since(0).map((d) => d.seq));
    const withBytes = peeked.filter((d) => d.size > 0);
    assert.ok(withBytes.length >= 2);
    assert.equal(withBytes[0]!.bytes.buffer, withBytes[1]!.bytes.buffer, 'views share the slab, no ArrayBuffer per row');
    assert.notEqual(copied[1]!.bytes.buffer, copied[2]!.bytes.buffer, 'since() copies');
  });

  it('signals appends at most once per event-loop turn', async () => {
    const log = new DatagramLog();
    let signals = 0;
    log.onDidAppend(() => signals++);
    for (let i = 0; i < 1000; i++) log.append('s1', 'in', peer, bytes(1), i);
    assert.equal(signals, 0, 'not synchronously');
    await new Promise<void>((resolve) => log.onDidAppend(() => resolve()));
    assert.equal(signals, 1);
  });

  it('since(seq, limit) resumes after a seq, skipping what was dropped; latest(n) gives the newest n; get(seq) finds one', () => {
    const log = new DatagramLog({ maxCount: 5 });
    for (let i = 1; i <= 8; i++) log.append('s1', 'in', peer, bytes(1, i), i);
    assert.deepEqual(log.since(5).map((d) => d.seq), [6, 7, 8]);
    assert.deepEqual(log.since(5, 2).map((d) => d.seq), [6, 7]);
    assert.deepEqual(log.since(1).map((d) => d.seq), [4, 5, 6, 7, 8], 'a reader that fell behind resumes at firstSeq');
    assert.deepEqual(log.since(8), []);
    assert.deepEqual(log.latest(2).map((d) => d.seq), [7, 8]);
    assert.deepEqual(log.latest(99).map((d) => d.seq), [4, 5, 6, 7, 8]);
    assert.equal(log.get(6)?.bytes[0], 6);
    assert.equal(log.get(3), undefined);
    assert.equal(log.get(9), undefined);
    const visited: number[] = [];
    log.forEach((d) => visited.push(d.seq));
    assert.deepEqual(visited, [4, 5, 6, 7, 8]);
  });

  it('clear() empties it without counting drops; seqs continue; onDidClear fires', () => {
    const log = new DatagramLog({ maxCount: 3 });
    for (let i = 0; i < 5; i++) log.append('s1', 'in', peer, bytes(2), i);
    let cleared = 0;
    log.onDidClear(() => cleared++);
    log.clear();
    assert.equal(cleared, 1);
    assert.equal(log.size, 0);
    assert.equal(log.bytes, 0);
    assert.equal(log.dropped, 2);
    assert.equal(log.firstSeq, 6);
    assert.equal(log.lastSeq, 5);
    assert.equal(log.append('s1', 'in', peer, bytes(1), 9), 6);
    assert.equal(log.totalAppended, 6);
  });

  it('setCaps shrinks (dropping the oldest, counted) and grows (keeping everything)', () => {
    const log = new DatagramLog({ maxCount: 10 });
    for (let i = 1; i <= 10; i++) log.append('s1', 'in', peer, bytes(10), i);
    log.setCaps({ maxCount: 4 });
    assert.deepEqual(log.since(0).map((d) => d.seq), [7, 8, 9, 10]);
    assert.equal(log.dropped, 6);
    log.setCaps({ maxBytes: 25 });
    assert.deepEqual(log.since(0).map((d) => d.seq), [9, 10]);
    assert.equal(log.dropped, 8);
    log.setCaps({ maxCount: 1000, maxBytes: 1_000_000 });
    for (let i = 11; i <= 3000; i++) log.append('s1', 'in', peer, bytes(1), i);
    assert.equal(log.size, 1000);
    assert.equal(log.lastSeq, 3000);
    assert.deepEqual(log.getCaps(), { maxCount: 1000, maxBytes: 1_000_000 });
    log.setCaps({ maxCount: 0, maxBytes: Number.NaN });
    assert.ok(log.getCaps().maxCount >= 1, 'nonsense caps fall back to defaults');
  });

  it('matches a simple array model under random appends, clears and re-caps (property)', () => {
    type Op = { kind: 'append'; size: number; dir: boolean } | { kind: 'clear' } | { kind: 'caps'; maxCount: number; maxBytes: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 20, arbitrary: fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 0, max: 40 }), dir: fc.boolean() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('caps' as const), maxCount: fc.integer({ min: 1, max: 2000 }), maxBytes: fc.integer({ min: 1, max: 300 }) }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 300 }), fc.array(op, { maxLength: 3000 }), (maxCount, maxBytes, ops) => {
        const log = new DatagramLog({ maxCount, maxBytes });
        let model: Array<{ seq: number; size: number; dir: string }> = [];
        let caps = { maxCount, maxBytes };
        let nextSeq = 1;
        let dropped = 0;
        const used = () => model.reduce((n, e) => n + e.size, 0);
        for (const o of ops) {
          if (o.kind === 'append') {
            if (model.length === caps.maxCount) {
              model.shift();
              dropped++;
            }
            while (model.length > 0 && used() + o.size > caps.maxBytes) {
              model.shift();
              dropped++;
            }
            const dir = o.dir ? 'in' : 'out';
            model.push({ seq: nextSeq++, size: o.size, dir });
            assert.equal(log.append('s', dir, peer, bytes(o.size), 0), nextSeq - 1);
          } else if (o.kind === 'clear') {
            model = [];
            log.clear();
          } else {
            caps = { maxCount: o.maxCount, maxBytes: o.maxBytes };
            while (model.length > caps.maxCount) {
              model.shift();
              dropped++;
            }
            while (model.length > 1 && used() > caps.maxBytes) {
              model.shift();
              dropped++;
            }
            log.setCaps(caps);
          }
        }
        assert.deepEqual(
          log.since(0).map((d) => ({ seq: d.seq, size: d.size, dir: d.direction })),
          model,
        );
        assert.equal(log.dropped, dropped);
        assert.equal(log.bytes, used());
        assert.equal(log.size, model.length);
        assert.equal(log.lastSeq, nextSeq - 1);
      }),
      { numRuns: 300 },
    );
  });
});
