// How the panel writes times, counts and sizes. Numbers are grouped with thin spaces so they read the same in
// every locale (as in the tree and the status bar).

/** 1204 → "1 204". */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
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
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
