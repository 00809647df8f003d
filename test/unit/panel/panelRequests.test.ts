// What the host does for the Messages panel's requests, on real loopback sockets through the real core
// (SocketRegistry, SendScheduler, DatagramLog): send once and repeated (with progress and Stop), the errors the
// user reads, whole datagrams for truncated rows, copy, and export of the filtered log as JSON Lines.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SendScheduler } from '../../../src/core/sendScheduler';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import type { UdpSocket } from '../../../src/core/udpSocket';
import { filteredJsonLines, writeLines } from '../../../src/host/panel/panelExport';
import { PanelRequests } from '../../../src/host/panel/panelRequests';
import type { HostToWebview, WebviewRequest } from '../../../src/shared/protocol';
import { parseWebviewMessage } from '../../../src/shared/protocol';
import { nextEvent } from '../support/events';

type Response = Extract<HostToWebview, { type: 'response' }>;

describe('panel requests (host side, real sockets)', () => {
  let registry: SocketRegistry;
  let scheduler: SendScheduler;
  let requests: PanelRequests;
  let posted: HostToWebview[];
  let clipboard: string[];
  let remembered: string[];
  let exportFile: string | undefined;
  let tmp: string;
  let nextId = 1;

  beforeEach(() => {
    registry = new SocketRegistry({ logCaps: { maxCount: 10_000, maxBytes: 10_000_000 } });
    scheduler = new SendScheduler();
    posted = [];
    clipboard = [];
    remembered = [];
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-panel-'));
    exportFile = path.join(tmp, 'out.jsonl');
    requests = new PanelRequests({
      sendOnce: async (bytes, target, socketId) => {
        const to = { host: target.host, port: target.port };
        if (socketId !== undefined) {
          const sent = await registry.get(socketId)!.send(bytes, to);
          return { bytes: sent, target: `${target.host}:${target.port}` };
        }
        const r = await registry.sendEphemeral(bytes, to);
        return { bytes: r.bytes, target: `${target.host}:${target.port}` };
      },
      withRepeatSender: async (target, socketId, run) => {
        const to = { host: target.host, port: target.port };
        const socket = socketId !== undefined ? registry.get(socketId)! : await registry.openRunSocket(target.host, target.port, undefined, 'test run');
        try {
          return await run({ target: `${target.host}:${target.port}`, send: (bytes, done) => socket.sendWithCallback(bytes, to, done) });
        } finally {
          if (socketId === undefined) await registry.close(socket.id);
        }
      },
      socketType: (id) => registry.get(id)?.view().type,
      onSocketClose: (id, listener) => registry.get(id)?.onDidClose(listener),
      scheduler,
      datagram: (seq) => registry.log.get(seq),
      writeClipboard: async (text) => {
        clipboard.push(text);
      },
      exportFiltered: async (filter) => (exportFile ? { written: await writeLines(exportFile, filteredJsonLines(registry.log, filter, () => undefined)), path: exportFile } : undefined),
      clearLog: async () => {
        const n = registry.log.size;
        registry.log.clear();
        return n;
      },
      runCommand: async () => undefined,
      rememberTarget: async (t) => {
        remembered.push(t);
      },
      log: { info: () => undefined, warn: () => undefined },
      post: (m) => posted.push(m),
    });
  });

  afterEach(async () => {
    requests.dispose();
    scheduler.cancelAll();
    await registry.closeAll();
    registry.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Sends a raw message through the same validation the panel host uses, and returns its response. */
  async function ask(raw: Record<string, unknown>): Promise<Response> {
    const id = nextId++;
    const parsed = parseWebviewMessage({ ...raw, id });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    await requests.handle(parsed.value as WebviewRequest);
    const r = posted.find((m): m is Response => m.type === 'response' && m.id === id);
    assert.ok(r, 'exactly one response per request');
    return r;
  }

  async function listen(): Promise<UdpSocket> {
    return registry.open({ type: 'udp4', port: 0, address: '127.0.0.1' });
  }

  it('sends once from an open socket; the receiver gets the exact bytes and both rows are logged', async () => {
    const a = await listen();
    const b = await listen();
    const received = nextEvent(b.onDidReceive);
    const r = await ask({ type: 'send', from: { socketId: a.id }, target: `127.0.0.1:${b.local!.port}`, payload: 'de ad 00 be ef', encoding: 'hex' });
    assert.deepEqual(r, { type: 'response', id: r.id, request: 'send', ok: true, result: { sent: 1, failed: 0, cancelled: false, bytes: 5, target: `127.0.0.1:${b.local!.port}` } });
    assert.deepEqual(Buffer.from((await received).bytes), Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef]));
    await nextEvent(registry.onDidLog, () => registry.log.size === 2);
    assert.deepEqual(
      registry.log.latest(2).map((d) => [d.direction, d.socketId]),
      [
        ['out', a.id],
        ['in', b.id],
      ],
    );
    assert.deepEqual(remembered, [`127.0.0.1:${b.local!.port}`]);
  });

  it('sends from an ephemeral socket when asked', async () => {
    const b = await listen();
    const received = nextEvent(b.onDidReceive);
    const r = await ask({ type: 'send', from: { ephemeral: 'udp4' }, target: `127.0.0.1:${b.local!.port}`, payload: 'PING\\r\\n', encoding: 'escaped' });
    assert.equal(r.ok, true);
    assert.equal(Buffer.from((await received).bytes).toString(), 'PING\r\n');
  });

  it('answers bad requests with the sentence the user reads, and sends nothing', async () => {
    const a = await listen();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ from: { socketId: a.id }, target: '127.0.0.1', payload: 'x', encoding: 'text' }, /has no port/],
      [{ from: { socketId: a.id }, target: '127.0.0.1:9', payload: '0g', encoding: 'hex' }, /Invalid hex at position 1/],
      [{ from: { socketId: 's999' }, target: '127.0.0.1:9', payload: 'x', encoding: 'text' }, /chosen under "From" is closed/],
      [{ from: { socketId: a.id }, target: '127.0.0.1:9', payload: 'a'.repeat(65_508), encoding: 'text' }, /EMSGSIZE/],
    ];
    for (const [params, reason] of cases) {
      const r = await ask({ type: 'send', ...params });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, reason);
    }
    assert.equal(registry.log.size, 0);
  });

  it('repeats with progress reports, and stops on cancelSend', async () => {
    const b = await listen();
    let arrived = 0;
    const ports = new Set<number>();
    const all = new Promise<void>((resolve) => {
      const sub = b.onDidReceive((d) => {
        ports.add(d.peer.port);
        if (++arrived < 20) return;
        sub.dispose();
        resolve();
      });
    });
    const twenty = await ask({ type: 'send', from: { ephemeral: 'udp4' }, target: `127.0.0.1:${b.local!.port}`, payload: 'x', encoding: 'text', repeat: { count: 20, intervalMs: 0 } });
    assert.equal(twenty.ok, true);
    await all;
    assert.equal(ports.size, 1, 'an ephemeral repeat sends every datagram from one socket, not a socket each');
    assert.equal(registry.list().length, 1, 'the run socket is closed when the repeat ends');
    if (twenty.ok) assert.deepEqual({ ...twenty.result, target: undefined }, { sent: 20, failed: 0, cancelled: false, bytes: 1, target: undefined });
    const progress = posted.filter((m) => m.type === 'sendProgress');
    assert.ok(progress.length >= 1, 'progress is posted');
    assert.deepEqual(progress.at(-1), { type: 'sendProgress', id: twenty.id, sent: 20, failed: 0, total: 20 });

    const id = nextId++;
    const long = parseWebviewMessage({ type: 'send', id, from: { ephemeral: 'udp4' }, target: `127.0.0.1:${b.local!.port}`, payload: 'y', encoding: 'text', repeat: { count: 1000, intervalMs: 20 } });
    assert.ok(long.ok);
    const running = requests.handle(long.value as WebviewRequest);
    await nextEvent(b.onDidReceive, (d) => Buffer.from(d.bytes).toString() === 'y');
    const cancel = await ask({ type: 'cancelSend', sendId: id });
    assert.deepEqual(cancel.ok && cancel.result, { cancelled: true });
    await running;
    const done = posted.find((m): m is Response => m.type === 'response' && m.id === id)!;
    assert.ok(done.ok && done.request === 'send', 'the repeat answers once it stopped');
    const result = done.result as { cancelled: boolean; sent: number };
    assert.ok(result.cancelled && result.sent < 1000, 'stopped early');
  });

  it('gives the whole datagram for a truncated row as a plain Uint8Array, or says it is gone', async () => {
    const b = await listen();
    await ask({ type: 'send', from: { ephemeral: 'udp4' }, target: `127.0.0.1:${b.local!.port}`, payload: 'abc', encoding: 'text' });
    const seq = registry.log.lastSeq;
    const r = await ask({ type: 'getBytes', seq });
    assert.ok(r.ok);
    const bytes = (r.result as { bytes: Uint8Array }).bytes;
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'not a Buffer: only plain typed arrays cross to the webview as binary');
    assert.equal(Buffer.from(bytes).toString(), 'abc');
    const gone = await ask({ type: 'getBytes', seq: 999_999 });
    assert.equal(gone.ok, false);
    if (!gone.ok) assert.match(gone.error, /no longer in the log/);
  });

  it('copies through the clipboard service', async () => {
    const r = await ask({ type: 'copy', text: 'printf x | nc -u -w1 127.0.0.1 9', what: 'nc' });
    assert.deepEqual(r.ok && r.result, { chars: 'printf x | nc -u -w1 127.0.0.1 9'.length });
    assert.deepEqual(clipboard, ['printf x | nc -u -w1 127.0.0.1 9']);
  });

  it('exports the whole log through the filter as JSON Lines, and reports a cancelled dialog', async () => {
    const a = await listen();
    const b = await listen();
    for (const p of ['alpha', 'beta', 'ALPHA-2']) {
      await ask({ type: 'send', from: { socketId: a.id }, target: `127.0.0.1:${b.local!.port}`, payload: p, encoding: 'text' });
    }
    await nextEvent(registry.onDidLog, () => registry.log.size === 6);
    const r = await ask({ type: 'export', filter: { direction: 'in', search: { mode: 'text', query: 'alpha' } } });
    assert.deepEqual(r.ok && r.result, { written: 2, path: exportFile });
    const lines = fs.readFileSync(exportFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.direction, l.socket, l.hex, l.size]),
      [
        ['in', b.id, Buffer.from('alpha').toString('hex'), 5],
        ['in', b.id, Buffer.from('ALPHA-2').toString('hex'), 7],
      ],
    );
    const bad = await ask({ type: 'export', filter: { search: { mode: 'regex', query: '[' } } });
    assert.equal(bad.ok, false);
    exportFile = undefined;
    const cancelled = await ask({ type: 'export', filter: {} });
    assert.deepEqual(cancelled.ok && cancelled.result, { cancelled: true });
  });
});
