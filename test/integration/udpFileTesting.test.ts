// `.udp` files in Test Explorer and under Workspace Trust, in a real VS Code: every block with Expect is a test
// item grouped by file; a run (started the way the editor starts it) reports passes with the round-trip time and
// failures with what arrived instead or "no reply within …"; in an untrusted workspace nothing sends or listens.
//
// The harness opens its workspace trusted (code-server cannot be made to ask), so "untrusted" here is the gate's
// simulation through the test hook — the same gate object every lens, command and test run goes through, and
// which can only take permission away. test/unit/host/udpTrustGate.test.ts proves the gate with a real runner.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/udpFile';
import type { UdpLabApi } from '../../src/host/api';
import type { RecordedTestRun } from '../../src/host/udpFile/testController';
import { within, type TestPeer } from './support/surface';
import { surfaceSuite } from './support/suite';
import { freePort, lensesOf, lineOf, openUdpFile, when, workbenchKnowsTests, workspaceRoot } from './support/udpFiles';

describe('.udp files in Test Explorer and under Workspace Trust', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({
    onApi: (api) => (udp = api),
    onPeer: (p) => (peer = p),
    tearDown: () => udp.udpFiles.simulateUntrusted(false),
    closeEditors: true,
  });

  const fileItem = (uri: vscode.Uri) => udp.udpFiles.testItems().find((f) => f.id === uri.toString());

  it('discovers the workspace’s .udp files: each block with Expect is a test, grouped by file', async () => {
    await udp.udpFiles.discoverTests();
    const echo = fileItem(vscode.Uri.joinPath(workspaceRoot(), 'echo.udp'));
    assert.ok(echo, `echo.udp is not in Test Explorer: ${JSON.stringify(udp.udpFiles.testItems().map((f) => f.label))}`);
    assert.equal(echo.label, 'echo.udp');
    assert.deepEqual(
      echo.children.map((c) => c.label),
      ['ping', 'ping-again', 'what time is it'],
      'the responder and blocks without Expect are not tests',
    );
    const bytes = fileItem(vscode.Uri.joinPath(workspaceRoot(), 'bytes.udp'));
    assert.deepEqual(bytes?.children.map((c) => c.label), ['hello bytes', 'random tail']);
  });

  it('keeps the test items in sync with edits, new files and deleted files', async () => {
    const editor = await openUdpFile('sync.udp', '### one\nSEND udp://127.0.0.1:9\nExpect: /x/\n\nx\n');
    const uri = editor.document.uri;
    await when(udp.udpFiles.onDidSyncTests, () => (fileItem(uri)?.children.length === 1 ? true : undefined), 'the first test item');
    await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '\n### two\nSEND udp://127.0.0.1:9\nExpect-Hex: 01\n\nx\n'));
    await when(udp.udpFiles.onDidSyncTests, () => (fileItem(uri)?.children.map((c) => c.label).join() === 'one,two' ? true : undefined), 'the new block as a test');
    await editor.document.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(uri);
    await when(udp.udpFiles.onDidSyncTests, () => (fileItem(uri) === undefined ? true : undefined), 'the deleted file to leave Test Explorer');
  });

  it('a run from the editor reports a pass with the round-trip time and failures with what arrived or that nothing did', async () => {
    const [port, silentPort] = [await freePort(), await freePort()];
    const editor = await openUdpFile(
      'checks.udp',
      [
        `@port = ${port}`,
        '',
        '### responder',
        'LISTEN udp://127.0.0.1:{{port}}',
        'Respond: /^ping (\\d+)$/ -> pong {{$1}}',
        '',
        '### good',
        'SEND udp://127.0.0.1:{{port}}',
        'Expect: /^pong \\d+$/ within 2000 ms',
        '',
        'ping {{$seq}}',
        '',
        '### wrong',
        'SEND udp://127.0.0.1:{{port}}',
        'Expect: /^PONG/ within 2000 ms',
        '',
        'ping 42',
        '',
        '### silent',
        `SEND udp://127.0.0.1:${silentPort}`,
        'Expect: /^pong/ within 300 ms',
        '',
        'hello?',
        '',
      ].join('\n'),
    );
    const uri = editor.document.uri;
    const tests = await when(udp.udpFiles.onDidSyncTests, () => (fileItem(uri)?.children.length === 3 ? fileItem(uri)!.children : undefined), 'the three tests');
    // The workbench learns of new test items up to 200 ms after the extension made them (VS Code batches them);
    // Run Tests in Current File before that finds nothing to run — in a loaded full run, this test then waited
    // 60 s for a run that never started.
    await workbenchKnowsTests(uri, tests.map((t) => t.id));

    // Started the way the editor starts it (the workbench's own command), read back from what the run reported.
    const recorded = new Promise<RecordedTestRun>((resolve) => {
      const sub = udp.udpFiles.onDidRecordTestRun((run) => {
        if (!run.tests.some((t) => t.uri === uri.toString())) return;
        sub.dispose();
        resolve(run);
      });
    });
    // With the file as argument, the workbench runs the tests it knows under that URI and resolves when the run ended.
    const started = await vscode.commands.executeCommand<{ completedAt?: number }>('testing.runCurrentFile', [uri]);
    assert.ok(started?.completedAt !== undefined, 'the workbench found the file’s tests and ran them');
    const run = await within(recorded, 5000, 'the run the workbench reported as complete');
    const outcome = (label: string) => run.tests.find((t) => t.label === label);

    assert.equal(outcome('good')?.outcome, 'passed', JSON.stringify(run.tests));
    const rtt = outcome('good')?.durationMs;
    assert.ok(typeof rtt === 'number' && rtt >= 0 && rtt < 2000, `a pass reports the round-trip time as its duration, got ${rtt}`);
    assert.match(outcome('good')!.message, /^"pong \d+" · [\d.]+ (ms|s)$/);

    assert.equal(outcome('wrong')?.outcome, 'failed');
    assert.equal(outcome('wrong')?.message, `expected /^PONG/ but got "pong 42" from 127.0.0.1:${port}`);

    assert.equal(outcome('silent')?.outcome, 'failed');
    assert.equal(outcome('silent')?.message, 'no reply within 300 ms');

    // The results are also drawn next to the blocks.
    const inline = udp.udpFiles.inlineResults(uri);
    assert.match(inline.get(lineOf(editor.document, 'Expect: /^pong \\d') - 1) ?? '', /^✓ "pong \d+"/);
    assert.equal(inline.get(lineOf(editor.document, `SEND udp://127.0.0.1:${silentPort}`)), '✗ no reply within 300 ms');
  });

  it('one test runs with the responder it needs', async () => {
    const port = await freePort();
    const editor = await openUdpFile(
      'single.udp',
      `### responder\nLISTEN udp://127.0.0.1:${port}\nRespond: /^ping$/ -> pong\n\n### solo\nSEND udp://127.0.0.1:${port}\nExpect: /^pong$/ within 2000 ms\n\nping\n`,
    );
    const uri = editor.document.uri;
    const item = await when(udp.udpFiles.onDidSyncTests, () => fileItem(uri)?.children[0], 'the test item');
    const run = await udp.udpFiles.runTests([item.id]);
    assert.deepEqual(
      run.tests.map((t) => `${t.label}: ${t.outcome}`),
      ['solo: passed'],
    );
    const responder = udp.udpFiles.inlineResults(uri).get(1);
    assert.match(responder ?? '', /^■ listened on .*: received 1 datagram, answered 1 {2}\(ran for another block\)$/);
  });

  it('a LISTEN test already listening from its lens is not bound again: it is skipped with the reason, and the test that needs it uses it', async () => {
    const port = await freePort();
    const editor = await openUdpFile(
      'lensbusy.udp',
      `### echo\nLISTEN udp://127.0.0.1:${port}\nRespond: /^ping$/ -> pong\nExpect: /^ping$/ within 2000 ms\n\n### ask\nSEND udp://127.0.0.1:{{echo.port}}\nExpect: /^pong$/ within 2000 ms\n\nping\n`,
    );
    const uri = editor.document.uri;
    const items = await when(udp.udpFiles.onDidSyncTests, () => (fileItem(uri)?.children.length === 2 ? fileItem(uri)!.children : undefined), 'the two tests');
    const [listen] = (await lensesOf(uri)).filter((l) => l.title.endsWith('Listen'));
    assert.ok(listen);
    await vscode.commands.executeCommand(listen.command, ...listen.args);
    assert.equal(udp.udpFiles.activeListeners().length, 1);

    const run = await udp.udpFiles.runTests(items.map((i) => i.id));
    const outcome = (label: string) => run.tests.find((t) => t.label === label);
    assert.equal(outcome('ask')?.outcome, 'passed', JSON.stringify(run.tests));
    assert.match(outcome('ask')!.message, /^"pong" · /);
    assert.deepEqual(
      [outcome('echo')?.outcome, outcome('echo')?.message],
      ['skipped', 'not run: this block is already listening from its Listen lens. Stop it there to test it here'],
    );
    assert.equal(udp.udpFiles.activeListeners().length, 1, 'the lens listener is still up');
  });

  it('untrusted: lenses say why, and neither lenses, commands nor Test Explorer send or listen', async () => {
    const port = await freePort();
    const editor = await openUdpFile(
      'untrusted.udp',
      `### to peer\nSEND udp://127.0.0.1:${peer.port}\nExpect: /^pong/ within 300 ms\n\nping\n\n### server\nLISTEN udp://127.0.0.1:${port}\n`,
    );
    const uri = editor.document.uri;
    const trustedLenses = await lensesOf(uri);
    const send = trustedLenses.find((l) => l.title.endsWith('Send'));
    const listen = trustedLenses.find((l) => l.title.endsWith('Listen'));
    assert.ok(send && listen);

    udp.udpFiles.simulateUntrusted(true);
    assert.equal(udp.udpFiles.trusted, false);
    const lenses = await lensesOf(uri);
    assert.deepEqual(
      lenses.map((l) => l.title.replace(/^\$\([^)]*\)\s*/, '')),
      ['Sending is disabled in untrusted workspaces', 'Listening is disabled in untrusted workspaces'],
    );
    assert.ok(lenses.every((l) => l.command === 'workbench.trust.manage'), 'the untrusted lens leads to Manage Workspace Trust');

    // A lens drawn before trust was withdrawn (or a keybinding) still reaches the gate: nothing leaves.
    const opened: string[] = [];
    const watch = udp.registry.onDidChange((e) => {
      if (e.kind === 'added') opened.push(e.id);
    });
    try {
      const refused = await vscode.commands.executeCommand<RunResult>(send.command, ...send.args);
      assert.equal(refused.results[0]?.status, 'error');
      assert.match(refused.results[0]?.message ?? '', /^Sending is disabled in untrusted workspaces/);
      await vscode.commands.executeCommand(listen.command, ...listen.args);
      const tests = await udp.udpFiles.runTests([uri.toString()]);
      assert.deepEqual(
        tests.tests.map((t) => `${t.outcome}: ${t.message}`),
        ['errored: Sending is disabled in untrusted workspaces. Trust this workspace (Manage Workspace Trust) to run its .udp files.'],
      );
      assert.deepEqual(opened, [], 'no socket was opened');
      assert.equal(udp.udpFiles.activeListeners().length, 0);
      assert.equal(peer.received.length, 0, 'the test socket received nothing');
      assert.match(udp.udpFiles.inlineResults(uri).get(lineOf(editor.document, 'LISTEN')) ?? '', /^✗ Listening is disabled in untrusted workspaces/);
    } finally {
      watch.dispose();
    }

    // Trust back: the same lens sends.
    udp.udpFiles.simulateUntrusted(false);
    const result = await vscode.commands.executeCommand<RunResult>(send.command, ...send.args);
    assert.equal(result.results[0]?.status, 'sent');
    await peer.receivedCount(1);
  });
});
