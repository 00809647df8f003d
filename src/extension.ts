// The composition root: builds the core objects, hands them to the host pieces, and pushes every disposable.
// Nothing else lives here. Each host piece is one `register…(…)` line:
//   editor surface (commands, UDP Sockets view, status bar, Send Selection) — src/host/editorSurface.ts
//   Messages panel                                                          — src/host/panel/messagesPanel.ts
//   .udp files (language features, CodeLens, runner), loaded on first use   — src/host/udpFile/ (udpFilesOnDemand.ts)

import * as vscode from 'vscode';
import { SendScheduler } from './core/sendScheduler';
import { SocketRegistry } from './core/socketRegistry';
import type { UdpLabApi } from './host/api';
import { readSettings } from './host/config';
import { registerEditorSurface } from './host/editorSurface';
import { ErrorReporter } from './host/errorReporter';
import { logListenerErrors } from './host/listenerErrors';
import { NetworkExposureGuard } from './host/networkExposure';
import { registerMessagesPanel } from './host/panel/messagesPanel';
import { Recents } from './host/recents';
import { MessagesLink } from './host/showMessagesCommand';
import { SocketDirectory } from './host/socketDirectory';
import type { SurfaceDeps } from './host/surfaceDeps';
import { UdpFilesOnDemand } from './host/udpFilesOnDemand';

let registry: SocketRegistry | undefined;

export function activate(context: vscode.ExtensionContext): UdpLabApi {
  const log = vscode.window.createOutputChannel('UDP Lab', { log: true });
  logListenerErrors(log);

  const settings = readSettings();
  const sockets = new SocketRegistry({ logCaps: { maxCount: settings.logMaxDatagrams, maxBytes: settings.logMaxBytes } });
  registry = sockets;
  const scheduler = new SendScheduler();
  const errors = new ErrorReporter(log);
  const recents = new Recents(context, () => readSettings().rememberTargets);
  const directory = new SocketDirectory(sockets);
  const messages = new MessagesLink();
  const deps: SurfaceDeps = {
    registry: sockets,
    scheduler,
    log,
    errors,
    recents,
    directory,
    exposure: new NetworkExposureGuard(),
    settings: readSettings,
  };

  const surface = registerEditorSurface(deps, messages);
  const panel = messages.connect(registerMessagesPanel(context, deps));
  context.subscriptions.push(
    log,
    errors,
    recents,
    directory,
    { dispose: () => scheduler.cancelAll() },
    panel,
    sockets,
    surface,
  );

  // The `.udp` feature is its own bundle, loaded on first use (a `.udp` file open or in the workspace).
  const udpFiles = new UdpFilesOnDemand(log, errors, (feature) => feature.registerUdpFiles(context, sockets, log, errors, deps.exposure.forUdpFiles));
  context.subscriptions.push(udpFiles);

  return {
    registry: sockets,
    testing: surface.hooks,
    get udpFiles() {
      return udpFiles.hooks();
    },
  };
}

/** Closes every socket (VS Code waits for the promise before it tears the extension host down). */
export async function deactivate(): Promise<void> {
  const open = registry;
  registry = undefined;
  await open?.closeAll();
}
