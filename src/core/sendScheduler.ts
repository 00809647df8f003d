// Repeated sends: N datagrams back to back, every T ms, or at a target rate — cancellable, with progress and a
// `done` promise. Rates are held from elapsed time, not by counting timer ticks: each tick sends everything that
// is due by now (start + i / rate), so at 10⁵/s a ~1 ms timer tick sends a burst of ~100 and the long-run rate
// stays within a fraction of a percent of the target however coarse or late the timers are. Sends are not awaited
// one by one (that would cap the rate at one round trip per datagram); a bounded number may be in flight.

import { monotonicMs } from './clock';
import { Emitter, type Disposable, type Event } from './events';

export interface ScheduleOptions {
  /** One send; its rejection (or throw) counts as a failure, not the end of the run. Give this or sendWithCallback. */
  send?: () => Promise<void> | void;
  /**
   * One send, callback style: call `done` exactly once, with nothing (or null) when it was sent, or with the
   * error. No Promise per datagram, so this is the form for floods: with UdpSocket.sendWithCallback the whole
   * path from the scheduler to dgram allocates nothing but the datagram's copy —
   * `sendWithCallback: (done) => socket.sendWithCallback(bytes, target, done)`.
   */
  sendWithCallback?: (done: (error?: unknown) => void) => void;
  /** How many datagrams (≥ 0; Infinity = until cancelled). */
  count: number;
  /** Milliseconds between sends (the first goes at once). */
  intervalMs?: number;
  /** Datagrams per second. Give this or intervalMs, or neither for back to back. */
  ratePerSecond?: number;
  /** Stop at the first failure (default: keep going and count failures). */
  stopOnError?: boolean;
  /** Most sends in flight at once (default 256): bounds memory when the OS is slower than the schedule. */
  maxInFlight?: number;
}

export interface ScheduleProgress {
  sent: number;
  failed: number;
  total: number;
}

export interface ScheduleResult {
  sent: number;
  failed: number;
  cancelled: boolean;
  elapsedMs: number;
  /** The first failure to settle, if any (a UdpLabError for sends through the core). */
  firstError?: unknown;
}

export interface ScheduledSend {
  /**
   * Progress: at most every PROGRESS_INTERVAL_MS while running (so 10⁵/s does not mean 10⁵ events/s), and always
   * once at the end with the final counts.
   */
  readonly onProgress: Event<ScheduleProgress>;
  readonly done: Promise<ScheduleResult>;
  readonly total: number;
  cancel(): void;
}

export const PROGRESS_INTERVAL_MS = 50;
const DEFAULT_MAX_IN_FLIGHT = 256;
const MAX_BURST = 4096;
/** Above this many ms until the next send, wait with a timer; below, yield with setImmediate and check again. */
const TIMER_THRESHOLD_MS = 1;

class Run implements ScheduledSend {
  private readonly progressEmitter = new Emitter<ScheduleProgress>();
  readonly onProgress: Event<ScheduleProgress> = this.progressEmitter.event;
  readonly done: Promise<ScheduleResult>;
  readonly total: number;

  private issued = 0;
  private sent = 0;
  private failed = 0;
  private inFlight = 0;
  private cancelled = false;
  private finished = false;
  private firstError: unknown;
  private readonly start = monotonicMs();
  private lastProgress = Number.NEGATIVE_INFINITY;
  /** ms between sends; 0 = back to back. */
  private readonly periodMs: number;
  private readonly maxInFlight: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private resolveDone!: (result: ScheduleResult) => void;

  constructor(
    private readonly options: ScheduleOptions,
    private readonly onFinished: (run: Run) => void,
  ) {
    this.total = options.count;
    this.periodMs = periodOf(options);
    this.maxInFlight = Math.max(1, Math.floor(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
    this.done = new Promise<ScheduleResult>((resolve) => (this.resolveDone = resolve));
  }

  /** First tick synchronously: the first datagram goes out at once, as a user pressing "Send" expects. */
  begin(): void {
    this.tick();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  cancel(): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    this.clearTimers();
    this.maybeFinish();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.cancelled || this.finished) return;
    // The burst cap keeps a synchronous send() (which settles at once, never filling maxInFlight) from holding the
    // event loop for a whole back-to-back run.
    const due = Math.min(this.dueBy(monotonicMs()), this.issued + MAX_BURST);
    while (this.issued < due && this.inFlight < this.maxInFlight && !this.cancelled) this.issue();
    this.reportProgress(false);
    if (this.maybeFinish()) return;
    this.scheduleNext();
  };

  /** How many sends should have started by `now` (the first at start, then one per period). */
  private dueBy(now: number): number {
    if (this.periodMs === 0) return this.total;
    return Math.min(this.total, Math.floor((now - this.start) / this.periodMs) + 1);
  }

  private scheduleNext(): void {
    if (this.timer !== undefined || this.immediate !== undefined) return; // one tick waiting is enough
    if (this.issued >= this.total || this.cancelled) return; // the last completions finish the run
    if (this.inFlight >= this.maxInFlight) return; // a completion will call tick
    if (this.periodMs === 0) {
      this.immediate = setImmediate(this.tick);
      return;
    }
    const nextAt = this.start + this.issued * this.periodMs;
    const wait = nextAt - monotonicMs();
    if (wait > TIMER_THRESHOLD_MS) this.timer = setTimeout(this.tick, Math.floor(wait));
    else this.immediate = setImmediate(this.tick);
  }

  private issue(): void {
    this.issued++;
    this.inFlight++;
    const withCallback = this.options.sendWithCallback;
    if (withCallback !== undefined) {
      try {
        withCallback(this.onDone);
      } catch (error) {
        this.settle(error, true);
      }
      return;
    }
    let result: Promise<void> | void;
    try {
      result = this.options.send!();
    } catch (error) {
      this.settle(error, true);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(this.onSent, this.onFailed);
    } else {
      this.settle(undefined, false);
    }
  }

  /** The one `done` every callback-style send gets (no closure per datagram). */
  private readonly onDone = (error?: unknown): void => this.settle(error, error !== undefined && error !== null);
  private readonly onSent = (): void => this.settle(undefined, false);
  private readonly onFailed = (error: unknown): void => this.settle(error, true);

  private settle(error: unknown, failed: boolean): void {
    this.inFlight--;
    if (failed) {
      this.failed++;
      if (this.firstError === undefined) this.firstError = error ?? new Error('send failed');
      if (this.options.stopOnError) this.cancel();
    } else {
      this.sent++;
    }
    if (this.finished) return;
    if (this.maybeFinish()) return;
    // Back-pressure released: if no tick is waiting (it stopped at maxInFlight), plan the next one.
    if (this.timer === undefined && this.immediate === undefined) this.scheduleNext();
  }

  private reportProgress(force: boolean): void {
    const now = monotonicMs();
    if (!force && now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    this.progressEmitter.fire({ sent: this.sent, failed: this.failed, total: this.total });
  }

  /** Finishes once nothing more will be issued and nothing is in flight. */
  private maybeFinish(): boolean {
    if (this.finished) return true;
    const noMore = this.cancelled || this.issued >= this.total;
    if (!noMore || this.inFlight > 0) return false;
    this.finished = true;
    this.clearTimers();
    this.reportProgress(true);
    const result: ScheduleResult = { sent: this.sent, failed: this.failed, cancelled: this.cancelled, elapsedMs: monotonicMs() - this.start };
    if (this.firstError !== undefined) result.firstError = this.firstError;
    this.progressEmitter.dispose();
    this.onFinished(this);
    this.resolveDone(result);
    return true;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

function periodOf(options: ScheduleOptions): number {
  if (options.ratePerSecond !== undefined && options.ratePerSecond > 0 && Number.isFinite(options.ratePerSecond)) return 1000 / options.ratePerSecond;
  if (options.intervalMs !== undefined && options.intervalMs > 0 && Number.isFinite(options.intervalMs)) return options.intervalMs;
  return 0;
}

export class SendScheduler implements Disposable {
  private readonly running = new Set<Run>();

  /** Starts a run at once (the first send happens before this returns). */
  start(options: ScheduleOptions): ScheduledSend {
    if ((options.send === undefined) === (options.sendWithCallback === undefined)) {
      throw new TypeError('A scheduled send needs exactly one of send and sendWithCallback.');
    }
    const count = options.count;
    if (!(count >= 0) || (Number.isFinite(count) && !Number.isInteger(count))) {
      throw new RangeError(`The count ${count} is not a whole number of datagrams. Use 1 or more.`);
    }
    const run = new Run(options, (r) => this.running.delete(r));
    this.running.add(run);
    run.begin();
    return run;
  }

  /** Runs still going. */
  get active(): number {
    return this.running.size;
  }

  cancelAll(): void {
    for (const run of [...this.running]) run.cancel();
  }

  dispose(): void {
    this.cancelAll();
  }
}
