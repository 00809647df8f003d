// Ctrl-C (SIGINT) and SIGTERM as a cancellation token, so a command closes its sockets and prints what it has
// before exiting, instead of dying mid-write. A second Ctrl-C exits at once.

import type { CancellationLike } from '../core/udpFile';

export interface Interrupt extends CancellationLike {
  dispose(): void;
}

export function interruptToken(): Interrupt {
  let cancelled = false;
  const listeners = new Set<() => unknown>();
  const onSignal = () => {
    if (cancelled) process.exit(130);
    cancelled = true;
    for (const l of [...listeners]) l();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get isCancellationRequested() {
      return cancelled;
    },
    onCancellationRequested(listener) {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      listeners.clear();
    },
  };
}
