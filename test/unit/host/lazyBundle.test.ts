// requireBundle: how dist/extension.js loads the bundles it does not carry (dist/udpFiles.js, dist/panel.js).
// A real file is required from disk; a missing one ends in a sentence naming the feature, the file and the way out.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { requireBundle, type LazyBundle } from '../../../src/host/lazyBundle';

/** Where requireBundle looks: next to the module (dist/ once bundled; src/host here). */
const HOST_DIR = path.join(__dirname, '../../../src/host');

const log = { error: () => undefined } as unknown as vscode.LogOutputChannel;

describe('requireBundle (lazily loaded bundles)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-lazy-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads the bundle and points its copy of the listener-error handler at the log', () => {
    const file = path.join(dir, 'feature.js');
    fs.writeFileSync(file, 'exports.logged = []; exports.logListenerErrors = (log) => exports.logged.push(log); exports.answer = 42;');
    const bundle = requireBundle<LazyBundle & { answer: number; logged: unknown[] }>(path.relative(HOST_DIR, file), 'the test feature', log);
    assert.equal(bundle.answer, 42);
    assert.deepEqual(bundle.logged, [log]);
  });

  it('says which feature and file could not be loaded, and what to do', () => {
    assert.throws(
      () => requireBundle(path.relative(HOST_DIR, path.join(dir, 'missing.js')), 'the test feature', log),
      (error: Error) => {
        assert.match(error.message, /^UDP Lab could not load the test feature \(.*missing\.js: Cannot find module/);
        assert.match(error.message, /Reinstall the extension/);
        return true;
      },
    );
  });
});
