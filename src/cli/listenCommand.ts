// `udp-lab listen [ADDRESS:]PORT [--json] [--count N] [--timeout SECONDS]`: one line per datagram on stdout
// (text by default, a JSON object per line with --json), until N datagrams, the timeout or Ctrl-C.

import type { Endpoint, SocketType } from '../shared/dto';
import { decodeText, toBase64, toHex, type PayloadEncoding } from '../shared/payload';
import { parseBindSpec } from '../shared/validation';
import { kernelDrops } from '../core/kernelDrops';
import { UdpSocket, type ReceiveReader } from '../core/udpSocket';
import { ExitCode, UsageError } from './exitCodes';
import { interruptToken } from './interrupt';
import { BatchedWriter, formatEndpoint, isoTime, plural, writeDatagramJson } from './output';

export interface ListenCommandOptions {
  json?: boolean;
  count?: number;
  timeout?: number;
  encoding?: PayloadEncoding;
  reuseAddress?: boolean;
  ipv6?: boolean;
}

export async function listenCommand(spec: string, options: ListenCommandOptions): Promise<number> {
  const parsed = parseBindSpec(spec);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const { host, port, kind } = parsed.value;
  const type: SocketType = kind === 'ipv6' || (host === undefined && options.ipv6) ? 'udp6' : 'udp4';
  // Without an address, listen on loopback only: reaching other machines is something the user asks for.
  const address = host ?? (type === 'udp6' ? '::1' : '127.0.0.1');

  const socket = new UdpSocket({ type, port, address, ...(options.reuseAddress ? { reuseAddr: true } : {}), label: 'udp-lab listen' });
  socket.onDidError((e) => process.stderr.write(`${e.userMessage}\n`));
  try {
    await socket.bind();
  } catch (error) {
    socket.dispose();
    throw error;
  }
  const local = socket.view().local;
  const kernelDropsAtStart = local ? kernelDrops(local) : undefined;
  process.stderr.write(
    `Listening on ${local ? formatEndpoint(local) : `${address}:${port}`} (${type})${options.count !== undefined ? `, until ${plural(options.count, 'datagram')}` : ''}` +
      `${options.timeout !== undefined ? `${options.count !== undefined ? ' or' : ', for'} ${options.timeout} s` : ''}. Press Ctrl-C to stop.\n`,
  );

  const out = new BatchedWriter(process.stdout);
  const text = textLine(options.encoding ?? 'text');
  // Each datagram is formatted straight from dgram's buffer (a ReceiveReader: no copy, no event object) and let go.
  const print: ReceiveReader = options.json ? (bytes, peer, time) => writeDatagramJson(out, time, peer, bytes) : (bytes, peer, time) => out.line(text(bytes, peer, time));
  const limit = options.count ?? Infinity;
  let received = 0;
  let reason = 'interrupt' as 'count' | 'timeout' | 'interrupt';
  const interrupt = interruptToken();
  await new Promise<void>((resolve) => {
    socket.setReceiveReader((bytes, peer, time) => {
      if (received >= limit) return;
      received++;
      print(bytes, peer, time);
      if (received >= limit) {
        reason = 'count';
        done();
      }
    });
    const timer = options.timeout !== undefined ? setTimeout(() => ((reason = 'timeout'), done()), options.timeout * 1000) : undefined;
    const cancel = interrupt.onCancellationRequested(() => ((reason = 'interrupt'), done()));
    function done() {
      socket.setReceiveReader(undefined);
      cancel.dispose();
      if (timer) clearTimeout(timer);
      resolve();
    }
  });
  interrupt.dispose();
  // Read while the socket is open: what the system dropped because this process did not read fast enough.
  const kernelDropsAtEnd = local && kernelDropsAtStart !== undefined ? kernelDrops(local) : undefined;
  await socket.close();
  await out.end();
  if (out.dropped > 0) process.stderr.write(`${plural(out.dropped, 'datagram')} ${out.dropped === 1 ? 'was' : 'were'} not printed because the output could not keep up.\n`);
  const lost = kernelDropsAtEnd !== undefined && kernelDropsAtStart !== undefined ? kernelDropsAtEnd - kernelDropsAtStart : 0;
  if (lost > 0) process.stderr.write(`${lostSentence(lost)}\n`);
  if (reason === 'timeout' && options.count !== undefined) {
    process.stderr.write(`Received ${received} of ${plural(options.count, 'datagram')} within ${options.timeout} s.\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Ok;
}

/** Datagrams that arrived while udp-lab was busy writing, and overflowed the socket's receive buffer. */
export function lostSentence(lost: number): string {
  return (
    `${plural(lost, 'datagram')} ${lost === 1 ? 'was' : 'were'} dropped by the system before udp-lab could read ${lost === 1 ? 'it' : 'them'}: ` +
    'they arrived faster than the output was written (the receive buffer was full). Write to a file instead of a terminal, print less (without --json), or raise the system limit net.core.rmem_max.'
  );
}

/** `2026-05-01T12:00:00.123Z  127.0.0.1:53211  6 B  ping 1` — the payload in the chosen encoding. */
function textLine(encoding: PayloadEncoding): (bytes: Uint8Array, peer: Endpoint, time: number) => string {
  const show = encoding === 'hex' ? (b: Uint8Array) => toHex(b) : encoding === 'base64' ? toBase64 : (b: Uint8Array) => decodeText(b);
  return (bytes, peer, time) => `${isoTime(time)}  ${formatEndpoint(peer)}  ${bytes.length} B  ${show(bytes)}`;
}
