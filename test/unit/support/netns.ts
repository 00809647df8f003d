// Runs a scenario from netnsScenarios.ts in a private network namespace (`unshare -rn`): a new user namespace
// mapped to root plus a new network namespace that has nothing but its own loopback — and the veth pair we make in
// it. Broadcast and multicast tests run ONLY there, so they never reach the machine's own interfaces.
//
// Inside (conventions.md): lo up with multicast on and a 224.0.0.0/4 route (IPv4 multicast, and broadcast to
// 127.255.255.255), IPv6 duplicate-address detection off (so link-local addresses are usable at once), and a veth
// pair v0 ⇄ v1 for IPv6 multicast (join on ::%v1, send on ::%v0). The child is the real core run under tsx; it
// prints one line `NETNS_RESULT <json>` on stdout.
//
// If the namespace cannot be made, this throws: the tests fail loudly rather than skip.

import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'netnsScenarios.ts');
const MARKER = 'NETNS_RESULT ';

const SETUP = [
  'set -e',
  'ip link set lo up',
  'ip link set lo multicast on',
  'ip route add 224.0.0.0/4 dev lo',
  'echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad',
  'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad',
  'ip link add v0 type veth peer name v1',
  'ip link set v0 up',
  'ip link set v1 up',
].join('; ');

function which(tool: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found !== '' ? found : undefined;
}

let checked: string | undefined;

/** Fails with a reason when unshare/ip are missing or a namespace cannot be created here. */
export function assertNetnsAvailable(): void {
  if (checked === 'ok') return;
  if (checked !== undefined) throw new Error(checked);
  const problems: string[] = [];
  if (!which('unshare')) problems.push('`unshare` (util-linux) is not installed');
  if (!which('ip')) problems.push('`ip` (iproute2) is not installed');
  if (problems.length === 0) {
    const probe = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up && ip link show lo'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.status !== 0) problems.push(`\`unshare -rn\` failed here (${probe.error?.message ?? probe.stderr.trim() ?? `exit ${probe.status}`})`);
  }
  checked = problems.length === 0 ? 'ok' : `Broadcast/multicast tests need a private network namespace, but ${problems.join(' and ')}. Install util-linux and iproute2 and allow unprivileged user namespaces (or run as root); these tests must not be skipped.`;
  if (checked !== 'ok') throw new Error(checked);
}

/**
 * Runs `scenario` in a fresh namespace and returns what it reported. `childScript` is the scenario file (default
 * netnsScenarios.ts); another suite's file must print the same `NETNS_RESULT <json>` line.
 */
export function runInNetns<T>(scenario: string, timeoutMs = 20_000, childScript = CHILD): Promise<T> {
  assertNetnsAvailable();
  return new Promise<T>((resolve, reject) => {
    // $0 is node itself, so the path needs no quoting inside the shell script.
    const child = spawn('unshare', ['-rn', 'sh', '-c', `${SETUP}; exec "$0" --require tsx/cjs "$1" "$2"`, process.execPath, childScript, scenario], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.resolve(__dirname, '../../..'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`netns scenario "${scenario}" did not finish within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Could not start unshare for scenario "${scenario}": ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
      if (!line) {
        reject(new Error(`netns scenario "${scenario}" exited with ${code} and no result.\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      const parsed = JSON.parse(line.slice(MARKER.length)) as { ok: boolean; result?: T; error?: string };
      if (!parsed.ok) reject(new Error(`netns scenario "${scenario}" failed inside the namespace: ${parsed.error}\nstderr: ${stderr}`));
      else resolve(parsed.result as T);
    });
  });
}
