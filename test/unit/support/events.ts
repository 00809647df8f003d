// Waiting on core events in tests: resolve on the event, never on a sleep. The timeout is only a safety net so a
// broken build fails with a message instead of hanging the suite.

import type { Event } from '../../../src/core/events';

export function nextEvent<T>(event: Event<T>, predicate: (value: T) => boolean = () => true, timeoutMs = 5000, what = 'event'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const subscription = event((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

/** Collects every value an event fires until disposed. */
export function collect<T>(event: Event<T>): { values: T[]; dispose(): void } {
  const values: T[] = [];
  const subscription = event((value) => values.push(value));
  return { values, dispose: () => subscription.dispose() };
}

/** The rejection of a promise that must reject (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; userMessage?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; userMessage?: string };
  }
  throw new Error('Expected the operation to fail, but it succeeded');
}

/** What a synchronous call threw (fails the test if it did not throw). */
export function thrownBy(fn: () => unknown): Error & { code?: string; userMessage?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string; userMessage?: string };
  }
  throw new Error('Expected the call to throw, but it returned');
}
