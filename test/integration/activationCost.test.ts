// UDP Lab does no work before first use, and activating it is cheap. Whether it is active is read when this
// file is loaded — before any suite runs — so what is checked is the workbench's own startup, not the order
// of the suites. `npm run bench` runs this test alone (--grep "activation cost") and reads what it measured
// from $UDP_LAB_BENCH_ACTIVATION_FILE:
//   - codeLoadingMs: reading, compiling and evaluating the extension's bundle (a fresh require of `main`);
//   - activationMs: `ext.activate()` from inactive (loading + activate()), when this test is what activates it;
//   - lazyLoadingMs: the same for each bundle the extension require()s on first use (dist/udpFiles.js: the `.udp`
//     feature; dist/panel.js: a Messages panel's session), which an activation that does not use them never pays.
// With $UDP_LAB_BENCH_ACTIVATION_PROFILE set (`npm run bench -- --cpu-prof`), the extension host's CPU profile
// of that activation is written there, to see where the time goes.
import * as assert from 'assert';
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import { udpLab } from './support/extension';
import { TEST_LINE_MARKER } from './support/runMocha';

const activeAtStartup = udpLab().isActive;

/** Loads the bundle again as a new module instance (its top level only defines things; nothing is activated). */
function measureCodeLoading(mainFile: string): number {
  const resolved = require.resolve(mainFile);
  const cached = require.cache[resolved];
  delete require.cache[resolved];
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(resolved);
  const ms = performance.now() - started;
  if (cached) require.cache[resolved] = cached;
  else delete require.cache[resolved];
  return ms;
}

/** Starts a CPU profile of this extension host; the returned function stops it and writes it to `file`. */
async function startProfile(file: string): Promise<() => Promise<void>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

describe('UDP Lab activation cost', () => {
  it('is not active until a UDP Lab feature is used, then activates', async () => {
    const ext = udpLab();
    const activeBefore = ext.isActive;
    const profileFile = process.env.UDP_LAB_BENCH_ACTIVATION_PROFILE;
    const stopProfile = profileFile && !activeBefore ? await startProfile(profileFile) : undefined;
    const started = performance.now();
    await ext.activate();
    const activationMs = activeBefore ? null : performance.now() - started;
    await stopProfile?.();
    const main = (ext.packageJSON as { main?: string }).main ?? './dist/extension.js';
    const codeLoadingMs = measureCodeLoading(path.join(ext.extensionPath, main));
    const lazyLoadingMs: Record<string, number> = {};
    for (const bundle of ['udpFiles.js', 'panel.js']) {
      const file = path.join(ext.extensionPath, 'dist', bundle);
      if (fs.existsSync(file)) lazyLoadingMs[bundle] = measureCodeLoading(file);
    }
    console.log(
      `${TEST_LINE_MARKER}  code loading ${codeLoadingMs.toFixed(1)} ms; ` +
        (activationMs === null ? `already active (${activeAtStartup ? 'at startup' : 'activated by an earlier suite'})` : `activation ${activationMs.toFixed(1)} ms`),
    );
    const file = process.env.UDP_LAB_BENCH_ACTIVATION_FILE;
    if (file) fs.writeFileSync(file, JSON.stringify({ activeAtStartup, activeBefore, activationMs, codeLoadingMs, lazyLoadingMs }));
    assert.equal(activeAtStartup, false, 'UDP Lab was already active when the workbench had started: something activates it eagerly');
    assert.equal(ext.isActive, true);
  });
});
