// How the panel writes times, counts and sizes. Numbers are grouped with thin spaces so they read the same in
// every locale (as in the tree and the status bar).

import { formatBinarySize, formatCount as formatSharedCount } from '../shared/format';

/** 1204 → "1 204" (thin space). */
export function formatCount(n: number): string {
  return formatSharedCount(n, '\u2009');
}

/** ms since the epoch → "14:03:07.512" (local time, millisecond precision). */
export function formatClock(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

/** ms since the epoch → "2024-05-01 14:03:07.512" for tooltips and the detail header. */
export function formatDateTime(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${formatClock(time)}`;
}

export function formatBytes(n: number): string {
  if (n === 1) return '1 byte';
  if (n < 1024) return `${formatCount(n)} bytes`;
  return formatBinarySize(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
