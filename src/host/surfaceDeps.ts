// What every piece of the editor surface is handed by src/extension.ts: the core objects and the host services.

import type * as vscode from 'vscode';
import type { SendScheduler } from '../core/sendScheduler';
import type { SocketRegistry } from '../core/socketRegistry';
import type { UdpLabSettings } from './config';
import type { ErrorReporter } from './errorReporter';
import type { NetworkExposureGuard } from './networkExposure';
import type { Recents } from './recents';
import type { SocketDirectory } from './socketDirectory';

export interface SurfaceDeps {
  registry: SocketRegistry;
  scheduler: SendScheduler;
  log: vscode.LogOutputChannel;
  errors: ErrorReporter;
  recents: Recents;
  exposure: NetworkExposureGuard;
  /** Socket names by id, also for sockets that closed while their datagrams are still in the log. */
  directory: SocketDirectory;
  /** Current settings (re-read on every call, so a change applies to the next command). */
  settings: () => UdpLabSettings;
}
