// The pieces Send…, Reply, Repeat Send and Send Selection share: choosing the socket to send from, typing a
// payload (with its encoding one button away), and the send itself with its log line. No socket logic here:
// the core sends; this decides what to ask and how to report it.

import * as vscode from 'vscode';
import type { SendCallback, UdpSocket } from '../core/udpSocket';
import type { AddressFamily, PayloadEncoding, SocketView } from '../shared/dto';
import { PAYLOAD_ENCODINGS } from '../shared/payload';
import type { HostPort } from '../shared/validation';
import { formatEndpoint, sameEndpoint, socketTitle } from './format';
import { checkPayload, ENCODING_LABELS } from './payloadInput';
import { askInput, askPick, BACK, type Back } from './quickInput';
import type { SendResult } from './commandIds';
import { socketPickItem } from './socketRefs';
import type { SurfaceDeps } from './surfaceDeps';
import { targetText } from './targetPick';

export const EPHEMERAL = 'ephemeral';

/**
 * Callback-style sends to `target` from `socket` for a run of datagrams (Repeat Send, the panel's repeat): no
 * Promise and no log line per datagram. A socket connected to the target sends without a destination (dgram
 * refuses one), checked per send because the user can connect or disconnect the socket mid-run.
 */
export function runSender(socket: UdpSocket, target: HostPort): (bytes: Uint8Array, done: SendCallback) => void {
  const to = { host: target.host, port: target.port };
  const peer = { address: target.host, port: target.port };
  return (bytes, done) => {
    const remote = socket.remote;
    socket.sendWithCallback(bytes, remote !== undefined && sameEndpoint(remote, peer) ? undefined : to, done);
  };
}

/** Whether `view` can send to `target`: same family, open, and (if connected) connected to exactly that peer. */
export function canSendTo(view: SocketView, target: HostPort): boolean {
  if (view.state !== 'listening' && view.state !== 'connected') return false;
  if (target.kind === 'ipv4' && view.type !== 'udp4') return false;
  if (target.kind === 'ipv6' && view.type !== 'udp6') return false;
  if (view.state === 'connected') return !!view.remote && sameEndpoint(view.remote, { address: target.host, port: target.port });
  return true;
}

export function familyOfTarget(target: HostPort, socket?: UdpSocket): AddressFamily {
  if (socket) return socket.view().type === 'udp6' ? 'IPv6' : 'IPv4';
  return target.kind === 'ipv6' ? 'IPv6' : 'IPv4';
}

/** Sends one datagram and logs it. Throws the core's UdpLabError. */
export async function sendDatagram(
  deps: SurfaceDeps,
  bytes: Uint8Array,
  target: HostPort,
  socket?: UdpSocket,
  options: { quiet?: boolean } = {},
): Promise<SendResult> {
  const to = { host: target.host, port: target.port };
  let from: string;
  let sent: number;
  if (socket) {
    const view = socket.view();
    // A connected socket sends to its peer without a destination (dgram refuses one: ERR_SOCKET_DGRAM_IS_CONNECTED).
    const connectedToTarget = view.state === 'connected' && view.remote && sameEndpoint(view.remote, { address: to.host, port: to.port });
    sent = connectedToTarget ? await socket.send(bytes) : await socket.send(bytes, to);
    from = socket.id;
    if (!options.quiet) deps.log.info(`Sent ${bytes.length} bytes from ${socketTitle(view)} to ${targetText(to)}.`);
  } else {
    const type = target.kind === 'ipv6' ? 'udp6' : target.kind === 'ipv4' ? 'udp4' : undefined;
    sent = (await deps.registry.sendEphemeral(bytes, to, type)).bytes;
    from = EPHEMERAL;
    if (!options.quiet) deps.log.info(`Sent ${bytes.length} bytes from an ephemeral socket to ${targetText(to)}.`);
  }
  return { bytes: sent, target: targetText(to), from };
}

/**
 * Runs `fn` with a socket of its own for a run of several datagrams (Repeat Send, several selections), so that
 * every datagram leaves from one port — the peer sees one sender — instead of one throw-away socket each. The
 * socket is in the registry (and the tree) while the run lasts, labelled with what it is for, and closed after.
 */
export async function withRunSocket<T>(deps: SurfaceDeps, target: HostPort, label: string, fn: (socket: UdpSocket) => Promise<T>): Promise<T> {
  // The same choice as the core's ephemeral sends: a host name's family is the one it resolves to first.
  const literalType = target.kind === 'ipv6' ? 'udp6' : target.kind === 'ipv4' ? 'udp4' : undefined;
  const socket = await deps.registry.openRunSocket(target.host, target.port, literalType, label);
  try {
    return await fn(socket);
  } finally {
    await deps.registry.close(socket.id);
  }
}

/** The "send from" step; skipped (ephemeral) when no open socket can reach the target. */
export async function askFromSocket(
  deps: SurfaceDeps,
  target: HostPort,
  question: { title: string; step?: number; totalSteps?: number; back?: boolean },
): Promise<UdpSocket | typeof EPHEMERAL | Back | undefined> {
  const sockets = deps.registry.list().filter((s) => canSendTo(s.view(), target));
  if (sockets.length === 0) return EPHEMERAL;
  type FromItem = vscode.QuickPickItem & { socket?: UdpSocket };
  const items: FromItem[] = [
    { label: '$(zap) A new ephemeral socket', description: 'the OS picks a free port; replies go nowhere' },
    ...sockets.map((s) => socketPickItem(s)),
  ];
  const picked = await askPick<FromItem>({ ...question, placeholder: `Send to ${targetText(target)} from…`, items });
  if (picked === undefined || picked === BACK) return picked;
  if (picked.kind !== 'item') return undefined;
  return picked.item.socket ?? EPHEMERAL;
}

const ENCODING_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('symbol-key'), tooltip: 'Change encoding' };

export interface TypedPayload {
  text: string;
  encoding: PayloadEncoding;
  bytes: Uint8Array;
}

/** The payload box: validated as you type in the current encoding; the key button switches encoding. */
export async function askPayload(question: {
  title: string;
  step?: number;
  totalSteps?: number;
  back?: boolean;
  family: AddressFamily;
  encoding: PayloadEncoding;
  value?: string;
  action?: string;
}): Promise<TypedPayload | Back | undefined> {
  let encoding = question.encoding;
  let value = question.value ?? '';
  for (;;) {
    const result = await askInput({
      title: question.title,
      step: question.step,
      totalSteps: question.totalSteps,
      back: question.back,
      value,
      prompt: `Payload as ${ENCODING_LABELS[encoding]} — Enter ${question.action ?? 'sends'}; the key button changes the encoding.`,
      placeholder: encoding === 'hex' ? '48 65 6c 6c 6f' : encoding === 'base64' ? 'SGVsbG8=' : encoding === 'escaped' ? 'ping\\r\\n' : 'hello',
      validate: (text) => {
        const c = checkPayload(text, encoding, question.family);
        return c.error ? { error: c.error } : c.warning ? { warning: c.warning } : {};
      },
      buttons: [ENCODING_BUTTON],
    });
    if (result === undefined || result === BACK) return result;
    if (result.kind === 'button') {
      value = result.value;
      const picked = await vscode.window.showQuickPick(
        PAYLOAD_ENCODINGS.map((e) => ({ label: ENCODING_LABELS[e], description: e === encoding ? 'current' : '', encoding: e })),
        { title: `${question.title} — Encoding`, placeHolder: 'How the payload you type is turned into bytes' },
      );
      if (picked) encoding = picked.encoding;
      continue;
    }
    const c = checkPayload(result.value, encoding, question.family);
    if (c.bytes) return { text: result.value, encoding, bytes: c.bytes };
  }
}

export function describeTarget(t: HostPort): string {
  return formatEndpoint({ address: t.host, port: t.port });
}
