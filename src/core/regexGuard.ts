// Regular expressions from users and from committed `.udp` files run against payloads a peer chose. A backtracking
// pattern and a crafted datagram can keep V8 busy for seconds or hours, and the extension host is shared with every
// other extension, so each match that can backtrack (src/shared/regexRisk.ts) runs under a time limit.
//
// How: the match runs inside `vm.Script#runInContext({ timeout })`. V8's watchdog terminates the running script —
// including a RegExp exec in progress, which is the point — and Node turns that into ERR_SCRIPT_EXECUTION_TIMEOUT.
// Starting the watchdog costs a thread per call (tens of µs), so patterns that cannot backtrack run natively, and
// many texts (an export over the whole log) are tested in one guarded call with a progress counter: a batch that
// runs out of time is resumed at the text it was on, and only a text that exceeds the limit on its own (twice: see
// REGEX_CONFIRM_MS) is reported.

import * as vm from 'node:vm';
import { mayBacktrack, showPattern } from '../shared/regexRisk';

/** Per-text limit for a user's pattern: far above any sane match (µs), far below a noticeable freeze. */
export const REGEX_BUDGET_MS = 50;
/**
 * The limit is wall-clock time, and a busy machine can take a thread off the CPU (or a GC pause can stop it) for
 * longer than 50 ms in the middle of a match that needs microseconds — seen on this 2-core machine under load.
 * So a match that runs out of time is tried once more with this longer limit before it counts as too slow: a
 * backtracking pattern fails both (costing 50 + 250 ms once), a descheduled one passes the second.
 */
export const REGEX_CONFIRM_MS = 250;

/** A match ran out of time; `code` lets callers tell it apart, `message` names the pattern and the limit. */
export class RegexTimeoutError extends Error {
  override readonly name = 'RegexTimeoutError';
  readonly code = 'REGEX_TIMEOUT';
  constructor(
    readonly pattern: string,
    readonly budgetMs: number,
  ) {
    super(`The pattern ${pattern} took longer than ${budgetMs} ms and was stopped`);
  }
}

// One context for every guarded call: creating a context costs about a millisecond, running a script in it does not.
const sandbox: { work?: () => unknown; batch?: Batch } = {};
let context: vm.Context | undefined;
/** Made on the first guarded match, so a CLI command or a run without patterns never pays for it. */
function guardContext(): vm.Context {
  return (context ??= vm.createContext(sandbox, { name: 'udp-lab regex guard', codeGeneration: { strings: false, wasm: false } }));
}
const RUN_WORK = new vm.Script('work()', { filename: 'udp-lab-regex-guard.js' });
const RUN_BATCH = new vm.Script('for (; batch.next < batch.count; batch.next++) batch.match(batch.next);', { filename: 'udp-lab-regex-guard.js' });

interface Batch {
  next: number;
  count: number;
  match: (i: number) => void;
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/** Runs `work` with a time limit; throws `onTimeout()` when the limit passes. */
function runLimited<T>(work: () => T, budgetMs: number, onTimeout: () => Error): T {
  sandbox.work = work;
  try {
    return RUN_WORK.runInContext(guardContext(), { timeout: budgetMs }) as T;
  } catch (error) {
    if (isTimeout(error)) throw onTimeout();
    throw error;
  } finally {
    sandbox.work = undefined;
  }
}

/** Thrown when the first, short limit runs out: made once, so a guarded match captures no stack trace of its own. */
const RETRY = new Error('retry with the longer limit');

/** A compiled pattern whose matches cannot hang the process. Use it wherever a user's regex meets a datagram. */
export class GuardedRegex {
  /** False when the pattern cannot backtrack: it then runs natively, at full speed. */
  readonly guarded: boolean;
  /** The pattern as messages show it: /source/flags. */
  readonly shown: string;

  constructor(
    readonly regex: RegExp,
    readonly budgetMs = REGEX_BUDGET_MS,
    /** The second try's limit; what the error names (see REGEX_CONFIRM_MS). */
    readonly confirmMs = Math.max(budgetMs, REGEX_CONFIRM_MS),
  ) {
    this.guarded = mayBacktrack(regex.source);
    this.shown = showPattern(regex.source, regex.flags);
  }

  /** RegExp#exec under the limit; throws RegexTimeoutError when it runs out of time. */
  exec(text: string): RegExpExecArray | null {
    if (!this.guarded) return this.regex.exec(text);
    const exec = () => {
      this.regex.lastIndex = 0;
      return this.regex.exec(text);
    };
    return this.confirmed(exec, this.budgetMs);
  }

  /** Runs `work` under `firstMs`; when that runs out, once more under confirmMs; throws only when both do. */
  private confirmed<T>(work: () => T, firstMs: number): T {
    try {
      return runLimited(work, firstMs, () => RETRY);
    } catch (error) {
      if (error !== RETRY) throw error;
    }
    return runLimited(work, this.confirmMs, () => new RegexTimeoutError(this.shown, this.confirmMs));
  }

  test(text: string): boolean {
    return this.exec(text) !== null;
  }

  /**
   * Tests texts 0…count-1 (`textAt(i)`) and writes the answers into `out`. Guarded patterns run in batches, so the
   * limit's cost is paid per batch, not per text. Returns the index of the first text that alone took longer than
   * the limit (`out` is filled up to it), or -1 when every text was tested.
   */
  testEach(count: number, textAt: (i: number) => string, out: boolean[]): number {
    const regex = this.regex;
    return this.each(count, (i) => {
      regex.lastIndex = 0;
      out[i] = regex.test(textAt(i));
    });
  }

  /** testEach with RegExp#exec: `out[i]` is the match (captures) or null. Used where answers need the captures. */
  execEach(count: number, textAt: (i: number) => string, out: Array<RegExpExecArray | null>): number {
    const regex = this.regex;
    return this.each(count, (i) => {
      regex.lastIndex = 0;
      out[i] = regex.exec(textAt(i));
    });
  }

  /** Runs `match(i)` for 0…count-1 in guarded batches; returns the index that alone ran out of time, or -1. */
  private each(count: number, match: (i: number) => void): number {
    if (!this.guarded) {
      for (let i = 0; i < count; i++) match(i);
      return -1;
    }
    const batch: Batch = { next: 0, count, match };
    sandbox.batch = batch;
    try {
      while (batch.next < count) {
        try {
          RUN_BATCH.runInContext(guardContext(), { timeout: this.budgetMs });
        } catch (error) {
          if (!isTimeout(error)) throw error;
          // The batch ran out of time on text `next`; earlier texts may have used most of it, so try that one alone.
          const at = batch.next;
          try {
            this.confirmed(() => match(at), this.budgetMs);
          } catch (alone) {
            if (alone instanceof RegexTimeoutError) return at;
            throw alone;
          }
          batch.next = at + 1;
        }
      }
      return -1;
    } finally {
      sandbox.batch = undefined;
    }
  }
}
