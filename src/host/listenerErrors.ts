// Where the core's event listeners report an exception (core/events.ts keeps the handler at module level).
// Each bundle that carries a copy of core/events calls this once for its own copy: dist/extension.js at
// activation, dist/udpFiles.js when it is loaded (src/host/udpFilesOnDemand.ts).

import type * as vscode from 'vscode';
import { setListenerErrorHandler } from '../core/events';

/** A throwing listener in a core event must not take a socket down; it is logged instead. */
export function logListenerErrors(log: vscode.LogOutputChannel): void {
  setListenerErrorHandler((error) => log.error(`An event listener failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
}
