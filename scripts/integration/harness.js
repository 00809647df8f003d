// The frame every harness script (integration run, npm start, screenshots) runs in:
//   - named phases with time limits, so a hang ends with "Timed out after 60 s in phase …" instead of forever;
//   - one cleanup path for success, failure, timeout, Ctrl+C and SIGTERM: registered closers first (the
//     browser, politely), then every descendant process by pid (see processes.js), then the temp folder;
//   - a short temp root (/tmp/ul-XXXXXX): VS Code puts unix sockets under user-data and TMPDIR, and socket
//     paths longer than 107 bytes make its internal services fail.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { killDescendants, killDescendantsSync } = require('./processes');

class PhaseTimeout extends Error {
  constructor(phase, seconds, hint) {
    super(`Timed out after ${seconds} s in phase "${phase}".${hint ? ` ${hint}` : ''}`);
    this.phase = phase;
  }
}

class Harness {
  /** @param {{ keepTemp?: boolean, interruptExitCode?: number }} options */
  constructor({ keepTemp = false, interruptExitCode = 130 } = {}) {
    this.keepTemp = keepTemp;
    this.phase = 'starting';
    this.closers = [];
    this.shuttingDown = false;
    // mkdtemp under /tmp (not os.tmpdir(), which may be long) keeps socket paths short.
    this.tmp = fs.mkdtempSync(path.join(fs.existsSync('/tmp') ? '/tmp' : os.tmpdir(), 'ul-'));
    this.started = Date.now();
    this.timings = [];

    const onSignal = (sig) => {
      if (this.shuttingDown) return;
      if (sig === 'SIGINT' && interruptExitCode === 0) console.log('\nStopping…');
      else console.error(`\n✘ ${sig === 'SIGINT' ? 'Interrupted (Ctrl+C)' : `Received ${sig}`} during phase "${this.phase}"; stopping everything the harness started…`);
      void this.shutdown().then(() => process.exit(sig === 'SIGINT' ? interruptExitCode : 143));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    // Last resort when the process ends some other way (an uncaught error, process.exit elsewhere).
    process.on('exit', () => {
      const n = killDescendantsSync();
      if (n > 0) console.error(`(killed ${n} leftover process${n === 1 ? '' : 'es'} on exit)`);
      if (!this.keepTemp) fs.rmSync(this.tmp, { recursive: true, force: true });
    });
  }

  /** A folder under the short temp root. */
  dir(name) {
    const d = path.join(this.tmp, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  /** Something to close before processes are killed (e.g. the Playwright browser context). */
  onShutdown(closer) {
    this.closers.push(closer);
  }

  /**
   * Runs `fn` as phase `name`; rejects with a PhaseTimeout naming the phase when it takes longer than
   * `seconds`. `hint` tells the reader where to look. Records the phase's duration for the summary.
   */
  async step(name, seconds, fn, hint) {
    const previous = this.phase;
    this.phase = name;
    const started = Date.now();
    let timer;
    try {
      return await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new PhaseTimeout(name, seconds, hint)), seconds * 1000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.timings.push([name, (Date.now() - started) / 1000]);
      this.phase = previous;
    }
  }

  elapsed() {
    return (Date.now() - this.started) / 1000;
  }

  /** Stops everything this process started. Safe to call more than once. */
  async shutdown() {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const close of this.closers.reverse()) {
      await Promise.race([Promise.resolve().then(close).catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    }
    await killDescendants();
    if (!this.keepTemp) fs.rmSync(this.tmp, { recursive: true, force: true });
    else console.log(`temp folder kept: ${this.tmp}`);
  }
}

module.exports = { Harness, PhaseTimeout };
