// Runs a parsed `.udp` file over the core socket registry: LISTEN blocks start first and stay up (answering with
// their Respond headers) while SEND blocks run one after another in file order; every block yields a structured
// result (passed/failed, round-trip times, what arrived instead). Used by the CLI, the VS Code CodeLens and Test
// Explorer, and tests — one runner, so the editor and CI agree.

import type { Endpoint, SocketOptions, SocketType } from '../../shared/dto';
import { encodePayload, PayloadError } from '../../shared/payload';
import { checkPayloadSize, parseBindSpec } from '../../shared/validation';
import type { Disposable, Event } from '../events';
import { RunContext } from './context';
import { formatMs, matchesHex, parseHexPattern, quoteDatagram, textForMatch, type HexPattern } from './match';
import type { Block, Template, UdpFileModel } from './model';
import { findBlock } from './query';
import { defaultListenAddress, resolveTarget, type ResolvedTarget } from './target';
import { escapeRegExp, expressionsOf, isLiteral, TemplateError } from './template';
import { templatesOf } from './parser';
import { SendScheduler } from '../sendScheduler';
import { GuardedRegex, RegexTimeoutError } from '../regexGuard';
import { senderBindAddress } from '../localAddresses';

// ------------------------------------------------------------------------------------ what the runner needs

/** One datagram as the core socket reports it (the core's ReceivedDatagram fits this shape). */
export interface RunnerDatagram {
  bytes: Uint8Array;
  peer: Endpoint;
  size: number;
  time: number;
}

/** The part of the core UdpSocket the runner uses. */
export interface RunnerSocket {
  readonly id: string;
  readonly onDidReceive: Event<RunnerDatagram>;
  send(bytes: Uint8Array, target?: { host: string; port: number }): Promise<unknown>;
  /** `send` for repeats: answered once through `callback` (error or null), no Promise per datagram. */
  sendWithCallback(bytes: Uint8Array, target: { host: string; port: number } | undefined, callback: (error: unknown) => void): void;
  setBroadcast(flag: boolean): unknown;
  setTTL(ttl: number): unknown;
  setMulticastTTL(ttl: number): unknown;
  setMulticastLoopback(flag: boolean): unknown;
  setMulticastInterface(address: string): unknown;
  addMembership(group: string, iface?: string): unknown;
  addSourceSpecificMembership(source: string, group: string, iface?: string): unknown;
  close(): Promise<unknown>;
  view(): { local?: Endpoint };
}

/** The part of the core SocketRegistry the runner uses: the host passes its own, so `.udp` sockets show in the tree. */
export interface RunnerRegistry {
  open(options: SocketOptions): Promise<RunnerSocket>;
}

/** vscode.CancellationToken fits this shape. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

// --------------------------------------------------------------------------------------------- results

export type BlockStatus =
  /** Every expectation held. */
  | 'passed'
  /** An expectation did not hold (wrong reply, or none in time). */
  | 'failed'
  /** A SEND block without expectation sent everything. */
  | 'sent'
  /** A LISTEN block without expectation was up and has stopped. */
  | 'listened'
  /** It could not run: a diagnostic, a bind/send error, a variable without value. */
  | 'error'
  | 'cancelled';

export interface ReplyRecord {
  bytes: Uint8Array;
  /** The datagram as text in the block's encoding (what patterns are matched against). */
  text: string;
  peer: Endpoint;
  /** Milliseconds from the send to this reply (SEND blocks). */
  rttMs?: number;
  matched: boolean;
  /**
   * SEND blocks, when the reply matched: what {{name.reply.N}} gives — index 0 the whole match, then the
   * Expect pattern's captures (Expect-Hex: only the whole reply).
   */
  captures?: string[];
  /** Receive time, ms since the epoch. */
  time: number;
}

export interface RttStats {
  min: number;
  avg: number;
  max: number;
  last: number;
}

export interface BlockResult {
  blockIndex: number;
  name?: string;
  label: string;
  method: 'SEND' | 'LISTEN';
  /** 0-based line of the block's first line (its ### or request line). */
  line: number;
  status: BlockStatus;
  /** One line, no glyph: `pong 17 · 3.2 ms`, `no reply within 500 ms`, `expected /^pong/ but got "x" from 127.0.0.1:9001`. */
  message: string;
  /** Whether the block has an Expect / Expect-Hex (a test). */
  hasExpectation: boolean;
  /** The expectation as shown to users: `/^pong (\d+)$/` or `01 02 ?? *`. */
  expected?: string;
  /** Where the block sent to (SEND). */
  target?: { host: string; port: number };
  /** The local endpoint of the block's socket. */
  local?: Endpoint;
  sent: number;
  bytesSent: number;
  /** Replies (SEND) or incoming datagrams (LISTEN), the first 100 kept. */
  replies: ReplyRecord[];
  /** How many replies matched (SEND with Expect) / incoming datagrams matched (LISTEN with Expect). */
  matched: number;
  /** LISTEN: datagrams received and answered. */
  received: number;
  responded: number;
  rtt?: RttStats;
  durationMs: number;
  error?: { code: string; message: string };
  /** True when this block ran only because a selected block needed it (a responder, or a reply it uses). */
  dependency: boolean;
}

export interface RunResult {
  /** No block failed and none had an error. */
  ok: boolean;
  results: BlockResult[];
  passed: number;
  failed: number;
  errors: number;
  cancelled: boolean;
  durationMs: number;
}

export type RunEvent =
  | { type: 'blockStarted'; block: Block }
  | { type: 'listening'; block: Block; local: Endpoint; socketId: string }
  | { type: 'sent'; block: Block; bytes: Uint8Array; to: { host: string; port: number }; seq: number; socketId: string }
  | { type: 'received'; block: Block; reply: ReplyRecord; socketId: string }
  | { type: 'responded'; block: Block; to: Endpoint; bytes: Uint8Array; socketId: string }
  | { type: 'warning'; block: Block; message: string }
  | { type: 'blockFinished'; block: Block; result: BlockResult };

export interface RunOptions {
  registry: RunnerRegistry;
  /** Names or 0-based indexes of the blocks to run; all blocks when absent. */
  only?: Array<string | number>;
  /**
   * With `only`: also run what the selection needs — every LISTEN block that has Respond headers, and the
   * blocks whose replies it uses ({{ping.reply}}). Default true.
   */
  withDependencies?: boolean;
  /** For {{$env NAME}}; the CLI passes process.env. */
  env?: Record<string, string | undefined>;
  onEvent?: (event: RunEvent) => void;
  /** Prefix for socket labels in the sockets tree, e.g. the file name. */
  label?: string;
  /**
   * LISTEN blocks already listening outside this run (the editor's Listen lens), by block name, with the port
   * each is bound to: {{name.port}} gives that port. Leave those blocks out of `only` — the run then talks to the
   * running listener instead of binding the block's port a second time (a fixed port would be in use).
   */
  listeningPorts?: ReadonlyMap<string, number>;
  /** Asked before every bind the file names (LISTEN addresses, From: headers); see BindGuard. */
  confirmBind?: BindGuard;
}

/** A bind the file itself asks for: a LISTEN block's address or a SEND block's From: header. */
export interface BindRequest {
  address: string;
  port: number;
  type: SocketType;
  block: Block;
  header: 'LISTEN' | 'From';
}

/**
 * Decides a bind the file asks for before any socket exists: resolves the address to bind (the same one, or a
 * safer one such as loopback), or undefined to refuse — the block then fails with a sentence and binds nothing.
 * The editor asks the user once per session before exposing a port to the network; the CLI warns on stderr.
 * The runner's own sender sockets (no From:) are not asked about: they bind an ephemeral port like any client.
 */
export type BindGuard = (request: BindRequest) => Promise<string | undefined>;

export class UnknownBlockError extends Error {
  override readonly name = 'UnknownBlockError';
  constructor(readonly block: string | number, known: string[]) {
    super(
      typeof block === 'number'
        ? `There is no block number ${block}.`
        : `No block is named "${block}". ${known.length > 0 ? `Named blocks: ${known.join(', ')}.` : 'Name a block with a line like "### ping".'}`,
    );
  }
}

const MAX_KEPT_REPLIES = 100;

// -------------------------------------------------------------------------------------------- run a file

/** Runs the file (or the `only` blocks and what they need). Never rejects for a network problem: see results. */
export async function runUdpFile(model: UdpFileModel, options: RunOptions, token?: CancellationLike): Promise<RunResult> {
  const started = performance.now();
  const { blocks, dependencies } = selectBlocks(model, options.only, options.withDependencies ?? true);
  const context = new RunContext(model, options.env ?? {});
  for (const [name, port] of options.listeningPorts ?? []) context.ports.set(name, port);
  const cancel = new CancelScope(token);
  const results: BlockResult[] = [];
  const listeners: ListenerHandle[] = [];
  const emit = safeEmitter(options.onEvent);
  try {
    for (const block of blocks.filter((b) => b.method === 'LISTEN')) {
      if (cancel.cancelled) break;
      const handle = await startListenerIn(block, context, options, emit, dependencies.has(block.index));
      if ('status' in handle) results.push(handle);
      else listeners.push(handle);
    }
    for (const block of blocks.filter((b) => b.method === 'SEND')) {
      if (cancel.cancelled) {
        results.push(finish(emptyResult(block, dependencies.has(block.index)), 'cancelled', 'cancelled before it ran', 0, emit, block));
        continue;
      }
      results.push(await runSendBlock(block, context, options, emit, cancel, dependencies.has(block.index)));
    }
    // LISTEN expectations may still be waiting for their datagram (each until its own `within`).
    await Promise.race([Promise.all(listeners.map((l) => l.settled)), cancel.promise]);
  } finally {
    for (const l of listeners) results.push(await l.stop(cancel.cancelled));
    cancel.dispose();
  }
  results.sort((a, b) => a.blockIndex - b.blockIndex);
  const failed = results.filter((r) => r.status === 'failed').length;
  const errors = results.filter((r) => r.status === 'error').length;
  return {
    ok: failed === 0 && errors === 0 && !cancel.cancelled,
    results,
    passed: results.filter((r) => r.status === 'passed').length,
    failed,
    errors,
    cancelled: cancel.cancelled,
    durationMs: performance.now() - started,
  };
}

/** The blocks a run executes, in file order, and which of them are there only as dependencies. */
export function selectBlocks(model: UdpFileModel, only: Array<string | number> | undefined, withDependencies = true): { blocks: Block[]; dependencies: Set<number> } {
  if (only === undefined) return { blocks: model.blocks, dependencies: new Set() };
  const chosen = new Set<number>();
  for (const key of only) {
    const block = findBlock(model, key);
    if (block === undefined) throw new UnknownBlockError(key, model.blocks.flatMap((b) => (b.name !== undefined ? [b.name] : [])));
    chosen.add(block.index);
  }
  const needed = new Set(chosen);
  if (withDependencies) {
    for (const b of model.blocks) if (b.method === 'LISTEN' && b.responders.length > 0) needed.add(b.index);
    const queue = [...needed];
    while (queue.length > 0) {
      const block = model.blocks[queue.pop()!]!;
      for (const t of templatesOf(block)) {
        for (const seg of expressionsOf(t)) {
          if (seg.expression.type !== 'reply' && seg.expression.type !== 'port') continue;
          const source = findBlock(model, seg.expression.block);
          if (source !== undefined && !needed.has(source.index)) {
            needed.add(source.index);
            queue.push(source.index);
          }
        }
      }
    }
  }
  const dependencies = new Set([...needed].filter((i) => !chosen.has(i)));
  return { blocks: model.blocks.filter((b) => needed.has(b.index)), dependencies };
}

// ------------------------------------------------------------------------------------------ SEND blocks

async function runSendBlock(block: Block, context: RunContext, options: RunOptions, emit: (e: RunEvent) => void, cancel: CancelScope, dependency: boolean): Promise<BlockResult> {
  const started = performance.now();
  const result = emptyResult(block, dependency);
  emit({ type: 'blockStarted', block });
  if (block.hasErrors) return finish(result, 'error', 'not run: the block has errors (see the problems in the file)', started, emit, block, 'PARSE');
  let socket: RunnerSocket | undefined;
  let inbox: Inbox | undefined;
  try {
    const firstSeq = context.nextSeq();
    const target = renderTarget(block, context, firstSeq);
    result.target = { host: target.host!, port: target.port };
    const bind = renderFrom(block, context, firstSeq, target);
    if (block.from !== undefined) bind.address = await confirmBind(options.confirmBind, { address: bind.address, port: bind.port, type: target.type, block, header: 'From' });
    socket = await options.registry.open({
      type: target.type,
      port: bind.port,
      address: bind.address,
      label: socketLabel(options, block),
    });
    const local = socket.view().local;
    if (local) result.local = local;
    applySocketOptions(socket, block);
    inbox = new Inbox(socket);
    const count = block.repeat?.count ?? 1;
    const interval = block.repeat?.intervalMs ?? 0;
    const rtts: number[] = [];
    let firstFailure: string | undefined;
    if (block.expect === undefined && count > 1) {
      // Fire and forget: the core scheduler holds the interval (or sends back to back) with bounded sends in flight.
      await sendRepeated(block, context, socket, result, firstSeq, target.type, count, interval, emit, cancel);
    }
    for (let i = 0; i < (block.expect === undefined && count > 1 ? 0 : count); i++) {
      if (cancel.cancelled) break;
      const round = performance.now();
      const seq = i === 0 ? firstSeq : context.nextSeq();
      const bytes = renderPayload(block, block.body, context, seq, target.type);
      const expectation = block.expect ? renderExpectation(block, context, seq) : undefined;
      inbox.clear(); // a late answer to the previous request must not pass for this one
      const sentAt = performance.now();
      await socket.send(bytes, result.target);
      result.sent++;
      result.bytesSent += bytes.length;
      emit({ type: 'sent', block, bytes, to: result.target, seq, socketId: socket.id });
      if (expectation) {
        const deadline = sentAt + expectation.withinMs;
        const reply = await inbox.next(deadline, cancel);
        if (reply === undefined) {
          if (cancel.cancelled) break;
          firstFailure ??= `${count > 1 ? `request ${i + 1}: ` : ''}no reply within ${formatMs(expectation.withinMs)}`;
        } else {
          const rtt = reply.at - sentAt;
          const text = textForMatch(reply.datagram.bytes, block.encoding);
          const match = testOrExplain(expectation, reply.datagram, text);
          const record: ReplyRecord = {
            bytes: reply.datagram.bytes,
            text,
            peer: reply.datagram.peer,
            rttMs: rtt,
            matched: match !== undefined,
            ...(match !== undefined ? { captures: match } : {}),
            time: reply.datagram.time,
          };
          keep(result, record);
          emit({ type: 'received', block, reply: record, socketId: socket.id });
          if (match !== undefined) {
            result.matched++;
            rtts.push(rtt);
            // Only the first block with a name is what {{name.reply}} means (a later duplicate gets a warning).
            if (block.name !== undefined && findBlock(context.model, block.name) === block) context.replies.set(block.name, { text, captures: match });
          } else {
            firstFailure ??=
              `${count > 1 ? `request ${i + 1}: ` : ''}expected ${expectation.description} but got ${quoteDatagram(reply.datagram.bytes, block.encoding)} from ${formatEndpoint(reply.datagram.peer)}`;
          }
        }
      }
      if (i < count - 1 && interval > 0) await cancel.sleep(round + interval - performance.now());
    }
    if (rtts.length > 0) result.rtt = rttStats(rtts);
    if (cancel.cancelled) return finish(result, 'cancelled', `cancelled after ${result.sent} of ${count} datagrams`, started, emit, block);
    if (block.expect === undefined) {
      return finish(result, 'sent', `sent ${plural(result.sent, 'datagram')} (${plural(result.bytesSent, 'byte')}) to ${formatTarget(result.target)}`, started, emit, block);
    }
    if (result.matched === count) {
      const last = result.replies.filter((r) => r.matched).pop();
      const message =
        count === 1
          ? `${quoteDatagram(last?.bytes ?? new Uint8Array(), block.encoding, 60)} · ${formatMs(result.rtt!.last)}`
          : `${count}/${count} replies matched · round trip min ${formatMs(result.rtt!.min)}, avg ${formatMs(result.rtt!.avg)}, max ${formatMs(result.rtt!.max)}`;
      return finish(result, 'passed', message, started, emit, block);
    }
    const message = count === 1 ? firstFailure! : `${result.matched} of ${count} replies matched; ${firstFailure}`;
    return finish(result, 'failed', message, started, emit, block);
  } catch (error) {
    const { code, message } = describeError(error);
    return finish(result, 'error', message, started, emit, block, code);
  } finally {
    inbox?.dispose();
    if (socket) await socket.close().catch(() => undefined);
  }
}

/** Repeat without Expect, on the core SendScheduler. Throws the first send or render error. */
async function sendRepeated(
  block: Block,
  context: RunContext,
  socket: RunnerSocket,
  result: BlockResult,
  firstSeq: number,
  type: SocketType,
  count: number,
  intervalMs: number,
  emit: (e: RunEvent) => void,
  cancel: CancelScope,
): Promise<void> {
  const target = result.target!;
  let issued = 0;
  const run = new SendScheduler().start({
    count,
    intervalMs,
    stopOnError: true,
    sendWithCallback: (done) => {
      // Payloads are rendered in send order, so {{$seq}} follows the order on the wire.
      const seq = issued++ === 0 ? firstSeq : context.nextSeq();
      const bytes = renderPayload(block, block.body, context, seq, type); // a throw here is a failed send
      socket.sendWithCallback(bytes, target, (error) => {
        if (!error) {
          result.sent++;
          result.bytesSent += bytes.length;
          emit({ type: 'sent', block, bytes, to: target, seq, socketId: socket.id });
        }
        done(error);
      });
    },
  });
  const onCancel = cancel.onCancel(() => run.cancel());
  try {
    const done = await run.done;
    if (done.firstError !== undefined) throw done.firstError;
  } finally {
    onCancel.dispose();
  }
}

function renderTarget(block: Block, context: RunContext, seq: number): ResolvedTarget {
  if (block.target === undefined) throw new RunError('PARSE', `${block.method} has no address.`);
  const text = renderOrThrow(context, block.target, seq);
  const target = resolveTarget(text, block.method, block.scheme);
  if (!target.ok) throw new RunError('VALIDATION', target.message);
  return target.value;
}

function renderFrom(block: Block, context: RunContext, seq: number, target: ResolvedTarget): { address: string; port: number } {
  if (block.from === undefined) {
    return { address: senderBindAddress(target.host!, target.type), port: 0 };
  }
  const text = renderOrThrow(context, block.from, seq).replace(/^udp:\/\//i, '');
  const spec = parseBindSpec(text);
  if (!spec.ok) throw new RunError('VALIDATION', spec.message);
  const host = spec.value.host ?? defaultListenAddress(target.type);
  if ((target.type === 'udp6') !== host.includes(':')) {
    throw new RunError('VALIDATION', `From ${text} and the destination ${formatTarget({ host: target.host!, port: target.port })} are different IP versions; send from an ${target.type === 'udp6' ? 'IPv6' : 'IPv4'} address.`);
  }
  return { address: host, port: spec.value.port };
}

function renderPayload(block: Block, template: Template | undefined, context: RunContext, seq: number, type: SocketType, captures?: readonly string[]): Uint8Array {
  const text = template === undefined ? '' : renderOrThrow(context, template, seq, captures);
  let bytes: Uint8Array;
  try {
    bytes = encodePayload(text, block.encoding);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    throw new RunError('VALIDATION', `The payload is not valid ${block.encoding === 'escaped' ? 'escaped text' : block.encoding} after filling in variables: ${error.reason}.`);
  }
  const size = checkPayloadSize(bytes.length, type === 'udp6' ? 'IPv6' : 'IPv4');
  if (size.error) throw new RunError('EMSGSIZE', size.error);
  return bytes;
}

interface RenderedExpectation {
  withinMs: number;
  description: string;
  /** For a regex: the pattern as messages show it (its time limit can run out, see testOrExplain). */
  pattern?: string;
  /** For a regex: the guarded pattern itself, so a burst of datagrams can be judged in one batch. */
  regex?: GuardedRegex;
  /** Captures (index 0 = the whole match) when the datagram matches, otherwise undefined. Throws RegexTimeoutError. */
  test(bytes: Uint8Array, text: string): string[] | undefined;
}

/** A static Respond pattern's answers for a burst of datagrams; `stuck`: the one it ran out of time on. */
interface StaticMatches {
  matches: Array<RegExpExecArray | null>;
  stuck: number | undefined;
  regex: GuardedRegex;
}

/** expectation.test, with a regex that ran out of time turned into the block's error sentence. */
function testOrExplain(expectation: RenderedExpectation, datagram: RunnerDatagram, text: string): string[] | undefined {
  try {
    return expectation.test(datagram.bytes, text);
  } catch (error) {
    if (!(error instanceof RegexTimeoutError)) throw error;
    throw expectTimeout(error, datagram);
  }
}

function expectTimeout(error: RegexTimeoutError, datagram: RunnerDatagram): RunError {
  return new RunError(error.code, `${regexTimeoutSentence('Expect', error, datagram)}, so the reply could not be judged. Simplify the pattern (nested or adjacent repetition like (a+)+ or \\d+\\d+ backtracks without end on some input)`);
}

function regexTimeoutSentence(header: 'Expect' | 'Respond', error: RegexTimeoutError, datagram: RunnerDatagram): string {
  return `The ${header} pattern ${error.pattern} took longer than ${error.budgetMs} ms on ${plural(datagram.bytes.length, 'byte')} from ${formatEndpoint(datagram.peer)} and was stopped`;
}

function renderExpectation(block: Block, context: RunContext, seq: number): RenderedExpectation {
  const expect = block.expect!;
  if (expect.kind === 'regex') {
    const source = renderOrThrow(context, expect.pattern, seq, undefined, escapeRegExp);
    const regex = compileRegex(source, expect.flags);
    return {
      withinMs: expect.withinMs,
      description: `/${source}/${expect.flags}`,
      pattern: regex.shown,
      regex,
      test: (_bytes, text) => {
        const m = regex.exec(text);
        return m === null ? undefined : Array.from(m, (s) => s ?? '');
      },
    };
  }
  let pattern: HexPattern;
  const text = renderOrThrow(context, expect.pattern, seq);
  try {
    pattern = parseHexPattern(text);
  } catch (error) {
    throw new RunError('VALIDATION', `Expect-Hex "${text}" is not hex bytes: ${error instanceof PayloadError ? error.reason : String(error)}.`);
  }
  return {
    withinMs: expect.withinMs,
    description: pattern.text,
    test: (bytes, shown) => (matchesHex(pattern, bytes) ? [shown] : undefined),
  };
}

/** Every pattern from a file runs under the regex time limit: the datagrams it judges come from the network. */
function compileRegex(source: string, flags: string): GuardedRegex {
  try {
    return new GuardedRegex(new RegExp(source, flags));
  } catch (error) {
    throw new RunError('VALIDATION', `The pattern /${source}/ is not a valid regular expression after filling in variables: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

function renderOrThrow(context: RunContext, template: Template, seq: number, captures?: readonly string[], escape?: (value: string) => string): string {
  try {
    return context.render(template, seq, captures, escape);
  } catch (error) {
    if (error instanceof TemplateError) throw new RunError('VARIABLE', `${error.message} (line ${error.range.start.line + 1})`);
    throw error;
  }
}

function applySocketOptions(socket: RunnerSocket, block: Block): void {
  if (block.broadcast !== undefined) socket.setBroadcast(block.broadcast);
  if (block.ttl !== undefined) socket.setTTL(block.ttl);
  if (block.multicastTTL !== undefined) socket.setMulticastTTL(block.multicastTTL);
  if (block.multicastLoopback !== undefined) socket.setMulticastLoopback(block.multicastLoopback);
  if (block.multicastInterface !== undefined) socket.setMulticastInterface(block.multicastInterface);
}

// ---------------------------------------------------------------------------------------- LISTEN blocks

export interface ListenerHandle {
  readonly block: Block;
  readonly socketId: string;
  readonly local: Endpoint;
  /** Settles when the block's Expect has passed or failed; at once when it has none. */
  readonly settled: Promise<void>;
  /** Closes the socket and gives the block's result. `cancelled` marks a still-waiting expectation as cancelled. */
  stop(cancelled?: boolean): Promise<BlockResult>;
}

export interface ListenOptions {
  registry: RunnerRegistry;
  env?: Record<string, string | undefined>;
  onEvent?: (event: RunEvent) => void;
  label?: string;
  confirmBind?: BindGuard;
}

/**
 * Starts one LISTEN block on its own (the editor's "Listen" lens): it answers with its Respond headers until
 * stop() is called. Rejects with an Error whose message is a sentence when the block cannot listen.
 */
export async function startListener(model: UdpFileModel, block: Block, options: ListenOptions): Promise<ListenerHandle> {
  if (block.method !== 'LISTEN') throw new Error(`The block "${block.label}" is a SEND block; only LISTEN blocks can listen.`);
  const handle = await startListenerIn(block, new RunContext(model, options.env ?? {}), options, safeEmitter(options.onEvent), false);
  if ('status' in handle) throw new RunError(handle.error?.code ?? 'ERROR', handle.message);
  return handle;
}

async function startListenerIn(
  block: Block,
  context: RunContext,
  options: ListenOptions,
  emit: (e: RunEvent) => void,
  dependency: boolean,
): Promise<ListenerHandle | BlockResult> {
  const started = performance.now();
  const result = emptyResult(block, dependency);
  emit({ type: 'blockStarted', block });
  if (block.hasErrors) return finish(result, 'error', 'not run: the block has errors (see the problems in the file)', started, emit, block, 'PARSE');
  let socket: RunnerSocket;
  let target: ResolvedTarget;
  try {
    target = renderTarget(block, context, 0);
    const address = await confirmBind(options.confirmBind, { address: target.host ?? defaultListenAddress(target.type), port: target.port, type: target.type, block, header: 'LISTEN' });
    socket = await options.registry.open({
      type: target.type,
      port: target.port,
      address,
      ...(block.reuseAddress !== undefined ? { reuseAddr: block.reuseAddress } : {}),
      label: socketLabel(options, block),
    });
  } catch (error) {
    const { code, message } = describeError(error);
    return finish(result, 'error', message, started, emit, block, code);
  }
  try {
    applySocketOptions(socket, block);
    for (const j of block.joins) {
      if (j.source !== undefined) socket.addSourceSpecificMembership(j.source, j.group, j.interface);
      else socket.addMembership(j.group, j.interface);
    }
  } catch (error) {
    await socket.close().catch(() => undefined);
    const { code, message } = describeError(error);
    return finish(result, 'error', message, started, emit, block, code);
  }
  const local = socket.view().local ?? { address: target.host ?? defaultListenAddress(target.type), family: target.type === 'udp6' ? 'IPv6' : 'IPv4', port: target.port };
  result.local = local;
  if (block.name !== undefined && findBlock(context.model, block.name) === block) context.ports.set(block.name, local.port);
  emit({ type: 'listening', block, local, socketId: socket.id });

  // Respond patterns without expressions are compiled once; the rest per datagram (they may use replies).
  const staticPatterns = block.responders.map((r) => (r.pattern !== undefined && isLiteral(r.pattern) ? compileRegex(r.pattern.raw, r.flags) : undefined));
  let expectation: RenderedExpectation | undefined;
  let expectationState: 'none' | 'waiting' | 'passed' | 'failed' = 'none';
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  let timer: NodeJS.Timeout | undefined;
  let lastMismatch: ReplyRecord | undefined;
  let lastError: string | undefined;
  /** Set when the Expect pattern ran out of time on a datagram: the block's error. */
  let expectError: string | undefined;
  /** Respond headers whose pattern ran out of time: turned off for the rest of this listen. */
  const turnedOff = new Set<number>();
  let respondTimeout: string | undefined;
  if (block.expect) {
    try {
      expectation = renderExpectation(block, context, 0);
      expectationState = 'waiting';
      timer = setTimeout(() => {
        if (expectationState !== 'waiting') return;
        expectationState = 'failed';
        settle();
      }, expectation.withinMs);
    } catch (error) {
      lastError = describeError(error).message;
      expectationState = 'failed';
      settle();
    }
  } else settle();

  // Datagrams that arrive together (a burst, a flood) are judged together: each static Respond pattern runs over the
  // whole burst in one guarded batch (src/core/regexGuard.ts), so its time limit costs per burst, not per datagram.
  const queue: RunnerDatagram[] = [];
  let drainSoon: NodeJS.Immediate | undefined;
  const onDatagram = (d: RunnerDatagram) => {
    queue.push(d);
    drainSoon ??= setImmediate(drain);
  };
  const drain = () => {
    drainSoon = undefined;
    const burst = queue.splice(0);
    if (burst.length === 0) return;
    const texts = burst.map((d) => textForMatch(d.bytes, block.encoding));
    // The first Respond that matches answers, so a pattern runs only over the datagrams no Respond before it is
    // sure to answer: N patterns cost one pass over the burst, not N, and a fallback pattern that would backtrack
    // on what an earlier Respond answers is never run on it (nor turned off for it).
    let open = burst.map((_, j) => j);
    const judged = staticPatterns.map((regex, i): StaticMatches | undefined => {
      if (turnedOff.has(i)) return undefined;
      if (regex === undefined) {
        // No pattern answers everything; a pattern with variables is judged per datagram, so it claims nothing.
        if (block.responders[i]!.pattern === undefined) open = [];
        return undefined;
      }
      const subset = open;
      const found: Array<RegExpExecArray | null> = [];
      const stuckAt = regex.execEach(subset.length, (k) => texts[subset[k]!]!, found);
      // Not run (claimed by an earlier Respond, or past the one that ran out of time): null, never consulted.
      const matches: Array<RegExpExecArray | null> = new Array<RegExpExecArray | null>(burst.length).fill(null);
      subset.forEach((j, k) => (matches[j] = found[k] ?? null));
      open = subset.filter((_, k) => !found[k]);
      return { matches, stuck: stuckAt === -1 ? undefined : subset[stuckAt], regex };
    });
    // The same for a LISTEN block's Expect while it waits.
    const regex = expectationState === 'waiting' ? expectation?.regex : undefined;
    const expected: boolean[] = [];
    const expectStuck = regex ? regex.testEach(burst.length, (j) => texts[j]!, expected) : -1;
    burst.forEach((d, j) =>
      judge(
        d,
        texts[j]!,
        (i) => judged[i] && { ...judged[i], at: j },
        regex && (() => (j === expectStuck ? expectTimeout(new RegexTimeoutError(regex.shown, regex.confirmMs), d) : expected[j] === true)),
      ),
    );
  };

  const judge = (
    d: RunnerDatagram,
    text: string,
    judgedBy: (responder: number) => (StaticMatches & { at: number }) | undefined,
    expectedHere?: () => boolean | RunError,
  ) => {
    result.received++;
    let matched = false;
    if (expectation && expectationState === 'waiting') {
      try {
        const judgedExpect = expectedHere?.();
        if (judgedExpect instanceof RunError) throw judgedExpect;
        matched = judgedExpect ?? testOrExplain(expectation, d, text) !== undefined;
      } catch (error) {
        expectError = describeError(error).message;
        expectationState = 'failed';
        if (timer) clearTimeout(timer);
        settle();
      }
      if (matched) {
        expectationState = 'passed';
        result.matched++;
        if (timer) clearTimeout(timer);
        settle();
      }
    }
    const record: ReplyRecord = { bytes: d.bytes, text, peer: d.peer, matched, time: d.time };
    keep(result, record);
    if (!matched && expectation) lastMismatch = record;
    emit({ type: 'received', block, reply: record, socketId: socket.id });
    void respond(d, text, judgedBy);
  };

  const respond = async (d: RunnerDatagram, text: string, judgedBy: (responder: number) => (StaticMatches & { at: number }) | undefined) => {
    for (let i = 0; i < block.responders.length; i++) {
      const responder = block.responders[i]!;
      if (turnedOff.has(i)) continue;
      try {
        let captures: string[] = [text];
        if (responder.pattern !== undefined) {
          const judged = judgedBy(i);
          let m: RegExpExecArray | null;
          try {
            // A static pattern was judged with its burst; a pattern with variables is rendered and run per datagram.
            if (judged !== undefined && judged.stuck === judged.at) throw new RegexTimeoutError(judged.regex.shown, judged.regex.confirmMs);
            m = judged ? (judged.matches[judged.at] ?? null) : compileRegex(renderOrThrow(context, responder.pattern, 0, undefined, escapeRegExp), responder.flags).exec(text);
          } catch (error) {
            if (!(error instanceof RegexTimeoutError)) throw error;
            // A peer that found a slow input can send it again and again: this Respond stops matching at all.
            turnedOff.add(i);
            lastError = `${regexTimeoutSentence('Respond', error, d)} and turned off for this listener (line ${responder.range.start.line + 1}); it answers nothing more. Simplify the pattern and listen again`;
            respondTimeout ??= lastError;
            emit({ type: 'warning', block, message: lastError });
            continue;
          }
          if (m === null) continue;
          captures = Array.from(m, (s) => s ?? '');
        }
        // In a Respond payload {{$seq}} counts this LISTEN block's answers (1, 2, …), apart from the SEND counter.
        const bytes = responder.payload === undefined ? d.bytes : renderPayload(block, responder.payload, context, ++answers, target.type, captures);
        const to = { host: d.peer.address, port: d.peer.port };
        await socket.send(bytes, to);
        result.responded++;
        result.sent++;
        result.bytesSent += bytes.length;
        emit({ type: 'responded', block, to: d.peer, bytes, socketId: socket.id });
      } catch (error) {
        lastError = describeError(error).message;
        emit({ type: 'warning', block, message: `Could not answer ${formatEndpoint(d.peer)}: ${lastError}` });
      }
      return; // the first matching Respond answers; the others are alternatives
    }
  };

  let answers = 0;
  const subscription: Disposable = socket.onDidReceive(onDatagram);
  let stopped: Promise<BlockResult> | undefined;
  return {
    block,
    socketId: socket.id,
    local,
    settled,
    stop: (cancelled = false) =>
      (stopped ??= (async () => {
        subscription.dispose();
        // What arrived before Stop is counted (and answered) like any other datagram.
        if (drainSoon !== undefined) {
          clearImmediate(drainSoon);
          drain();
        }
        if (timer) clearTimeout(timer);
        await socket.close().catch(() => undefined);
        const traffic = `received ${plural(result.received, 'datagram')}, answered ${result.responded}`;
        if (expectation === undefined && block.expect === undefined) {
          // A Respond that ran out of time stays in the result, not only in the log line of the moment.
          const off = respondTimeout !== undefined ? `; ${respondTimeout.charAt(0).toLowerCase()}${respondTimeout.slice(1)}` : '';
          return finish(result, 'listened', `listened on ${formatEndpoint(local)}: ${traffic}${off}`, started, emit, block);
        }
        if (expectationState === 'passed') {
          const hit = result.replies.find((r) => r.matched);
          return finish(result, 'passed', `${hit ? quoteDatagram(hit.bytes, block.encoding, 60) : 'matched'} from ${hit ? formatEndpoint(hit.peer) : '?'}`, started, emit, block);
        }
        if (expectationState === 'waiting' && cancelled) return finish(result, 'cancelled', `cancelled while waiting; ${traffic}`, started, emit, block);
        if (expectError !== undefined) return finish(result, 'error', expectError, started, emit, block, 'REGEX_TIMEOUT');
        if (expectation === undefined) return finish(result, 'error', lastError ?? 'the expectation could not be prepared', started, emit, block, 'VARIABLE');
        const within = formatMs(expectation.withinMs);
        const message =
          lastMismatch !== undefined
            ? `expected ${expectation.description} within ${within} but got ${quoteDatagram(lastMismatch.bytes, block.encoding)} from ${formatEndpoint(lastMismatch.peer)}`
            : `no datagram within ${within}`;
        return finish(result, 'failed', message, started, emit, block);
      })()),
  };
}

// -------------------------------------------------------------------------------------------- plumbing

/** Queues what a socket receives, so a reply that arrives before anyone waits is not lost. */
class Inbox implements Disposable {
  private readonly queue: Array<{ datagram: RunnerDatagram; at: number }> = [];
  private waiter: ((item: { datagram: RunnerDatagram; at: number } | undefined) => void) | undefined;
  private readonly subscription: Disposable;

  constructor(socket: RunnerSocket) {
    this.subscription = socket.onDidReceive((datagram) => {
      const item = { datagram, at: performance.now() };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(item);
      } else if (this.queue.length < MAX_KEPT_REPLIES) this.queue.push(item);
    });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The next datagram, or undefined at the deadline (a performance.now() time) or on cancellation. */
  next(deadline: number, cancel: CancelScope): Promise<{ datagram: RunnerDatagram; at: number } | undefined> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), Math.max(0, deadline - performance.now()));
      const onCancel = cancel.onCancel(() => done(undefined));
      const done = (item: { datagram: RunnerDatagram; at: number } | undefined) => {
        clearTimeout(timer);
        onCancel.dispose();
        this.waiter = undefined;
        resolve(item);
      };
      this.waiter = done;
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.waiter?.(undefined);
  }
}

class CancelScope implements Disposable {
  cancelled = false;
  private readonly listeners = new Set<() => void>();
  private readonly subscription: { dispose(): unknown } | undefined;
  readonly promise: Promise<void>;
  private resolve: () => void = () => undefined;

  constructor(token: CancellationLike | undefined) {
    this.promise = new Promise((r) => (this.resolve = r));
    this.cancelled = token?.isCancellationRequested ?? false;
    if (this.cancelled) this.resolve();
    this.subscription = token?.onCancellationRequested(() => {
      this.cancelled = true;
      this.resolve();
      for (const l of [...this.listeners]) l();
    });
  }

  onCancel(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve();
      }, ms);
      const sub = this.onCancel(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  dispose(): void {
    this.subscription?.dispose();
    this.listeners.clear();
  }
}

/** An error the runner raises itself, with a code like the core's (VALIDATION, VARIABLE, EMSGSIZE…). */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The address to bind after the guard's answer; a refusal becomes the block's error (code DECLINED). */
async function confirmBind(guard: BindGuard | undefined, request: BindRequest): Promise<string> {
  if (guard === undefined) return request.address;
  const address = await guard(request);
  if (address !== undefined) return address;
  const where = formatEndpoint({ address: request.address, port: request.port });
  const local = defaultListenAddress(request.type);
  throw new RunError(
    'DECLINED',
    request.header === 'LISTEN'
      ? `Not listening on ${where}: listening on the network was declined, so nothing was bound. Listen on ${local} to stay on this machine, or run the block again and allow the network`
      : `Not sent: sending from ${where} (From:) was declined, so nothing was bound. Send from ${local} to stay on this machine, or run the block again and allow the network`,
  );
}

/** The core's UdpLabError carries `userMessage` and `code`; other errors their message. */
function describeError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; userMessage?: unknown; message?: unknown };
    const message = typeof e.userMessage === 'string' ? e.userMessage : typeof e.message === 'string' ? e.message : String(error);
    return { code: typeof e.code === 'string' ? e.code : 'ERROR', message: message.replace(/\.$/, '') };
  }
  return { code: 'ERROR', message: String(error) };
}

function safeEmitter(listener: ((event: RunEvent) => void) | undefined): (event: RunEvent) => void {
  if (listener === undefined) return () => undefined;
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      console.error('[udp-lab] .udp run event listener threw:', error);
    }
  };
}

function emptyResult(block: Block, dependency: boolean): BlockResult {
  return {
    blockIndex: block.index,
    ...(block.name !== undefined ? { name: block.name } : {}),
    label: block.label,
    method: block.method,
    line: block.range.start.line,
    status: 'error',
    message: '',
    hasExpectation: block.expect !== undefined,
    ...(block.expect ? { expected: block.expect.kind === 'regex' ? `/${block.expect.pattern.raw}/${block.expect.flags}` : block.expect.pattern.raw.trim() } : {}),
    sent: 0,
    bytesSent: 0,
    replies: [],
    matched: 0,
    received: 0,
    responded: 0,
    durationMs: 0,
    dependency,
  };
}

function finish(result: BlockResult, status: BlockStatus, message: string, started: number, emit: (e: RunEvent) => void, block: Block, errorCode?: string): BlockResult {
  result.status = status;
  result.message = message;
  result.durationMs = started === 0 ? 0 : performance.now() - started;
  if (errorCode !== undefined) result.error = { code: errorCode, message };
  emit({ type: 'blockFinished', block, result });
  return result;
}

function keep(result: BlockResult, record: ReplyRecord): void {
  if (result.replies.length < MAX_KEPT_REPLIES) result.replies.push(record);
}

function rttStats(values: number[]): RttStats {
  let min = Infinity;
  let max = 0;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, avg: sum / values.length, last: values[values.length - 1]! };
}

function socketLabel(options: { label?: string }, block: Block): string {
  return options.label ? `${options.label} › ${block.label}` : `.udp › ${block.label}`;
}

export function formatEndpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function formatTarget(t: { host: string; port: number }): string {
  return formatEndpoint({ address: t.host, port: t.port });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
