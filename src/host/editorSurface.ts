// Registers the whole editor surface — commands, the UDP Sockets view, the status bar, Send Selection,
// notifications and the activity log — over the core objects src/extension.ts built, and returns the hooks
// the integration tests read (through the API `activate` returns).

import type * as vscode from 'vscode';
import { onDidChangeSettings } from './config';
import type { EditorSurfaceHooks } from './api';
import { registerIncomingNotifier } from './incomingNotifier';
import { registerListenCommand } from './listenCommand';
import { registerLogCommands } from './logCommands';
import { registerSendCommands } from './sendCommands';
import { registerSendSelection } from './sendSelection';
import { registerShowMessagesCommand, type MessagesLink } from './showMessagesCommand';
import { registerSocketActivityLog } from './socketActivityLog';
import { registerSocketCommands } from './socketCommands';
import { registerSocketsTree } from './socketsTree';
import { registerStatusBar } from './statusBar';
import type { SurfaceDeps } from './surfaceDeps';

export function registerEditorSurface(deps: SurfaceDeps, messages: MessagesLink): vscode.Disposable & { hooks: EditorSurfaceHooks } {
  const { registry, log, errors } = deps;
  const tree = registerSocketsTree(registry);
  const statusBar = registerStatusBar(registry);
  const sendSelection = registerSendSelection(deps);
  const notifier = registerIncomingNotifier(registry, deps.settings().incomingNotifications);
  const disposables: vscode.Disposable[] = [
    tree,
    statusBar,
    sendSelection,
    notifier,
    registerListenCommand(deps),
    registerSendCommands(deps),
    registerSocketCommands(deps),
    registerLogCommands(deps),
    registerShowMessagesCommand(errors, messages),
    registerSocketActivityLog(registry, log, errors),
    onDidChangeSettings((s) => {
      registry.log.setCaps({ maxCount: s.logMaxDatagrams, maxBytes: s.logMaxBytes });
      notifier.setMode(s.incomingNotifications);
    }),
  ];
  const hooks: EditorSurfaceHooks = {
    tree: tree.provider,
    treeView: tree.view,
    refreshViews: () => {
      tree.refreshNow();
      statusBar.refreshNow();
    },
    statusBarText: () => statusBar.text,
    sendTargetHint: () => sendSelection.hintText,
    shownMessages: () => errors.messages,
    onDidShowMessage: errors.onDidShow,
    incomingNotifications: () => notifier.shown,
    onDidNotifyIncoming: notifier.onDidNotify,
    forgetNetworkExposureAnswer: () => deps.exposure.forget(),
  };
  return {
    hooks,
    dispose: () => {
      for (const d of disposables.reverse()) {
        try {
          d.dispose();
        } catch (error) {
          log.error(`Disposing a part of the editor surface failed: ${String(error)}`);
        }
      }
    },
  };
}
