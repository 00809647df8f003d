// Notifications for incoming datagrams, as `udpLab.notifications.incoming` asks (none, the first datagram from
// each new peer, or every datagram, at most one a second): incomingDigest.ts decides what to say and when; this
// shows it with "Show Messages" and "Reply". The payload is never shown here (it is hostile input, and
// notifications render links); the Messages panel shows it inert.

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { IncomingNotifications } from './config';
import { Commands, executeCommand } from './commandIds';
import { inertLinks } from './errorReporter';
import { IncomingDigest } from './incomingDigest';

export interface IncomingNotifier extends vscode.Disposable {
  setMode(mode: IncomingNotifications): void;
  /** Notifications shown so far (tests). */
  readonly shown: readonly string[];
  /** Fires with each notification's text as it is shown (tests wait on it). */
  readonly onDidNotify: vscode.Event<string>;
}

export function registerIncomingNotifier(registry: SocketRegistry, initial: IncomingNotifications): IncomingNotifier {
  const shown: string[] = [];
  const notified = new vscode.EventEmitter<string>();
  const digest = new IncomingDigest(registry, initial, ({ text, socketId, peer }) => {
    // Socket labels are user text: keep link syntax in them inert (see inertLinks).
    const safe = inertLinks(text);
    shown.push(safe);
    if (shown.length > 100) shown.shift();
    notified.fire(safe);
    void vscode.window.showInformationMessage(safe, 'Show Messages', 'Reply').then((choice) => {
      if (choice === 'Show Messages') void executeCommand(Commands.ShowMessages);
      // The socket may have closed since: Reply then says so, like Reply from a stale tree item.
      else if (choice === 'Reply') void executeCommand(Commands.ReplyToPeer, { kind: 'peer', socketId, peer });
    });
  });

  return {
    setMode: (next) => digest.setMode(next),
    shown,
    onDidNotify: notified.event,
    dispose: () => {
      digest.dispose();
      notified.dispose();
    },
  };
}
