// Watches the process for what must never happen while UDP Lab handles a fault: an unhandled promise rejection or
// an uncaught exception. Used by the unit fault matrix (mocha in Node) and by the integration suite inside the
// VS Code extension host (where VS Code has its own listeners too; Node calls every listener, so ours still sees
// each one). The watch only records; the test asserts the list is empty and prints what it holds if not.

export interface ProcessProblem {
  kind: 'unhandledRejection' | 'uncaughtException';
  /** The reason's stack (or its text), first lines only. */
  text: string;
}

export interface ProcessWatch {
  readonly problems: readonly ProcessProblem[];
  /** The problems as lines for an assertion message. */
  describe(): string;
  dispose(): void;
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return (reason.stack ?? `${reason.name}: ${reason.message}`).split('\n').slice(0, 8).join('\n');
  try {
    return `non-Error value: ${JSON.stringify(reason)}`;
  } catch {
    return `non-Error value: ${String(reason)}`;
  }
}

export function watchProcess(): ProcessWatch {
  const problems: ProcessProblem[] = [];
  const onRejection = (reason: unknown): void => {
    problems.push({ kind: 'unhandledRejection', text: describeReason(reason) });
  };
  const onException = (error: unknown): void => {
    problems.push({ kind: 'uncaughtException', text: describeReason(error) });
  };
  process.on('unhandledRejection', onRejection);
  // 'uncaughtExceptionMonitor' observes without changing what Node (or mocha, or VS Code) does with the exception.
  process.on('uncaughtExceptionMonitor', onException);
  return {
    problems,
    describe: () => problems.map((p) => `${p.kind}: ${p.text}`).join('\n---\n'),
    dispose: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtExceptionMonitor', onException);
    },
  };
}

/**
 * Lets pending rejections surface: Node reports an unhandled rejection after the microtask queue drains, so a
 * check right after a fault could miss one. Two macrotask turns are enough for Node's own bookkeeping.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
