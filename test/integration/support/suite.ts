// The set-up the editor-surface suites share, and the wait for a setting to reach the extension:
//   before      the extension's API (activating it), then the suite's own `setUp`;
//   beforeEach  no UDP Lab socket open, and a fresh loopback TestPeer (for suites that ask for one);
//   afterEach   the suite's own `tearDown`, then every editor closed (when asked), every socket and the peer closed.
// Each suite keeps its own `udp` and `peer` variables, assigned through `onApi` / `onPeer`, so its tests read
// exactly as before. Every test starts from no socket at all, whatever an earlier test or suite left behind.
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../../src/host/api';
import { api, closeAll, TestPeer, within } from './surface';

export interface SurfaceSuiteOptions {
  onApi(udp: UdpLabApi): void;
  /** Asks for a fresh TestPeer around each test (closed after it). */
  onPeer?(peer: TestPeer): void;
  /** Once, after the API is there (e.g. show a view). */
  setUp?(udp: UdpLabApi): Thenable<unknown> | void;
  /** After each test, before editors and sockets are closed (e.g. settings back to their defaults). */
  tearDown?(): Thenable<unknown> | void;
  /** Close every editor after each test (suites that open documents). */
  closeEditors?: boolean;
}

/** Registers the shared hooks on the calling suite (call it first inside `describe`, before the suite's own hooks). */
export function surfaceSuite(options: SurfaceSuiteOptions): void {
  let peer: TestPeer | undefined;
  before(async () => {
    const udp = await api();
    options.onApi(udp);
    await options.setUp?.(udp);
  });
  beforeEach(async () => {
    await closeAll();
    if (options.onPeer) {
      peer = await TestPeer.open();
      options.onPeer(peer);
    }
  });
  afterEach(async () => {
    await options.tearDown?.();
    if (options.closeEditors) await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await closeAll();
    await peer?.close();
    peer = undefined;
  });
}

/** Sets a `udpLab.*` user setting (undefined: back to its default) and waits until the change has reached the extension. */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration('udpLab');
  if (config.inspect(key)?.globalValue === value) return;
  const seen = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`udpLab.${key}`)) return;
      sub.dispose();
      resolve();
    });
  });
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  await within(seen, 5000, `udpLab.${key} to reach the extension`);
}
