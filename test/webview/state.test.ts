// The panel's saved state in real Chromium: composer, history, filters, follow, detail tab and selection are
// saved with setState and come back when the webview is loaded again (after a reload VS Code's serializer
// hands the same state back), and a state from elsewhere can never keep the panel from opening.

import * as assert from 'node:assert/strict';
import { choose, typeInto, usePanelPages } from './helpers';

describe('webview: saved state', () => {
  const pages = usePanelPages();

  it('saves the composer, filters and selection, and restores them on the next load', async () => {
    const first = await pages.open();
    await first.snapshot({ synth: { from: 1, count: 30 } });
    await first.page.locator('#dg-30').waitFor();
    await typeInto(first, 'composer-target', '127.0.0.1:7777');
    await choose(first, 'composer-encoding', 'Hex');
    await typeInto(first, 'composer-payload', 'ca fe');
    await first.page.keyboard.press('Control+Enter');
    const sent = await first.request('send');
    await first.respond(sent.id!, 'send', true, { sent: 1, failed: 0, cancelled: false, bytes: 2, target: '127.0.0.1:7777' });
    await typeInto(first, 'composer-payload', 'be ef');
    await choose(first, 'filter-direction', 'Received (in)');
    await typeInto(first, 'filter-search', 'odd');
    await first.page.locator('#dg-27').click();
    await first.page.locator('vscode-tab-header[data-tab=base64]').click();
    await first.page.waitForFunction(() => {
      const t = (globalThis as unknown as { __udpLabTest: { state: { selectedSeq?: number; detailTab?: string } | undefined } }).__udpLabTest;
      return t.state?.selectedSeq === 27 && t.state.detailTab === 'base64';
    });
    const state = await first.savedState();

    const second = await pages.open({ initialState: state });
    assert.equal(await second.page.locator('#composer-target input').inputValue(), '127.0.0.1:7777');
    assert.equal(await second.page.locator('#composer-payload textarea').inputValue(), 'be ef');
    assert.equal(await second.page.locator('#composer-encoding').evaluate((e) => (e as unknown as { value: string }).value), 'hex');
    assert.equal(await second.page.locator('#filter-search input').inputValue(), 'odd');
    await second.snapshot({ synth: { from: 1, count: 30 } });
    await second.page.locator('#dg-27[aria-selected=true]').waitFor();
    assert.equal(await second.page.locator('#dg-28').count(), 0, 'the restored filter applies (28 is even)');
    await second.page.locator('#detail-base64').filter({ hasText: Buffer.from('ping 27 odd').toString('base64') }).waitFor();
    // History came back too.
    await second.page.locator('#composer-payload textarea').press('ArrowUp');
    assert.equal(await second.page.locator('#composer-payload textarea').inputValue(), 'ca fe');
  });

  it('opens normally with a state it does not understand', async () => {
    const panel = await pages.open({ initialState: { version: 1, composer: { history: [{ payload: 5 }], encoding: 'klingon' }, toolbar: { filter: { search: 'x' } } } });
    await panel.snapshot({ synth: { from: 1, count: 3 } });
    await panel.page.locator('#dg-3').waitFor();
    assert.deepEqual(panel.problems, []);
  });
});
