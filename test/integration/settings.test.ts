// UDP Lab's settings take effect without a reload: the default bind address, the log caps, the default encoding,
// and rememberTargets = 0 (nothing remembered, so Send Selection has no target to fall back on).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketView } from '../../src/shared/dto';
import { expectError, until, type TestPeer } from './support/surface';
import { surfaceSuite, updateSetting } from './support/suite';

describe('UDP Lab settings', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({
    onApi: (api) => (udp = api),
    onPeer: (p) => (peer = p),
    tearDown: async () => {
      for (const key of ['defaultBindAddress', 'log.maxDatagrams', 'defaultEncoding', 'rememberTargets']) await set(key, undefined);
    },
    closeEditors: true,
  });

  const set = updateSetting;

  it('udpLab.defaultBindAddress decides where a bare port binds (and its family)', async () => {
    await set('defaultBindAddress', '::1');
    const view = await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0 });
    assert.equal(view?.type, 'udp6');
    assert.equal(view?.local?.address, '::1');
  });

  it('udpLab.log.maxDatagrams caps the log at once: the oldest are dropped and counted', async () => {
    await set('log.maxDatagrams', 100);
    const view = (await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0 }))!;
    const droppedBefore = udp.registry.log.dropped;
    for (let i = 0; i < 150; i++) await peer.send(`d${i}`, view.local!.port);
    await until(udp, () => udp.registry.get(view.id)?.view().stats.datagramsIn === 150, '150 datagrams arrived');
    assert.equal(udp.registry.log.size, 100);
    assert.equal(udp.registry.log.dropped - droppedBefore, 50);
    assert.equal(Buffer.from(udp.registry.log.latest(1)[0]!.bytes).toString(), 'd149');
  });

  it('udpLab.defaultEncoding is how Send… reads a payload given without an encoding', async () => {
    await set('defaultEncoding', 'hex');
    await vscode.commands.executeCommand('udpLab.send', { target: peer.target, payload: 'de ad be ef' });
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.bytes.toString('hex'), 'deadbeef');
  });

  it('udpLab.rememberTargets = 0 remembers no target, and Change Send Target says why', async () => {
    await set('rememberTargets', 0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'udp-lab-settings-'));
    const file = path.join(dir, 'note.txt');
    fs.writeFileSync(file, 'hello');
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file));
      await expectError(udp, () => vscode.commands.executeCommand('udpLab.changeSendTarget', { target: peer.target }), /Remembering targets is off/);
      // A target passed along still sends; it is just not kept.
      await vscode.commands.executeCommand('udpLab.sendSelection', { target: peer.target });
      await peer.receivedCount(1);
      assert.equal(udp.testing.sendTargetHint(), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
