// Safe defaults in a real VS Code: Listen on Port binds loopback unless told otherwise, and binding every
// interface asks first — ONCE per session. The question itself (its wording, Cancel, "Listen on 127.0.0.1
// Instead") is tested in palette.test.ts; this suite accepts it and checks that the answer holds for the session:
// 0.0.0.0 is bound as asked, and a later :: bind goes ahead without asking again. The question is answered in the
// browser like a person would (scripts/integration/uiDriver.js); without that driver the suite is not registered.
// Binding 0.0.0.0 / :: sends nothing; each socket is closed at once. `.udp` binds (LISTEN, From:) ask through the
// same guard: from the Listen lens, from Run File, and not again once allowed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/udpFile';
import type { UdpLabApi } from '../../src/host/api';
import type { BlockRunState } from '../../src/host/udpFile/blockRuns';
import type { SocketView } from '../../src/shared/dto';
import { TEST_LINE_MARKER } from './support/runMocha';
import { api, closeAll, within } from './support/surface';
import { ui, uiDriverAvailable } from './support/uiDriver';
import { inlineWhen, lensAt, openUdpFile, runLens } from './support/udpFiles';

const WIDGET = '.quick-input-widget';
const ROW = '.quick-input-widget .monaco-list-row';

if (!uiDriverAvailable()) {
  console.log(`${TEST_LINE_MARKER}(safe-defaults suite not run: this runner has no browser driver)`);
} else {
  describe('UDP Lab safe defaults (real VS Code)', function () {
    this.timeout(90_000);
    let udp: UdpLabApi;

    before(async () => {
      udp = await api();
      await closeAll();
    });
    after(async () => {
      await ui([{ press: 'Escape' }]).catch(() => undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await closeAll();
    });

    it('Listen on Port without an address binds 127.0.0.1 (the udpLab.defaultBindAddress default), and ::1 for IPv6', async () => {
      assert.equal(vscode.workspace.getConfiguration('udpLab').inspect('defaultBindAddress')?.defaultValue, '127.0.0.1');
      const v4 = await within(vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0 }), 10_000, 'a loopback listen (no question)');
      assert.equal(v4?.local?.address, '127.0.0.1');
      const v6 = await within(vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0, type: 'udp6' }), 10_000, 'a udp6 listen');
      assert.equal(v6?.local?.address, '::1', 'udp6 without an address stays on loopback too');
      await closeAll();
    });

    it('accepting "Listen on the Network" once binds 0.0.0.0; a later :: bind in the same session does not ask again', async () => {
      const wide = vscode.commands.executeCommand<SocketView | undefined>('udpLab.listen', { port: 0, address: '0.0.0.0' });
      const asked = await ui([
        { waitForText: WIDGET, text: 'Listen on every network interface of this machine (0.0.0.0)?', as: 'question' },
        { waitForText: ROW, text: 'Listen on the Network' },
        { click: ROW, text: 'Listen on the Network' },
      ]);
      assert.match(asked.reads.question ?? '', /can be reached from other machines[\s\S]*Listen on 127\.0\.0\.1 Instead/);
      const view = await within(wide, 10_000, 'the accepted listen');
      assert.equal(view?.local?.address, '0.0.0.0');
      await vscode.commands.executeCommand('udpLab.closeSocket', { socket: view!.id });

      // Once per session: this one is not asked. Had it asked, the command would wait for an answer that never comes
      // (the question ignores focus loss), so completing at all is the proof.
      const again = await within(vscode.commands.executeCommand<SocketView | undefined>('udpLab.listen', { port: 0, address: '::' }), 10_000, 'a second wildcard listen, unasked');
      assert.equal(again?.local?.address, '::');
      await vscode.commands.executeCommand('udpLab.closeSocket', { socket: again!.id });
      assert.equal(udp.registry.size, 0);
    });

    // .udp files ask through the same guard: a committed file that listens on 0.0.0.0 must not open a port to the
    // network without the user's yes. The session's earlier answer is forgotten first (the hook can only take
    // permission away), so the question shows whatever ran before.
    it('a .udp LISTEN 0.0.0.0 block from the Listen lens asks first; Cancel fails the block with a sentence and binds nothing', async () => {
      udp.testing.forgetNetworkExposureAnswer();
      const editor = await openUdpFile('exposed.udp', '### open door\nLISTEN udp://0.0.0.0:0\nRespond: -> hi\n');
      const uri = editor.document.uri;
      const listening = runLens<BlockRunState | undefined>(await lensAt(uri, 0, 'Listen'));
      const asked = await ui([
        { waitForText: WIDGET, text: 'Listen on every network interface of this machine (0.0.0.0)? — open door (LISTEN in a .udp file)', as: 'question' },
        { waitForText: ROW, text: 'Nothing is bound.' },
        { click: ROW, text: 'Nothing is bound.' },
      ]);
      assert.match(asked.reads.question ?? '', /can be reached from other machines[\s\S]*Listen on 127\.0\.0\.1 Instead/);
      const state = await within(listening, 10_000, 'the declined Listen lens');
      assert.equal(state?.status, 'error');
      assert.match(state?.message ?? '', /^Not listening on 0\.0\.0\.0:0: listening on the network was declined, so nothing was bound\. Listen on 127\.0\.0\.1 to stay on this machine/);
      assert.match(await inlineWhen(udp.udpFiles, uri, 1, /declined/), /Not listening on 0\.0\.0\.0:0/);
      assert.equal(udp.registry.size, 0, 'nothing was bound');
      assert.deepEqual(udp.udpFiles.activeListeners(), []);
    });

    it('Run File asks about a From: 0.0.0.0 bind; once allowed, a LISTEN :: block in the same session goes ahead unasked', async () => {
      udp.testing.forgetNetworkExposureAnswer();
      // Every datagram goes to 127.0.0.1; the wildcard sockets only receive.
      const editor = await openUdpFile(
        'exposedRun.udp',
        ['### echo', 'LISTEN udp://127.0.0.1:0', 'Respond: /^ping$/ -> pong', '', '### ping', 'SEND udp://127.0.0.1:{{echo.port}}', 'From: 0.0.0.0:0', 'Expect: /^pong$/ within 2 s', '', 'ping', ''].join('\n'),
      );
      const run = runLens<RunResult | undefined>(await lensAt(editor.document.uri, 0, 'Run File'));
      const asked = await ui([
        { waitForText: WIDGET, text: 'Send from every network interface of this machine (0.0.0.0)? — ping (From: in a .udp file)', as: 'question' },
        { waitForText: ROW, text: 'Send from the Network Address' },
        { click: ROW, text: 'Send from the Network Address' },
      ]);
      assert.doesNotMatch(asked.reads.question ?? '', /Instead/, 'sending from loopback reaches only this machine, so it is not offered');
      const result = await within(run, 15_000, 'the allowed run');
      assert.equal(result?.ok, true, JSON.stringify(result?.results.map((r) => r.message)));
      assert.equal(result?.results[1]?.local?.address, '0.0.0.0');

      // Had it asked, the lens would wait for an answer that never comes, so completing at all is the proof.
      const other = await openUdpFile('exposedV6.udp', '### six\nLISTEN udp://[::]:0\n');
      const state = await within(runLens<BlockRunState | undefined>(await lensAt(other.document.uri, 0, 'Listen')), 10_000, 'a LISTEN :: lens, unasked');
      assert.equal(state?.phase, 'listening', state?.message);
      assert.match(state?.message ?? '', /^listening on \[::\]:\d+/);
      await runLens(await lensAt(other.document.uri, 0, 'Stop'));
    });
  });
}
