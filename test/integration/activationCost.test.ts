// UDP Lab does no work before first use, and activating it is cheap. Whether it is active is read when this
// file is loaded — before any suite runs — so what is checked is the workbench's own startup, not the order
// of the suites. `npm run bench` runs this test alone (--grep "activation cost") and reads the time it
// measured from $UDP_LAB_BENCH_ACTIVATION_FILE.
import * as assert from 'assert';
import * as fs from 'fs';
import { udpLab } from './support/extension';
import { TEST_LINE_MARKER } from './support/runMocha';

const activeAtStartup = udpLab().isActive;

describe('UDP Lab activation cost', () => {
  it('is not active until a UDP Lab feature is used, then activates', async () => {
    const ext = udpLab();
    const activeBefore = ext.isActive;
    const started = performance.now();
    await ext.activate();
    const activationMs = performance.now() - started;
    // Only meaningful when this test activated it (run alone, as the bench does).
    if (!activeBefore) console.log(`${TEST_LINE_MARKER}  activation took ${activationMs.toFixed(1)} ms`);
    const file = process.env.UDP_LAB_BENCH_ACTIVATION_FILE;
    if (file) fs.writeFileSync(file, JSON.stringify({ activeAtStartup, activeBefore, activationMs: activeBefore ? null : activationMs }));
    assert.equal(activeAtStartup, false, 'UDP Lab was already active when the workbench had started: something activates it eagerly');
    assert.equal(ext.isActive, true);
  });
});
