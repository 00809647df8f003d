// The "UDP Sockets" view: one item per open socket (`udp4 127.0.0.1:5000`, live counts as its description, an icon
// per state, every option in the tooltip), with its joined multicast groups and its most recent peers as children.
// contextValue is composite (`socket:listening:broadcast:multicast`) so package.json menus can match on parts.
// Everything shown about a peer or a datagram is untrusted: tooltips are MarkdownStrings with HTML and command
// links off, and every dynamic value goes through appendText (which escapes Markdown).

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { MembershipView, PeerView, SocketView } from '../shared/dto';
import { Commands } from './commandIds';
import { formatBytes, formatCount, formatEndpoint, formatRate, socketCounts, socketTitle } from './format';
import { LiveRefresh } from './liveRefresh';

export const SOCKETS_VIEW_ID = 'udpLab.sockets';
/** Recent peers listed under a socket; the rest are summed up in one "… more" item. */
export const MAX_PEERS_SHOWN = 25;

export interface SocketNode {
  readonly kind: 'socket';
  readonly socketId: string;
}
export interface PeerNode {
  readonly kind: 'peer';
  readonly socketId: string;
  readonly peer: PeerView;
}
export interface MembershipNode {
  readonly kind: 'membership';
  readonly socketId: string;
  readonly membership: MembershipView;
}
export interface MoreNode {
  readonly kind: 'more';
  readonly socketId: string;
  readonly hidden: number;
}
export type SocketsTreeNode = SocketNode | PeerNode | MembershipNode | MoreNode;

export class SocketsTreeProvider implements vscode.TreeDataProvider<SocketsTreeNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<SocketsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  /** Socket nodes are kept per id so VS Code sees the same element across refreshes. */
  private readonly socketNodes = new Map<string, SocketNode>();

  constructor(private readonly registry: SocketRegistry) {}

  refresh(): void {
    for (const id of [...this.socketNodes.keys()]) if (!this.registry.get(id)) this.socketNodes.delete(id);
    this.onDidChangeTreeDataEmitter.fire(undefined);
  }

  getChildren(element?: SocketsTreeNode): SocketsTreeNode[] {
    if (!element) {
      return this.registry.list().map((s) => {
        let node = this.socketNodes.get(s.id);
        if (!node) {
          node = { kind: 'socket', socketId: s.id };
          this.socketNodes.set(s.id, node);
        }
        return node;
      });
    }
    if (element.kind !== 'socket') return [];
    const socket = this.registry.get(element.socketId);
    if (!socket) return [];
    const view = socket.view();
    const groups: SocketsTreeNode[] = view.memberships.map((membership) => ({ kind: 'membership', socketId: view.id, membership }));
    const peers = [...socket.peers()].sort((a, b) => b.lastSeen - a.lastSeen);
    const shown: SocketsTreeNode[] = peers.slice(0, MAX_PEERS_SHOWN).map((peer) => ({ kind: 'peer', socketId: view.id, peer }));
    const hidden = peers.length - MAX_PEERS_SHOWN;
    return [...groups, ...shown, ...(hidden > 0 ? [{ kind: 'more', socketId: view.id, hidden } as const] : [])];
  }

  getParent(element: SocketsTreeNode): SocketsTreeNode | undefined {
    return element.kind === 'socket' ? undefined : this.socketNodes.get(element.socketId);
  }

  getTreeItem(element: SocketsTreeNode): vscode.TreeItem {
    const socket = this.registry.get(element.socketId);
    if (!socket) return new vscode.TreeItem('(closed)');
    const view = socket.view();
    switch (element.kind) {
      case 'socket':
        return socketItem(view, socket.peers().length);
      case 'peer':
        return peerItem(view, element.peer);
      case 'membership':
        return membershipItem(view, element.membership);
      case 'more': {
        const item = new vscode.TreeItem(`… ${formatCount(element.hidden)} more peers`);
        item.tooltip = 'The Messages panel lists every datagram with its sender.';
        item.command = { command: Commands.ShowMessages, title: 'Show Messages' };
        return item;
      }
    }
  }

  dispose(): void {
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

// ------------------------------------------------------------------------------------------- items

const STATE_ICONS: Record<SocketView['state'], vscode.ThemeIcon> = {
  binding: new vscode.ThemeIcon('loading~spin'),
  listening: new vscode.ThemeIcon('radio-tower', new vscode.ThemeColor('charts.green')),
  connected: new vscode.ThemeIcon('plug', new vscode.ThemeColor('charts.blue')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  closed: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

/** `socket:<state>` then `:broadcast`, `:multicast`, `:peers` when they apply (menus match with regexes). */
export function socketContextValue(view: SocketView, peerCount: number): string {
  return ['socket', view.state, view.broadcast ? 'broadcast' : '', view.memberships.length > 0 ? 'multicast' : '', peerCount > 0 ? 'peers' : '']
    .filter((p) => p !== '')
    .join(':');
}

function socketItem(view: SocketView, peerCount: number): vscode.TreeItem {
  const hasChildren = peerCount > 0 || view.memberships.length > 0;
  // The label is the endpoint; a user label goes after the live counts, so a narrow sidebar cuts the label, not
  // the numbers.
  const where = view.local ?? { address: view.options.address ?? '?', port: view.options.port };
  const item = new vscode.TreeItem(`${view.type} ${formatEndpoint(where)}`, hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = `socket/${view.id}`;
  const label = view.label ?? view.options.label;
  item.description = [view.state === 'error' ? 'error' : '', socketCounts(view), label ?? ''].filter((p) => p !== '').join(' · ');
  item.iconPath = STATE_ICONS[view.state];
  item.contextValue = socketContextValue(view, peerCount);
  item.tooltip = socketTooltip(view, peerCount);
  item.accessibilityInformation = { label: `${socketTitle(view)}, ${view.state}, ${view.stats.datagramsIn} received, ${view.stats.datagramsOut} sent` };
  return item;
}

function peerItem(view: SocketView, peer: PeerView): vscode.TreeItem {
  const item = new vscode.TreeItem(formatEndpoint(peer), vscode.TreeItemCollapsibleState.None);
  item.id = `peer/${view.id}/${formatEndpoint(peer)}`;
  item.description = `${formatCount(peer.datagrams)} datagram${peer.datagrams === 1 ? '' : 's'}`;
  item.iconPath = new vscode.ThemeIcon('person');
  item.contextValue = view.remote && view.remote.port === peer.port && view.remote.address === peer.address ? 'peer:remote' : 'peer';
  const md = safeMarkdown();
  md.appendMarkdown('**');
  md.appendText(formatEndpoint(peer));
  md.appendMarkdown('** — peer of ');
  md.appendText(socketTitle(view));
  md.appendMarkdown('\n\n');
  line(md, 'Family', peer.family);
  line(md, 'Datagrams received', formatCount(peer.datagrams));
  line(md, 'Bytes received', `${formatCount(peer.bytes)} (${formatBytes(peer.bytes)})`);
  line(md, 'First seen', new Date(peer.firstSeen).toLocaleTimeString());
  line(md, 'Last seen', new Date(peer.lastSeen).toLocaleTimeString());
  item.tooltip = md;
  return item;
}

function membershipItem(view: SocketView, m: MembershipView): vscode.TreeItem {
  const item = new vscode.TreeItem(m.group, vscode.TreeItemCollapsibleState.None);
  item.id = `group/${view.id}/${m.group}/${m.source ?? ''}/${m.interface ?? ''}`;
  item.description = [m.source ? `source ${m.source}` : 'any source', m.interface ? `on ${m.interface}` : ''].filter((p) => p !== '').join(' · ');
  item.iconPath = new vscode.ThemeIcon('broadcast');
  item.contextValue = m.source ? 'membership:ssm' : 'membership';
  const md = safeMarkdown();
  md.appendMarkdown('Multicast group **');
  md.appendText(m.group);
  md.appendMarkdown('** joined by ');
  md.appendText(socketTitle(view));
  md.appendMarkdown('\n\n');
  line(md, 'Source', m.source ?? 'any (any-source multicast)');
  line(md, 'Interface', m.interface ?? "the system's choice");
  item.tooltip = md;
  return item;
}

function socketTooltip(view: SocketView, peerCount: number): vscode.MarkdownString {
  const md = safeMarkdown();
  const o = view.options;
  const s = view.stats;
  md.appendMarkdown('**');
  md.appendText(socketTitle(view));
  md.appendMarkdown('** — ');
  md.appendText(view.state);
  md.appendMarkdown('\n\n');
  if (view.lastError) {
    md.appendMarkdown('$(error) ');
    md.appendText(view.lastError);
    md.appendMarkdown('\n\n');
  }
  line(md, 'Id', view.id);
  line(md, 'Bound to', view.local ? `${formatEndpoint(view.local)} (${view.local.family})` : 'not yet');
  if (view.remote) line(md, 'Connected to', formatEndpoint(view.remote));
  line(md, 'Requested', `${o.type} ${formatEndpoint({ address: o.address ?? '(default)', port: o.port })}`);
  line(md, 'Reuse address', yesNo(o.reuseAddr));
  line(md, 'Reuse port', yesNo(o.reusePort));
  if (o.type === 'udp6') line(md, 'IPv6 only', yesNo(o.ipv6Only));
  line(md, 'Exclusive', yesNo(o.exclusive));
  line(md, 'Receive buffer', view.recvBufferSize !== undefined ? `${formatCount(view.recvBufferSize)} bytes` : 'system default');
  line(md, 'Send buffer', view.sendBufferSize !== undefined ? `${formatCount(view.sendBufferSize)} bytes` : 'system default');
  line(md, 'Broadcast', view.broadcast ? 'on' : 'off');
  line(md, 'TTL', view.ttl !== undefined ? String(view.ttl) : 'system default');
  line(md, 'Multicast TTL', view.multicastTTL !== undefined ? String(view.multicastTTL) : 'default (1)');
  line(md, 'Multicast loopback', view.multicastLoopback === undefined ? 'default (on)' : view.multicastLoopback ? 'on' : 'off');
  if (view.multicastInterface) line(md, 'Multicast interface', view.multicastInterface);
  if (view.memberships.length > 0) line(md, 'Groups', view.memberships.map((m) => m.group + (m.source ? ` from ${m.source}` : '')).join(', '));
  line(md, 'Received', `${formatCount(s.datagramsIn)} datagrams, ${formatBytes(s.bytesIn)} · ${formatRate(s.rateIn)}`);
  line(md, 'Sent', `${formatCount(s.datagramsOut)} datagrams, ${formatBytes(s.bytesOut)} · ${formatRate(s.rateOut)}`);
  line(md, 'Peers', formatCount(peerCount));
  if (s.lastPeer) line(md, 'Last peer', formatEndpoint(s.lastPeer));
  line(md, 'Opened', new Date(view.createdAt).toLocaleTimeString());
  return md;
}

/** A MarkdownString that renders no HTML, runs no command links and expands no theme icons from text. */
function safeMarkdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

function line(md: vscode.MarkdownString, key: string, value: string): void {
  md.appendMarkdown(`${key}: `);
  md.appendText(value);
  md.appendMarkdown('  \n');
}

function yesNo(v: boolean | undefined): string {
  return v ? 'yes' : 'no';
}

// --------------------------------------------------------------------------------------- the view

export interface SocketsTree extends vscode.Disposable {
  readonly provider: SocketsTreeProvider;
  readonly view: vscode.TreeView<SocketsTreeNode>;
  /** Redraw now instead of at the next tick (tests). */
  refreshNow(): void;
}

export function registerSocketsTree(registry: SocketRegistry): SocketsTree {
  const provider = new SocketsTreeProvider(registry);
  const view = vscode.window.createTreeView(SOCKETS_VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  // A few redraws a second at most, however fast datagrams arrive.
  const live = new LiveRefresh(registry, 250, () => provider.refresh());
  const setContext = (): void => {
    void vscode.commands.executeCommand('setContext', 'udpLab.hasSockets', registry.list().length > 0);
  };
  setContext();
  const changes = registry.onDidChange(setContext);
  return {
    provider,
    view,
    refreshNow: () => live.run(),
    dispose: () => {
      changes.dispose();
      live.dispose();
      view.dispose();
      provider.dispose();
    },
  };
}
