// The fault matrix through UDP Lab's commands, inside a real VS Code (code-server's extension host). Each fault:
//   - the user sees ONE notification with the sentence (read through the extension's test hooks),
//   - the UDP Sockets view shows the socket's state (tree item contextValue, description, tooltip),
//   - two other sockets (udp4 and udp6) still receive: a real datagram after each fault, awaited,
//   - no unhandled rejection and no uncaught exception in the extension host process.
// badInput.test.ts checks more wording through the same commands (port 70000, an oversize ephemeral send, udp4 →
// IPv6); EADDRINUSE, EADDRNOTAVAIL and "abc" are here too, so the printed table holds the whole matrix. Last, a
// hostile payload against a .udp responder's regex (Respond /^(a+)+$/ run from the Listen lens).
// Then the lifecycle: hundreds of sockets opened and closed through the commands, with the handle count and
// memory measured before and after, and deactivation closing everything. The figures are printed.
//
// Network: loopback only. The EACCES case sends to 127.255.255.255 — inside 127.0.0.0/8, on `lo` — from a
// socket with Broadcast off, which the kernel refuses before anything is sent (that refusal is the fault).
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { BlockResult } from '../../src/core/udpFile';
import type { UdpLabApi } from '../../src/host/api';
import type { BlockRunState } from '../../src/host/udpFile/blockRuns';
import type { RepeatSendResult } from '../../src/host/commandIds';
import type { SocketsTreeNode } from '../../src/host/socketsTree';
import type { SocketView } from '../../src/shared/dto';
import { watchProcess, settle, type ProcessWatch } from '../support/processWatch';
import { count, describeResources, mib, sampleResources } from '../support/resourceMeter';
import { udpLab } from './support/extension';
import { TEST_LINE_MARKER } from './support/runMocha';
import { api, closeAll, shownDuring, TestPeer, until, within } from './support/surface';
import { inlineWhen, lensAt, openUdpFile, runLens } from './support/udpFiles';

interface Row {
  fault: string;
  sentence: string;
  tree: string;
  others: string;
}

describe('UDP Lab faults through the commands (real VS Code)', function () {
  this.timeout(60_000);
  let udp: UdpLabApi;
  let peer4: TestPeer;
  let peer6: TestPeer;
  let survivor4: SocketView;
  let survivor6: SocketView;
  let watch: ProcessWatch;
  const rows: Row[] = [];

  const listen = async (args: object): Promise<SocketView> => {
    const view = await vscode.commands.executeCommand<SocketView>('udpLab.listen', args);
    assert.ok(view, `Listen on Port ${JSON.stringify(args)} opened nothing`);
    return view;
  };

  /** Exactly one error notification with a sentence (one line, ends with a full stop, no stack). */
  const oneError = async (action: () => Thenable<unknown>): Promise<string> => {
    const shown = await shownDuring(udp, action);
    const errors = shown.filter((m) => m.severity === 'error');
    assert.equal(errors.length, 1, `expected one error notification, got ${JSON.stringify(shown.map((m) => m.message))}`);
    const sentence = errors[0]!.message;
    assert.doesNotMatch(sentence, /\n/);
    assert.doesNotMatch(sentence, /\bat .+:\d+:\d+/, 'no stack frame in a notification');
    assert.match(sentence, /\.$/);
    return sentence;
  };

  /** The tree as the user sees it: the socket's item (contextValue, description, tooltip text), or "not in the tree". */
  const treeState = async (id: string): Promise<string> => {
    udp.testing.refreshViews();
    const roots = (await udp.testing.tree.getChildren()) ?? [];
    const node = roots.find((n: SocketsTreeNode) => n.socketId === id);
    if (!node) return 'not in the tree';
    const item = await udp.testing.tree.getTreeItem(node);
    const tip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
    return `${item.contextValue} · ${String(item.description)}${/\$\(error\)/.test(tip) ? ' · tooltip shows the last error' : ''}`;
  };

  before(async () => {
    udp = await api();
    await closeAll();
    watch = watchProcess();
    peer4 = await TestPeer.open('udp4');
    peer6 = await TestPeer.open('udp6');
    survivor4 = await listen({ port: 0, label: 'survivor4' });
    survivor6 = await listen({ port: 0, address: '::1', label: 'survivor6' });
  });

  afterEach(async function () {
    // Proof that the fault touched no other socket: a real datagram reaches each survivor.
    for (const [view, from] of [
      [survivor4, peer4],
      [survivor6, peer6],
    ] as const) {
      const socket = udp.registry.get(view.id);
      assert.ok(socket, `${view.id} is still open`);
      const before = socket.view().stats.datagramsIn;
      await from.send(`still there? ${this.currentTest?.title ?? ''}`.slice(0, 60), view.local!.port, view.local!.address);
      await until(udp, () => socket.view().stats.datagramsIn > before, `${view.id} received the proof datagram`);
      assert.equal(socket.view().state, 'listening');
      assert.equal(socket.view().lastError, undefined, 'no error of another socket reached it');
    }
    await settle();
    assert.equal(watch.problems.length, 0, `unhandled rejection or exception in the extension host:\n${watch.describe()}`);
    for (const r of rows) if (r.others === '') r.others = this.currentTest?.state === 'failed' ? 'TEST FAILED' : 'yes';
  });

  after(async () => {
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    // Lines reach the runner's output only with the test-line marker (the rest stays in the workbench log).
    for (const line of [
      '',
      'Fault matrix through the commands (real VS Code)',
      '| fault or input | what the user saw | the socket in the tree | other sockets still receive |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${esc(r.fault)} | ${esc(r.sentence)} | ${esc(r.tree)} | ${esc(r.others)} |`),
      '',
    ])
      console.log(TEST_LINE_MARKER + line);
    watch?.dispose();
    await closeAll();
    await peer4?.close();
    await peer6?.close();
  });

  const row = (fault: string, sentence: string, tree: string): void => {
    rows.push({ fault, sentence, tree, others: '' });
  };

  it('EACCES: Send to 127.255.255.255 from a socket with Broadcast off', async () => {
    const view = await listen({ port: 0 });
    const sentence = await oneError(() =>
      vscode.commands.executeCommand('udpLab.send', { socket: view.id, target: `127.255.255.255:${survivor4.local!.port}`, payload: 'refused' }),
    );
    assert.match(sentence, /^Sending to 127\.255\.255\.255:\d+ was refused \(EACCES\): it is a broadcast address and Broadcast is off on this socket .*Enable Broadcast on the socket/);
    const tree = await treeState(view.id);
    assert.match(tree, /^socket:listening · ↓ 0 ↑ 0 · tooltip shows the last error$/);
    row('Send to 127.255.255.255 with Broadcast off', sentence, tree);
  });

  it('EMSGSIZE: Send 65 508 bytes from an open udp4 socket', async () => {
    const view = await listen({ port: 0 });
    const sentence = await oneError(() => vscode.commands.executeCommand('udpLab.send', { socket: view.id, target: peer4.target, payload: 'x'.repeat(65_508) }));
    assert.match(sentence, /65 508 bytes.*65 507.*\(EMSGSIZE\)/);
    const tree = await treeState(view.id);
    assert.match(tree, /^socket:listening · ↓ 0 ↑ 0/);
    // 65 507 bytes go through from the same socket.
    await vscode.commands.executeCommand('udpLab.send', { socket: view.id, target: peer4.target, payload: 'y'.repeat(65_507) });
    const got = await peer4.receivedCount(peer4.received.length + 1);
    assert.equal(got.at(-1)!.bytes.length, 65_507);
    row('Send 65 508 bytes from a udp4 socket', sentence, tree);
  });

  it('ECONNREFUSED: a connected socket whose peer closed, then Send', async () => {
    const view = await listen({ port: 0 });
    const gone = await TestPeer.open('udp4');
    const goneTarget = gone.target;
    await vscode.commands.executeCommand('udpLab.connectSocket', { socket: view.id, target: goneTarget });
    await gone.close();
    const shown = await shownDuring(udp, async () => {
      const refused = new Promise<void>((resolve) => {
        const sub = udp.testing.onDidShowMessage((m) => {
          if (!/ECONNREFUSED/.test(m.message)) return;
          sub.dispose();
          resolve();
        });
      });
      await vscode.commands.executeCommand('udpLab.send', { socket: view.id, target: goneTarget, payload: 'anyone?' });
      await within(refused, 5000, 'the ECONNREFUSED notification');
    });
    const errors = shown.filter((m) => m.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const sentence = errors[0]!.message;
    assert.match(sentence, /^127\.0\.0\.1:\d+ answered "port unreachable": nothing is listening there \(ECONNREFUSED\)\. Start a listener on that port, or disconnect and send somewhere else\.$/);
    const tree = await treeState(view.id);
    assert.match(tree, /^socket:connected · ↓ 0 ↑ 1 · tooltip shows the last error$/);
    // Disconnect: it is listening on its port again and receives there.
    await vscode.commands.executeCommand('udpLab.disconnectSocket', { socket: view.id });
    const socket = udp.registry.get(view.id)!;
    await peer4.send('after disconnect', view.local!.port);
    await until(udp, () => socket.view().stats.datagramsIn === 1, 'the disconnected socket received on its port');
    row('Connect to a peer, peer closes, Send', sentence, `${tree}; after Disconnect it receives on its port again`);
  });

  it('EADDRINUSE: Listen on the port another socket (survivor4) holds', async () => {
    const before = udp.registry.size;
    const sentence = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port: survivor4.local!.port }));
    assert.match(sentence, new RegExp(`^Port ${survivor4.local!.port} .*already in use.*\\(EADDRINUSE\\)\\..*Reuse Address`));
    assert.equal(udp.registry.size, before, 'a failed bind leaves nothing in the tree');
    row(`Listen on ${survivor4.local!.address}:${survivor4.local!.port} (held by survivor4)`, sentence, 'never added; the holder keeps its port');
  });

  it('EADDRNOTAVAIL: Listen on an address this machine does not have (192.0.2.1, TEST-NET-1)', async () => {
    const before = udp.registry.size;
    const sentence = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port: 0, address: '192.0.2.1' }));
    assert.match(sentence, /192\.0\.2\.1.*\(EADDRNOTAVAIL\)/);
    assert.equal(udp.registry.size, before);
    row('Listen on 192.0.2.1 (not on this machine)', sentence, 'never added');
  });

  it('an unresolvable host: Send to nonexistent.invalid:9, and Listen on it', async () => {
    const send = await oneError(() => vscode.commands.executeCommand('udpLab.send', { target: 'nonexistent.invalid:9', payload: 'x' }));
    assert.match(send, /"nonexistent\.invalid".*\((ENOTFOUND|EAI_NONAME|EAI_AGAIN)\)/);
    const before = udp.registry.size;
    const bind = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port: 0, address: 'nonexistent.invalid' }));
    assert.match(bind, /nonexistent\.invalid/);
    assert.equal(udp.registry.size, before, 'nothing half-open in the tree');
    row('Send to nonexistent.invalid:9 (ephemeral)', send, 'no socket (ephemeral send)');
    row('Listen on nonexistent.invalid', bind, 'never added');
  });

  const ports: Array<[string, unknown, RegExp]> = [
    ['-1', -1, /^Port -1 is out of range\. Use a number from 0 to 65535\.$/],
    ['65536', 65_536, /^Port 65536 is out of range\. Use a number from 0 to 65535\.$/],
    ['1.5', 1.5, /^Port 1\.5 is not a whole number\. Use a number from 0 to 65535\.$/],
    ['"1.5" (typed)', '1.5', /^Port "1\.5" is not a whole number\. Use a number from 0 to 65535\.$/],
    ['"" (empty)', '', /^The port is empty\. Enter a number from 0 to 65535 \(0 picks a free port\)\.$/],
    ['"abc"', 'abc', /^Port "abc" is not a whole number\. Use a number from 0 to 65535\.$/],
  ];
  for (const [name, port, pattern] of ports) {
    it(`port ${name}: Listen on Port and Send refuse it before any socket is made`, async () => {
      const before = udp.registry.size;
      const listenSentence = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port }));
      assert.match(listenSentence, pattern);
      assert.equal(udp.registry.size, before, 'nothing appeared in the tree');
      const sendSentence = await oneError(() => vscode.commands.executeCommand('udpLab.send', { target: { host: '127.0.0.1', port }, payload: 'x' }));
      assert.match(sendSentence, pattern);
      row(`Port ${name} (Listen, Send)`, listenSentence, 'never added');
    });
  }

  it('Close Socket while a back-to-back Repeat Send of 1 000 000 runs from it', async () => {
    const view = await listen({ port: 0 });
    const socket = udp.registry.get(view.id)!;
    let result: RepeatSendResult | undefined;
    const shown = await shownDuring(udp, async () => {
      const run = vscode.commands.executeCommand<RepeatSendResult>('udpLab.repeatSend', { socket: view.id, target: peer4.target, payload: 'flood', count: 1_000_000, intervalMs: 0 });
      await until(udp, () => socket.view().stats.datagramsOut > 0, 'the repeat started');
      await vscode.commands.executeCommand('udpLab.closeSocket', { socket: view.id });
      result = await within(run, 10_000, 'the repeat to end after the close');
    });
    assert.ok(result, 'the command answered');
    assert.equal(result.cancelled, true);
    assert.ok(result.sent > 0 && result.sent + result.failed < 1_000_000, JSON.stringify(result));
    const errors = shown.filter((m) => m.severity === 'error');
    assert.ok(errors.length <= 1, `at most one notification, not one per failed send: ${JSON.stringify(errors)}`);
    if (errors.length === 1) assert.match(errors[0]!.message, /The socket is closed, so it cannot send the datagram \(ERR_SOCKET_DGRAM_NOT_RUNNING\)\. Open a new socket\./);
    const tree = await treeState(view.id);
    assert.equal(tree, 'not in the tree');
    row(
      'Close Socket during a 1 000 000 × Repeat Send',
      errors[0]?.message ?? `(no error; the repeat ended cancelled: ${result.sent} sent, ${result.failed} failed)`,
      `${tree}; the command returned cancelled after ${result.sent} sent`,
    );
  });

  it('Send from a socket after it was closed', async () => {
    const view = await listen({ port: 0 });
    await vscode.commands.executeCommand('udpLab.closeSocket', { socket: view.id });
    const sentence = await oneError(() => vscode.commands.executeCommand('udpLab.send', { socket: view.id, target: peer4.target, payload: 'late' }));
    assert.match(sentence, new RegExp(`^No open socket is "${view.id}"\\. Open sockets: `));
    const again = await oneError(() => vscode.commands.executeCommand('udpLab.closeSocket', { socket: view.id }));
    assert.match(again, /^No open socket is/);
    row('Send from a closed socket', sentence, 'not in the tree');
  });

  it('an IPv6 address on a udp4 socket and the reverse: Listen and Send', async () => {
    const v4on6 = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port: 0, address: '::1', type: 'udp4' }));
    assert.match(v4on6, /^::1 is an IPv6 address, but the socket type is udp4 \(FAMILY_MISMATCH\)\./);
    const v6on4 = await oneError(() => vscode.commands.executeCommand('udpLab.listen', { port: 0, address: '127.0.0.1', type: 'udp6' }));
    assert.match(v6on4, /^127\.0\.0\.1 is an IPv4 address, but the socket type is udp6 \(FAMILY_MISMATCH\)\./);
    const send6to4 = await oneError(() => vscode.commands.executeCommand('udpLab.send', { socket: survivor6.id, target: peer4.target, payload: 'x' }));
    assert.match(send6to4, /is IPv6 and cannot send to 127\.0\.0\.1:\d+/);
    row('Listen udp4 on ::1', v4on6, 'never added');
    row('Listen udp6 on 127.0.0.1', v6on4, 'never added');
    row('Send from udp6 [::1] to 127.0.0.1', send6to4, await treeState(survivor6.id));
  });

  it('a payload that makes a .udp Respond regex backtrack (/^(a+)+$/ vs 30 × "a" + "b"), from the Listen lens', async () => {
    // Unguarded, this one datagram would keep the extension host busy for minutes; the limit stops it, turns that
    // Respond off, and the next Respond still answers from the same socket.
    const editor = await openUdpFile('backtrack.udp', '### echo\nLISTEN udp://127.0.0.1:0\nRespond: /^(a+)+$/ -> slow\nRespond: /^ping$/ -> pong\n');
    const uri = editor.document.uri;
    const state = await within(runLens<BlockRunState | undefined>(await lensAt(uri, 0, 'Listen')), 10_000, 'the Listen lens');
    const port = Number(/:(\d+)/.exec(state?.message ?? '')?.[1]);
    assert.ok(port > 0, state?.message);
    const socketId = udp.udpFiles.activeListeners().find((l) => l.uri === uri.toString())!.socketId;
    const received = peer4.received.length;
    await peer4.send(`${'a'.repeat(30)}b`, port);
    await peer4.send('ping', port);
    const [answer] = (await peer4.receivedCount(received + 1, 10_000)).slice(received);
    assert.equal(answer!.bytes.toString(), 'pong', 'the second Respond still answers');
    const result = await within(runLens<BlockResult | undefined>(await lensAt(uri, 0, 'Stop')), 10_000, 'the Stop lens');
    assert.match(
      result?.message ?? '',
      /^listened on 127\.0\.0\.1:\d+: received 2 datagrams, answered 1; the Respond pattern \/\^\(a\+\)\+\$\/ took longer than 250 ms on 31 bytes from 127\.0\.0\.1:\d+ and was stopped and turned off for this listener \(line 3\); it answers nothing more\. Simplify the pattern and listen again$/,
    );
    const inline = await inlineWhen(udp.udpFiles, uri, 1, /the Respond pattern \/\^\(a\+\)\+\$\/ took longer than/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    row('.udp Respond /^(a+)+$/ gets 30 × "a" + "b" (Listen lens)', inline, `${await treeState(socketId)} after Stop; the next Respond answered "pong"`);
  });

  describe('lifecycle through the commands', () => {
    const LOOPS = 300;

    it(`${LOOPS} × Listen on Port → Close Socket: handles back to the start, memory within tolerance`, async () => {
      // Warm up (lazy code paths, the recents store) so the baseline is the steady state.
      for (let i = 0; i < 20; i++) {
        const v = await listen({ port: 0 });
        await vscode.commands.executeCommand('udpLab.closeSocket', { socket: v.id });
      }
      const openBefore = udp.registry.size;
      const before = await sampleResources();
      const started = Date.now();
      for (let i = 0; i < LOOPS; i++) {
        const v = await listen(i % 3 === 2 ? { port: 0, address: '::1' } : { port: 0 });
        await vscode.commands.executeCommand('udpLab.closeSocket', { socket: v.id });
      }
      const elapsed = Date.now() - started;
      const after = await sampleResources();
      console.log(
        `${TEST_LINE_MARKER}      lifecycle (VS Code commands, ${LOOPS} sockets in ${(elapsed / 1000).toFixed(1)} s): UDP handles (UDPWrap) ${count(before, 'UDPWrap')} → ${count(after, 'UDPWrap')}; ` +
          `all resources [${describeResources(before)}] → [${describeResources(after)}]; RSS ${mib(before.rss)} → ${mib(after.rss)}; ` +
          `heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (${after.gcRan ? 'after a full GC' : 'no GC available: compared as measured'}; the extension host is shared with VS Code's own extensions)`,
      );
      assert.equal(count(after, 'UDPWrap'), count(before, 'UDPWrap'), 'every UDP handle was released');
      assert.equal(udp.registry.size, openBefore, 'no socket of the loop is left open');
      // Tolerances: the extension host also runs VS Code's built-in extensions, whose memory moves on its own.
      const heapTolerance = after.gcRan ? 8 * 1024 * 1024 : 32 * 1024 * 1024;
      assert.ok(after.heapUsed - before.heapUsed < heapTolerance, `heap grew by ${mib(after.heapUsed - before.heapUsed)}`);
      assert.ok(after.rss - before.rss < 48 * 1024 * 1024, `RSS grew by ${mib(after.rss - before.rss)}`);
      row(`${LOOPS} × Listen → Close Socket`, `(no error) UDPWrap ${count(before, 'UDPWrap')} → ${count(after, 'UDPWrap')}, RSS ${mib(before.rss)} → ${mib(after.rss)}, heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}`, 'none of them left in the tree');
    });

    it('deactivation closes every socket the extension holds (the extension’s own deactivate())', async () => {
      const before = await sampleResources();
      const opened: SocketView[] = [];
      for (let i = 0; i < 20; i++) opened.push(await listen(i % 2 ? { port: 0, address: '::1' } : { port: 0 }));
      const during = await sampleResources();
      assert.equal(count(during, 'UDPWrap'), count(before, 'UDPWrap') + 20);
      const open = udp.registry.size;
      // The module VS Code loaded (same path, so the same instance from the module cache).
      const main = path.join(udpLab().extensionPath, 'dist', 'extension.js');
      const extension = (await import(main)) as { deactivate?: () => Promise<void> };
      assert.equal(typeof extension.deactivate, 'function', 'the extension exports deactivate');
      await extension.deactivate!();
      const after = await sampleResources();
      console.log(`${TEST_LINE_MARKER}      deactivation: ${open} open sockets → ${udp.registry.size}; UDPWrap ${count(during, 'UDPWrap')} → ${count(after, 'UDPWrap')} (the test's own 2 peers stay)`);
      assert.equal(udp.registry.size, 0, 'no socket left in the registry');
      assert.equal(count(after, 'UDPWrap'), count(during, 'UDPWrap') - open, 'every UDP handle of the extension was released');
      assert.ok(opened.every((v) => udp.registry.get(v.id) === undefined));
      row(`Deactivate with ${open} sockets open`, '(no error)', `0 sockets left, UDPWrap ${count(during, 'UDPWrap')} → ${count(after, 'UDPWrap')} (2 are the test's peers)`);
      // The suites after this one need the survivors' replacements; reopen them for afterEach's proof.
      survivor4 = await listen({ port: 0, label: 'survivor4' });
      survivor6 = await listen({ port: 0, address: '::1', label: 'survivor6' });
    });
  });
});
