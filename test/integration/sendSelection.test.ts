// Send Selection from a real editor: one selection, several (one datagram each, top to bottom), none (the
// cursor's line), empty lines, a hex-looking document; the per-document target and its status-bar hint.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SendSelectionResult } from '../../src/host/commandIds';
import { api, closeAll, expectError, TestPeer, within } from './support/surface';

describe('UDP Lab Send Selection', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  let folder: string;
  let docs = 0;

  before(async () => {
    udp = await api();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-selection-'));
  });
  after(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    peer = await TestPeer.open();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await closeAll();
    await peer.close();
  });

  /**
   * Opens `content` as a new file on disk (not an untitled document: closing a dirty untitled editor asks to save,
   * which would block the next test) and waits until it is the active editor (the command reads that one).
   */
  async function editor(content: string): Promise<vscode.TextEditor> {
    const file = path.join(folder, `doc-${++docs}.txt`);
    fs.writeFileSync(file, content);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const active = new Promise<void>((resolve) => {
      if (vscode.window.activeTextEditor?.document === doc) return resolve();
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document !== doc) return;
        sub.dispose();
        resolve();
      });
    });
    const ed = await vscode.window.showTextDocument(doc);
    await within(active, 5000, 'the new document to become the active editor');
    return ed;
  }

  const sel = (l1: number, c1: number, l2: number, c2: number): vscode.Selection => new vscode.Selection(l1, c1, l2, c2);

  /**
   * Sets the selections, then makes one round trip to the workbench: messages between the extension host and the
   * workbench are ordered, so once it returns, the workbench has applied the selections and any echo of them (or
   * of an older state) has already arrived — nothing stale can overwrite them while the command runs.
   */
  async function select(ed: vscode.TextEditor, ...selections: vscode.Selection[]): Promise<void> {
    ed.selections = selections;
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const key = (s: readonly vscode.Selection[]): string => s.map((x) => `${x.anchor.line}:${x.anchor.character}-${x.active.line}:${x.active.character}`).sort().join(',');
    assert.equal(key(ed.selections), key(selections), 'the editor holds the selections the test made');
    assert.equal(vscode.window.activeTextEditor?.document, ed.document, 'the test editor is the active one');
  }

  it('sends one selection to the target it is given, byte-exact, and remembers the target for the document', async () => {
    const ed = await editor('alpha\nbeta gamma\n');
    await select(ed, sel(1, 5, 1, 10));
    const result = await vscode.commands.executeCommand<SendSelectionResult>('udpLab.sendSelection', { target: peer.target });
    assert.deepEqual(result, { target: peer.target, encoding: 'text', sizes: [5], skipped: 0 });
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.bytes.toString(), 'gamma');
    assert.equal(udp.testing.sendTargetHint(), `$(send) ${peer.target}`);

    // Next time, no arguments: the remembered target is used without asking.
    await select(ed, sel(0, 0, 0, 5));
    const again = await vscode.commands.executeCommand<SendSelectionResult>('udpLab.sendSelection');
    assert.equal(again?.target, peer.target);
    const second = await peer.receivedCount(2);
    assert.equal(second[1]!.bytes.toString(), 'alpha');
  });

  it('sends several selections as one datagram each, in document order', async () => {
    const ed = await editor('one\ntwo\nthree\nfour');
    await vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target });
    // Made bottom-up on purpose: they go out top to bottom.
    await select(ed, sel(3, 0, 3, 4), sel(2, 0, 2, 5), sel(0, 0, 0, 3));
    const result = await vscode.commands.executeCommand<SendSelectionResult>('udpLab.sendSelection');
    assert.deepEqual(result?.sizes, [3, 5, 4]);
    const got = await peer.receivedCount(3);
    assert.deepEqual(got.map((g) => g.bytes.toString()), ['one', 'three', 'four']);
    assert.ok(got.every((g) => g.port === got[0]!.port), 'all from one run');
  });

  it('sends the cursor’s line when nothing is selected, and a multi-line selection as one datagram', async () => {
    const ed = await editor('first line\nsecond line\nthird');
    await vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target });
    await select(ed, sel(1, 3, 1, 3));
    await vscode.commands.executeCommand('udpLab.sendSelection');
    await select(ed, sel(0, 6, 2, 5));
    await vscode.commands.executeCommand('udpLab.sendSelection');
    const got = await peer.receivedCount(2);
    assert.equal(got[0]!.bytes.toString(), 'second line');
    const eol = ed.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    assert.equal(got[1]!.bytes.toString(), `line${eol}second line${eol}third`);
  });

  it('skips empty lines among several cursors and refuses when everything is empty', async () => {
    const ed = await editor('a\n\nb\n');
    await vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target });
    await select(ed, sel(0, 0, 0, 0), sel(1, 0, 1, 0), sel(2, 1, 2, 1));
    const result = await vscode.commands.executeCommand<SendSelectionResult>('udpLab.sendSelection');
    assert.deepEqual(result?.sizes, [1, 1]);
    assert.equal(result?.skipped, 1);
    const got = await peer.receivedCount(2);
    assert.deepEqual(got.map((g) => g.bytes.toString()), ['a', 'b']);

    await select(ed, sel(1, 0, 1, 0));
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.sendSelection'), /empty, so there is nothing to send/);
    assert.equal(peer.received.length, 2, 'nothing more was sent');
  });

  it('sends hex bytes from a hex-looking document, and reports a bad selection before sending any', async () => {
    const ed = await editor('48 65 6c 6c 6f\n00 ff 7f\n');
    await vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target });
    await select(ed, sel(0, 0, 0, 14), sel(1, 0, 1, 8));
    const result = await vscode.commands.executeCommand<SendSelectionResult>('udpLab.sendSelection');
    assert.equal(result?.encoding, 'hex');
    const got = await peer.receivedCount(2);
    assert.equal(got[0]!.bytes.toString(), 'Hello');
    assert.deepEqual([...got[1]!.bytes], [0x00, 0xff, 0x7f]);

    // The second selection is an odd number of digits: nothing at all is sent.
    await select(ed, sel(0, 0, 0, 2), sel(1, 0, 1, 4));
    await expectError(udp, () => vscode.commands.executeCommand('udpLab.sendSelection'), /^Selection 2 of 2 \(line 2\): Invalid hex/);
    assert.equal(peer.received.length, 2);
  });

  it('the encoding argument overrides the guess', async () => {
    const ed = await editor('a\\x00b');
    await select(ed, sel(0, 0, 0, 6));
    await vscode.commands.executeCommand('udpLab.sendSelection', { target: peer.target, encoding: 'escaped' });
    const [got] = await peer.receivedCount(1);
    assert.deepEqual([...got!.bytes], [0x61, 0x00, 0x62]);
  });

  it('the hint follows the active editor', async () => {
    await editor('remembered');
    await vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target });
    assert.equal(udp.testing.sendTargetHint(), `$(send) ${peer.target}`);
    await editor('a new document with no target');
    assert.equal(udp.testing.sendTargetHint(), undefined);
  });
});
