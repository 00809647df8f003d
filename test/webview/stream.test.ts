// The host stream in real Chromium: batches applied in order and acknowledged, a gap answered with a resync,
// the sampling notice with exact totals, pause/resume with the count that arrived meanwhile, follow-newest,
// and clear.

import * as assert from 'node:assert/strict';
import { text, usePanelPages, visibleSeqs } from './helpers';
import type { PageWindow } from './page/pageTypes';

describe('webview: host stream', () => {
  const pages = usePanelPages();

  it('applies batches in order, acknowledges each, and asks for a resync when one is missing', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 10 } });
    assert.equal((await panel.waitFor((m) => m.type === 'ack')).seq, 1);
    await panel.batch({ synth: { from: 11, count: 5 } });
    assert.equal((await panel.waitFor((m) => m.type === 'ack')).seq, 2);
    await panel.page.locator('#dg-15').waitFor();

    // Stream seq 3 is lost: seq 4 arrives.
    await panel.batch({ synth: { from: 21, count: 5 }, seq: 4 });
    const resync = await panel.request('resync');
    assert.equal(resync.lastSeq, 2);
    assert.match(String(resync.reason), /expected batch 3, got 4/);
    assert.equal(await panel.page.locator('#dg-21').count(), 0, 'rows after a gap are not applied');
    // Batches before the snapshot are ignored; one resync only.
    await panel.batch({ synth: { from: 26, count: 1 }, seq: 5 });
    await panel.settle();
    assert.equal(panel.pending('resync').length, 0);

    const snap = await panel.snapshot({ synth: { from: 1, count: 26 } });
    assert.equal((await panel.waitFor((m) => m.type === 'ack' && m.seq === snap)).seq, snap);
    await panel.page.locator('#dg-26').waitFor();
    await panel.batch({ synth: { from: 27, count: 1 } });
    await panel.page.locator('#dg-27').waitFor();
  });

  it('says when it shows a sample, with exact totals', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 100 } });
    await panel.page.locator('#dg-100').waitFor();
    assert.equal(await panel.page.locator('#sample-notice').isHidden(), true);
    // 500 rows carried, 99 500 counted and skipped.
    await panel.batch({ synth: { from: 100_001, count: 500 }, skipped: 99_500 });
    await panel.page.locator('#dg-100500').waitFor();
    await panel.page.locator('#sample-notice').filter({ hasText: 'Showing a sample: 99\u2009500 datagrams were counted but not sent' }).waitFor();
    assert.match(await text(panel, '#list-status'), /600 datagrams in the panel · 100\u2009100 logged/);
  });

  it('pauses the list, counts what arrives, and shows it all on resume', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 20 } });
    await panel.page.locator('#dg-20').waitFor();
    await panel.page.locator('#list-pause').click();
    await panel.batch({ synth: { from: 21, count: 30 } });
    await panel.batch({ synth: { from: 51, count: 10 }, skipped: 5 });
    await panel.page.locator('#paused-badge').filter({ hasText: 'Paused · 45 new' }).waitFor();
    assert.equal(await panel.page.locator('#dg-21').count(), 0, 'nothing new is drawn while paused');
    assert.equal((await panel.pending('ack')).length >= 2, true, 'batches are still acknowledged while paused');

    await panel.page.locator('#list-pause').click();
    await panel.page.locator('#dg-60').waitFor();
    assert.equal(await panel.page.locator('#paused-badge').isHidden(), true);
    assert.match(await text(panel, '#list-status'), /^60 datagrams in the panel · 65 logged/);
  });

  it('follows the newest row until the user scrolls up, and again from the toggle', async () => {
    const panel = await pages.open({ height: 700 });
    await panel.snapshot({ synth: { from: 1, count: 400 } });
    await panel.page.locator('#dg-400').waitFor();
    await panel.batch({ synth: { from: 401, count: 10 } });
    await panel.page.locator('#dg-410').waitFor();
    assert.equal((await visibleSeqs(panel)).at(-1), 410);

    await panel.page.locator('#datagram-list').hover();
    await panel.page.mouse.wheel(0, -2000);
    await panel.page.waitForFunction(() => {
      const b = (globalThis as unknown as PageWindow).document.querySelector('#list-follow');
      return b !== null && b.getAttribute('checked') === null;
    });
    const before = await visibleSeqs(panel);
    await panel.batch({ synth: { from: 411, count: 10 } });
    await panel.waitFor((m) => m.type === 'ack');
    await panel.settle();
    assert.deepEqual(await visibleSeqs(panel), before, 'the view stays where the user scrolled');

    await panel.page.locator('#list-follow').click();
    await panel.page.locator('#dg-420').waitFor();
    assert.equal((await visibleSeqs(panel)).at(-1), 420);
  });

  it('asks the host to clear, and empties on the cleared snapshot', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 20 } });
    await panel.page.locator('#dg-20').waitFor();
    await panel.page.locator('#list-clear').click();
    const req = await panel.request('clear');
    await panel.snapshot({ rows: [], totals: { logged: 20, cleared: 20, lastSeq: 20 } });
    await panel.respond(req.id!, 'clear', true, { cleared: 20 });
    await panel.page.locator('#action-status').filter({ hasText: 'Cleared 20 datagrams.' }).waitFor();
    // The counts are drawn on the next animation frame after the snapshot; the reply to the request can come first.
    await panel.page.locator('#list-status').filter({ hasText: /^0 datagrams in the panel/ }).waitFor();
    assert.match(await text(panel, '#list-status'), /^0 datagrams in the panel · 20 logged · 20 cleared/);
    assert.equal(await panel.page.locator('.dg-row').count(), 0);
  });
});
