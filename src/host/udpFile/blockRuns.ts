// Runs `.udp` blocks from the editor: Send / Send & Await / Run File from CodeLens, Listen / Stop for LISTEN
// blocks, and the runs Test Explorer starts. One core runner does the work over the registry the extension
// composed, so every datagram shows in the Messages panel and every socket in the sockets tree. This class keeps
// what the editor shows about each block — running, listening, or its last result — keyed by the block's
// identity (blockKeys.ts), and announces changes for the lenses and inline decorations.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Event } from '../../core/events';
import {
  runUdpFile,
  selectBlocks,
  startListener,
  templatesOf,
  type BindGuard,
  type Block,
  type BlockResult,
  type BlockStatus,
  type ListenerHandle,
  type RunEvent,
  type RunResult,
  type RunnerRegistry,
  type UdpFileModel,
} from '../../core/udpFile';
import { formatEndpoint } from '../../core/udpFile';
import { blockByKey, blockKeys } from './blockKeys';
import type { UdpDocumentModels } from './documentModels';
import { gatedRegistry, type TrustGate } from './trustGate';

/** The registry the extension composed; `onDidChange` tells a listener that its socket was closed elsewhere. */
export interface UdpFilesRegistry extends RunnerRegistry {
  readonly onDidChange: Event<{ kind: 'added' | 'removed' | 'changed'; id: string }>;
}

export type RunMode = 'send' | 'await' | 'file' | 'test';

/** What the editor shows for one block. */
export interface BlockRunState {
  phase: 'running' | 'listening' | 'done';
  /** For `done`: how it ended. */
  status?: BlockStatus;
  /** One line without a glyph: `pong 17 · 3.2 ms`, `no reply within 500 ms`, `listening on 127.0.0.1:9001 · 2 received`. */
  message: string;
  result?: BlockResult;
  /** True when the block ran only because another block needed it. */
  dependency?: boolean;
  time: number;
}

export interface LastReply {
  text: string;
  /** What `{{name.reply.N}}` gives, as the runner matched it: index 0 the whole match, then the captures. */
  captures: string[];
  time: number;
}

interface ActiveListener {
  handle: ListenerHandle;
  received: number;
  responded: number;
  subscription: { dispose(): void };
}

interface DocumentRuns {
  states: Map<string, BlockRunState>;
  listeners: Map<string, ActiveListener>;
  running: Map<string, { cts: vscode.CancellationTokenSource; done: Promise<RunResult | undefined> }>;
  replies: Map<string, LastReply>;
}

/** Live listener counts are redrawn at most this often, however fast datagrams arrive. */
const LIVE_UPDATE_MS = 100;

export class UdpBlockRuns implements vscode.Disposable {
  private readonly docs = new Map<string, DocumentRuns>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly pending = new Map<string, vscode.Uri>();
  private flushTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** The editor state of some block of this document changed (a run started, finished, a listener counted). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly models: UdpDocumentModels,
    private readonly registry: UdpFilesRegistry,
    readonly gate: TrustGate,
    private readonly log: vscode.LogOutputChannel,
    /** Asked before a LISTEN or From: bind that would expose a port to the network (once per session). */
    private readonly confirmBind?: BindGuard,
  ) {}

  // ------------------------------------------------------------------------------------------- queries

  states(uri: vscode.Uri): ReadonlyMap<string, BlockRunState> {
    return this.docs.get(uri.toString())?.states ?? new Map();
  }

  isListening(uri: vscode.Uri, key: string): boolean {
    return this.docs.get(uri.toString())?.listeners.has(key) ?? false;
  }

  isRunning(uri: vscode.Uri, key: string): boolean {
    return this.docs.get(uri.toString())?.running.has(key) ?? false;
  }

  /** The last matching reply a named block received in this window, for hover on `{{name.reply}}`. */
  lastReply(uri: vscode.Uri, blockName: string): LastReply | undefined {
    return this.docs.get(uri.toString())?.replies.get(blockName);
  }

  /** Every listener started from a lens, for tests and "stop all". */
  activeListeners(): Array<{ uri: string; key: string; socketId: string; local: string }> {
    const out: Array<{ uri: string; key: string; socketId: string; local: string }> = [];
    for (const [uri, doc] of this.docs) {
      for (const [key, l] of doc.listeners) out.push({ uri, key, socketId: l.handle.socketId, local: formatEndpoint(l.handle.local) });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ actions

  /**
   * Sends one SEND block. `await` waits for its Expect (running the LISTEN responders and reply sources it
   * needs); `send` fires the datagrams without waiting. Resolves with the runner's result (never rejects for a
   * network problem: the result says what went wrong), or undefined when the block no longer exists.
   */
  send(document: vscode.TextDocument, key: string, mode: 'send' | 'await'): Promise<RunResult | undefined> {
    const model = this.models.flush(document);
    const block = blockByKey(model, key);
    if (block === undefined || block.method !== 'SEND') return Promise.resolve(undefined);
    const existing = this.docFor(document.uri).running.get(key);
    if (existing) return existing.done;
    // "Send" on a block with Expect: the same block without the expectation, so nothing waits for a reply.
    const runModel: UdpFileModel =
      mode === 'send' && block.expect !== undefined ? { ...model, blocks: model.blocks.map((b) => (b.index === block.index ? { ...b, expect: undefined } : b)) } : model;
    let selection = this.withDependencies(document.uri, runModel, [block.index]);
    // Nothing waits for a reply, so responders would only open ports for nothing (unless a port is used).
    if (mode === 'send') {
      const used = portsUsed(selection.indexes.map((i) => runModel.blocks[i]!));
      selection = { ...selection, indexes: selection.indexes.filter((i) => runModel.blocks[i]!.method === 'SEND' || used.has(runModel.blocks[i]!.name ?? '')) };
    }
    return this.run(document.uri, runModel, selection, mode, key);
  }

  /**
   * Runs the whole file like `udp-lab run`, except LISTEN blocks already listening from a lens: they keep
   * answering, and {{name.port}} is their port.
   */
  runFile(document: vscode.TextDocument): Promise<RunResult | undefined> {
    const model = this.models.flush(document);
    const skip = this.listeningElsewhere(document.uri, model, model.blocks);
    const indexes = model.blocks.filter((b) => !skip.has(b.index)).map((b) => b.index);
    return this.run(document.uri, model, { indexes, dependencies: new Set() }, 'file', undefined);
  }

  /**
   * For Test Explorer: runs the given blocks (by index) and what they need, or the whole file when `indexes`
   * is undefined. Results also show in the editor like any other run.
   */
  runForTests(uri: vscode.Uri, model: UdpFileModel, indexes: number[] | undefined, token: vscode.CancellationToken, onEvent?: (event: RunEvent) => void): Promise<RunResult> {
    let selection: { indexes: number[]; dependencies: Set<number> };
    if (indexes === undefined) {
      const skip = this.listeningElsewhere(uri, model, model.blocks);
      selection = { indexes: model.blocks.filter((b) => !skip.has(b.index)).map((b) => b.index), dependencies: new Set<number>() };
    } else selection = this.withDependencies(uri, model, indexes);
    return this.run(uri, model, selection, 'test', undefined, token, onEvent).then((r) => r!);
  }

  /** Starts a LISTEN block; it answers with its Respond headers until stop(). */
  async listen(document: vscode.TextDocument, key: string): Promise<BlockRunState | undefined> {
    const model = this.models.flush(document);
    const block = blockByKey(model, key);
    if (block === undefined || block.method !== 'LISTEN') return undefined;
    const doc = this.docFor(document.uri);
    if (doc.listeners.has(key)) return doc.states.get(key);
    this.setState(document.uri, key, { phase: 'running', message: 'starting to listen…', time: Date.now() });
    let handle: ListenerHandle;
    const counts = { received: 0, responded: 0 };
    try {
      handle = await startListener(model, block, {
        registry: gatedRegistry(this.registry, this.gate, 'listen'),
        ...(this.confirmBind ? { confirmBind: this.confirmBind } : {}),
        env: process.env,
        label: path.basename(document.uri.path),
        onEvent: (e) => {
          if (e.type === 'received') counts.received++;
          else if (e.type === 'responded') counts.responded++;
          else if (e.type === 'warning') this.log.warn(`${block.label}: ${e.message}`);
          else return;
          const active = doc.listeners.get(key);
          if (active) {
            active.received = counts.received;
            active.responded = counts.responded;
            this.setState(document.uri, key, this.listeningState(active), true);
          }
        },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
      this.log.error(`${block.label}: ${message}`);
      this.setState(document.uri, key, { phase: 'done', status: 'error', message, time: Date.now() });
      return doc.states.get(key);
    }
    const active: ActiveListener = {
      handle,
      ...counts,
      // Closed from the sockets tree (or by Close All): the block is no longer listening.
      subscription: this.registry.onDidChange((e) => {
        if (e.kind === 'removed' && e.id === handle.socketId) void this.stop(document.uri, key);
      }),
    };
    doc.listeners.set(key, active);
    this.log.info(`${block.label}: listening on ${formatEndpoint(handle.local)}`);
    this.setState(document.uri, key, this.listeningState(active));
    return doc.states.get(key);
  }

  /** Stops a listener started from a lens; resolves with its result. */
  async stop(uri: vscode.Uri, key: string): Promise<BlockResult | undefined> {
    const doc = this.docs.get(uri.toString());
    const active = doc?.listeners.get(key);
    if (!doc || !active) return undefined;
    doc.listeners.delete(key);
    active.subscription.dispose();
    const result = await active.handle.stop();
    this.log.info(`${result.label}: ${result.message}`);
    this.setState(uri, key, { phase: 'done', status: result.status, message: result.message, result, time: Date.now() });
    return result;
  }

  cancel(uri: vscode.Uri, key: string): void {
    this.docs.get(uri.toString())?.running.get(key)?.cts.cancel();
  }

  /** Forgets the results shown for a document (listeners keep running). */
  clearResults(uri: vscode.Uri): void {
    const doc = this.docs.get(uri.toString());
    if (!doc) return;
    for (const [key, state] of doc.states) if (state.phase === 'done') doc.states.delete(key);
    this.announce(uri);
  }

  // ----------------------------------------------------------------------------------------- plumbing

  /**
   * The runner's own dependency rule, minus LISTEN blocks this window already has listening — even one asked for
   * by name (a LISTEN test): they keep answering, and the run gets their port for {{name.port}} (see lensPorts).
   * A second copy would find a fixed port taken ("port in use"); Test Explorer says why such a test did not run.
   */
  private withDependencies(uri: vscode.Uri, model: UdpFileModel, indexes: number[]): { indexes: number[]; dependencies: Set<number> } {
    const { blocks, dependencies } = selectBlocks(model, indexes, true);
    const skip = this.listeningElsewhere(uri, model, blocks);
    return { indexes: blocks.filter((b) => !skip.has(b.index)).map((b) => b.index), dependencies };
  }

  /** Indexes of LISTEN blocks among `blocks` that a lens already keeps listening. */
  private listeningElsewhere(uri: vscode.Uri, model: UdpFileModel, blocks: readonly Block[]): Set<number> {
    const keys = blockKeys(model);
    const doc = this.docFor(uri);
    return new Set(blocks.filter((b) => b.method === 'LISTEN' && doc.listeners.has(keys.get(b.index)!)).map((b) => b.index));
  }

  /** The ports of this document's lens listeners, by block name: what {{name.port}} means in a run that skips them. */
  private lensPorts(uri: vscode.Uri, model: UdpFileModel): Map<string, number> {
    const keys = blockKeys(model);
    const doc = this.docFor(uri);
    const ports = new Map<string, number>();
    for (const b of model.blocks) {
      const listener = b.method === 'LISTEN' && b.name !== undefined ? doc.listeners.get(keys.get(b.index)!) : undefined;
      if (listener && !ports.has(b.name!)) ports.set(b.name!, listener.handle.local.port);
    }
    return ports;
  }

  private async run(
    uri: vscode.Uri,
    model: UdpFileModel,
    selection: { indexes: number[]; dependencies: Set<number> },
    mode: RunMode,
    ownerKey: string | undefined,
    token?: vscode.CancellationToken,
    onEvent?: (event: RunEvent) => void,
  ): Promise<RunResult | undefined> {
    const doc = this.docFor(uri);
    const keys = blockKeys(model);
    const cts = new vscode.CancellationTokenSource();
    const forward = token?.onCancellationRequested(() => cts.cancel());
    const fileLabel = path.basename(uri.path);
    const runKeys = selection.indexes.map((i) => keys.get(i)!);
    const verb = mode === 'send' ? 'sending…' : mode === 'await' || mode === 'test' ? 'waiting for the reply…' : 'running…';
    for (const [n, key] of runKeys.entries()) {
      const block = model.blocks[selection.indexes[n]!]!;
      this.setState(uri, key, { phase: 'running', message: block.method === 'LISTEN' ? 'listening for this run…' : verb, time: Date.now() }, true);
    }
    const done = (async (): Promise<RunResult> => {
      try {
        const result = await runUdpFile(
          model,
          {
            registry: gatedRegistry(this.registry, this.gate, 'send'),
            ...(this.confirmBind ? { confirmBind: this.confirmBind } : {}),
            only: selection.indexes,
            withDependencies: false,
            listeningPorts: this.lensPorts(uri, model),
            env: process.env,
            label: fileLabel,
            onEvent: (e) => {
              onEvent?.(e);
              this.onRunEvent(uri, keys, selection.dependencies, e);
            },
          },
          cts.token,
        );
        return result;
      } finally {
        forward?.dispose();
        cts.dispose();
        if (ownerKey !== undefined) doc.running.delete(ownerKey);
        // Blocks the runner never reached (cancelled before they started) must not stay "running".
        for (const key of runKeys) {
          const state = doc.states.get(key);
          if (state?.phase === 'running') this.setState(uri, key, { phase: 'done', status: 'cancelled', message: 'cancelled', time: Date.now() }, true);
        }
        this.announce(uri);
      }
    })();
    if (ownerKey !== undefined) doc.running.set(ownerKey, { cts, done });
    this.announce(uri);
    return done;
  }

  private onRunEvent(uri: vscode.Uri, keys: Map<number, string>, dependencies: Set<number>, e: RunEvent): void {
    const key = keys.get(e.block.index)!;
    switch (e.type) {
      case 'sent':
        this.log.debug(`${e.block.label}: sent ${e.bytes.length} bytes to ${formatEndpoint({ address: e.to.host, port: e.to.port })}`);
        return;
      case 'received':
        this.log.debug(`${e.block.label}: received ${e.reply.bytes.length} bytes from ${formatEndpoint(e.reply.peer)}${e.reply.matched ? ' (matched)' : ''}`);
        return;
      case 'warning':
        this.log.warn(`${e.block.label}: ${e.message}`);
        return;
      case 'blockFinished': {
        const r = e.result;
        const line = `${r.label}: ${r.message}`;
        if (r.status === 'error' || r.status === 'failed') this.log.warn(line);
        else this.log.info(line);
        this.rememberReply(uri, e.block, r);
        this.setState(uri, key, { phase: 'done', status: r.status, message: r.message, result: r, dependency: dependencies.has(e.block.index), time: Date.now() });
        return;
      }
      default:
        return;
    }
  }

  private rememberReply(uri: vscode.Uri, block: Block, result: BlockResult): void {
    if (block.name === undefined || block.method !== 'SEND' || result.status !== 'passed') return;
    const reply = result.replies.filter((r) => r.matched).pop();
    if (!reply) return;
    // The runner's own match (its pattern with variables filled in, under the regex time limit): a reply comes
    // from the network, and matching it again here would do neither.
    this.docFor(uri).replies.set(block.name, { text: reply.text, captures: reply.captures ?? [reply.text], time: reply.time });
  }

  private listeningState(active: ActiveListener): BlockRunState {
    const parts = [`listening on ${formatEndpoint(active.handle.local)}`];
    if (active.received > 0 || active.responded > 0) parts.push(`${active.received} received`, `${active.responded} answered`);
    return { phase: 'listening', message: parts.join(' · '), time: Date.now() };
  }

  private docFor(uri: vscode.Uri): DocumentRuns {
    const id = uri.toString();
    let doc = this.docs.get(id);
    if (!doc) {
      doc = { states: new Map(), listeners: new Map(), running: new Map(), replies: new Map() };
      this.docs.set(id, doc);
    }
    return doc;
  }

  private setState(uri: vscode.Uri, key: string, state: BlockRunState, throttled = false): void {
    this.docFor(uri).states.set(key, state);
    if (throttled) this.announceSoon(uri);
    else this.announce(uri);
  }

  private announce(uri: vscode.Uri): void {
    if (this.disposed) return;
    this.pending.delete(uri.toString());
    this.changed.fire(uri);
  }

  /** Coalesces bursts (a flood into a listener) into one redraw per LIVE_UPDATE_MS. */
  private announceSoon(uri: vscode.Uri): void {
    this.pending.set(uri.toString(), uri);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const uris = [...this.pending.values()];
      this.pending.clear();
      for (const u of uris) this.announce(u);
    }, LIVE_UPDATE_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.flushTimer);
    for (const doc of this.docs.values()) {
      for (const r of doc.running.values()) r.cts.cancel();
      for (const l of doc.listeners.values()) {
        l.subscription.dispose();
        void l.handle.stop(true);
      }
    }
    this.docs.clear();
    this.changed.dispose();
  }
}

/** Names of the LISTEN blocks whose port these blocks use ({{name.port}}). */
function portsUsed(blocks: readonly Block[]): Set<string> {
  const names = new Set<string>();
  for (const b of blocks) {
    for (const t of templatesOf(b)) for (const s of t.segments) if (s.kind === 'expression' && s.expression.type === 'port') names.add(s.expression.block);
  }
  return names;
}
