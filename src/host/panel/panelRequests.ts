// What the host does for each request the Messages panel's webview makes: send (once or repeated), cancel a
// repeat, fetch a whole datagram, copy, export, clear, run a command. Pure of `vscode`: the editor's services
// (clipboard, save dialog, commands) come in as functions, so this runs in mocha against real sockets.
//
// Every request gets exactly one `response` with the same id: the result, or a sentence for the user.
// The webview validated its form already; everything is checked again here, because the message is untrusted.

import { UdpLabError } from '../../core/errors';
import type { Disposable, Event } from '../../core/events';
import type { DatagramView } from '../../shared/dto';
import { compileFilter, type CompiledFilter } from '../../shared/datagramFilter';
import { encodePayload, PayloadError } from '../../shared/payload';
import type { DatagramFilter, HostToWebview, PanelCommand, RequestMap, RequestType, SendParams, WebviewRequest } from '../../shared/protocol';
import { checkPayloadSize, parseHostPort, type HostPort } from '../../shared/validation';

/** The parts of the core's SendScheduler the panel uses (repeat N times, every T ms, cancellable). */
export interface RepeatScheduler {
  start(options: { sendWithCallback: (done: (error?: unknown) => void) => void; count: number; intervalMs?: number }): {
    onProgress: Event<{ sent: number; failed: number; total: number }>;
    done: Promise<{ sent: number; failed: number; cancelled: boolean }>;
    cancel(): void;
  };
}

export interface PanelServices {
  /** Sends one datagram (from the socket with this id, or an ephemeral one); resolves with the bytes sent. */
  sendOnce(bytes: Uint8Array, target: HostPort, socketId: string | undefined, quiet: boolean): Promise<{ bytes: number; target: string }>;
  /**
   * Runs a repeat's sends from one socket: the chosen one, or (no socketId) one opened for the run and closed
   * when `run` settles — never a socket per datagram, so the peer sees one sender. `send` is callback style (no
   * Promise per datagram) and answers `done` once per datagram; `target` is the destination as shown to users.
   */
  withRepeatSender<T>(target: HostPort, socketId: string | undefined, run: (sender: RepeatSender) => Promise<T>): Promise<T>;
  /** The socket's type when it is open (undefined = no such socket). */
  socketType(socketId: string): 'udp4' | 'udp6' | undefined;
  /** Watches a socket closing (a repeat stops with it). */
  onSocketClose(socketId: string, listener: () => void): Disposable | undefined;
  scheduler: RepeatScheduler;
  /** A datagram still in the log. */
  datagram(seq: number): DatagramView | undefined;
  writeClipboard(text: string): Promise<void>;
  /** Asks where to save, then writes the log entries the filter matches; undefined when the user cancelled. */
  exportFiltered(filter: CompiledFilter): Promise<{ written: number; path: string } | undefined>;
  clearLog(): Promise<number>;
  runCommand(command: PanelCommand): Promise<void>;
  rememberTarget(target: string): Promise<void>;
  log: { info(message: string): void; warn(message: string): void };
  /** Posts to the webview (the caller drops it when the panel is hidden). */
  post(message: HostToWebview): void;
}

export interface RepeatSender {
  send(bytes: Uint8Array, done: (error: unknown) => void): void;
  target: string;
}

type Result<K extends RequestType> = RequestMap[K]['result'];

/** Progress reports for repeats are posted at most this often. */
const PROGRESS_INTERVAL_MS = 100;

export class PanelRequests implements Disposable {
  private readonly repeats = new Map<number, () => void>();

  constructor(private readonly services: PanelServices) {}

  /** Handles one (validated) request and posts its response. Never throws. */
  async handle(request: WebviewRequest): Promise<void> {
    try {
      const result = await this.run(request);
      this.services.post({ type: 'response', id: request.id, request: request.type, ok: true, result } as HostToWebview);
    } catch (error) {
      this.services.post({ type: 'response', id: request.id, request: request.type, ok: false, error: sentence(error) } as HostToWebview);
    }
  }

  private run(r: WebviewRequest): Promise<unknown> {
    switch (r.type) {
      case 'send':
        return this.send(r.id, r);
      case 'cancelSend':
        return Promise.resolve(this.cancel(r.sendId));
      case 'getBytes':
        return Promise.resolve(this.getBytes(r.seq));
      case 'copy':
        return this.copy(r.text, r.what);
      case 'export':
        return this.export(r.filter);
      case 'clear':
        return this.services.clearLog().then((cleared): Result<'clear'> => ({ cleared }));
      case 'runCommand':
        return this.services.runCommand(r.command).then((): Result<'runCommand'> => ({ done: true }));
    }
  }

  private async send(id: number, p: SendParams): Promise<Result<'send'>> {
    const target = parseHostPort(p.target);
    if (!target.ok) throw new UserError(target.message);
    let bytes: Uint8Array;
    try {
      bytes = encodePayload(p.payload, p.encoding);
    } catch (error) {
      if (error instanceof PayloadError) throw new UserError(error.message);
      throw error;
    }
    let socketId: string | undefined;
    let family: 'IPv4' | 'IPv6' = target.value.kind === 'ipv6' ? 'IPv6' : 'IPv4';
    if ('socketId' in p.from) {
      const type = this.services.socketType(p.from.socketId);
      if (type === undefined) {
        throw new UserError('The socket chosen under "From" is closed. Choose another socket, or the ephemeral one.');
      }
      socketId = p.from.socketId;
      family = type === 'udp6' ? 'IPv6' : 'IPv4';
    }
    const size = checkPayloadSize(bytes.length, family);
    if (size.error) throw new UserError(size.error);

    const count = p.repeat?.count ?? 1;
    if (count <= 1) {
      const sent = await this.services.sendOnce(bytes, target.value, socketId, false);
      await this.remember(p.target);
      return { sent: 1, failed: 0, cancelled: false, bytes: sent.bytes, target: sent.target };
    }
    return this.repeat(id, bytes, target.value, socketId, count, p.repeat?.intervalMs ?? 0, p.target);
  }

  private async repeat(id: number, bytes: Uint8Array, target: HostPort, socketId: string | undefined, count: number, intervalMs: number, text: string): Promise<Result<'send'>> {
    // One running repeat per request id: a second one under the same id would replace the first in `repeats`,
    // and the first could then never be cancelled, not even by closing the panel.
    if (this.repeats.has(id)) throw new UserError(`A repeat send with request id ${id} is already running. Stop it first, or use a new id.`);
    // Taken before the sender opens, so a second request under this id is refused even while the first waits
    // for its socket.
    let cancelled = false;
    let cancelRun: (() => void) | undefined;
    this.repeats.set(id, () => {
      cancelled = true;
      cancelRun?.();
    });
    try {
      return await this.services.withRepeatSender(target, socketId, async (sender) => {
        let firstError: unknown;
        const scheduled = this.services.scheduler.start({
          count,
          intervalMs,
          sendWithCallback: (done) =>
            sender.send(bytes, (error) => {
              if (error) firstError ??= error;
              done(error);
            }),
        });
        cancelRun = () => scheduled.cancel();
        if (cancelled) scheduled.cancel();
        const closeWatch = socketId !== undefined ? this.services.onSocketClose(socketId, () => scheduled.cancel()) : undefined;
        let lastProgress = 0;
        const progress = scheduled.onProgress(({ sent, failed, total }) => {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS && sent + failed < total) return;
          lastProgress = now;
          this.services.post({ type: 'sendProgress', id, sent, failed, total });
        });
        this.services.log.info(`Messages panel: repeat send started, ${count} × ${bytes.length} bytes to ${text}${intervalMs ? ` every ${intervalMs} ms` : ''}.`);
        try {
          const outcome = await scheduled.done;
          this.services.log.info(
            `Messages panel: repeat send ${outcome.cancelled ? 'stopped' : 'finished'}: ${outcome.sent} sent, ${outcome.failed} failed of ${count}.`,
          );
          if (outcome.sent === 0 && outcome.failed > 0) throw firstError ?? new UserError(`None of the ${count} datagrams could be sent.`);
          await this.remember(text);
          return { sent: outcome.sent, failed: outcome.failed, cancelled: outcome.cancelled, bytes: bytes.length, target: sender.target };
        } finally {
          progress.dispose();
          closeWatch?.dispose();
        }
      });
    } finally {
      this.repeats.delete(id);
    }
  }

  private cancel(sendId: number): Result<'cancelSend'> {
    const cancel = this.repeats.get(sendId);
    cancel?.();
    return { cancelled: cancel !== undefined };
  }

  private getBytes(seq: number): Result<'getBytes'> {
    const d = this.services.datagram(seq);
    if (!d) throw new UserError(`Datagram #${seq} is no longer in the log (it was dropped by the log's caps or cleared).`);
    // A plain Uint8Array copy: a Node Buffer may be a view into a larger pool, and only plain typed arrays
    // cross to the webview as binary.
    return { seq, bytes: new Uint8Array(d.bytes) };
  }

  private async copy(text: string, what: string): Promise<Result<'copy'>> {
    await this.services.writeClipboard(text);
    this.services.log.info(`Messages panel: copied a datagram as ${what.slice(0, 40)} (${text.length} characters).`);
    return { chars: text.length };
  }

  private async export(filter: DatagramFilter): Promise<Result<'export'>> {
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new UserError(compiled.message);
    const result = await this.services.exportFiltered(compiled.value);
    return result ?? { cancelled: true };
  }

  private async remember(target: string): Promise<void> {
    try {
      await this.services.rememberTarget(target.trim());
    } catch (error) {
      this.services.log.warn(`Messages panel: could not remember the target: ${sentence(error)}`);
    }
  }

  dispose(): void {
    for (const cancel of this.repeats.values()) cancel();
    this.repeats.clear();
  }
}

/** A sentence for the user that needs no code (validation of the request itself). */
class UserError extends Error {}

function sentence(error: unknown): string {
  if (error instanceof UdpLabError) return error.userMessage;
  if (error instanceof UserError || error instanceof PayloadError) return error.message;
  if (error instanceof Error) return `${error.message} (${error.name})`;
  return String(error);
}
