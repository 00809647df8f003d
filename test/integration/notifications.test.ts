// Notifications for incoming datagrams follow udpLab.notifications.incoming: the first datagram from each new
// peer (the default), every datagram (at most one notification a second, the rest counted in it), or none.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { UdpLabApi } from '../../src/host/api';
import type { SocketView } from '../../src/shared/dto';
import { TestPeer, until, within } from './support/surface';
import { surfaceSuite, updateSetting } from './support/suite';

describe('UDP Lab notifications for incoming datagrams', () => {
  let udp: UdpLabApi;
  let socket: SocketView;
  const peers: TestPeer[] = [];

  surfaceSuite({
    onApi: (api) => (udp = api),
    tearDown: async () => {
      await setMode(undefined);
      await Promise.all(peers.splice(0).map((p) => p.close()));
    },
  });
  beforeEach(async () => {
    socket = (await vscode.commands.executeCommand<SocketView>('udpLab.listen', { port: 0 }))!;
  });

  /** Changes the setting and waits until the extension has seen the change. */
  const setMode = (mode: 'none' | 'firstPerPeer' | 'every' | undefined): Promise<void> => updateSetting('notifications.incoming', mode);

  const received = (n: number): Promise<void> =>
    until(udp, () => udp.registry.get(socket.id)?.view().stats.datagramsIn === n, `${n} datagrams were received`);

  /**
   * The next notification about this test's socket. beforeEach closed every other socket, and a socket that
   * closes takes its pending notification along, so nothing an earlier suite caused arrives here; matching the
   * socket keeps the test about what it caused all the same.
   */
  const nextNotification = (): Promise<string> => {
    const about = `udp4 127.0.0.1:${socket.local!.port} `;
    return within(
      new Promise<string>((resolve) => {
        const sub = udp.testing.onDidNotifyIncoming((text) => {
          if (!text.startsWith(about)) return;
          sub.dispose();
          resolve(text);
        });
      }),
      5000,
      `a notification about ${about.trim()}`,
    );
  };

  it('first per peer: one notification for a new peer, none for its next datagrams', async () => {
    await setMode('firstPerPeer');
    const peer = await TestPeer.open();
    peers.push(peer);
    const shown = nextNotification();
    await peer.send('hi', socket.local!.port);
    const text = await shown;
    assert.equal(text, `udp4 127.0.0.1:${socket.local!.port} received its first datagram from 127.0.0.1:${peer.port} (2 bytes).`);
    const count = udp.testing.incomingNotifications().length;
    await peer.send('again', socket.local!.port);
    await received(2);
    // The notifier decides synchronously per datagram; a known peer leaves nothing pending.
    assert.equal(udp.testing.incomingNotifications().length, count);

    const other = await TestPeer.open();
    peers.push(other);
    const second = nextNotification();
    await other.send('new here', socket.local!.port);
    assert.match(await second, new RegExp(`from 127\\.0\\.0\\.1:${other.port} \\(8 bytes\\)`));
  });

  it('every: a burst becomes one notification that counts the rest', async () => {
    await setMode('every');
    const peer = await TestPeer.open();
    peers.push(peer);
    // The first notification goes out at once; the burst behind it waits for the next one-second slot.
    const first = nextNotification();
    await peer.send('one', socket.local!.port);
    await first;
    const summary = nextNotification();
    for (let i = 0; i < 20; i++) await peer.send(`burst ${i}`, socket.local!.port);
    assert.match(await summary, /received a datagram from 127\.0\.0\.1:\d+ \(7 bytes\), and 19 more datagrams\.$/);
  });

  it('none: nothing is shown', async () => {
    await setMode('none');
    const peer = await TestPeer.open();
    peers.push(peer);
    const count = udp.testing.incomingNotifications().length;
    await peer.send('quiet', socket.local!.port);
    await received(1);
    assert.equal(udp.testing.incomingNotifications().length, count);
  });
});
