// The `.udp` feature — language features, CodeLens runner, Test Explorer, and the parser and runner of
// src/core/udpFile under them, a third of the extension's code — is a bundle of its own, dist/udpFiles.js,
// require()d the first time something needs it:
//   - a `.udp` document is open or opens (VS Code activates UDP Lab for it: onLanguage:udp, derived from the
//     `languages` contribution);
//   - the workspace holds a `.udp` file, or one is created: Test Explorer lists them, so they must be discovered
//     even when no editor shows one. (UDP Lab is activated when the Testing view opens, but VS Code shows that
//     view only once some extension has a test controller: with UDP Lab the only one, its tests appear after the
//     first .udp file is opened or another UDP Lab feature is used. `workspaceContains:**/*.udp` would list them
//     at start-up at the cost of activating in every such workspace, which "no work before first use" rules out.)
//   - the integration tests reach for its hooks (UdpLabApi.udpFiles).
// An activation that never meets a `.udp` file (Listen, Send, the Sockets view, the Messages panel) never
// loads, compiles or runs that code.

import * as vscode from 'vscode';
import type { ErrorReporter } from './errorReporter';
import { requireBundle } from './lazyBundle';
import type { UdpFilesHooks } from './udpFile';
import type * as UdpFilesBundleModule from './udpFile/bundle';
import { isUdpDocument } from './udpFile/convert';

export type UdpFilesBundle = typeof UdpFilesBundleModule;

const UDP_FILES = '**/*.udp';
/** The same folders Test Explorer's discovery leaves out (src/host/udpFile/testController.ts). */
const EXCLUDE = '**/{node_modules,.git}/**';

export class UdpFilesOnDemand implements vscode.Disposable {
  private hooksValue: UdpFilesHooks | undefined;
  private triggers: vscode.Disposable[] = [];
  private failed = false;
  private disposed = false;

  /** `register` wires the loaded feature to the extension's objects (it is called once, at first use). */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly errors: Pick<ErrorReporter, 'show'>,
    private readonly register: (feature: UdpFilesBundle) => UdpFilesHooks,
  ) {
    // Activated for a `.udp` editor: its CodeLens and diagnostics are asked for as soon as activate() returns.
    if (vscode.workspace.textDocuments.some(isUdpDocument)) {
      this.loadFor('a .udp document is open');
      return;
    }
    const watcher = vscode.workspace.createFileSystemWatcher(UDP_FILES, false, true, true);
    this.triggers.push(
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (isUdpDocument(document)) this.loadFor(`${document.uri.toString(true)} opened`);
      }),
      watcher,
      watcher.onDidCreate((uri) => this.loadFor(`${uri.toString(true)} was created`)),
    );
    vscode.workspace.findFiles(UDP_FILES, EXCLUDE, 1).then(
      (found) => {
        if (found.length > 0) this.loadFor('the workspace holds .udp files');
      },
      (error: unknown) => log.warn(`Looking for .udp files in the workspace failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Whether the feature's bundle has been loaded. */
  get loaded(): boolean {
    return this.hooksValue !== undefined;
  }

  /** The feature's hooks, loading it now if nothing has yet. Throws when its bundle cannot be loaded. */
  hooks(): UdpFilesHooks {
    if (this.hooksValue) return this.hooksValue;
    if (this.disposed) throw new Error('UDP Lab has been deactivated; its .udp file support is gone with it.');
    this.stopTriggers();
    // Next to dist/extension.js (esbuild.js builds it from src/host/udpFile/bundle.ts).
    this.hooksValue = this.register(requireBundle<UdpFilesBundle>('udpFiles.js', 'its .udp file support', this.log));
    return this.hooksValue;
  }

  private loadFor(reason: string): void {
    if (this.hooksValue || this.failed || this.disposed) return;
    const started = performance.now();
    try {
      this.hooks();
      this.log.info(`.udp file support loaded (${reason}) in ${(performance.now() - started).toFixed(1)} ms.`);
    } catch (error) {
      // Said once: every further .udp document would fail the same way.
      this.failed = true;
      this.errors.show(error);
    }
  }

  private stopTriggers(): void {
    const triggers = this.triggers;
    this.triggers = [];
    for (const d of triggers) d.dispose();
  }

  dispose(): void {
    this.disposed = true;
    this.stopTriggers();
  }
}
