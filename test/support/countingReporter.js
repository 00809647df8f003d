// Mocha's spec reporter, plus a summary file for scripts/test-all.js when UDP_LAB_RESULTS_FILE is set:
// the counts and, for each failure, its full title and the first line of its error, so the end of a long CI
// log says which test failed (CI shows only the tail).
// Used by every mocha run: unit (Node), webview (Node driving Chromium) and integration (inside VS Code).
'use strict';
const Mocha = require('mocha');
const fs = require('fs');
const path = require('path');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, err) => {
      const message = String((err && err.message) || err).split('\n')[0].slice(0, 300);
      failures.push({ title: test.fullTitle(), message });
    });
    runner.once('end', () => {
      const file = process.env.UDP_LAB_RESULTS_FILE;
      if (!file) return;
      const s = runner.stats || this.stats;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, failures }));
    });
  }
}
module.exports = CountingReporter;
