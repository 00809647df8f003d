// How "UDP: Repeat Send…" reads its schedule from one line of text: a count, then optionally an interval or a
// rate — "100", "100 every 50ms", "100 x 1s", "1000 at 500/s". Pure (no vscode), so it is unit-tested.

import { formatCount } from './format';

export interface Schedule {
  count: number;
  intervalMs?: number;
  ratePerSecond?: number;
}

export const MAX_REPEAT = 10_000_000;
export const MAX_INTERVAL_MS = 3_600_000;

const PATTERN = /^(\d+)\s*(?:(?:x|×|times)?\s*(?:(?:every|each|@|,)?\s*(\d+(?:\.\d+)?)\s*(ms|s)|(?:at|@|,)?\s*(\d+)\s*\/\s*s))?$/;

export function parseSchedule(text: string): { schedule?: Schedule; error?: string } {
  const t = text.trim().toLowerCase();
  const m = PATTERN.exec(t);
  if (!m) {
    return {
      error: `${JSON.stringify(text.slice(0, 30))} is not a schedule. Type a count, then an interval or a rate: "100", "100 every 50ms", "1000 at 500/s".`,
    };
  }
  const count = Number(m[1]);
  if (count < 1 || count > MAX_REPEAT) return { error: `Send from 1 to ${formatCount(MAX_REPEAT)} datagrams, not ${m[1]}.` };
  if (m[2] !== undefined) {
    const ms = m[3] === 's' ? Number(m[2]) * 1000 : Number(m[2]);
    if (ms > MAX_INTERVAL_MS) return { error: 'The interval is longer than an hour. Use a shorter one.' };
    return { schedule: { count, intervalMs: Math.round(ms) } };
  }
  if (m[4] !== undefined) {
    const rate = Number(m[4]);
    if (rate < 1 || rate > MAX_REPEAT) return { error: `The rate must be from 1 to ${formatCount(MAX_REPEAT)} datagrams per second.` };
    return { schedule: { count, ratePerSecond: rate } };
  }
  return { schedule: { count, intervalMs: 0 } };
}
