import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import {
  PayloadError,
  decodeText,
  decodeUtf8,
  encodePayload,
  encodeUtf8,
  fromBase64,
  fromEscaped,
  fromHex,
  toBase64,
  toEscaped,
  toHex,
  writeHexAscii,
} from '../../../src/shared/payload';

// Property tests: every byte value and random byte arrays survive each encoding exactly; invalid input always
// yields a PayloadError with a position inside the input.
// Codec round trips and rejections run 10 000 cases each in CI (issue 9); the corrupted-UTF-8 property, whose
// cost is fast-check's string generation rather than the codec, keeps 1 000.
const RUNS = { numRuns: 10_000 };
const SLOW_RUNS = { numRuns: 1000 };
const bytesArb = fc.uint8Array({ maxLength: 300 });
const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);

function assertPayloadError(fn: () => unknown, input: string): PayloadError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PayloadError, `expected PayloadError, got ${String(error)}`);
    assert.ok(Number.isInteger(error.position) && error.position >= 0 && error.position < Math.max(1, input.length), `position ${error.position} outside input of length ${input.length}`);
    assert.match(error.message, new RegExp(`at position ${error.position}: `));
    return error;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('payload codecs — round-trip properties', () => {
  it('every byte 0–255 round-trips through hex, base64, ASCII-escaped and display-escaped text', () => {
    assert.deepEqual(fromHex(toHex(everyByte)), everyByte);
    assert.deepEqual(fromHex(toHex(everyByte, '')), everyByte);
    assert.deepEqual(fromBase64(toBase64(everyByte)), everyByte);
    assert.deepEqual(fromEscaped(toEscaped(everyByte)), everyByte);
    assert.deepEqual(fromEscaped(decodeText(everyByte)), everyByte);
    for (let b = 0; b < 256; b++) {
      const one = Uint8Array.of(b);
      assert.deepEqual(fromHex(toHex(one)), one);
      assert.deepEqual(fromBase64(toBase64(one)), one);
      assert.deepEqual(fromEscaped(toEscaped(one)), one);
      assert.deepEqual(fromEscaped(decodeText(one)), one);
    }
  });

  it('a single arbitrary byte in any position round-trips through every encoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (b, pre, post) => {
        const bytes = Uint8Array.from([...pre, b, ...post]);
        assert.deepEqual(encodePayload(toHex(bytes), 'hex'), bytes);
        assert.deepEqual(encodePayload(toBase64(bytes), 'base64'), bytes);
        assert.deepEqual(encodePayload(toEscaped(bytes), 'escaped'), bytes);
        assert.deepEqual(encodePayload(decodeText(bytes), 'escaped'), bytes);
      }),
      RUNS,
    );
  });

  it('random byte arrays round-trip through hex with any separator and case', () => {
    fc.assert(
      fc.property(bytesArb, fc.constantFrom(' ', '', ':', '\n', ' 0x', ', ', '-'), fc.boolean(), (bytes, sep, upper) => {
        let text = toHex(bytes, sep, upper);
        if (sep === ' 0x' && bytes.length > 0) text = '0x' + text;
        assert.deepEqual(fromHex(text), bytes);
      }),
      RUNS,
    );
  });

  it('random byte arrays round-trip through base64 (also URL-safe, unpadded, line-wrapped)', () => {
    fc.assert(
      fc.property(bytesArb, fc.constantFrom('standard', 'url', 'unpadded', 'wrapped'), (bytes, variant) => {
        let text = toBase64(bytes);
        if (variant === 'url') text = text.replace(/\+/g, '-').replace(/\//g, '_');
        if (variant === 'unpadded') text = text.replace(/=+$/, '');
        if (variant === 'wrapped') text = text.replace(/(.{8})/g, '$1\n');
        assert.deepEqual(fromBase64(text), bytes);
      }),
      RUNS,
    );
  });

  it('random byte arrays round-trip through ASCII-escaped text, which stays printable ASCII', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const text = toEscaped(bytes);
        assert.match(text, /^[\x20-\x7e]*$/);
        assert.deepEqual(fromEscaped(text), bytes);
      }),
      RUNS,
    );
  });

  it('random byte arrays round-trip through the display text (decodeText), with or without kept newlines', () => {
    fc.assert(
      fc.property(bytesArb, fc.boolean(), (bytes, keepNewlines) => {
        const text = decodeText(bytes, { keepNewlines });
        assert.deepEqual(fromEscaped(text), bytes);
        // Only the line breaks the caller asked for, never a raw control character.
        const allowed = keepNewlines ? [0x0a, 0x0d] : [];
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          assert.ok(!((c < 0x20 || c === 0x7f) && !allowed.includes(c)), `raw control character 0x${c.toString(16)} in ${JSON.stringify(text)}`);
        }
      }),
      RUNS,
    );
  });

  it('mostly-UTF-8 byte arrays (text with corrupted bytes) round-trip through decodeText', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (s, corruptions) => {
        const bytes = encodeUtf8(s.replace(/[\ud800-\udfff]/g, 'x'));
        for (const [at, value] of corruptions) if (bytes.length > 0) bytes[at % bytes.length] = value;
        assert.deepEqual(fromEscaped(decodeText(bytes)), bytes);
      }),
      SLOW_RUNS,
    );
  });

  it('random Unicode text round-trips through UTF-8 and agrees with TextEncoder/TextDecoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (raw) => {
        // 'binary' units may pair into surrogates; a lone one is not encodable, so keep only well-formed text.
        const text = raw.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '?');
        const bytes = encodePayload(text, 'text');
        assert.deepEqual(bytes, new TextEncoder().encode(text));
        assert.equal(decodeUtf8(bytes), text);
        assert.equal(new TextDecoder().decode(bytes), text);
      }),
      RUNS,
    );
  });

  it('writeHexAscii writes the digits Node writes, at any offset, for short and long (pair-table) payloads alike', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 9 }),
        (bytes, skip, offset) => {
          // A view that starts at an odd byte of its buffer, as dgram's and the log's slices can.
          const padded = new Uint8Array(bytes.length + skip);
          padded.set(bytes, skip);
          const view = padded.subarray(skip);
          const out = new Uint8Array(offset + 2 * bytes.length + 3).fill(0x7e);
          const end = writeHexAscii(view, out, offset);
          assert.equal(end, offset + 2 * bytes.length);
          assert.equal(Buffer.from(out.subarray(offset, end)).toString('latin1'), Buffer.from(bytes).toString('hex'));
          assert.ok(out.subarray(0, offset).every((c) => c === 0x7e) && out.subarray(end).every((c) => c === 0x7e), 'nothing written outside the digits');
        },
      ),
      SLOW_RUNS,
    );
  });

  it('decodeUtf8 accepts exactly what a fatal TextDecoder accepts', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = fatal.decode(bytes);
        } catch {
          expected = undefined;
        }
        assert.equal(decodeUtf8(bytes), expected);
      }),
      RUNS,
    );
  });
});

describe('payload codecs — invalid input always gives a positioned PayloadError', () => {
  it('hex with a non-hex character reports that character’s position', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), fc.constantFrom('g', 'z', 'G', '!', 'é', '_', '.'), (a, b, bad) => {
        const prefix = toHex(a) + (a.length > 0 ? ' ' : '');
        const input = `${prefix}${bad}0 ${toHex(b)}`;
        const err = assertPayloadError(() => fromHex(input), input);
        assert.equal(err.position, prefix.length);
      }),
      RUNS,
    );
  });

  it('hex with an odd digit count in a group is rejected at that group', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.constantFrom('1', 'abc', '12345', '0xf'), (a, group) => {
        const prefix = toHex(a) + (a.length > 0 ? ' ' : '');
        const input = `${prefix}${group}`;
        const err = assertPayloadError(() => fromHex(input), input);
        assert.equal(err.position, prefix.length + (group.startsWith('0x') ? 2 : 0));
        assert.match(err.message, /odd number of hex digits/);
      }),
      RUNS,
    );
  });

  it('base64 with a character outside both alphabets reports its position', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.constantFrom('!', '*', '.', '%', 'é', '$'), (bytes, bad) => {
        const good = toBase64(bytes).replace(/=+$/, '');
        const input = good + bad + 'AAAA';
        const err = assertPayloadError(() => fromBase64(input), input);
        assert.equal(err.position, good.length);
      }),
      RUNS,
    );
  });

  it('escaped text with an unknown or truncated escape reports the backslash position', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).map((s) => s.replace(/\\/g, '/')),
        fc.constantFrom('\\q', '\\x4', '\\xg0', '\\u{110000}', '\\u{d800}', '\\u{}', '\\u41', '\\', '\\u{12'),
        (prefix, bad) => {
          const input = prefix + bad;
          const err = assertPayloadError(() => fromEscaped(input), input);
          assert.equal(err.position, prefix.length);
        },
      ),
      RUNS,
    );
  });

  it('text containing a lone surrogate is rejected at the surrogate, never replaced', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }), (pre, unit, post) => {
        const input = pre + String.fromCharCode(unit) + (unit <= 0xdbff ? 'x' : '') + post;
        const err = assertPayloadError(() => encodePayload(input, 'text'), input);
        assert.equal(err.position, pre.length);
      }),
      RUNS,
    );
  });

  it('arbitrary strings either encode or throw a positioned PayloadError — never anything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('text', 'hex', 'base64', 'escaped' as const), (input, encoding) => {
        try {
          const bytes = encodePayload(input, encoding);
          assert.ok(bytes instanceof Uint8Array);
        } catch (error) {
          assert.ok(error instanceof PayloadError, String(error));
          assert.ok(error.position >= 0 && error.position < input.length);
        }
      }),
      RUNS,
    );
  });
});
