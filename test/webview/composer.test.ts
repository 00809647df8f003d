// The composer in real Chromium: live byte count and the shared validation inline, encodings (and converting
// the payload when the encoding changes), Send and Ctrl+Enter with the request the host receives, repeat with
// progress and Stop, history with Up/Down, and target suggestions from recent targets and peers.

import * as assert from 'node:assert/strict';
import { choose, text, typeInto, usePanelPages } from './helpers';
import type { PanelPage } from './page/panelPage';

describe('webview: composer', () => {
  const pages = usePanelPages();

  async function ready(): Promise<PanelPage> {
    const panel = await pages.open();
    await panel.snapshot({
      rows: [],
      targets: [
        { target: '127.0.0.1:9000', kind: 'recent' },
        { target: '127.0.0.1:40123', kind: 'peer', detail: 'peer of udp4 127.0.0.1:5000 · 3 datagrams', socketId: 'udp4-1' },
        { target: '[::1]:5353', kind: 'peer', detail: 'peer of udp6 [::1]:5001 · 1 datagram', socketId: 'udp6-3' },
      ],
    });
    await panel.waitFor((m) => m.type === 'ack');
    return panel;
  }

  it('counts bytes live and shows the codec errors and the fragmentation warning inline', async () => {
    const panel = await ready();
    await typeInto(panel, 'composer-target', '127.0.0.1:9000');
    await typeInto(panel, 'composer-payload', 'héllo');
    await panel.page.locator('#composer-info').filter({ hasText: '6 bytes' }).waitFor();

    await choose(panel, 'composer-encoding', 'Hex');
    assert.equal(await panel.page.locator('#composer-payload textarea').inputValue(), '68 c3 a9 6c 6c 6f', 'switching encoding converts the payload');
    await typeInto(panel, 'composer-payload', '01 02 0g');
    await panel.page.locator('#composer-info.error').filter({ hasText: 'Invalid hex at position 7: "g" is not a hex digit.' }).waitFor();

    await typeInto(panel, 'composer-payload', 'ab'.repeat(1500));
    await panel.page.locator('#composer-info.warning').filter({ hasText: 'more than the 1 472 bytes' }).waitFor();

    await typeInto(panel, 'composer-target', '[::1]:9000');
    await panel.page.locator('#composer-info.warning').filter({ hasText: 'more than the 1 232 bytes' }).waitFor();

    await typeInto(panel, 'composer-payload', 'ab'.repeat(65_528));
    await panel.page.locator('#composer-info.error').filter({ hasText: 'EMSGSIZE' }).waitFor();
    await panel.page.locator('#composer-send').click();
    await panel.page.locator('#composer-status.error').filter({ hasText: 'Nothing was sent' }).waitFor();
    assert.equal(panel.pending('send').length, 0, 'an invalid form sends nothing');
  });

  it('explains a bad target and a family mismatch with the chosen socket', async () => {
    const panel = await ready();
    await typeInto(panel, 'composer-target', '127.0.0.1');
    await panel.page.locator('#composer-target-message.error').filter({ hasText: 'has no port' }).waitFor();
    await typeInto(panel, 'composer-target', '127.0.0.1:70000');
    await panel.page.locator('#composer-target-message.error').filter({ hasText: 'out of range' }).waitFor();
    await choose(panel, 'composer-from', 'udp4 127.0.0.1:5000');
    await typeInto(panel, 'composer-target', '[::1]:9000');
    await panel.page.locator('#composer-target-message.error').filter({ hasText: 'cannot send to an IPv6 address' }).waitFor();
  });

  it('sends with Ctrl+Enter and the Send button, and reports the result', async () => {
    const panel = await ready();
    await typeInto(panel, 'composer-target', '127.0.0.1:9000');
    await choose(panel, 'composer-encoding', 'Escaped');
    await typeInto(panel, 'composer-payload', 'PING\\r\\n');
    await panel.page.locator('#composer-payload textarea').press('Control+Enter');
    const first = await panel.request('send');
    assert.deepEqual(
      { from: first.from, target: first.target, payload: first.payload, encoding: first.encoding, repeat: first.repeat },
      { from: { ephemeral: 'udp4' }, target: '127.0.0.1:9000', payload: 'PING\\r\\n', encoding: 'escaped', repeat: undefined },
    );
    await panel.respond(first.id!, 'send', true, { sent: 1, failed: 0, cancelled: false, bytes: 6, target: '127.0.0.1:9000' });
    await panel.page.locator('#composer-status').filter({ hasText: 'Sent 6 bytes to 127.0.0.1:9000.' }).waitFor();

    await panel.page.locator('#composer-send').click();
    const second = await panel.request('send');
    await panel.respond(second.id!, 'send', false, 'Nothing listens on 127.0.0.1:9000 (ECONNREFUSED).');
    await panel.page.locator('#composer-status.error').filter({ hasText: 'ECONNREFUSED' }).waitFor();
  });

  it('repeats with progress and can be stopped', async () => {
    const panel = await ready();
    await typeInto(panel, 'composer-target', '127.0.0.1:9000');
    await typeInto(panel, 'composer-payload', 'tick');
    await typeInto(panel, 'composer-repeat', '1000');
    await typeInto(panel, 'composer-interval', '10');
    await panel.page.keyboard.press('Control+Enter');
    const req = await panel.request('send');
    assert.deepEqual(req.repeat, { count: 1000, intervalMs: 10 });
    await panel.page.locator('#composer-send').filter({ hasText: 'Stop' }).waitFor();
    await panel.post({ type: 'sendProgress', id: req.id!, sent: 120, failed: 0, total: 1000 });
    await panel.page.locator('#composer-status').filter({ hasText: 'Sending… 120 of 1\u2009000 sent.' }).waitFor();
    await panel.page.locator('#composer-send').click();
    const cancel = await panel.request('cancelSend');
    assert.equal(cancel.sendId, req.id);
    await panel.respond(cancel.id!, 'cancelSend', true, { cancelled: true });
    await panel.respond(req.id!, 'send', true, { sent: 130, failed: 0, cancelled: true, bytes: 4, target: '127.0.0.1:9000' });
    await panel.page.locator('#composer-status').filter({ hasText: 'Stopped after 130 datagrams.' }).waitFor();
    await panel.page.locator('#composer-send').filter({ hasText: 'Send' }).waitFor();
  });

  it('recalls sent payloads with Up and Down, keeping the draft', async () => {
    const panel = await ready();
    await typeInto(panel, 'composer-target', '127.0.0.1:9000');
    for (const p of ['first', 'second']) {
      await typeInto(panel, 'composer-payload', p);
      await panel.page.keyboard.press('Control+Enter');
      const r = await panel.request('send');
      await panel.respond(r.id!, 'send', true, { sent: 1, failed: 0, cancelled: false, bytes: p.length, target: '127.0.0.1:9000' });
    }
    const area = panel.page.locator('#composer-payload textarea');
    await area.fill('draft');
    await area.press('ArrowUp');
    assert.equal(await area.inputValue(), 'second');
    await area.press('ArrowUp');
    assert.equal(await area.inputValue(), 'first');
    await area.press('ArrowDown');
    await area.press('ArrowDown');
    assert.equal(await area.inputValue(), 'draft', 'past the newest entry the draft comes back');
  });

  it('suggests recent targets and peers; picking a peer also picks its socket', async () => {
    const panel = await ready();
    const input = panel.page.locator('#composer-target input');
    await input.focus();
    await panel.page.locator('#composer-target-suggestions').waitFor();
    assert.equal(await panel.page.locator('#composer-target-suggestions [role=option]').count(), 3);
    await input.fill('40123');
    assert.equal(await panel.page.locator('#composer-target-suggestions [role=option]').count(), 1);
    await input.press('ArrowDown');
    await input.press('Enter');
    assert.equal(await input.inputValue(), '127.0.0.1:40123');
    assert.equal(await panel.page.locator('#composer-from').evaluate((e) => (e as unknown as { value: string }).value), 'udp4-1');
    await panel.page.locator('#composer-target-suggestions').waitFor({ state: 'hidden' });
    assert.equal(await text(panel, '#composer-target-message'), '');
  });
});
