// "Export" from the Messages panel: the log entries the panel's filter matches, oldest first, as JSON Lines in
// the shared format (src/shared/datagramJsonl.ts, the same as "UDP: Export Log…"). The filter runs over the
// whole log here, not over the sample the panel holds. Work is done in chunks that yield to the event loop,
// so exporting 100 000 datagrams never blocks the extension host. A regex filter runs under the regex time limit
// (src/core/regexGuard.ts), a chunk at a time: a payload that makes it backtrack stops the export with a sentence
// naming the datagram, instead of freezing the extension host.

import { once } from 'node:events';
import * as fs from 'node:fs';
import type { DatagramLog } from '../../core/datagramLog';
import { GuardedRegex, RegexTimeoutError } from '../../core/regexGuard';
import { regexText, type CompiledFilter, type FilterableRow } from '../../shared/datagramFilter';
import type { DatagramView } from '../../shared/dto';
import { toJsonLine } from '../../shared/datagramJsonl';

const CHUNK = 2000;

/** The export's regex ran out of time on one datagram; the message is the sentence the user sees. */
export class FilterTimeoutError extends RegexTimeoutError {
  constructor(pattern: string, budgetMs: number, seq: number) {
    super(pattern, budgetMs);
    this.message = `The filter ${pattern} took longer than ${budgetMs} ms on datagram #${seq} and was stopped, so the export ended there. Simplify the pattern (nested or adjacent repetition like (a+)+ backtracks without end on some payloads), or filter as text or hex (REGEX_TIMEOUT).`;
  }
}

/** Lines of matching entries, chunk by chunk; stops at the newest entry present when it started. */
export async function* filteredJsonLines(log: DatagramLog, filter: CompiledFilter, local: (socketId: string) => string | undefined): AsyncGenerator<string> {
  const end = log.lastSeq;
  let after = log.firstSeq - 1;
  const row: FilterableRow = { direction: 'in', socketId: '', peerAddress: '', peerPort: 0, bytes: new Uint8Array(0) };
  const regex = filter.regex ? new GuardedRegex(filter.regex) : undefined;
  const candidates: DatagramView[] = [];
  const matched: boolean[] = [];
  while (after < end) {
    const chunk = log.since(after, CHUNK);
    if (chunk.length === 0) break;
    candidates.length = 0;
    for (const d of chunk) {
      if (d.seq > end) {
        after = end; // newer than the export: this chunk is the last
        break;
      }
      after = d.seq;
      row.direction = d.direction;
      row.socketId = d.socketId;
      row.peerAddress = d.peer.address;
      row.peerPort = d.peer.port;
      row.bytes = d.bytes;
      if (filter.prefilter(row)) candidates.push(d);
    }
    // One guarded call per chunk: the limit's cost is paid per batch, each payload still gets the whole limit.
    const stuck = regex ? regex.testEach(candidates.length, (i) => regexText(candidates[i]!.bytes), matched) : -1;
    const upTo = stuck === -1 ? candidates.length : stuck;
    for (let i = 0; i < upTo; i++) if (!regex || matched[i]) yield toJsonLine(candidates[i]!, local(candidates[i]!.socketId));
    if (stuck !== -1) throw new FilterTimeoutError(regex!.shown, regex!.confirmMs, candidates[stuck]!.seq);
    if (after >= end) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Streams lines into a file; resolves with how many were written. Rejects with the write error. */
export async function writeLines(file: string, lines: AsyncIterable<string>): Promise<number> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  let failed: Error | undefined;
  out.on('error', (e) => (failed = e));
  let count = 0;
  try {
    for await (const line of lines) {
      if (failed) break;
      count++;
      if (!out.write(line + '\n')) await Promise.race([once(out, 'drain'), once(out, 'error')]).catch(() => undefined);
    }
  } finally {
    out.end();
    await Promise.race([once(out, 'close'), once(out, 'error')]).catch(() => undefined);
  }
  if (failed) throw failed;
  return count;
}
