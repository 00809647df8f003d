// Entry the workbench loads in the extension host (payload `extensionTestsPath`, or @vscode/test-electron):
// runs every integration suite. Adding a suite = adding a `test/integration/**/*.test.ts` file; esbuild bundles
// each one on its own into out/test/integration/, and this entry picks up every `*.test.js` there.
import * as vscode from 'vscode';
import { TEST_LINE_MARKER, findFiles, runMocha } from './support/runMocha';

export function run(): Promise<void> {
  // Names the real editor the suites run in; the harness log shows it.
  console.log(
    `${TEST_LINE_MARKER}UDP Lab integration tests in ${vscode.env.appName} ${vscode.version} ` +
      `(ui: ${vscode.UIKind[vscode.env.uiKind]}, remote: ${vscode.env.remoteName ?? 'none'}), extension host Node ${process.version}`,
  );
  return runMocha(findFiles(__dirname, '.test.js'));
}
