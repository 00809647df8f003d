import * as assert from 'node:assert/strict';
import {
  PayloadError,
  decodeText,
  showInvisibles,
  encodePayload,
  formatPayload,
  fromBase64,
  fromEscaped,
  fromHex,
  hexDump,
  looksLikeHex,
  toBase64,
  toEscaped,
  toHex,
  tryEncodePayload,
} from '../../../src/shared/payload';

const bytes = (...b: number[]) => Uint8Array.from(b);

function rejects(fn: () => unknown, position: number, reason: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PayloadError);
    assert.equal(error.position, position);
    assert.match(error.message, reason);
    assert.match(error.message, /^Invalid .+ at position \d+: .+\.$/);
    return true;
  });
}

describe('payload codecs — examples', () => {
  it('showInvisibles escapes what decodeText would hide or reorder, and leaves text already escaped alone', () => {
    assert.equal(showInvisibles('pong \\x00 \\\\ ok'), 'pong \\x00 \\\\ ok');
    assert.equal(showInvisibles('a\u202eb\u200bc\u0000d\u007f'), 'a\\u{202e}b\\u{200b}c\\0d\\x7f');
    assert.equal(showInvisibles('two\nlines\r\n', { keepNewlines: true }), 'two\nlines\r\n');
    assert.equal(showInvisibles('two\nlines'), 'two\\nlines');
    assert.equal(showInvisibles('\ud83d'), '\\u{d83d}');
    assert.equal(showInvisibles('caf\u00e9 \u{1f600}'), 'caf\u00e9 \u{1f600}');
    // Every invisible code point gets the escape decodeText gives it from its UTF-8 bytes.
    for (const ch of ['\u0085', '\u00ad', '\u2066', '\ufeff', '\u{e0001}']) {
      assert.equal(showInvisibles(ch), decodeText(new TextEncoder().encode(ch)));
    }
  });

  describe('text (UTF-8)', () => {
    it('encodes ASCII, two-, three- and four-byte characters', () => {
      assert.deepEqual(encodePayload('A', 'text'), bytes(0x41));
      assert.deepEqual(encodePayload('é', 'text'), bytes(0xc3, 0xa9));
      assert.deepEqual(encodePayload('€', 'text'), bytes(0xe2, 0x82, 0xac));
      assert.deepEqual(encodePayload('😀', 'text'), bytes(0xf0, 0x9f, 0x98, 0x80));
      assert.deepEqual(encodePayload('', 'text'), bytes());
    });
    it('keeps backslashes literal in text mode', () => {
      assert.deepEqual(encodePayload('a\\n', 'text'), bytes(0x61, 0x5c, 0x6e));
    });
    it('rejects a lone surrogate with its position', () => {
      rejects(() => encodePayload('ab\udc00', 'text'), 2, /lone UTF-16 surrogate/);
    });
  });

  describe('hex', () => {
    it('tolerates spaces, colons, commas, dashes, 0x prefixes, newlines and either case', () => {
      const expected = bytes(0x01, 0x02, 0xff);
      for (const text of ['01 02 ff', '01:02:FF', '0x01 0x02 0xff', '0102ff', '01\n02\r\nff', '  01,02-ff  ', '0x0102FF', '\t01 02\tff\n']) {
        assert.deepEqual(fromHex(text), expected, text);
      }
      assert.deepEqual(fromHex(''), bytes());
      assert.deepEqual(fromHex('  \n '), bytes());
    });
    it('rejects an odd digit count, naming the group', () => {
      rejects(() => fromHex('01 2'), 3, /the group "2" has an odd number of hex digits \(1\)/);
      rejects(() => fromHex('abc'), 0, /odd number of hex digits \(3\)/);
      rejects(() => fromHex('0x1'), 2, /odd number/);
    });
    it('rejects non-hex characters at their position', () => {
      rejects(() => fromHex('01 0g'), 4, /"g" is not a hex digit/);
      rejects(() => fromHex('zz'), 0, /"z" is not a hex digit/);
      rejects(() => fromHex('0é'), 1, /U\+00E9 "é" is not a hex digit/);
      rejects(() => fromHex('01 0x'), 3, /"0x" is not followed by hex digits/);
    });
    it('formats with a chosen separator and case', () => {
      assert.equal(toHex(bytes(0x01, 0xab)), '01 ab');
      assert.equal(toHex(bytes(0x01, 0xab), ''), '01ab');
      assert.equal(toHex(bytes(0x01, 0xab), ':', true), '01:AB');
      assert.equal(toHex(bytes()), '');
    });
  });

  describe('base64', () => {
    it('encodes the RFC 4648 test vectors', () => {
      const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
      for (const [plain, encoded] of vectors) {
        assert.equal(toBase64(encodePayload(plain, 'text')), encoded);
        assert.deepEqual(fromBase64(encoded), encodePayload(plain, 'text'));
      }
    });
    it('accepts URL-safe characters, missing padding and line breaks', () => {
      assert.deepEqual(fromBase64('-_8'), bytes(0xfb, 0xff));
      assert.deepEqual(fromBase64('+/8='), bytes(0xfb, 0xff));
      assert.deepEqual(fromBase64('Zm9v\nYmFy'), encodePayload('foobar', 'text'));
    });
    it('rejects bad characters, misplaced padding and a dangling character', () => {
      rejects(() => fromBase64('Zm9v!'), 4, /"!" is not a base64 character/);
      rejects(() => fromBase64('Zg==Zg=='), 2, /padding may appear only at the end/);
      rejects(() => fromBase64('Zm9vY'), 4, /single character/);
      rejects(() => fromBase64('Zm9v='), 4, /none belong/);
      rejects(() => fromBase64('Zg='), 2, /1 "=" padding characters where 2 belong/);
    });
  });

  describe('escaped text', () => {
    it('decodes every escape', () => {
      assert.deepEqual(fromEscaped('a\\x00\\xFF\\n\\r\\t\\0\\\\'), bytes(0x61, 0x00, 0xff, 0x0a, 0x0d, 0x09, 0x00, 0x5c));
      assert.deepEqual(fromEscaped('\\u{e9}\\u{1F600}'), bytes(0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80));
      assert.deepEqual(fromEscaped('é'), bytes(0xc3, 0xa9));
      assert.deepEqual(fromEscaped('\\01'), bytes(0x00, 0x31), '\\0 is one NUL byte, not an octal escape');
    });
    it('rejects unknown and malformed escapes at the backslash', () => {
      rejects(() => fromEscaped('ab\\q'), 2, /"\\q" is not an escape/);
      rejects(() => fromEscaped('\\x4'), 0, /exactly two hex digits/);
      rejects(() => fromEscaped('x\\u{110000}'), 1, /above U\+10FFFF/);
      rejects(() => fromEscaped('\\u{D800}'), 0, /surrogate/);
      rejects(() => fromEscaped('\\u0041'), 0, /code point in braces/);
      rejects(() => fromEscaped('end\\'), 3, /lone backslash/);
    });
    it('toEscaped writes ASCII only', () => {
      assert.equal(toEscaped(bytes(0x68, 0x00, 0x0a, 0x5c, 0xc3, 0xa9, 0x7f)), 'h\\0\\n\\\\\\xc3\\xa9\\x7f');
    });
  });

  describe('decodeText (display)', () => {
    it('shows control bytes, invalid UTF-8 and backslashes as escapes and keeps valid characters', () => {
      assert.equal(decodeText(encodePayload('ping 1', 'text')), 'ping 1');
      assert.equal(decodeText(bytes(0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x7f)), '\\0\\t\\n\\r\\x1b\\x7f');
      assert.equal(decodeText(bytes(0xc3, 0xa9, 0xff, 0xc3)), 'é\\xff\\xc3');
      assert.equal(decodeText(bytes(0x5c)), '\\\\');
    });
    it('escapes overlong forms and encoded surrogates byte by byte', () => {
      assert.equal(decodeText(bytes(0xc0, 0xaf)), '\\xc0\\xaf');
      assert.equal(decodeText(bytes(0xed, 0xa0, 0x80)), '\\xed\\xa0\\x80');
      assert.equal(decodeText(bytes(0xf4, 0x90, 0x80, 0x80)), '\\xf4\\x90\\x80\\x80');
    });
    it('escapes invisible and reordering code points, and a real U+FFFD', () => {
      assert.equal(decodeText(encodePayload('a\u200bb\u202ec\ufeff\ufffd\u0085', 'text')), 'a\\u{200b}b\\u{202e}c\\u{feff}\\u{fffd}\\u{85}');
    });
    it('keeps line breaks when asked', () => {
      assert.equal(decodeText(encodePayload('a\r\nb\nc\rd', 'text'), { keepNewlines: true }), 'a\r\nb\nc\\rd');
    });
  });

  describe('hexDump', () => {
    it('writes offset | 8 + 8 bytes | ASCII, padding the last line', () => {
      const data = encodePayload('Hello, UDP\\n\\0\\x01\\x02\\x03\\x04\\x05 and more', 'escaped');
      assert.equal(
        hexDump(data),
        [
          '0000   48 65 6c 6c 6f 2c 20 55  44 50 0a 00 01 02 03 04   Hello, UDP......',
          '0010   05 20 61 6e 64 20 6d 6f  72 65                     . and more',
        ].join('\n'),
      );
      assert.equal(hexDump(bytes()), '');
      assert.equal(hexDump(bytes(0x41)), '0000   41                                                 A');
    });
    it('widens the offset column past 64 KiB', () => {
      const lines = hexDump(new Uint8Array(0x10010)).split('\n');
      assert.equal(lines.length, 0x1001);
      assert.match(lines[lines.length - 1]!, /^10000 {3}00/);
    });
  });

  it('looksLikeHex tells hex bytes from words and numbers', () => {
    for (const yes of ['01 02 ff', '0x01', 'de:ad:be:ef', '48656c6c6f', 'ff\n00', '0xdeadbeef']) assert.equal(looksLikeHex(yes), true, yes);
    for (const no of ['hello', 'cafe', 'deadbeef', '1234', 'ab', '1 2', '01 02 0', 'ping 12', '', 'a']) assert.equal(looksLikeHex(no), false, no);
  });

  it('tryEncodePayload and formatPayload report instead of throwing', () => {
    assert.deepEqual(tryEncodePayload('01', 'hex'), { ok: true, value: bytes(1) });
    const bad = tryEncodePayload('0', 'hex');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /^Invalid hex at position 0/);
    assert.deepEqual(formatPayload(bytes(0x68, 0x69), 'text'), { ok: true, value: 'hi' });
    assert.equal(formatPayload(bytes(0xff), 'text').ok, false);
    assert.deepEqual(formatPayload(bytes(0xff), 'escaped'), { ok: true, value: '\\xff' });
    assert.deepEqual(formatPayload(bytes(0xff), 'base64'), { ok: true, value: '/w==' });
  });
});
