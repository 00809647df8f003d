// @vscode/test-cli configuration: the same integration suites as `npm run test:integration`, but in a desktop
// VS Code that @vscode/test-electron downloads (needs internet and a display, e.g. xvfb-run on Linux).
//   npm run test:electron                          build, then run every suite
//   npm run test:electron -- --grep "sockets view"  only matching tests
// Not part of CI: CI runs the suites in code-server (scripts/integration/run.js), which works offline.
// Suites that drive the browser (support/uiDriver.ts) need that runner and are skipped here; they say so.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A throw-away copy of the sample workspace, so suites may write files without touching the repository.
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-electron-'));
fs.cpSync('sample-workspace', workspace, { recursive: true });

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  extensionDevelopmentPath: '.',
  workspaceFolder: workspace,
  version: 'stable',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'bdd', timeout: 20000, forbidOnly: true },
});
