// Safe defaults in a real VS Code: Listen on Port binds loopback unless told otherwise, and binding every
// interface asks first — ONCE per session. The question itself (its wording, Cancel, "Listen on 127.0.0.1
// Instead") is tested in palette.test.ts; this suite accepts it and checks that the answer holds for the session:
// 0.0.0.0 is bound as asked, and a later :: bind goes ahead without asking again. The question is answered in the
// browser like a person would (scripts/integration/uiDriver.js); without that driver the suite is not registered.
// Binding 0.0.0.0 / :: sends nothing; each socket is closed at once.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketView } from '../../src/shared/dto';
import { TEST_LINE_MARKER } from './support/runMocha';
import { api, closeAll, within } from './support/surface';
import { ui, uiDriverAvailable } from './support/uiDriver';

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
  });
}
