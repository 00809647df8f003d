// The bundles dist/extension.js loads on first use (dist/udpFiles.js, dist/panel.js) carry their own copy of
// core/errors, and errors cross between them: the Messages panel's session catches what the main bundle's
// registry threw and shows its `userMessage`. `instanceof UdpLabError` must hold for an error made by any copy.
// The second copy here is made the way esbuild.js makes the lazy bundles: core/errors bundled on its own.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type * as ErrorsModuleType from '../../../src/core/errors';
import { toUdpLabError, UdpLabError, validationError } from '../../../src/core/errors';

type ErrorsModule = typeof ErrorsModuleType;

describe('UdpLabError across bundle copies', () => {
  let dir: string;
  let other: ErrorsModule;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-errors-'));
    const outfile = path.join(dir, 'errors.js');
    buildSync({ entryPoints: [path.join(__dirname, '../../../src/core/errors.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    other = require(outfile) as ErrorsModule;
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is a second copy: its class is not this one', () => {
    assert.notEqual(other.UdpLabError, UdpLabError);
  });

  it('recognises an error made by the other copy, and the other copy recognises ours', () => {
    const theirs = other.validationError('Port 70000 is out of range (VALIDATION).');
    const ours = toUdpLabError(Object.assign(new Error('in use'), { code: 'EADDRINUSE' }), { operation: 'bind', local: { address: '127.0.0.1', port: 5000 } });
    assert.ok(theirs instanceof UdpLabError);
    assert.ok(ours instanceof other.UdpLabError);
    assert.ok(other.isUdpLabError(validationError('x')));
    assert.equal(theirs.userMessage, 'Port 70000 is out of range (VALIDATION).');
  });

  it('recognises nothing else: not a plain Error named UdpLabError, not a look-alike object', () => {
    const named = Object.assign(new Error('x'), { name: 'UdpLabError', userMessage: 'x', code: 'VALIDATION' });
    assert.equal(named instanceof UdpLabError, false);
    assert.equal({ userMessage: 'x', code: 'X' } instanceof UdpLabError, false);
    const nothing: unknown = null;
    assert.equal(nothing instanceof UdpLabError, false);
    assert.equal(new Error('x') instanceof other.UdpLabError, false);
  });
});
