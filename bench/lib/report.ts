// The bench's output: one row per figure, printed as a table and written to bench/results.json as
// [{ name, value, unit, target, met }] (target is a human-readable bound, met is null for context figures).

import * as fs from 'node:fs';

export interface ResultRow {
  name: string;
  value: number | null;
  unit: string;
  /** e.g. "≥ 0.9"; null for figures given only for context. */
  target: string | null;
  /** null when there is no target, or when the figure could not be measured. */
  met: boolean | null;
}

/** A row plus what only the printed table shows: spread and why a figure is missing. */
export interface ReportRow extends ResultRow {
  note?: string;
}

export class Report {
  readonly rows: ReportRow[] = [];
  /** Sections that crashed: the bench itself is broken (unlike a missed target, which is a finding). */
  readonly failures: string[] = [];
  /** Sections that could not run here (e.g. no Chromium), with the reason. */
  readonly skipped: string[] = [];

  add(row: ReportRow): void {
    this.rows.push(row);
    process.stdout.write(`  ${formatRow(row)}\n`);
  }

  /** A figure compared against a bound. `higherIsBetter` decides the direction of the comparison. */
  check(
    name: string,
    value: number | null,
    unit: string,
    bound: number,
    direction: 'min' | 'max',
    note?: string,
  ): void {
    const target = `${direction === 'min' ? '≥' : '≤'} ${formatBound(bound)}${unit && unit !== 'ratio' ? ` ${unit}` : ''}`;
    const met = value === null || !Number.isFinite(value) ? null : direction === 'min' ? value >= bound : value <= bound;
    this.add({ name, value, unit, target, met, ...(note ? { note } : {}) });
  }

  info(name: string, value: number | null, unit: string, note?: string): void {
    this.add({ name, value, unit, target: null, met: null, ...(note ? { note } : {}) });
  }

  /** A yes/no property (value 1 = holds). */
  property(name: string, holds: boolean | null, note?: string): void {
    this.add({ name, value: holds === null ? null : holds ? 1 : 0, unit: 'bool', target: 'holds', met: holds, ...(note ? { note } : {}) });
  }

  table(): string {
    const header = ['figure', 'value', 'target', 'met', 'notes'];
    const body = this.rows.map((r) => [
      r.name,
      formatValue(r),
      r.target ?? '',
      r.met === null ? (r.target ? '?' : '') : r.met ? 'yes' : 'NO',
      r.note ?? '',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
  }

  writeJson(file: string): void {
    const rows: ResultRow[] = this.rows.map(({ name, value, unit, target, met }) => ({ name, value, unit, target, met }));
    fs.writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
  }
}

function formatValue(r: ReportRow): string {
  if (r.value === null) return '—';
  if (r.unit === 'bool') return r.value === 1 ? 'holds' : 'fails';
  return `${formatNumber(r.value)}${r.unit && r.unit !== 'ratio' ? ` ${r.unit}` : ''}`;
}

export function formatRow(r: ReportRow): string {
  const verdict = r.met === null ? '' : r.met ? ' ✔' : ' ✘';
  return `${r.name}: ${formatValue(r)}${r.target ? ` (target ${r.target})` : ''}${verdict}${r.note ? `  [${r.note}]` : ''}`;
}

/** A bound as people write it: 0.9, 50, 250, 3.46. */
function formatBound(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/** Thousands separated by a thin space for big counts, 3 significant digits for small figures. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 10_000) return Math.round(v).toLocaleString('en-US').replace(/,/g, ' ');
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  if (abs === 0) return '0';
  return v.toPrecision(3);
}
