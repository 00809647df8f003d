// "UDP: Show Messages" opens the Messages panel (src/host/messagesPanel.ts, the panel's own code). The command
// is registered here, with the rest of the palette; the panel hands over how to show itself through
// MessagesLink.connect() in src/extension.ts. From a socket in the tree it passes that socket's id, so the
// panel can filter to it.

import type * as vscode from 'vscode';
import { argObject, isTreeNode, optString } from './commandArgs';
import { Commands } from './commandIds';
import type { ErrorReporter } from './errorReporter';
import { validationError } from '../core/errors';
import { registerGuarded } from './guardedCommand';

export interface ShowMessagesOptions {
  /** Show this socket's datagrams (a filter the user can clear). */
  socketId?: string;
}

/** What the panel provides: anything with a `show`. */
export interface MessagesPanelHandle {
  show(options?: ShowMessagesOptions): unknown;
}

export class MessagesLink {
  private handle: MessagesPanelHandle | undefined;

  /** Called once by the composition root with the panel's handle; returns it for chaining into subscriptions. */
  connect<T extends MessagesPanelHandle>(handle: T): T {
    this.handle = handle;
    return handle;
  }

  get connected(): boolean {
    return this.handle !== undefined;
  }

  async show(options?: ShowMessagesOptions): Promise<void> {
    if (!this.handle) throw validationError('The Messages panel is not part of this build of UDP Lab; the UDP Sockets view and the "UDP Lab" log show the traffic.');
    await this.handle.show(options);
  }
}

export function registerShowMessagesCommand(errors: ErrorReporter, link: MessagesLink): vscode.Disposable {
  return registerGuarded(errors, Commands.ShowMessages, async (arg) => {
    let socketId: string | undefined;
    if (isTreeNode(arg)) socketId = arg.socketId;
    else {
      const args = argObject(arg);
      socketId = args ? (optString(args, 'socketId') ?? optString(args, 'socket')) : undefined;
    }
    await link.show(socketId !== undefined ? { socketId } : undefined);
  });
}
