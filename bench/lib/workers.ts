// The parent side of the worker protocol (see workers/ipc.ts): each worker is a bundled script in
// out/bench/workers, run in its own process so a receiver, a sender and the bench never share a core's time
// slice more than the OS decides. Every request has a deadline; every worker is killed when the bench ends.

import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const live = new Set<ChildProcess>();
function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export class Worker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`${name}: ${m.error}`));
      else p.resolve(m.result);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(child);
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${signal ?? code}) before answering`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts out/bench/workers/<name>.js and waits for its "ready". */
  static start(name: string, options: { execArgv?: string[]; timeoutMs?: number } = {}): Promise<Worker> {
    const script = path.join(__dirname, 'workers', `${name}.js`);
    const child = fork(script, [], { execArgv: options.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(child);
    const worker = new Worker(name, child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`worker ${name} did not start within ${options.timeoutMs ?? 10_000} ms`));
      }, options.timeoutMs ?? 10_000);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(worker);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`worker ${name} exited (${code}) while starting`));
      });
    });
  }

  request<T>(cmd: string, args: unknown = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args });
    });
  }

  /**
   * Ends the worker and waits until it has gone: closing the IPC channel makes it exit normally (so a
   * --cpu-prof profile gets written); one that does not answer within `graceMs` (the blackhole) is killed.
   */
  stop(graceMs = 3_000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.child.connected) this.child.disconnect();
      else this.child.kill('SIGKILL');
    });
  }
}
