// The "UDP Lab" log channel's account of every socket, whoever opened it (palette, panel, .udp file): listening,
// connected, closed, errors. Errors that arrive outside any command (an ICMP "port unreachable" on a connected
// socket, a failed background send) also become a notification — at most one per socket every few seconds.
// Datagrams are never logged one by one.

import type * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { UdpSocket } from '../core/udpSocket';
import type { ErrorReporter } from './errorReporter';
import { formatCount, formatEndpoint, socketTitle } from './format';
import { forEachSocket } from './perSocket';

const NOTIFY_EVERY_MS = 5000;

export function registerSocketActivityLog(registry: SocketRegistry, log: vscode.LogOutputChannel, errors: ErrorReporter): vscode.Disposable {
  return forEachSocket(registry, (socket) => {
    let lastNotified = 0;
    let suppressed = 0;
    const logListening = (): void => {
      const v = socket.view();
      log.info(`Listening on ${socketTitle(v)} (${v.id})${describeOptions(socket)}.`);
    };
    const state = socket.view().state;
    if (state === 'listening' || state === 'connected') logListening();
    const subs = [
      socket.onDidListen(() => logListening()),
      socket.onDidConnect(() => {
        const v = socket.view();
        if (v.remote) log.info(`${socketTitle(v)} is connected to ${formatEndpoint(v.remote)}.`);
      }),
      socket.onDidClose(() => {
        const v = socket.view();
        log.info(`Closed ${socketTitle(v)} (${v.id}) after ${formatCount(v.stats.datagramsIn)} datagrams in, ${formatCount(v.stats.datagramsOut)} out.`);
      }),
      socket.onDidError((error) => {
        const now = Date.now();
        if (now - lastNotified < NOTIFY_EVERY_MS) {
          suppressed++;
          log.error(`${socketTitle(socket.view())}: ${error.userMessage}`);
          return;
        }
        lastNotified = now;
        if (suppressed > 0) log.warn(`${suppressed} more errors on ${socketTitle(socket.view())} were logged without a notification.`);
        suppressed = 0;
        errors.show(error);
      }),
    ];
    return { dispose: () => subs.forEach((s) => s.dispose()) };
  });
}

function describeOptions(socket: UdpSocket): string {
  const o = socket.view().options;
  const parts = [
    o.reuseAddr ? 'reuseAddr' : '',
    o.reusePort ? 'reusePort' : '',
    o.ipv6Only ? 'ipv6Only' : '',
    o.exclusive ? 'exclusive' : '',
    o.recvBufferSize ? `recvBufferSize ${o.recvBufferSize}` : '',
    o.sendBufferSize ? `sendBufferSize ${o.sendBufferSize}` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? ` with ${parts.join(', ')}` : '';
}
