// Workspace Trust for `.udp` files. A `.udp` file in a cloned repository is untrusted input: running it would
// make the editor send datagrams to, or listen on, whatever the file says. In an untrusted workspace the files
// open and highlight, diagnostics and hovers work, but every send and listen is refused here, in one place,
// before a socket exists. The CodeLens shows the reason instead of the action.
//
// No `vscode` import on purpose: the gate is fed the trust state, so unit tests can drive it with a real runner.

import { Emitter, type Disposable, type Event } from '../../core/events';
import type { RunnerRegistry } from '../../core/udpFile';

export type GatedAction = 'send' | 'listen';

/** Where trust comes from: `vscode.workspace.isTrusted` / `onDidGrantWorkspaceTrust` in the extension. */
export interface TrustSource {
  readonly isTrusted: boolean;
  /** Trust can only be granted while the window is open, never revoked (VS Code reloads the window then). */
  readonly onDidGrant: Event<void>;
}

export const UNTRUSTED_REASON: Record<GatedAction, string> = {
  send: 'Sending is disabled in untrusted workspaces',
  listen: 'Listening is disabled in untrusted workspaces',
};

/** The error a refused action raises; `code` lets callers and tests tell it apart from a network error. */
export class UntrustedWorkspaceError extends Error {
  override readonly name = 'UntrustedWorkspaceError';
  readonly code = 'UNTRUSTED_WORKSPACE';
  constructor(readonly action: GatedAction) {
    super(`${UNTRUSTED_REASON[action]}. Trust this workspace (Manage Workspace Trust) to run .udp files from it.`);
  }
}

export class TrustGate implements Disposable {
  private readonly changed = new Emitter<void>();
  /** Fires when the answer of `allowed` may have changed (trust granted, or a test override). */
  readonly onDidChange: Event<void> = this.changed.event;
  private simulatedUntrusted = false;
  private readonly subscription: Disposable;

  constructor(private readonly source: TrustSource) {
    this.subscription = source.onDidGrant(() => this.changed.fire());
  }

  get allowed(): boolean {
    return this.source.isTrusted && !this.simulatedUntrusted;
  }

  /** The sentence a lens or a failed run shows, or undefined when the action may run. */
  reason(action: GatedAction): string | undefined {
    return this.allowed ? undefined : UNTRUSTED_REASON[action];
  }

  /** Call immediately before opening a socket or sending; throws UntrustedWorkspaceError when not allowed. */
  check(action: GatedAction): void {
    if (!this.allowed) throw new UntrustedWorkspaceError(action);
  }

  /**
   * Tests only (reached through the extension's test API): behave as if the workspace were untrusted, because
   * the real-VS Code harness opens its workspace trusted. It can only take permission away, never grant it, so
   * nothing that reaches the API can make an untrusted workspace send.
   */
  simulateUntrusted(on: boolean): void {
    if (this.simulatedUntrusted === on) return;
    this.simulatedUntrusted = on;
    this.changed.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * The registry `.udp` runs get: every socket they open passes the gate first. Sending and listening both need a
 * socket, so this is the one place that cannot be bypassed by a code path that forgot to ask.
 */
export function gatedRegistry<R extends RunnerRegistry>(registry: R, gate: TrustGate, action: GatedAction): RunnerRegistry {
  return {
    open: (options) => {
      try {
        gate.check(action);
      } catch (error) {
        return Promise.reject(error);
      }
      return registry.open(options);
    },
  };
}
