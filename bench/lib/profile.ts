// `--cpu-prof`: the workers (and the CLI) write V8 CPU profiles into bench/profiles/; this prints, for each
// profile, the functions with the most self time, so "where does the time go" is in the bench's output and
// not only in a file to open in DevTools.

import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

export function topSelfTime(file: string, n = 12): Array<{ name: string; percent: number }> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const dt = deltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${path.basename(url)}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, t]) => ({ name, percent: total > 0 ? (100 * t) / total : 0 }));
}

export function printProfiles(dir: string, since: number): void {
  if (!fs.existsSync(dir)) return;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).mtimeMs >= since);
  for (const file of files) {
    console.log(`\nprofile ${path.relative(process.cwd(), file)}: self time`);
    for (const { name, percent } of topSelfTime(file)) console.log(`  ${percent.toFixed(1).padStart(5)} %  ${name}`);
  }
}
