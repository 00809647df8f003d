// The installed .vsix works on its own: it is the copy VS Code loaded (not the repository), it holds every
// file its manifest points at, it activates, and it registers every command it contributes.
// Named *.suite.ts so the development run (test/integration/index.ts, *.test.js) does not pick it up.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { contributedCommands, udpLab } from '../support/extension';

describe('UDP Lab installed from the packaged .vsix', () => {
  it('is the installed copy, not a development folder', () => {
    const ext = udpLab();
    assert.match(ext.extensionPath, /udp-lab\.udp-lab-\d+\.\d+\.\d+/, `loaded from ${ext.extensionPath}`);
    assert.ok(!fs.existsSync(path.join(ext.extensionPath, 'src')), 'the installed extension contains src/: .vscodeignore lets sources in');
  });

  it('contains every file its manifest needs', () => {
    const ext = udpLab();
    const expected = (process.env.UDP_LAB_EXPECT_FILES ?? '').split(',').filter(Boolean);
    assert.ok(expected.length > 0, 'UDP_LAB_EXPECT_FILES is empty: the harness did not pass the expected file list');
    const missing = expected.filter((f) => !fs.existsSync(path.join(ext.extensionPath, f)));
    assert.deepEqual(missing, [], `missing from the installed extension: ${missing.join(', ')}`);
  });

  it('activates', async () => {
    const ext = udpLab();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('loads its .udp support (dist/udpFiles.js, required on first use) from the installed copy', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'udp', content: '@port = 47199\n\n### ping\nSEND udp://127.0.0.1:{{port}}\n\nping\n' });
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', document.uri);
    assert.deepEqual(
      (symbols ?? []).map((s) => s.name),
      ['@port', 'ping'],
      'the outline of a .udp document comes from the lazily loaded bundle: nothing answered, so it did not load',
    );
  });

  it('opens the Messages panel (dist/panel.js, required on first open) from the installed copy', async () => {
    const panelTabs = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('udpLab.messages'));
    const testing = (udpLab().exports as { testing: { shownMessages(): ReadonlyArray<{ message: string }> } }).testing;
    const tabShown = new Promise<void>((resolve) => {
      const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
        if (panelTabs().length === 0) return;
        sub.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('udpLab.showMessages');
    // The panel is created only after its bundle loaded (messagesPanel.ts); if it could not load, the command
    // said so instead and no tab comes.
    const errors = testing.shownMessages().map((m) => m.message);
    assert.deepEqual(errors, [], 'UDP: Show Messages reported an error');
    if (panelTabs().length === 0) await tabShown;
    await vscode.window.tabGroups.close(panelTabs());
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommands().filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
