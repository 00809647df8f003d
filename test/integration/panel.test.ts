// The Messages panel inside a real VS Code: open it, send from its composer to a socket of the extension (the
// browser driver types and clicks inside the webview's frame), read both rows — sent and received — back out of
// the webview, answer a peer with Reply, and reload the webview: its saved state and a fresh snapshot come back.
// The host's side is checked through the core too.
//
// Not covered here: a whole-window reload (the WebviewPanelSerializer revive). Reloading the window restarts the
// extension host these tests run in, and "Reopen Closed Editor" does not reopen webview editors in VS Code 1.139
// (it needs an untyped editor input, which webviews lack), so no in-host test can reach that path.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketView } from '../../src/shared/dto';
import { api, closeAll, TestPeer, until } from './support/surface';
import { ui, uiDriverAvailable } from './support/uiDriver';

const PANEL_TITLE = 'UDP Messages';

function panelTab(): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputWebview && tab.label === PANEL_TITLE) return tab;
    }
  }
  return undefined;
}

/** Resolves when the panel's tab appears or disappears (an event, with a time limit as a guard). */
function tabChange(present: boolean, ms = 10_000): Promise<void> {
  if ((panelTab() !== undefined) === present) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`the Messages panel tab did not ${present ? 'appear' : 'go away'} within ${ms} ms`));
    }, ms);
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      if ((panelTab() !== undefined) !== present) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

describe('Messages panel in a real VS Code', function () {
  this.timeout(90_000);
  let udp: UdpLabApi;
  let socket: SocketView;

  before(async function () {
    if (!uiDriverAvailable()) this.skip(); // desktop runs (npm run test:electron) have no browser driver
    udp = await api();
    // Start from a known place whatever earlier suites left: no editor (so the panel is created fresh), no
    // socket, an empty log.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await closeAll();
    await vscode.commands.executeCommand('udpLab.clearLog');
    const view = await vscode.commands.executeCommand<SocketView | undefined>('udpLab.listen', { port: 0, label: 'panel-test' });
    assert.ok(view?.local, 'a listening socket for the panel to send to');
    socket = view;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await closeAll();
  });

  it('opens, sends from its composer to a socket of the extension, and shows both rows', async () => {
    await vscode.commands.executeCommand('udpLab.showMessages');
    await tabChange(true);
    const target = `127.0.0.1:${socket.local!.port}`;
    const payload = 'hello from the panel <b>not bold</b>';
    const logged = until(udp, () => udp.registry.log.size >= 2, 'the sent and the received datagram are logged', 15_000);
    const sent = await ui([
      // The webview is ready when its first snapshot is drawn.
      { waitForWebview: '#list-status', text: 'in the panel', timeoutMs: 20_000 },
      { webviewFill: '#composer-target input', value: target },
      { webviewFill: '#composer-payload textarea', value: payload },
      { webviewClick: '#composer-send' },
      { waitForWebview: '#composer-status', text: 'Sent', timeoutMs: 15_000 },
      { webviewRead: '#composer-status', as: 'status' },
    ]);
    assert.match(sent.reads.status!, /^Sent \d+ bytes to /);
    await logged;

    // The core saw both: out from an ephemeral socket, in on ours, byte-exact.
    const rows = udp.registry.log.latest(2);
    assert.deepEqual(
      rows.map((d) => [d.direction, Buffer.from(d.bytes).toString()]),
      [
        ['out', payload],
        ['in', payload],
      ],
    );
    assert.equal(rows[1]!.socketId, socket.id);

    // And the panel shows both, read out of the webview's frame.
    const reply = await ui([
      { waitForWebview: '.dg-row.out .c-preview', text: 'hello from the panel', timeoutMs: 10_000 },
      { waitForWebview: '.dg-row:not(.out) .c-socket', text: 'panel-test', timeoutMs: 10_000 },
      { webviewRead: '#datagram-list .dg-row', as: 'rows' },
      { webviewRead: '#composer-status', as: 'status' },
      { webviewRead: '#list-status', as: 'totals' },
    ]);
    const lines = reply.reads.rows!.split('\n').filter((l) => l.includes('hello from the panel'));
    assert.equal(lines.length, 2, `two rows in the panel: ${reply.reads.rows}`);
    const out = reply.reads.rows!.split('\n');
    assert.ok(
      out.some((l) => /\bout\b/.test(l)) && out.some((l) => /\bin\b/.test(l)),
      `one row each way: ${reply.reads.rows}`,
    );
    assert.ok(reply.reads.rows!.includes(target), 'the sent row names the socket it went to as its peer');
    assert.ok(reply.reads.rows!.includes('<b>not bold</b>'), 'markup in a payload is shown as text');
    assert.match(reply.reads.status!, new RegExp(`Sent ${Buffer.byteLength(payload)} bytes to 127\\.0\\.0\\.1:${socket.local!.port}\\.`));
    // Lifetime totals (earlier suites' traffic included, e.g. the flood's) are grouped by thousands: "919 197 logged".
    assert.match(reply.reads.totals!, /^2 datagrams in the panel · \d[\d\s\u2009\u202f]* logged/);
  });

  it('shows traffic from outside live, and Reply answers the peer from the socket', async () => {
    const peer = await TestPeer.open();
    try {
      await peer.send('ping from outside', socket.local!.port);
      await ui([
        { webviewClick: '.dg-row .c-preview', text: 'ping from outside', timeoutMs: 10_000 },
        { webviewClick: '#detail-reply' },
        { webviewFill: '#composer-payload textarea', value: 'pong' },
        { webviewPress: '#composer-payload textarea', key: 'Control+Enter' },
      ]);
      const [got] = await peer.receivedCount(1, 10_000);
      assert.equal(got!.bytes.toString(), 'pong');
      assert.equal(got!.port, socket.local!.port, 'the reply came from the socket the ping arrived on');
    } finally {
      await peer.close();
    }
  });

  it('exports the filtered rows through the save dialog, as JSON Lines', async () => {
    // Only what arrived on our socket: the filter travels to the host, which applies it to the whole log.
    await ui([
      { webviewFill: '#filter-search input', value: 'hello from the panel' },
      { webviewClick: '#list-export' },
      // VS Code's own save dialog (a quick input in the browser workbench) proposes a file in the workspace
      // folder: accept it. (Typing a path races the dialog's own path completion.)
      { waitForText: '.quick-input-widget', text: 'Export the filtered datagrams as JSON Lines' },
      { waitForValue: '.quick-input-widget .quick-input-box input', value: '', not: true },
      { press: 'Enter' },
    ]);
    const reply = await ui([{ waitForWebview: '#action-status', text: 'Exported', timeoutMs: 15_000 }, { webviewRead: '#action-status', as: 'status' }]);
    const m = /^Exported 2 datagrams to (.+\.jsonl)\.$/.exec(reply.reads.status!);
    assert.ok(m, `the panel reports the export: ${reply.reads.status}`);
    const file = m[1]!.startsWith('vscode-remote:') ? vscode.Uri.parse(m[1]!).path : m[1]!;
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { direction: string; hex: string });
    assert.deepEqual(
      lines.map((l) => l.direction),
      ['out', 'in'],
    );
    assert.equal(Buffer.from(lines[1]!.hex, 'hex').toString(), 'hello from the panel <b>not bold</b>');
    fs.rmSync(file, { force: true });
    await ui([{ webviewFill: '#filter-search input', value: '' }]);
  });

  it('filters to one socket when shown for it (the tree\'s Show Messages)', async () => {
    await vscode.commands.executeCommand('udpLab.showMessages', { socketId: socket.id });
    const reply = await ui([
      { waitForWebview: '#list-status', text: 'matches', timeoutMs: 10_000 },
      { webviewRead: '#list-status', as: 'status' },
      { webviewRead: '#datagram-list .dg-row .c-socket', as: 'sockets' },
    ]);
    const names = new Set(reply.reads.sockets!.split('\n'));
    assert.deepEqual([...names], ['panel-test · udp4 127.0.0.1:' + socket.local!.port], `only our socket's rows: ${reply.reads.sockets}`);
  });

  it('comes back with its state and a fresh snapshot when its webview is reloaded', async () => {
    // Leave something in the composer to come back, and wait until the webview has saved it.
    await ui([
      { webviewFill: '#composer-target input', value: '127.0.0.1:4242' },
      { webviewFill: '#composer-payload textarea', value: 'kept across reloads' },
      { waitForWebview: 'html[data-state-saved=saved]' },
    ]);
    // "Developer: Reload Webviews" throws the page away and loads it again; VS Code hands the saved state back
    // (as it does to the serializer after a window reload), and the host answers the new `ready` with a snapshot.
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    // The old page had saved its state (html[data-state-saved]); the new one has not changed anything yet, so
    // these selectors match only in the reloaded webview.
    const fresh = 'html:not([data-state-saved])';
    const reply = await ui([
      { waitForWebview: `${fresh} .dg-row .c-preview`, text: 'hello from the panel', timeoutMs: 20_000 },
      { webviewRead: `${fresh} #list-status`, as: 'totals' },
      { webviewValue: `${fresh} #composer-target input`, as: 'target' },
      { webviewValue: `${fresh} #composer-payload textarea`, as: 'payload' },
    ]);
    assert.match(reply.reads.totals!, /in the panel · \d[\d\s\u2009\u202f]* logged/, 'the reloaded webview got a fresh snapshot');
    assert.equal(reply.reads.target, '127.0.0.1:4242', 'the composer came back from the saved state');
    assert.equal(reply.reads.payload, 'kept across reloads');
  });
});
