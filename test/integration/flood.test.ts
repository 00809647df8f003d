// A flood into one socket inside a real VS Code (issue 9): 1 000 000 datagrams from a child process on loopback
// while the Messages panel is open. Afterwards the numbers the user reads agree exactly — the UDP Sockets view's
// count, the socket's stats, the log (dropped + kept = received) and the panel's "logged" total — and the log holds
// no more than its caps. What the kernel dropped before UDP Lab could read it (sent − received) is reported.
// The same flood against the bare core, with the memory figures, is test/unit/faults/flood.test.ts.
//
// Network: the sender sends only to 127.0.0.1:<the test socket>, at most COUNT datagrams or for SENDER_MAX_MS,
// whichever ends first, and exits by itself (also when this extension host goes away).
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketsTreeNode } from '../../src/host/socketsTree';
import { formatCount } from '../../src/shared/format';
import type { SocketView } from '../../src/shared/dto';
import { TEST_LINE_MARKER } from './support/runMocha';
import { api, closeAll, TestPeer, within } from './support/surface';
import { ui, uiDriverAvailable } from './support/uiDriver';

const COUNT = 1_000_000;
const SIZE = 64;
const SENDER_MAX_MS = 30_000;

/** The sender, run by this extension host's own Node: bursts of at most 1024 sends in flight, then a JSON report. */
const SENDER = `
const dgram = require('dgram');
const [port, count, size, maxMs] = process.argv.slice(1).map(Number);
const socket = dgram.createSocket('udp4');
socket.on('error', () => {});
const payload = Buffer.alloc(size, 0x66);
let issued = 0, sent = 0, failed = 0, inFlight = 0, started = 0, scheduled = false;
const finish = () => { process.stdout.write(JSON.stringify({ sent, failed, elapsedMs: Date.now() - started }) + '\\n', () => process.exit(0)); };
const pump = () => {
  if (issued >= count || Date.now() - started > maxMs) { if (inFlight === 0) finish(); return; }
  const burst = Math.min(1024 - inFlight, count - issued);
  for (let i = 0; i < burst; i++) { issued++; inFlight++; socket.send(payload, port, '127.0.0.1', onSent); }
};
function onSent(error) {
  inFlight--; if (error) failed++; else sent++;
  if ((inFlight <= 512 && !scheduled) || inFlight === 0) { scheduled = true; setImmediate(() => { scheduled = false; pump(); }); }
}
setTimeout(() => process.exit(3), maxMs + 10000).unref();
process.stdin.on('end', () => process.exit(2)); process.stdin.resume();
socket.bind(0, '127.0.0.1', () => { started = Date.now(); pump(); });
`;

function flood(port: number): Promise<{ sent: number; failed: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SENDER, String(port), String(COUNT), String(SIZE), String(SENDER_MAX_MS)], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim()) as { sent: number; failed: number; elapsedMs: number });
      } catch {
        reject(new Error(`the flood sender exited ${code} without a report: ${err.slice(0, 500)}`));
      }
    });
  });
}

const digits = (text: string): number => Number(text.replace(/[^\d]/g, ''));

describe('UDP Lab under a flood in a real VS Code', function () {
  this.timeout(180_000);
  let udp: UdpLabApi;
  let marker: TestPeer;

  before(async () => {
    udp = await api();
    await closeAll();
    marker = await TestPeer.open();
  });
  after(async () => {
    await marker.close();
    await closeAll();
    // Later suites start from an empty log, not 100 000 flood rows (the lifetime totals keep counting them).
    await vscode.commands.executeCommand('udpLab.clearLog');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it(`${formatCount(COUNT)} datagrams into one socket: tree, stats, log (dropped + kept) and panel agree exactly`, async () => {
    const withPanel = uiDriverAvailable();
    if (withPanel) {
      await vscode.commands.executeCommand('udpLab.showMessages');
      await ui([{ waitForWebview: '#composer-send', timeoutMs: 20_000 }]);
    }
    const view = (await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0, label: 'flood' }))!;
    const socket = udp.registry.get(view.id)!;
    const log = udp.registry.log;
    const before = { kept: log.size, dropped: log.dropped, appended: log.totalAppended };

    const report = await flood(view.local!.port);

    // Everything the sender's datagrams became is now in the socket's queue or was dropped by the kernel. A marker
    // sent after them arrives behind them; once it is read, UDP Lab has read all the rest. (It is re-sent if the
    // full queue dropped it too.)
    const seen = new Promise<void>((resolve) => {
      const sub = socket.onDidReceive((d) => {
        if (d.bytes.toString() !== 'END') return;
        sub.dispose();
        resolve();
      });
    });
    let markers = 0;
    const resend = setInterval(() => void marker.send('END', view.local!.port).then(() => markers++), 200);
    await marker.send('END', view.local!.port);
    markers++;
    try {
      await within(seen, 30_000, 'the end marker behind the flood');
    } finally {
      clearInterval(resend);
    }

    const received = socket.view().stats.datagramsIn;
    const fromFlood = received - markers;
    const appended = log.totalAppended - before.appended;
    const keptPlusDropped = log.size + log.dropped - (before.kept + before.dropped);
    assert.ok(report.sent >= fromFlood && fromFlood > 0, `sent ${report.sent}, received ${fromFlood}`);
    assert.ok(received >= fromFlood + 1 && received <= fromFlood + markers);
    assert.equal(appended, received, 'every datagram the socket received is in the log once');
    assert.equal(keptPlusDropped, received, "the log's dropped + kept counts equal what the socket received");
    const maxCount = vscode.workspace.getConfiguration('udpLab').get<number>('log.maxDatagrams')!;
    const maxBytes = vscode.workspace.getConfiguration('udpLab').get<number>('log.maxBytes')!;
    assert.ok(log.size <= maxCount && log.bytes <= maxBytes, `the log holds no more than its caps (${log.size} ≤ ${maxCount}, ${log.bytes} ≤ ${maxBytes})`);

    udp.testing.refreshViews();
    const node = ((await udp.testing.tree.getChildren()) ?? []).find((n: SocketsTreeNode) => n.socketId === view.id)!;
    const description = String((await udp.testing.tree.getTreeItem(node)).description);
    const shownIn = /↓ ([\d\s\u2009\u202f,.]+)/.exec(description)?.[1] ?? '';
    assert.equal(digits(shownIn), socket.view().stats.datagramsIn, `the tree says "${description}"`);

    let panelLine = '(no browser driver: panel not checked)';
    if (withPanel) {
      const logged = `${formatCount(log.totalAppended)} logged`;
      const read = await ui([
        { waitForWebview: '#list-status', text: logged, timeoutMs: 20_000 },
        { webviewRead: '#list-status', as: 'status' },
      ]);
      panelLine = read.reads.status ?? '';
      assert.equal(digits(/([\d\s\u2009\u202f]+) logged/.exec(panelLine)?.[1] ?? ''), log.totalAppended, panelLine);
    }
    console.log(
      `${TEST_LINE_MARKER}      flood (real VS Code): sent ${formatCount(report.sent)} in ${(report.elapsedMs / 1000).toFixed(1)} s, received ${formatCount(fromFlood)} (kernel dropped ${formatCount(report.sent - fromFlood)}); log kept ${formatCount(log.size)} + dropped ${formatCount(log.dropped - before.dropped)} = ${formatCount(keptPlusDropped)}; tree "${description}"; panel "${panelLine}"`,
    );
    await vscode.commands.executeCommand('udpLab.closeSocket', { socket: view.id });
  });
});
