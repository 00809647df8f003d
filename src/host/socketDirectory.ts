// Remembers each socket's name (`udp4 127.0.0.1:5000`) and bound endpoint by id, also after it closed, so that
// log lines, exports and notifications about datagrams still in the log can name the socket they belong to.

import type * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import { formatEndpoint, socketTitle } from './format';

/** Closed sockets remembered at most; the oldest are forgotten first. */
const KEEP_CLOSED = 1000;

export class SocketDirectory implements vscode.Disposable {
  private readonly names = new Map<string, { title: string; local?: string }>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly registry: SocketRegistry) {
    for (const v of registry.views()) this.note(v.id);
    this.subscription = registry.onDidChange((e) => {
      if (e.kind !== 'removed') this.note(e.id);
      else this.trim();
    });
  }

  title(id: string): string {
    const live = this.registry.get(id);
    if (live) this.note(id);
    return this.names.get(id)?.title ?? id;
  }

  local(id: string): string | undefined {
    const live = this.registry.get(id);
    if (live) this.note(id);
    return this.names.get(id)?.local;
  }

  private note(id: string): void {
    const s = this.registry.get(id);
    if (!s) return;
    const v = s.view();
    this.names.delete(id);
    this.names.set(id, { title: socketTitle(v), ...(v.local ? { local: formatEndpoint(v.local) } : {}) });
  }

  private trim(): void {
    const excess = this.names.size - this.registry.list().length - KEEP_CLOSED;
    if (excess <= 0) return;
    let n = 0;
    for (const id of this.names.keys()) {
      if (n >= excess) break;
      if (this.registry.get(id)) continue;
      this.names.delete(id);
      n++;
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
