// Runs `attach` for every socket in the registry — those open now and every one opened later — and disposes of
// what it returned when the socket leaves the registry. The way host pieces listen to per-socket events.

import type * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { UdpSocket } from '../core/udpSocket';

export function forEachSocket(registry: SocketRegistry, attach: (socket: UdpSocket) => { dispose(): void }): vscode.Disposable {
  const attached = new Map<string, { dispose(): void }>();
  const add = (socket: UdpSocket): void => {
    if (attached.has(socket.id)) return;
    attached.set(socket.id, attach(socket));
  };
  for (const s of registry.list()) add(s);
  const sub = registry.onDidChange((e) => {
    if (e.kind === 'added') {
      const s = registry.get(e.id);
      if (s) add(s);
    } else if (e.kind === 'removed') {
      attached.get(e.id)?.dispose();
      attached.delete(e.id);
    }
  });
  return {
    dispose: () => {
      sub.dispose();
      for (const d of attached.values()) d.dispose();
      attached.clear();
    },
  };
}
