// One Messages panel webview's connection to the core: serves its HTML under a strict CSP with a fresh nonce
// per load; the PanelFeed streams the log (snapshot, then batches), socket and target lists follow the
// registry, and every message from the webview is validated before anything is done with it.
// This file and what it imports are the panel bundle (dist/panel.js, entry ./bundle.ts), which
// messagesPanel.ts require()s when the panel is first opened or restored: activations that never open it don't
// load it.

import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { UdpLabError } from '../../core/errors';
import type { Disposable as CoreDisposable } from '../../core/events';
import type { UdpSocket } from '../../core/udpSocket';
import { PROTOCOL_VERSION, parseWebviewMessage, type ComposerPrefill, type HostToWebview, type SocketSummary, type TargetSuggestion } from '../../shared/protocol';
import type { SocketView } from '../../shared/dto';
import { Commands } from '../commandIds';
import { formatCount, formatEndpoint, socketTitle } from '../format';
import { runSender, sendDatagram, withRunSocket } from '../sendFlow';
import { targetText } from '../targetPick';
import type { SurfaceDeps } from '../surfaceDeps';
import { LogFeedSource } from './logFeedSource';
import { FilterTimeoutError, filteredJsonLines, writeLines } from './panelExport';
import { PanelFeed } from './panelFeed';
import { renderPanelHtml } from './panelHtml';
import { PanelRequests } from './panelRequests';

/** Socket and target lists are refreshed at most this often while the panel is visible. */
const META_INTERVAL_MS = 500;
/** Rejected webview messages logged per minute at most (a hostile page must not flood the log). */
const REJECT_LOG_LIMIT = 20;

export type PanelDeps = Pick<SurfaceDeps, 'registry' | 'scheduler' | 'log' | 'errors' | 'recents' | 'directory' | 'settings'>;

/** One webview panel's connection to the core. */
export class PanelSession implements vscode.Disposable {
  private readonly source: LogFeedSource;
  private readonly feed: PanelFeed;
  private readonly requests: PanelRequests;
  private readonly subscriptions: Array<vscode.Disposable | CoreDisposable> = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  private readonly rejectEmitter = new vscode.EventEmitter<string>();
  /** Fires when the panel closes. */
  readonly onDidDispose = this.disposeEmitter.event;
  /** Fires each time the webview says `ready` (first load, and each time it is shown again). */
  readonly onDidBecomeReady = this.readyEmitter.event;
  /** Fires with the reason whenever a message from the webview is refused. */
  readonly onDidRejectMessage = this.rejectEmitter.event;
  private ready = false;
  private pendingPrefill: ComposerPrefill | undefined;
  private metaTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSockets = '';
  private lastTargets = '';
  private lastCaps = '';
  private rejects = { minute: 0, count: 0, suppressed: 0 };
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly deps: PanelDeps,
  ) {
    const { registry } = deps;
    this.source = new LogFeedSource(registry.log);
    this.feed = new PanelFeed({
      source: this.source,
      post: (message) => this.postNow(message),
      snapshotExtras: () => ({ sockets: this.socketSummaries(true), targets: this.targets(), defaultEncoding: deps.settings().defaultEncoding }),
    });
    this.feed.setVisible(panel.visible);
    this.requests = new PanelRequests({
      sendOnce: async (bytes, target, socketId, quiet) => {
        const socket = socketId !== undefined ? registry.get(socketId) : undefined;
        if (socketId !== undefined && !socket) throw new Error('The socket chosen under "From" closed before the send.');
        const r = await sendDatagram(deps as SurfaceDeps, bytes, target, socket, { quiet });
        return { bytes: r.bytes, target: r.target };
      },
      withRepeatSender: async (target, socketId, run) => {
        const shown = targetText({ host: target.host, port: target.port });
        const use = (socket: UdpSocket) => {
          const send = runSender(socket, target);
          return run({ target: shown, send });
        };
        if (socketId === undefined) return withRunSocket(deps as SurfaceDeps, target, 'Panel Repeat Send', use);
        const socket = registry.get(socketId);
        if (!socket) throw new Error('The socket chosen under "From" closed before the send.');
        return use(socket);
      },
      socketType: (id) => {
        const s = registry.get(id);
        return s && (s.state === 'listening' || s.state === 'connected') ? s.view().type : undefined;
      },
      onSocketClose: (id, listener) => registry.get(id)?.onDidClose(listener),
      scheduler: deps.scheduler,
      datagram: (seq) => registry.log.get(seq),
      writeClipboard: async (text) => vscode.env.clipboard.writeText(text),
      exportFiltered: (filter) => this.exportFiltered(filter),
      clearLog: async () => (await vscode.commands.executeCommand<number | undefined>(Commands.ClearLog)) ?? 0,
      runCommand: async (command) => {
        if (command === 'listen') await vscode.commands.executeCommand(Commands.Listen);
      },
      rememberTarget: async (target) => {
        const parsed = target === '' ? undefined : target;
        if (parsed) await deps.recents.addTarget(parsed);
        this.postMeta(true);
      },
      log: deps.log,
      post: (message) => this.post(message),
    });

    panel.webview.html = this.html();
    this.subscriptions.push(
      this.feed,
      this.requests,
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        this.feed.setVisible(panel.visible);
        if (panel.visible) this.postMeta(true);
      }),
      panel.onDidDispose(() => this.dispose()),
      registry.onDidLog(() => {
        this.feed.notify();
        this.scheduleMeta();
      }),
      registry.onDidChange(() => this.scheduleMeta()),
      registry.log.onDidClear(() => {
        if (this.ready) this.feed.snapshot('cleared');
      }),
    );
  }

  /** Fills the composer (and filter) as soon as the webview can take it. */
  prefill(prefill: ComposerPrefill): void {
    if (this.ready && this.panel.visible) this.post({ type: 'prefill', prefill });
    else this.pendingPrefill = { ...this.pendingPrefill, ...prefill };
  }

  /** Posts unless the panel is hidden (its webview is gone then; the next snapshot brings it up to date). */
  private post(message: HostToWebview): void {
    if (this.disposed || !this.panel.visible) return;
    void this.postNow(message);
  }

  private postNow(message: HostToWebview): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.reject(parsed.message);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready':
        if (m.protocol !== PROTOCOL_VERSION) {
          this.reject(`the webview speaks protocol ${m.protocol}, the host ${PROTOCOL_VERSION}; reload the window`);
          return;
        }
        this.ready = true;
        this.feed.snapshot('ready');
        this.lastSockets = this.lastTargets = this.lastCaps = '';
        this.postMeta(false);
        if (this.pendingPrefill) {
          const prefill = this.pendingPrefill;
          this.pendingPrefill = undefined;
          this.prefill(prefill);
        }
        this.readyEmitter.fire();
        return;
      case 'resync':
        this.deps.log.debug(`Messages panel asked for a resync after stream message ${m.lastSeq}: ${m.reason}`);
        this.feed.snapshot('resync');
        return;
      case 'ack':
        this.feed.ack(m.seq);
        return;
      default:
        void this.requests.handle(m);
    }
  }

  private reject(reason: string): void {
    this.rejectEmitter.fire(reason);
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== this.rejects.minute) {
      if (this.rejects.suppressed > 0) this.deps.log.warn(`Messages panel: ${this.rejects.suppressed} more invalid messages from the webview were ignored.`);
      this.rejects = { minute, count: 0, suppressed: 0 };
    }
    if (this.rejects.count++ < REJECT_LOG_LIMIT) this.deps.log.warn(`Messages panel: ignored an invalid message from the webview: ${reason.slice(0, 300)}`);
    else this.rejects.suppressed++;
  }

  // ---------------------------------------------------------------------------------- sockets, targets

  private scheduleMeta(): void {
    if (this.metaTimer !== undefined || !this.ready || !this.panel.visible) return;
    this.metaTimer = setTimeout(() => {
      this.metaTimer = undefined;
      this.postMeta(false);
    }, META_INTERVAL_MS);
  }

  /** Posts the socket list, target suggestions and caps when they changed (always when `force`). */
  private postMeta(force: boolean): void {
    if (!this.ready || !this.panel.visible) return;
    const sockets = this.socketSummaries(false);
    const socketsJson = JSON.stringify(sockets);
    if (force || socketsJson !== this.lastSockets) {
      this.lastSockets = socketsJson;
      this.post({ type: 'sockets', sockets });
    }
    const targets = this.targets();
    const targetsJson = JSON.stringify(targets);
    if (force || targetsJson !== this.lastTargets) {
      this.lastTargets = targetsJson;
      this.post({ type: 'targets', targets });
    }
    const caps = this.deps.registry.log.getCaps();
    const capsJson = JSON.stringify(caps);
    if (capsJson !== this.lastCaps) {
      if (this.lastCaps !== '') this.post({ type: 'caps', caps });
      this.lastCaps = capsJson;
    }
  }

  /** Open sockets; with `withClosed`, also the closed ones whose datagrams are still in the log (by name). */
  private socketSummaries(withClosed: boolean): SocketSummary[] {
    const open = this.deps.registry.views().map(summary);
    if (!withClosed) return open;
    const known = new Set(open.map((s) => s.id));
    const closed: SocketSummary[] = [];
    for (const id of this.deps.registry.log.socketIdsHeld()) {
      if (known.has(id)) continue;
      const local = this.deps.directory.local(id);
      closed.push({
        id,
        title: id.startsWith('ephemeral-') ? `ephemeral${local ? ` ${local}` : ''}` : this.deps.directory.title(id),
        state: 'closed',
      });
    }
    return [...open, ...closed];
  }

  /** Recent targets, then the peers the open sockets heard from (most recent first). */
  private targets(): TargetSuggestion[] {
    const recent: TargetSuggestion[] = this.deps.recents.targets().map((t) => ({ target: t, kind: 'recent' }));
    const peers: Array<TargetSuggestion & { lastSeen: number }> = [];
    for (const socket of this.deps.registry.list()) {
      const title = socketTitle(socket.view());
      for (const p of socket.peers()) {
        peers.push({
          target: formatEndpoint(p),
          kind: 'peer',
          detail: `peer of ${title} · ${formatCount(p.datagrams)} datagram${p.datagrams === 1 ? '' : 's'}`,
          socketId: socket.id,
          lastSeen: p.lastSeen,
        });
      }
    }
    peers.sort((a, b) => b.lastSeen - a.lastSeen);
    return [...recent, ...peers.slice(0, 30).map(({ lastSeen: _lastSeen, ...t }) => t)];
  }

  // ------------------------------------------------------------------------------------------- export

  private async exportFiltered(filter: Parameters<typeof filteredJsonLines>[1]): Promise<{ written: number; path: string } | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
    const uri = await vscode.window.showSaveDialog({
      title: 'Export the filtered datagrams as JSON Lines',
      saveLabel: 'Export',
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `udp-lab-messages-${stamp}.jsonl`) } : {}),
      filters: { 'JSON Lines': ['jsonl', 'ndjson'], 'All files': ['*'] },
    });
    if (!uri) return undefined;
    const lines = filteredJsonLines(this.deps.registry.log, filter, (id) => this.deps.directory.local(id));
    let written: number;
    try {
      if (uri.scheme === 'file') {
        written = await writeLines(uri.fsPath, lines);
      } else {
        const parts: string[] = [];
        for await (const line of lines) parts.push(line + '\n');
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(parts.join('')));
        written = parts.length;
      }
    } catch (error) {
      // The filter's regex ran out of time on a datagram: its own sentence (what was written stays), not a write problem.
      if (error instanceof FilterTimeoutError) {
        this.deps.log.warn(`Messages panel: ${error.message}`);
        throw new UdpLabError(error.code, error.message);
      }
      throw new Error(`UDP Lab could not write ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}: ${(error as Error).message}. Choose another place to save it.`);
    }
    const where = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    this.deps.log.info(`Messages panel: exported ${formatCount(written)} datagrams to ${where}.`);
    return { written, path: where };
  }

  // --------------------------------------------------------------------------------------------- html

  private html(): string {
    const webview = this.panel.webview;
    const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...parts)).toString();
    return renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(16).toString('base64'),
      scriptUri: uri('dist', 'webview.js'),
      stylesUri: uri('media', 'messages.css'),
      codiconsUri: uri('dist', 'codicons', 'codicon.css'),
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.metaTimer);
    for (const s of this.subscriptions.reverse()) s.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.readyEmitter.dispose();
    this.rejectEmitter.dispose();
  }
}

function summary(v: SocketView): SocketSummary {
  return {
    id: v.id,
    title: socketTitle(v),
    type: v.type,
    state: v.state,
    ...(v.local ? { local: v.local } : {}),
    ...(v.remote ? { remote: v.remote } : {}),
  };
}
