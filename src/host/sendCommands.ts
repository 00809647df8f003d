// "UDP: Send…", "UDP: Reply to Peer" and "UDP: Repeat Send…".
// Palette: target → from socket (only when one could be used) → payload (Enter sends).
// Arguments: executeCommand('udpLab.send', { target: '127.0.0.1:5000', payload: 'hello', encoding?, socket? }).

import * as vscode from 'vscode';
import type { UdpSocket } from '../core/udpSocket';
import type { PayloadEncoding } from '../shared/dto';
import type { HostPort } from '../shared/validation';
import { argObject, isTreeNode, optEncoding, optInt, parseTarget, reqString, reqTarget, type ArgObject } from './commandArgs';
import { Commands, type RepeatSendResult, type SendResult } from './commandIds';
import type { ErrorAction } from './errorReporter';
import { validationError } from '../core/errors';
import { formatCount, formatEndpoint, socketTitle } from './format';
import { errorCode, registerGuarded } from './guardedCommand';
import { encodeOrThrow } from './payloadInput';
import { askInput, BACK } from './quickInput';
import { MAX_INTERVAL_MS, MAX_REPEAT, parseSchedule, type Schedule } from './repeatSchedule';
import { askFromSocket, askPayload, canSendTo, EPHEMERAL, familyOfTarget, runSender, sendDatagram, withRunSocket } from './sendFlow';
import { findSocket } from './socketRefs';
import type { SurfaceDeps } from './surfaceDeps';
import { askTarget, targetText } from './targetPick';

/** What a send needs once asked for or read from the arguments. */
interface SendPlan {
  target: HostPort;
  socket?: UdpSocket;
  bytes: Uint8Array;
  encoding: PayloadEncoding;
}

export function registerSendCommands(deps: SurfaceDeps): vscode.Disposable {
  const sendActions = (error: unknown): ErrorAction[] =>
    errorCode(error) === 'VALIDATION' ? [] : [{ title: 'Show Log', run: () => deps.log.show(true) }];
  return vscode.Disposable.from(
    registerGuarded(deps.errors, Commands.Send, async (arg) => {
      const args = argObject(arg);
      const plan = args ? planFromArgs(deps, args) : await askSendPlan(deps, 'UDP: Send', undefined, fromNode(deps, arg));
      if (!plan) return undefined;
      const result = await sendDatagram(deps, plan.bytes, plan.target, plan.socket);
      void deps.recents.addTarget(result.target);
      vscode.window.setStatusBarMessage(`$(check) Sent ${formatCount(result.bytes)} bytes to ${result.target}`, 4000);
      return result;
    }, sendActions),

    registerGuarded(deps.errors, Commands.ReplyToPeer, async (arg) => replyToPeer(deps, arg), sendActions),

    registerGuarded(deps.errors, Commands.RepeatSend, async (arg) => {
      const args = argObject(arg);
      let plan: SendPlan | undefined;
      let schedule: Schedule | undefined;
      if (args) {
        plan = planFromArgs(deps, args);
        schedule = scheduleFromArgs(args);
      } else {
        plan = await askSendPlan(deps, 'UDP: Repeat Send', 'starts the repeat', fromNode(deps, arg));
        if (plan) schedule = await askSchedule();
      }
      if (!plan || !schedule) return undefined;
      void deps.recents.addTarget(targetText(plan.target));
      return repeatSend(deps, plan, schedule);
    }, sendActions),
  );
}

/** The socket a tree item's Send / Repeat Send starts from. */
function fromNode(deps: SurfaceDeps, arg: unknown): UdpSocket | undefined {
  if (!isTreeNode(arg)) return undefined;
  const socket = deps.registry.get(arg.socketId);
  if (!socket) throw validationError('That socket has been closed in the meantime.');
  return socket;
}

function planFromArgs(deps: SurfaceDeps, args: ArgObject): SendPlan {
  const target = reqTarget(args);
  const socket = args['socket'] !== undefined ? findSocket(deps.registry, args['socket']) : undefined;
  if (socket && !canSendTo(socket.view(), target)) throw validationError(cannotSend(socket, target));
  const encoding = optEncoding(args) ?? deps.settings().defaultEncoding;
  const payload = reqString(args, 'payload', 'the text to send');
  return { target, socket, encoding, bytes: encodeOrThrow(payload, encoding, familyOfTarget(target, socket)) };
}

function cannotSend(socket: UdpSocket, target: HostPort): string {
  const v = socket.view();
  const to = targetText(target);
  if (v.state === 'connected' && v.remote) {
    return `${socketTitle(v)} is connected to ${formatEndpoint(v.remote)} and can send only there, not to ${to}. Disconnect it first, or send from another socket.`;
  }
  if (v.state !== 'listening') return `${socketTitle(v)} is ${v.state}, so it cannot send. Listen again, or send from another socket.`;
  return `${socketTitle(v)} is ${v.type === 'udp4' ? 'IPv4' : 'IPv6'} and cannot send to ${to}. Send from a ${v.type === 'udp4' ? 'udp6' : 'udp4'} socket or an ephemeral one.`;
}

/**
 * Target → from → payload, with Back between the steps. Started from a socket in the tree, "from" is that
 * socket (and for a connected socket the target is its peer), so those steps are skipped.
 */
async function askSendPlan(deps: SurfaceDeps, title: string, action?: string, from?: UdpSocket): Promise<SendPlan | undefined> {
  let step = 1;
  let target: HostPort | undefined;
  let socket: UdpSocket | undefined = from;
  let typed = '';
  let encoding = deps.settings().defaultEncoding;
  const remote = from?.view().remote;
  if (remote) {
    target = parseTarget(remote, 'target');
    step = 3;
  }
  for (;;) {
    if (step === 1) {
      const t = await askTarget(deps.registry, deps.recents, { title: from ? `${title} from ${socketTitle(from.view())}` : title, step: 1, totalSteps: from ? 2 : 3 });
      if (t === undefined || t === BACK) return undefined;
      target = t;
      if (from && !canSendTo(from.view(), t)) throw validationError(cannotSend(from, t));
      step = from ? 3 : 2;
    } else if (step === 2) {
      const from = await askFromSocket(deps, target!, { title: `${title} to ${targetText(target!)}`, step: 2, totalSteps: 3, back: true });
      if (from === undefined) return undefined;
      if (from === BACK) {
        step = 1;
        continue;
      }
      socket = from === EPHEMERAL ? undefined : from;
      step = 3;
    } else {
      const p = await askPayload({
        title: `${title} to ${targetText(target!)}${socket ? ` from ${socket.view().local ? formatEndpoint(socket.view().local!) : socket.id}` : ''}`,
        step: from ? (remote ? 1 : 2) : 3,
        totalSteps: from ? (remote ? 1 : 2) : 3,
        back: !remote,
        family: familyOfTarget(target!, socket),
        encoding,
        value: typed,
        ...(action ? { action } : {}),
      });
      if (p === undefined) return undefined;
      if (p === BACK) {
        step = from ? 1 : 2;
        continue;
      }
      typed = p.text;
      encoding = p.encoding;
      return { target: target!, socket, bytes: p.bytes, encoding: p.encoding };
    }
  }
}

// ------------------------------------------------------------------------------------------ reply

async function replyToPeer(deps: SurfaceDeps, arg: unknown): Promise<SendResult | undefined> {
  let socket: UdpSocket;
  let peer: HostPort;
  if (isTreeNode(arg) && arg.kind === 'peer') {
    const node = arg as unknown as { socketId: string; peer: { address: string; port: number } };
    const s = deps.registry.get(node.socketId);
    if (!s) throw validationError('That socket has been closed in the meantime, so it cannot reply.');
    socket = s;
    peer = parseTarget(node.peer, 'peer');
  } else {
    const args = argObject(arg);
    if (!args) {
      const picked = await pickPeer(deps);
      if (!picked) return undefined;
      ({ socket, peer } = picked);
      return replyPrompted(deps, socket, peer);
    }
    socket = findSocket(deps.registry, args['socket']);
    if (args['peer'] === undefined) throw validationError('The argument "peer" is missing. Pass the peer as host:port.');
    peer = parseTarget(args['peer'], 'peer');
    if (args['payload'] !== undefined) {
      const encoding = optEncoding(args) ?? deps.settings().defaultEncoding;
      const bytes = encodeOrThrow(reqString(args, 'payload', 'the text to send'), encoding, familyOfTarget(peer, socket));
      return sendDatagram(deps, bytes, peer, socket);
    }
  }
  return replyPrompted(deps, socket, peer);
}

async function replyPrompted(deps: SurfaceDeps, socket: UdpSocket, peer: HostPort): Promise<SendResult | undefined> {
  if (!canSendTo(socket.view(), peer)) throw validationError(cannotSend(socket, peer));
  const p = await askPayload({
    title: `UDP: Reply to ${targetText(peer)} from ${socketTitle(socket.view())}`,
    family: familyOfTarget(peer, socket),
    encoding: deps.settings().defaultEncoding,
  });
  if (!p || p === BACK) return undefined;
  const result = await sendDatagram(deps, p.bytes, peer, socket);
  vscode.window.setStatusBarMessage(`$(check) Replied ${formatCount(result.bytes)} bytes to ${result.target}`, 4000);
  return result;
}

/** From the palette: every peer of every open socket, most recent first. */
async function pickPeer(deps: SurfaceDeps): Promise<{ socket: UdpSocket; peer: HostPort } | undefined> {
  type PeerItem = vscode.QuickPickItem & { socket: UdpSocket; peer: HostPort };
  const items: Array<PeerItem & { lastSeen: number }> = [];
  for (const s of deps.registry.list()) {
    const v = s.view();
    if (v.state !== 'listening' && v.state !== 'connected') continue;
    for (const p of s.peers()) {
      items.push({
        label: formatEndpoint(p),
        description: `to ${socketTitle(v)} · ${formatCount(p.datagrams)} datagrams`,
        socket: s,
        peer: parseTarget(p, 'peer'),
        lastSeen: p.lastSeen,
      });
    }
  }
  if (items.length === 0) throw validationError('No open socket has received anything yet, so there is no peer to reply to.');
  items.sort((a, b) => b.lastSeen - a.lastSeen);
  const picked = await vscode.window.showQuickPick(items, { title: 'UDP: Reply to Peer', placeHolder: 'Which peer? (most recent first)', matchOnDescription: true });
  return picked ? { socket: picked.socket, peer: picked.peer } : undefined;
}

// ----------------------------------------------------------------------------------------- repeat

function scheduleFromArgs(args: ArgObject): Schedule {
  const count = optInt(args, 'count', 1, MAX_REPEAT, 'The repeat count');
  if (count === undefined) throw validationError('The argument "count" is missing. Pass how many datagrams to send, from 1 to 10 000 000.');
  const intervalMs = optInt(args, 'intervalMs', 0, MAX_INTERVAL_MS, 'The interval in milliseconds');
  const ratePerSecond = optInt(args, 'ratePerSecond', 1, MAX_REPEAT, 'The rate per second');
  if (intervalMs !== undefined && ratePerSecond !== undefined) {
    throw validationError('Pass either "intervalMs" or "ratePerSecond", not both: they say the same thing two ways.');
  }
  return { count, ...(intervalMs !== undefined ? { intervalMs } : {}), ...(ratePerSecond !== undefined ? { ratePerSecond } : {}) };
}

async function askSchedule(): Promise<Schedule | undefined> {
  const result = await askInput({
    title: 'UDP: Repeat Send',
    prompt: 'How many, and how fast? "100" (back to back), "100 every 50ms", "1000 at 500/s". Enter starts.',
    value: '10 every 100ms',
    validate: (text) => {
      const p = parseSchedule(text);
      return p.error ? { error: p.error } : {};
    },
  });
  if (!result || result === BACK || result.kind !== 'value') return undefined;
  return parseSchedule(result.value).schedule;
}

/**
 * Runs a repeat through the core's SendScheduler with a cancellable progress notification. Without a chosen
 * socket the run gets one of its own (see withRunSocket): a flood must not open a socket per datagram.
 */
async function repeatSend(deps: SurfaceDeps, plan: SendPlan, schedule: Schedule): Promise<RepeatSendResult> {
  const to = targetText(plan.target);
  if (plan.socket) return runRepeat(deps, plan, schedule, plan.socket, to);
  return withRunSocket(deps, plan.target, 'Repeat Send', (socket) => runRepeat(deps, plan, schedule, socket, to));
}

async function runRepeat(deps: SurfaceDeps, plan: SendPlan, schedule: Schedule, socket: UdpSocket, to: string): Promise<RepeatSendResult> {
  const from = socketTitle(socket.view());
  const send = runSender(socket, plan.target);
  const scheduled = deps.scheduler.start({
    count: schedule.count,
    ...(schedule.intervalMs !== undefined ? { intervalMs: schedule.intervalMs } : {}),
    ...(schedule.ratePerSecond !== undefined ? { ratePerSecond: schedule.ratePerSecond } : {}),
    // One socket, callback-style sends (runSender); the summary below is the record, not a line per datagram.
    sendWithCallback: (done) => send(plan.bytes, done),
  });
  // A socket closed mid-repeat ends the repeat instead of failing every remaining send.
  const closeWatch = socket.onDidClose(() => scheduled.cancel());
  deps.log.info(`Repeat send started: ${formatCount(schedule.count)} × ${plan.bytes.length} bytes from ${from} to ${to}.`);
  const pace = schedule.ratePerSecond ? `at ${formatCount(schedule.ratePerSecond)}/s` : schedule.intervalMs ? `every ${schedule.intervalMs} ms` : 'back to back';
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Sending ${formatCount(schedule.count)} datagrams to ${to} ${pace}`, cancellable: true },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => scheduled.cancel());
      let reported = 0;
      // The scheduler reports at most every 50 ms, so this is a few updates a second however fast it sends.
      const sub = scheduled.onProgress(({ sent, failed, total }) => {
        const done = sent + failed;
        progress.report({ increment: ((done - reported) / Math.max(total, 1)) * 100, message: `${formatCount(sent)} sent${failed ? `, ${formatCount(failed)} failed` : ''}` });
        reported = done;
      });
      try {
        return await scheduled.done;
      } finally {
        sub.dispose();
        cancel.dispose();
      }
    },
  );
  closeWatch.dispose();
  const summary = `Repeat send to ${to}: ${formatCount(outcome.sent)} sent, ${formatCount(outcome.failed)} failed${outcome.cancelled ? ', cancelled' : ''} in ${(outcome.elapsedMs / 1000).toFixed(2)} s.`;
  deps.log.info(summary);
  if (outcome.firstError !== undefined) {
    deps.errors.show(outcome.firstError, [{ title: 'Show Log', run: () => deps.log.show(true) }]);
  } else {
    vscode.window.setStatusBarMessage(`$(check) ${summary}`, 6000);
  }
  return { sent: outcome.sent, failed: outcome.failed, cancelled: outcome.cancelled, elapsedMs: outcome.elapsedMs };
}
