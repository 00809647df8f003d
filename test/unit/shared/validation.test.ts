import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { checkPayloadSize, parseBindSpec, parseHostPort, validateAddress, validatePort, type Validation } from '../../../src/shared/validation';

function failsWith<T>(result: Validation<T>, pattern: RegExp): void {
  assert.equal(result.ok, false, `expected failure, got ${JSON.stringify(result)}`);
  if (!result.ok) {
    assert.match(result.message, pattern);
    // Every message is a sentence: a capital (or quoted input) first, a full stop last.
    assert.match(result.message, /^["A-Z].*\.$/s, result.message);
  }
}

describe('validation', () => {
  describe('validatePort', () => {
    it('accepts integers 0–65535 as numbers or strings', () => {
      for (const p of [0, 1, 53, 65535]) {
        assert.deepEqual(validatePort(p), { ok: true, value: p });
        assert.deepEqual(validatePort(String(p)), { ok: true, value: p });
      }
      assert.deepEqual(validatePort(' 9000 '), { ok: true, value: 9000 });
    });
    it('rejects -1, 65536, 1.5, abc, the empty string and number look-alikes', () => {
      failsWith(validatePort('-1'), /not a whole number/);
      failsWith(validatePort(-1), /out of range/);
      failsWith(validatePort('65536'), /Port 65536 is out of range. Use a number from 0 to 65535\./);
      failsWith(validatePort(65536), /out of range/);
      failsWith(validatePort('1.5'), /not a whole number/);
      failsWith(validatePort(1.5), /not a whole number/);
      failsWith(validatePort('abc'), /"abc" is not a whole number/);
      failsWith(validatePort(''), /empty/);
      failsWith(validatePort('   '), /empty/);
      for (const sneaky of ['1e3', '0x50', '+5', '99999999999999999999', 'NaN', 'Infinity']) failsWith(validatePort(sneaky), /Port/);
      failsWith(validatePort(Number.NaN), /not a whole number/);
    });
    it('agrees with the integer range for any number (property)', () => {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ min: -100000, max: 100000 }), fc.double()), (n) => {
          const expected = Number.isInteger(n) && n >= 0 && n <= 65535;
          assert.equal(validatePort(n).ok, expected);
          if (Number.isInteger(n) && n >= 0) assert.equal(validatePort(String(n)).ok, expected);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('validateAddress', () => {
    it('accepts IPv4 addresses', () => {
      assert.deepEqual(validateAddress('127.0.0.1'), { ok: true, value: { kind: 'ipv4', address: '127.0.0.1' } });
      assert.equal(validateAddress('255.255.255.255').ok, true);
      assert.equal(validateAddress('0.0.0.0').ok, true);
    });
    it('rejects malformed IPv4 addresses with the reason', () => {
      failsWith(validateAddress('256.1.1.1'), /IPv4.*256 is larger than 255/);
      failsWith(validateAddress('1.2.3'), /IPv4.*four numbers/);
      failsWith(validateAddress('01.2.3.4'), /leading zero/);
      failsWith(validateAddress('1.2.3.4.5'), /four numbers/);
    });
    it('accepts IPv6 forms, brackets and zones', () => {
      for (const a of ['::1', '::', 'fe80::1', '2001:db8::8a2e:370:7334', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1', '1::', '1:2:3:4:5:6::8']) {
        const r = validateAddress(a);
        assert.ok(r.ok && r.value.kind === 'ipv6', a);
      }
      assert.deepEqual(validateAddress('[::1]'), { ok: true, value: { kind: 'ipv6', address: '::1' } });
      assert.deepEqual(validateAddress('fe80::1%eth0'), { ok: true, value: { kind: 'ipv6', address: 'fe80::1%eth0', scope: 'eth0' } });
      assert.deepEqual(validateAddress('fe80::1%2'), { ok: true, value: { kind: 'ipv6', address: 'fe80::1%2', scope: '2' } });
    });
    it('rejects malformed IPv6 with the reason', () => {
      failsWith(validateAddress('1::2::3'), /"::" may appear only once/);
      failsWith(validateAddress('12345::1'), /more than four hex digits/);
      failsWith(validateAddress('1:2:3:4:5:6:7'), /7 groups instead of 8/);
      failsWith(validateAddress('1:2:3:4:5:6:7:8:9'), /9 groups/);
      failsWith(validateAddress('::g'), /hex digits/);
      failsWith(validateAddress('fe80::1%'), /empty zone/);
      failsWith(validateAddress('fe80::1%a b'), /zone/);
      failsWith(validateAddress('1:2:3:4:5:6:7::8'), /too many groups/);
    });
    it('accepts RFC 1123 host names and rejects broken ones', () => {
      for (const h of ['localhost', 'example.com', 'a-b.c0', '3com.net', 'x.example.org.', 'A'.repeat(63)]) {
        assert.deepEqual(validateAddress(h), { ok: true, value: { kind: 'hostname', address: h } }, h);
      }
      failsWith(validateAddress('-bad.com'), /hyphen/);
      failsWith(validateAddress('bad-.com'), /hyphen/);
      failsWith(validateAddress('a..b'), /empty label/);
      failsWith(validateAddress('under_score.com'), /"_"/);
      failsWith(validateAddress('has space'), /a space/);
      failsWith(validateAddress('a'.repeat(64) + '.com'), /longer than 63/);
      failsWith(validateAddress(('a'.repeat(60) + '.').repeat(5)), /at most 253/);
      failsWith(validateAddress('host.123'), /cannot end in a number/);
      failsWith(validateAddress(''), /empty/);
    });
  });

  describe('parseHostPort', () => {
    it('parses host:port, [v6]:port and udp:// forms', () => {
      assert.deepEqual(parseHostPort('127.0.0.1:9000'), { ok: true, value: { host: '127.0.0.1', port: 9000, kind: 'ipv4' } });
      assert.deepEqual(parseHostPort('[::1]:5000'), { ok: true, value: { host: '::1', port: 5000, kind: 'ipv6' } });
      assert.deepEqual(parseHostPort('udp://localhost:53'), { ok: true, value: { host: 'localhost', port: 53, kind: 'hostname' } });
      assert.deepEqual(parseHostPort('udp://[fe80::1%lo]:7/'), { ok: true, value: { host: 'fe80::1%lo', port: 7, kind: 'ipv6' } });
      assert.deepEqual(parseHostPort('UDP://127.0.0.1:0'), { ok: true, value: { host: '127.0.0.1', port: 0, kind: 'ipv4' } });
    });
    it('explains what is missing or wrong', () => {
      failsWith(parseHostPort('127.0.0.1'), /has no port/);
      failsWith(parseHostPort('127.0.0.1:'), /no port after ":"/);
      failsWith(parseHostPort(':9000'), /no host/);
      failsWith(parseHostPort('::1:5000'), /IPv6 address without brackets. Write it as \[::1\]:5000/);
      failsWith(parseHostPort('[::1:5000'), /never closes/);
      failsWith(parseHostPort('[::1]5000'), /no port after "\]"/);
      failsWith(parseHostPort('http://example.com:80'), /udp:\/\/host:port/);
      failsWith(parseHostPort('127.0.0.1:70000'), /out of range/);
      failsWith(parseHostPort('bad_host:1'), /host name/);
      failsWith(parseHostPort(''), /empty/);
    });
    it('parseBindSpec accepts a bare port too', () => {
      assert.deepEqual(parseBindSpec('9000'), { ok: true, value: { port: 9000 } });
      assert.deepEqual(parseBindSpec(':9000'), { ok: true, value: { port: 9000 } });
      assert.deepEqual(parseBindSpec('udp://:9000'), { ok: true, value: { port: 9000 } });
      assert.deepEqual(parseBindSpec('[::1]:9000'), { ok: true, value: { host: '::1', port: 9000, kind: 'ipv6' } });
      failsWith(parseBindSpec('99999'), /out of range/);
    });
  });

  describe('checkPayloadSize', () => {
    it('allows up to 65 507 bytes on IPv4 and 65 527 on IPv6', () => {
      assert.equal(checkPayloadSize(65507, 'IPv4').error, undefined);
      assert.match(checkPayloadSize(65508, 'IPv4').error ?? '', /65 508 bytes, more than the 65 507 bytes.*IPv4 can carry \(EMSGSIZE\)\./);
      assert.equal(checkPayloadSize(65527, 'IPv6').error, undefined);
      assert.match(checkPayloadSize(65528, 'IPv6').error ?? '', /65 527/);
    });
    it('warns above 1 472 / 1 232 bytes that the datagram will be fragmented', () => {
      assert.deepEqual(checkPayloadSize(1472, 'IPv4'), {});
      assert.match(checkPayloadSize(1473, 'IPv4').warning ?? '', /fragmented and may be dropped/);
      assert.deepEqual(checkPayloadSize(1232, 'IPv6'), {});
      assert.match(checkPayloadSize(1233, 'IPv6').warning ?? '', /1 232 bytes.*fragmented/);
      assert.deepEqual(checkPayloadSize(0, 'IPv4'), {});
    });
  });
});
