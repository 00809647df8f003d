// Untrusted messages from the Messages panel's webview, in a real VS Code: the browser driver posts them from inside
// the real panel through VS Code's own webview channel (what any script running in the webview could send) to the
// real host handler. Each one the protocol validator rejects must leave one log line with its reason in the
// "UDP Lab" output channel's log file, the extension host keeps running, and a valid message afterwards still does
// its work. The validator's own fuzz (10 000 cases) and the handler's fuzz over the real core are unit tests
// (test/unit/panel/protocol.test.ts, test/unit/faults/webviewMessages.fuzz.test.ts).
//
// Network: the one valid send goes to a loopback peer this test owns; no rejected message reaches a socket.
import * as assert from 'assert';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import { parseWebviewMessage, PROTOCOL_LIMITS, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { TEST_LINE_MARKER } from './support/runMocha';
import { api, closeAll, TestPeer } from './support/surface';
import { ui, uiDriverAvailable } from './support/uiDriver';

/** What the host logs per rejected message (src/host/panel: at most 20 a minute, the rest counted). */
const REJECTED = 'Messages panel: ignored an invalid message from the webview: ';
/** Stays under the per-minute line limit, so every rejection here gets its own line. */
const RANDOM_MESSAGES = 5;

/** The "UDP Lab" output channel's log file of this extension host (the newest one under the logs folder). */
function udpLabLogFile(): string | undefined {
  const root = process.env.UDP_LAB_LOGS_DIR;
  if (!root || !fs.existsSync(root)) return undefined;
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 4) walk(full, depth + 1);
      else if (entry.name === 'UDP Lab.log' && path.basename(dir) === 'udp-lab.udp-lab') found.push(full);
    }
  };
  walk(root, 0);
  return found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** Resolves with the log's text after `offset` once `done(text)` holds, re-reading whenever the file changes. */
function logWhen(file: string, offset: number, done: (text: string) => boolean, what: string, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const read = () => fs.readFileSync(file).subarray(offset).toString('utf8');
    const check = () => {
      const text = read();
      if (!done(text)) return;
      cleanup();
      resolve(text);
    };
    // The log service flushes on its own schedule; fs.watchFile polls the file's stat, which sees every flush.
    const cleanup = () => {
      clearTimeout(timer);
      fs.unwatchFile(file, check);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not in ${file} within ${ms} ms. Logged since the test began:\n${read().slice(-3000)}`));
    }, ms);
    fs.watchFile(file, { interval: 100 }, check);
    check();
  });
}

if (!uiDriverAvailable() || !process.env.UDP_LAB_LOGS_DIR) {
  console.log(`${TEST_LINE_MARKER}(webview-messages suite not run: this runner has no browser driver or logs folder)`);
} else {
  describe('UDP Lab rejects untrusted webview messages in a real VS Code', function () {
    this.timeout(90_000);
    let udp: UdpLabApi;
    let peer: TestPeer;

    before(async () => {
      udp = await api();
      await closeAll();
      peer = await TestPeer.open();
    });
    after(async () => {
      await peer.close();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await closeAll();
    });

    it('logs one line per rejected message with its reason, survives, and still answers a valid message', async () => {
      await vscode.commands.executeCommand('udpLab.showMessages');
      await ui([{ waitForWebview: '#composer-send', timeoutMs: 20_000 }]);
      const file = udpLabLogFile();
      assert.ok(file, `no "UDP Lab.log" under ${process.env.UDP_LAB_LOGS_DIR}`);
      const offset = fs.statSync(file).size;

      // Near misses of real messages (each breaks one rule of the protocol) and random JSON values of every shape.
      const crafted: unknown[] = [
        null,
        42,
        'send',
        [],
        { type: 'launchMissiles' },
        { type: 'send', id: -1, from: { ephemeral: 'udp4' }, target: `127.0.0.1:${peer.port}`, payload: 'x', encoding: 'text' },
        { type: 'send', id: 1, from: { ephemeral: 'udp5' }, target: `127.0.0.1:${peer.port}`, payload: 'x', encoding: 'text' },
        { type: 'send', id: 1, from: { ephemeral: 'udp4' }, target: `127.0.0.1:${peer.port}`, payload: 'x', encoding: 'rot13' },
        { type: 'send', id: 1, from: { ephemeral: 'udp4' }, target: `127.0.0.1:${peer.port}`, payload: 'x', encoding: 'text', repeat: { count: 1e9, intervalMs: 0 } },
        { type: 'getBytes', id: 2, seq: 'all' },
        { type: 'runCommand', id: 3, command: 'workbench.action.quit' },
        { type: 'ready', protocol: PROTOCOL_VERSION + 1 },
        { type: 'ack', seq: Number.MAX_SAFE_INTEGER + 2 },
        { type: 'export', id: 4, filter: { search: { mode: 'regex', query: 'a'.repeat(PROTOCOL_LIMITS.maxQueryChars + 1) } } },
      ];
      const random = fc.sample(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ type: fc.constantFrom('send', 'cancelSend', 'getBytes', 'copy', 'export', 'clear', 'runCommand', 'ack', 'resync', 'ready'), id: fc.jsonValue() }, { requiredKeys: ['type'] }),
        ),
        { numRuns: 200, seed: 9 },
      );
      // What crosses the channel is structured-cloned JSON; the reasons are what the host's validator says about it.
      const wire = (m: unknown): unknown => JSON.parse(JSON.stringify(m ?? null)) as unknown;
      // The host's reason for refusing a message, or undefined when it would accept it.
      const reasonFor = (m: unknown): string | undefined => {
        const parsed = parseWebviewMessage(m);
        if (!parsed.ok) return parsed.message.slice(0, 300);
        // Accepted by the validator, refused by the handler: a `ready` that speaks another protocol version.
        if (parsed.value.type === 'ready' && parsed.value.protocol !== PROTOCOL_VERSION) return `the webview speaks protocol ${parsed.value.protocol}, the host ${PROTOCOL_VERSION}; reload the window`;
        return undefined;
      };
      const refusedCrafted = crafted.map(wire).filter((m) => reasonFor(m) !== undefined);
      assert.equal(refusedCrafted.length, crafted.length, 'every crafted message breaks a rule');
      const rejected = [...refusedCrafted, ...random.map(wire).filter((m) => reasonFor(m) !== undefined).slice(0, RANDOM_MESSAGES)];
      const reasons = rejected.map((m) => reasonFor(m)!);
      assert.ok(rejected.length < 20, 'under the per-minute line limit');

      const posted = await ui([{ webviewPost: '#composer-send', messages: rejected }]);
      assert.equal(posted.reads.posted, String(rejected.length));
      const logged = await logWhen(file, offset, (t) => t.split(REJECTED).length - 1 >= rejected.length, `${rejected.length} rejection lines`);
      const lines = logged.split('\n').filter((l) => l.includes(REJECTED));
      assert.deepEqual(
        lines.map((l) => l.slice(l.indexOf(REJECTED) + REJECTED.length)),
        reasons,
        'one line per rejected message, in order, each with the validator’s reason',
      );
      assert.ok(
        lines.every((l) => /\[warning\]/.test(l)),
        lines.join('\n'),
      );

      // Survived: a valid message through the same channel does its work, and the panel still renders.
      const valid = { type: 'send', id: 900_001, from: { ephemeral: 'udp4' }, target: `127.0.0.1:${peer.port}`, payload: 'still here', encoding: 'text' };
      assert.equal(parseWebviewMessage(valid).ok, true);
      await ui([{ webviewPost: '#composer-send', messages: [valid] }]);
      const [got] = await peer.receivedCount(1, 10_000);
      assert.equal(got!.bytes.toString(), 'still here');
      const status = await ui([{ webviewRead: '#list-status', as: 'status' }]);
      assert.match(status.reads.status ?? '', /in the panel/);
      assert.equal(udp.registry.size, 0, 'no rejected message opened a socket');
      assert.doesNotMatch(read(file, offset), /\[error\]/, 'nothing failed in the host while it rejected them');
    });
  });
}

function read(file: string, offset: number): string {
  return fs.readFileSync(file).subarray(offset).toString('utf8');
}
