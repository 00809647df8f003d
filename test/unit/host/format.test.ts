// The editor surface's pure helpers (no vscode): endpoint/count/rate formatting and the Repeat Send schedule.
import * as assert from 'assert';
import { formatBytes, formatCount, formatEndpoint, formatRate, socketCounts } from '../../../src/host/format';
import { parseSchedule } from '../../../src/host/repeatSchedule';
import type { SocketView } from '../../../src/shared/dto';

describe('host format helpers', () => {
  it('writes endpoints with brackets for IPv6 only', () => {
    assert.equal(formatEndpoint({ address: '127.0.0.1', port: 5000 }), '127.0.0.1:5000');
    assert.equal(formatEndpoint({ address: '::1', port: 5000 }), '[::1]:5000');
    assert.equal(formatEndpoint({ address: 'fe80::1%eth0', port: 9 }), '[fe80::1%eth0]:9');
  });

  it('groups counts by thousands with spaces', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1204), '1 204');
    assert.equal(formatCount(12_345_678), '12 345 678');
  });

  it('writes rates short', () => {
    assert.equal(formatRate(0), '0/s');
    assert.equal(formatRate(Number.NaN), '0/s');
    assert.equal(formatRate(0.44), '0.4/s');
    assert.equal(formatRate(340.4), '340/s');
    assert.equal(formatRate(12_345), '12.3k/s');
    assert.equal(formatRate(2_500_000), '2.5M/s');
  });

  it('writes byte sizes in binary units', () => {
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(64 * 1024 * 1024), '64 MiB');
  });

  it('describes live counts as in the tree: ↓ in ↑ out, and the rate only while something arrives', () => {
    const view = (datagramsIn: number, datagramsOut: number, rateIn: number): SocketView =>
      ({ stats: { datagramsIn, datagramsOut, rateIn } }) as unknown as SocketView;
    assert.equal(socketCounts(view(1204, 12, 340)), '↓ 1 204 ↑ 12 · 340/s');
    assert.equal(socketCounts(view(3, 0, 0)), '↓ 3 ↑ 0');
  });
});

describe('Repeat Send schedule', () => {
  it('reads a count alone as back to back', () => {
    assert.deepEqual(parseSchedule('100').schedule, { count: 100, intervalMs: 0 });
  });

  it('reads intervals in ms and s, and rates per second', () => {
    assert.deepEqual(parseSchedule('10 every 100ms').schedule, { count: 10, intervalMs: 100 });
    assert.deepEqual(parseSchedule('5 x 1s').schedule, { count: 5, intervalMs: 1000 });
    assert.deepEqual(parseSchedule(' 3 every 0.5 s ').schedule, { count: 3, intervalMs: 500 });
    assert.deepEqual(parseSchedule('1000 at 500/s').schedule, { count: 1000, ratePerSecond: 500 });
    assert.deepEqual(parseSchedule('1000 @ 500 / s').schedule, { count: 1000, ratePerSecond: 500 });
  });

  it('explains what it cannot read', () => {
    assert.match(parseSchedule('').error ?? '', /is not a schedule/);
    assert.match(parseSchedule('lots').error ?? '', /is not a schedule/);
    assert.match(parseSchedule('0').error ?? '', /Send from 1 to 10 000 000 datagrams, not 0/);
    assert.match(parseSchedule('10 every 2 hours').error ?? '', /is not a schedule/);
    assert.match(parseSchedule('10 every 7200s').error ?? '', /longer than an hour/);
    assert.match(parseSchedule('10 at 0/s').error ?? '', /rate must be from 1/);
  });
});
