// Measures what a process holds — libuv handles and requests by type (process.getActiveResourcesInfo()), RSS and
// V8 heap — after a full GC when one can be had. Shared by the unit lifecycle/flood suites and the integration
// suite in the VS Code extension host (which is not started with --expose-gc: the V8 flag is set at run time and
// `gc` fetched from a fresh context, which works in Node 20–24; if even that fails, memory is compared without a
// GC and the tolerance says so).

import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export interface ResourceSample {
  /** Active libuv resources by type, e.g. { UDPWRAP: 2, Timeout: 1 }. */
  resources: Record<string, number>;
  rss: number;
  heapUsed: number;
  /** Whether a full GC ran just before the sample. */
  gcRan: boolean;
}

let cachedGc: (() => void) | null | undefined;

/** A function that runs a full GC, or undefined when this process cannot have one. */
export function fullGc(): (() => void) | undefined {
  if (cachedGc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') cachedGc = exposed;
    else {
      try {
        v8.setFlagsFromString('--expose-gc');
        const fn = vm.runInNewContext('gc') as unknown;
        cachedGc = typeof fn === 'function' ? (fn as () => void) : null;
      } catch {
        cachedGc = null;
      }
    }
  }
  return cachedGc ?? undefined;
}

/** Runs GC (twice: the second pass frees what finalizers of the first released), then samples. */
export async function sampleResources(): Promise<ResourceSample> {
  const gc = fullGc();
  // Let closes and frees queued on the event loop finish before counting.
  await new Promise((resolve) => setImmediate(resolve));
  if (gc) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  const memory = process.memoryUsage();
  return { resources, rss: memory.rss, heapUsed: memory.heapUsed, gcRan: gc !== undefined };
}

export function count(sample: ResourceSample, type: string): number {
  return sample.resources[type] ?? 0;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "UDPWRAP 2, Timeout 1" — stable order, for printing. */
export function describeResources(sample: ResourceSample): string {
  const entries = Object.entries(sample.resources).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}
