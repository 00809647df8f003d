// What `activate` returns: the registry (so other extensions and the integration tests can see the same sockets
// the user sees) and read-only hooks into the editor surface for tests: the tree's provider, the status-bar
// text, and every error or warning sentence shown to the user.

import type * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import type { ShownMessage } from './errorReporter';
import type { SocketsTreeNode, SocketsTreeProvider } from './socketsTree';
import type { UdpFilesHooks } from './udpFile';

export interface EditorSurfaceHooks {
  readonly tree: SocketsTreeProvider;
  readonly treeView: vscode.TreeView<SocketsTreeNode>;
  /** Redraw the tree and the status bar now instead of at their next tick. */
  refreshViews(): void;
  /** The status-bar summary's text, undefined while hidden. */
  statusBarText(): string | undefined;
  /** The Send Selection target hint for the active editor, undefined while hidden. */
  sendTargetHint(): string | undefined;
  /** Error and warning notifications shown so far (the last 100), oldest first. */
  shownMessages(): readonly ShownMessage[];
  readonly onDidShowMessage: vscode.Event<ShownMessage>;
  /** Incoming-datagram notifications shown so far, and as they are shown. */
  incomingNotifications(): readonly string[];
  readonly onDidNotifyIncoming: vscode.Event<string>;
  /** Forgets this session's "Listen on the Network" answer (it can only take permission away), so a test sees the question. */
  forgetNetworkExposureAnswer(): void;
}

export interface UdpLabApi {
  readonly registry: SocketRegistry;
  /** Hooks for tests; not a stable interface for other extensions. */
  readonly testing: EditorSurfaceHooks;
  /** `.udp` editor hooks for tests (Test Explorer outcomes, simulated untrusted mode, inline results). */
  readonly udpFiles: UdpFilesHooks;
}
