// Process bookkeeping for the harness scripts: every process they start (code-server and its servers,
// Chromium and its helpers) is a descendant of this Node process, so "stop everything" means: snapshot the
// descendant tree from /proc, SIGTERM each by pid, then SIGKILL whoever is still there. The same tree walk
// measures the run's peak memory (sum of PSS). Linux only, like the rest of the harness.
'use strict';
const fs = require('fs');

/** @returns {Map<number, {ppid: number, start: string}>} every process visible in /proc */
function processTable() {
  const table = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may itself contain spaces or parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { ppid: Number(rest[1]), start: rest[19] });
    } catch {
      // The process ended while we were reading.
    }
  }
  return table;
}

/** Pids of all descendants of `root` (default: this process), children before grandchildren. */
function descendants(root = process.pid) {
  const table = processTable();
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const queue = [...(children.get(root) || [])];
  while (queue.length > 0) {
    const pid = queue.shift();
    out.push({ pid, start: table.get(pid).start });
    queue.push(...(children.get(pid) || []));
  }
  return out;
}

function sameProcess({ pid, start }) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start;
  } catch {
    return false;
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Ends every process this script started: SIGTERM, a grace period, then SIGKILL for survivors.
 * The tree is snapshotted first because children of a killed parent are re-parented and would be lost.
 * Synchronous variant for `process.on('exit')`, where nothing asynchronous runs any more.
 */
function killDescendantsSync() {
  const tree = descendants();
  for (const p of tree) signal(p.pid, 'SIGKILL');
  return tree.length;
}

/**
 * Stops `rootPid` and everything under it (default: everything under this process): SIGTERM, up to
 * `graceMs` for them to go, then SIGKILL.
 */
async function killDescendants({ graceMs = 3000, rootPid } = {}) {
  const table = processTable();
  const tree = rootPid === undefined ? descendants() : [...(table.has(rootPid) ? [{ pid: rootPid, start: table.get(rootPid).start }] : []), ...descendants(rootPid)];
  if (tree.length === 0) return 0;
  for (const p of tree) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(sameProcess)) await new Promise((r) => setTimeout(r, 100));
  // Processes started while we waited (a server restarting a child) are caught by a second snapshot.
  const survivors = [...tree.filter(sameProcess), ...descendants(rootPid)];
  for (const p of survivors) signal(p.pid, 'SIGKILL');
  return tree.length;
}

/** PSS in kB of one process, from smaps_rollup (shared pages are split between the processes sharing them). */
function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples the PSS of this process plus all descendants; `peakMiB` is the highest sum seen. */
function memorySampler(intervalMs = 1000) {
  let peakKb = 0;
  let peakProcesses = 0;
  const sample = () => {
    const pids = [process.pid, ...descendants().map((p) => p.pid)];
    const total = pids.reduce((sum, pid) => sum + pssKb(pid), 0);
    if (total > peakKb) {
      peakKb = total;
      peakProcesses = pids.length;
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
    get peakMiB() {
      return Math.round(peakKb / 1024);
    },
    get peakProcesses() {
      return peakProcesses;
    },
  };
}

module.exports = { descendants, killDescendants, killDescendantsSync, memorySampler };
