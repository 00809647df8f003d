// Numbers as UDP Lab writes them everywhere (tree, status bar, notifications, panel, validation sentences):
// one implementation, so "65 507" and "1.5 KiB" read the same in the extension and in the webview.

/** 1204 → "1 204": grouping that reads the same in every locale (the panel passes a thin space). */
export function formatCount(n: number, separator = ' '): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/** 1536 → "1.5 KiB"; callers write sizes below 1 KiB their own way ("512 B", "512 bytes"). */
export function formatBinarySize(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}
