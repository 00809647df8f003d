// The WebAssembly SIMD hex path of `listen --json` writes exactly what the shared codec writes, for every length a
// datagram can have, at any offset, touching nothing outside its digits.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fastHexWriter, makeSimdHexWriter } from '../../../src/cli/simdHex';
import { writeHexAscii } from '../../../src/shared/payload';

describe('cli: SIMD hex digits', () => {
  const simd = makeSimdHexWriter();

  it('is available on every Node the CLI supports (20–24), and is the writer the CLI uses', () => {
    assert.ok(simd, 'WebAssembly SIMD validated and instantiated');
    const bytes = Buffer.from('0123456789abcdef0123', 'latin1');
    const out = Buffer.alloc(64);
    assert.equal(fastHexWriter()(bytes, out, 0), 40);
    assert.equal(out.toString('latin1', 0, 40), bytes.toString('hex'));
  });

  it('matches writeHexAscii for lengths 0–600 and up to 65 535, at odd offsets, leaving the rest of the buffer alone', () => {
    const lengths = [...Array(601).keys(), 1023, 1024, 1025, 4095, 9000, 65_507, 65_527, 65_535];
    const expected = Buffer.alloc(2 * 65_535 + 64);
    const actual = Buffer.alloc(2 * 65_535 + 64);
    for (const n of lengths) {
      // Random content each time, so digits left over from a longer datagram would show.
      const bytes = randomBytes(n);
      const offset = n % 7;
      expected.fill(0x2e);
      actual.fill(0x2e);
      const endExpected = writeHexAscii(bytes, expected, offset);
      const endActual = simd!(bytes, actual, offset);
      assert.equal(endActual, endExpected, `end offset for ${n} bytes`);
      assert.ok(actual.equals(expected), `digits for ${n} bytes at offset ${offset}`);
    }
  });

  it('reads a payload that is a view into a larger buffer (as dgram and Buffer pools hand them out)', () => {
    const pool = randomBytes(4096);
    const view = pool.subarray(13, 13 + 1000);
    const out = Buffer.alloc(2000);
    assert.equal(simd!(view, out, 0), 2000);
    assert.equal(out.toString('latin1'), Buffer.from(view).toString('hex'));
  });
});
