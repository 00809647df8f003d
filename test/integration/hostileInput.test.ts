// Hostile input in VS Code's own surfaces (the Messages panel's webview is covered in real Chromium by
// test/webview/hostile.test.ts, with the same fixture): every payload of test/fixtures/hostile-payloads.json
// arrives from a real peer on loopback, and
//   - notifications never carry a payload (only the socket, the peer and the size), and no text in one becomes a
//     link: VS Code turns `[text](command:…)` in a notification into a clickable command, so a socket label that
//     came from a .udp file name or block name must not — checked in the rendered notification, through the browser;
//   - the UDP Sockets view shows no payload, and its tooltips are untrusted Markdown (no HTML, no command links);
//   - every fixture payload as a .udp reply (markup, command links, a code-fence breakout, bidi overrides, NUL and
//     control bytes, invalid UTF-8, 64 KiB) is shown in the hover inside a fence it cannot close, in an untrusted
//     MarkdownString, with invisible and reordering characters escaped — as in the inline result.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/udpFile';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketsTreeNode } from '../../src/host/socketsTree';
import type { SocketView } from '../../src/shared/dto';
import { hostilePayloads } from '../fixtures/hostilePayloads';
import { TEST_LINE_MARKER } from './support/runMocha';
import { TestPeer, until, within } from './support/surface';
import { surfaceSuite, updateSetting } from './support/suite';
import { ui, uiDriverAvailable } from './support/uiDriver';
import { inlineWhen, lensAt, openUdpFile, runLens } from './support/udpFiles';

/** Pieces of the fixture's payloads that must never show up in VS Code's own text surfaces. */
const PAYLOAD_MARKERS = ['__pwned', '<script', 'onerror', 'javascript:', 'evil-link', '\u202E', '\u200B', '\u0000', '\u001b[31m'];
/** Characters that must never reach a text surface raw: C0/C1 controls, bidi controls, zero-width characters, BOM. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;
/** A label as a .udp file name or block name could carry it (the file comes from a repository). */
const HOSTILE_LABEL = '[Quit](command:workbench.action.quit) <b>x</b>';

describe('UDP Lab shows hostile input inert in VS Code', function () {
  this.timeout(60_000);
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({
    onApi: (api) => (udp = api),
    onPeer: (p) => (peer = p),
    tearDown: () => setNotifications(undefined),
    closeEditors: true,
  });

  const setNotifications = (mode: 'every' | undefined): Promise<void> => updateSetting('notifications.incoming', mode);

  const markdownOf = (t: vscode.TreeItem['tooltip']): vscode.MarkdownString => {
    assert.ok(t instanceof vscode.MarkdownString, 'the tooltip is a MarkdownString');
    return t;
  };

  it('every fixture payload: notifications name the peer and size only; the tree shows no payload; tooltips are untrusted', async () => {
    const payloads = hostilePayloads();
    await setNotifications('every');
    const socket = await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0, label: 'hostile' });
    assert.ok(socket);
    const shownBefore = udp.testing.incomingNotifications().length;
    const ours = new Promise<void>((resolve) => {
      const sub = udp.testing.onDidNotifyIncoming((text) => {
        if (!text.startsWith('hostile · ')) return;
        sub.dispose();
        resolve();
      });
    });
    for (const p of payloads) await peer.send(p.bytes, socket.local!.port);
    await until(udp, () => udp.registry.get(socket.id)!.view().stats.datagramsIn === payloads.length, `all ${payloads.length} payloads were received`);
    await within(ours, 5000, 'a notification for the socket');

    // Every notification shown meanwhile.
    const texts = udp.testing.incomingNotifications().slice(shownBefore);
    assert.ok(texts.some((t) => t.startsWith(`hostile · udp4 127.0.0.1:${socket.local!.port} received a datagram from 127.0.0.1:${peer.port} (`)), JSON.stringify(texts));
    for (const text of texts) {
      assert.match(text, /^.+ received (a datagram|its first datagram) from (127\.0\.0\.1|\[::1\]):\d+ \([\d ]+ bytes\)(, and [\d ]+ more (datagrams|from new peers))?\.$/);
      for (const m of PAYLOAD_MARKERS) assert.ok(!text.includes(m), `a notification carries payload text ${JSON.stringify(m)}: ${text}`);
    }

    // The tree: the socket and its peer, labels, descriptions and tooltips.
    udp.testing.refreshViews();
    const roots = ((await udp.testing.tree.getChildren()) ?? []).filter((n: SocketsTreeNode) => n.socketId === socket.id);
    const nodes = [...roots, ...((await udp.testing.tree.getChildren(roots[0])) ?? [])];
    assert.ok(nodes.length >= 2, 'the socket and its peer are in the tree');
    for (const node of nodes) {
      const item = await udp.testing.tree.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const tip = markdownOf(item.tooltip);
      assert.equal(tip.isTrusted, false, 'tooltips never run command links');
      assert.equal(tip.supportHtml, false, 'tooltips never render HTML');
      for (const text of [label, String(item.description ?? ''), tip.value]) {
        for (const m of PAYLOAD_MARKERS) assert.ok(!text.includes(m), `the tree shows payload text ${JSON.stringify(m)}: ${text.slice(0, 200)}`);
      }
    }
    await setNotifications(undefined);
  });

  // The notification is read in the browser; other runners (desktop VS Code) have no driver, and the check is not registered.
  if (!uiDriverAvailable()) console.log(`${TEST_LINE_MARKER}(notification rendering check not run: this runner has no browser driver)`);
  else
  it('a socket label with a command link and markup: the notification shows it as text, never as a link', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const socket = await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0, label: HOSTILE_LABEL });
    assert.ok(socket);
    const shown = new Promise<string>((resolve) => {
      const sub = udp.testing.onDidNotifyIncoming((text) => {
        sub.dispose();
        resolve(text);
      });
    });
    const other = await TestPeer.open();
    try {
      await other.send('hello', socket.local!.port);
      const text = await within(shown, 5000, 'the first-datagram notification');
      assert.ok(udp.testing.incomingNotifications().includes(text));
      assert.ok(text.includes('[Quit]'), `the label is still readable: ${text}`);
      // The smoke-test driver the harness runs with sends notifications to the Notification Center (no toasts);
      // the center renders the message with the same link renderer, commands allowed.
      await vscode.commands.executeCommand('notifications.showList');
      const item = '.notifications-center .notification-list-item:has-text("received its first datagram")';
      const reply = await ui([
        { waitFor: item },
        { read: `${item} .notification-list-item-message`, as: 'message' },
        { read: `${item} .notification-list-item-message a`, as: 'link' },
      ]);
      await vscode.commands.executeCommand('notifications.hideList');
      console.log(`${TEST_LINE_MARKER}      the notification reads: ${JSON.stringify(reply.reads.message)}; link in it: ${JSON.stringify(reply.reads.link)}`);
      assert.equal(reply.reads.link, '', 'no link was made from the label');
      assert.match(reply.reads.message ?? '', /\[Quit\]/);
      assert.match(reply.reads.message ?? '', /<b>x<\/b>/, 'markup is shown as text');
    } finally {
      await other.close();
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('every fixture payload as a .udp reply: the hover keeps it inside a fence it cannot close, untrusted; the inline result escapes it', async function () {
    this.timeout(120_000);
    const editor = await openUdpFile(
      'hostile-reply.udp',
      `### ping\nSEND udp://127.0.0.1:${peer.port}\nExpect: /^/ within 3000 ms\n\nping\n\n### use\nSEND udp://127.0.0.1:${peer.port}\n\n{{ping.reply}}\n`,
    );
    const uri = editor.document.uri;
    for (const payload of hostilePayloads()) {
      const received = peer.received.length;
      const run = runLens<RunResult>(await lensAt(uri, 0, 'Send & Await'));
      const ping = (await peer.receivedCount(received + 1)).at(-1)!;
      await peer.send(payload.bytes, ping.port);
      const result = await run;
      assert.equal(result.results[0]?.status, 'passed', `${payload.name}: ${result.results[0]?.message}`);

      const inline = await inlineWhen(udp.udpFiles, uri, 1, /^✓/);
      assert.doesNotMatch(inline, INVISIBLE, `${payload.name}: the inline result escapes invisible and reordering characters: ${JSON.stringify(inline.slice(0, 80))}`);

      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(9, 4))) ?? [];
      const contents = hovers.flatMap((h) => h.contents).filter((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString);
      assert.ok(contents.length > 0, `${payload.name}: a hover for {{ping.reply}}`);
      for (const md of contents) {
        assert.notEqual(md.isTrusted, true, `${payload.name}: the hover never trusts its content`);
        assert.notEqual(md.supportHtml, true, `${payload.name}: the hover renders no HTML`);
      }
      const value = contents.map((c) => c.value).join('\n');
      assert.doesNotMatch(value.replace(/\n/g, ''), INVISIBLE, `${payload.name}: no raw invisible or reordering character in the hover`);
      // The reply is inside a fence longer than any backtick run in it, so it cannot close the block early.
      const lines = value.split('\n');
      const opening = lines.findIndex((l, i) => /^`{3,}/.test(l) && lines.slice(0, i).some((p) => /Last received/.test(p)));
      assert.ok(opening >= 0, `${payload.name}: a fenced block after "Last received": ${value.slice(0, 300)}`);
      const fence = /^`+/.exec(lines[opening]!)![0];
      const closing = lines.findIndex((l, i) => i > opening && l === fence);
      assert.ok(closing > opening, `${payload.name}: the fence is closed by the same run of backticks`);
      for (const l of lines.slice(opening + 1, closing)) assert.ok(!l.startsWith(fence), `${payload.name}: a line inside would close the fence: ${l}`);
      const after = lines.slice(closing + 1).join('\n');
      for (const m of ['command:', '<img', '<script', 'javascript:']) assert.ok(!after.includes(m), `${payload.name}: reply text after the fence (${m})`);
    }
  });
});
