// "Export" from the Messages panel: the log entries the panel's filter matches, oldest first, as JSON Lines in
// the shared format (src/shared/datagramJsonl.ts, the same as "UDP: Export Log…"). The filter runs over the
// whole log here, not over the sample the panel holds. Work is done in chunks that yield to the event loop,
// so exporting 100 000 datagrams never blocks the extension host.

import { once } from 'node:events';
import * as fs from 'node:fs';
import type { DatagramLog } from '../../core/datagramLog';
import type { CompiledFilter, FilterableRow } from '../../shared/datagramFilter';
import { toJsonLine } from '../../shared/datagramJsonl';

const CHUNK = 2000;

/** Lines of matching entries, chunk by chunk; stops at the newest entry present when it started. */
export async function* filteredJsonLines(log: DatagramLog, filter: CompiledFilter, local: (socketId: string) => string | undefined): AsyncGenerator<string> {
  const end = log.lastSeq;
  let after = log.firstSeq - 1;
  const row: FilterableRow = { direction: 'in', socketId: '', peerAddress: '', peerPort: 0, bytes: new Uint8Array(0) };
  while (after < end) {
    const chunk = log.since(after, CHUNK);
    if (chunk.length === 0) break;
    for (const d of chunk) {
      if (d.seq > end) return;
      after = d.seq;
      row.direction = d.direction;
      row.socketId = d.socketId;
      row.peerAddress = d.peer.address;
      row.peerPort = d.peer.port;
      row.bytes = d.bytes;
      if (filter.matches(row)) yield toJsonLine(d, local(d.socketId));
    }
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
