// The child side of the bench's worker protocol: the parent sends { id, cmd, args }, the child answers
// { id, result } or { id, error }. A worker exits when its parent goes away, so no flood outlives the bench.

type Handler = (args: never) => unknown;

export function serve(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('A bench worker must be started with an IPC channel (child_process.fork).');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { id: number; cmd: string; args: unknown }) => {
    void (async () => {
      const handler = handlers[message.cmd];
      try {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        const result = await (handler as (args: unknown) => unknown)(message.args);
        process.send!({ id: message.id, result });
      } catch (error) {
        process.send!({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
  process.send({ ready: true });
}

/** Resolves after `ms`, keeping the event loop free for sockets in between. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
