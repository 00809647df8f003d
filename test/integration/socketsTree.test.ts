// The UDP Sockets view and the status bar, read through the view's own provider after real traffic.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketsTreeNode } from '../../src/host/socketsTree';
import type { SocketView } from '../../src/shared/dto';
import { closeAll, until, type TestPeer } from './support/surface';
import { surfaceSuite } from './support/suite';

describe('UDP Lab sockets view and status bar', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({
    onApi: (api) => (udp = api),
    onPeer: (p) => (peer = p),
    setUp: () => vscode.commands.executeCommand('udpLab.sockets.focus'),
  });

  const listen = async (args: object = { port: 0 }): Promise<SocketView> =>
    (await vscode.commands.executeCommand<SocketView>('udpLab.listen', args))!;

  const item = (node: SocketsTreeNode): Promise<vscode.TreeItem> => Promise.resolve(udp.testing.tree.getTreeItem(node));
  const text = (v: string | vscode.TreeItemLabel | undefined): string => (typeof v === 'string' ? v : (v?.label ?? ''));
  const tooltip = (t: vscode.TreeItem['tooltip']): vscode.MarkdownString => {
    assert.ok(t instanceof vscode.MarkdownString, 'tooltip is a MarkdownString');
    return t;
  };

  it('shows a socket as "udp4 127.0.0.1:PORT" with live counts, its peers, and a composite contextValue', async () => {
    const view = await listen();
    for (let i = 0; i < 3; i++) await peer.send(`datagram ${i}`, view.local!.port);
    await until(udp, () => udp.registry.get(view.id)!.view().stats.datagramsIn === 3, 'three datagrams were counted');
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'back', socket: view.id });
    await until(udp, () => udp.registry.get(view.id)!.view().stats.datagramsOut === 1, 'the reply was counted');

    const roots = await udp.testing.tree.getChildren();
    assert.equal(roots?.length, 1);
    const socketItem = await item(roots![0]!);
    assert.equal(text(socketItem.label), `udp4 127.0.0.1:${view.local!.port}`);
    assert.match(String(socketItem.description), /^↓ 3 ↑ 1( · [\d.]+k?\/s)?$/);
    assert.equal(socketItem.contextValue, 'socket:listening:peers');
    assert.ok(socketItem.iconPath instanceof vscode.ThemeIcon && socketItem.iconPath.id === 'radio-tower');
    const tip = tooltip(socketItem.tooltip);
    assert.equal(tip.isTrusted, false);
    assert.equal(tip.supportHtml, false);
    assert.match(tip.value, /Reuse address: no/);
    assert.match(tip.value, /Receive buffer: /);

    const children = await udp.testing.tree.getChildren(roots![0]);
    assert.equal(children?.length, 1);
    const peerItem = await item(children![0]!);
    assert.equal(text(peerItem.label), `127.0.0.1:${peer.port}`);
    assert.equal(peerItem.description, '3 datagrams');
    assert.equal(peerItem.contextValue, 'peer');
  });

  it('reflects connect and broadcast in the contextValue and icon', async () => {
    const view = await listen();
    await vscode.commands.executeCommand('udpLab.enableBroadcast', { socket: view.id });
    let [root] = (await udp.testing.tree.getChildren())!;
    assert.equal((await item(root!)).contextValue, 'socket:listening:broadcast');
    await vscode.commands.executeCommand('udpLab.connectSocket', { socket: view.id, target: peer.target });
    [root] = (await udp.testing.tree.getChildren())!;
    const connected = await item(root!);
    assert.equal(connected.contextValue, 'socket:connected:broadcast');
    assert.ok(connected.iconPath instanceof vscode.ThemeIcon && connected.iconPath.id === 'plug');
    assert.match(tooltip(connected.tooltip).value, new RegExp(`Connected to: 127\\.0\\.0\\.1:${peer.port}`));
  });

  it('escapes what peers control in tooltips (no markdown, no command links)', async () => {
    const view = await listen({ port: 0, label: '[click](command:workbench.action.quit) **bold**' });
    const [root] = (await udp.testing.tree.getChildren())!;
    const tip = tooltip((await item(root!)).tooltip);
    assert.ok(!tip.value.includes('[click](command:'), `link not escaped: ${tip.value}`);
    assert.match(tip.value, /\\\[click\\\]/);
    assert.equal(tip.isTrusted, false);
    void view;
  });

  it('status bar: number of sockets and receive rate; hidden when none is open', async () => {
    udp.testing.refreshViews();
    assert.equal(udp.testing.statusBarText(), undefined);
    const a = await listen();
    await listen({ port: 0, address: '::1' });
    await peer.send('x', a.local!.port);
    await until(udp, () => udp.registry.get(a.id)!.view().stats.datagramsIn === 1, 'the datagram was counted');
    udp.testing.refreshViews();
    assert.match(udp.testing.statusBarText() ?? '', /^\$\(pulse\) 2 sockets ↓ [\d.]+k?\/s$/);
    await closeAll();
    udp.testing.refreshViews();
    assert.equal(udp.testing.statusBarText(), undefined);
  });

  it('redraws by itself (throttled) after traffic', async () => {
    const view = await listen();
    const changed = new Promise<void>((resolve) => {
      const sub = udp.testing.tree.onDidChangeTreeData(() => {
        sub.dispose();
        resolve();
      });
    });
    await peer.send('wake up', view.local!.port);
    await changed;
    const [root] = (await udp.testing.tree.getChildren())!;
    assert.match(String((await item(root!)).description), /^↓ 1 ↑ 0/);
  });
});
