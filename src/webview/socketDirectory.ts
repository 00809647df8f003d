// Socket ids → how the panel names them. Closed sockets stay known (bounded), so old rows keep their names.

import type { SocketSummary } from '../shared/protocol';

const MAX_REMEMBERED = 500;

export class SocketDirectory {
  private readonly known = new Map<string, SocketSummary>();
  private open: SocketSummary[] = [];
  /** Bumped on every change, so rendered rows know when their socket column may be stale. */
  version = 0;

  update(sockets: SocketSummary[]): void {
    this.open = sockets;
    for (const s of sockets) {
      this.known.delete(s.id);
      this.known.set(s.id, s);
    }
    while (this.known.size > MAX_REMEMBERED) {
      const oldest = this.known.keys().next().value;
      if (oldest === undefined) break;
      this.known.delete(oldest);
    }
    this.version++;
  }

  /** Sockets open now (the "from" list and the socket filter). */
  list(): readonly SocketSummary[] {
    return this.open;
  }

  get(id: string): SocketSummary | undefined {
    return this.known.get(id);
  }

  isOpen(id: string): boolean {
    return this.open.some((s) => s.id === id && s.state !== 'closed');
  }

  /** The title for the list's socket column ("udp4 127.0.0.1:5000"), the id for one never described. */
  title(id: string): string {
    const s = this.known.get(id);
    if (!s) return id.startsWith('ephemeral-') ? 'ephemeral' : id;
    return this.isOpen(id) ? s.title : `${s.title} (closed)`;
  }
}
