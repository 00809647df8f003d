// Keyboard and screen-reader use in real Chromium: arrows move the selection, Enter opens the detail, every
// control is reachable with Tab in a sensible order, and icon-only buttons have labels.

import * as assert from 'node:assert/strict';
import { usePanelPages } from './helpers';
import type { PageWindow } from './page/pageTypes';

describe('webview: keyboard and labels', () => {
  const pages = usePanelPages();

  it('moves the selection with the arrow keys, Page Up/Down, Home and End; Enter opens the detail', async () => {
    const panel = await pages.open({ height: 700 });
    await panel.snapshot({ synth: { from: 1, count: 300 } });
    await panel.page.locator('#dg-300').waitFor();
    const list = panel.page.locator('#datagram-list');
    await list.focus();
    await panel.page.keyboard.press('Home');
    await panel.page.locator('#dg-1[aria-selected=true]').waitFor();
    assert.equal(await list.getAttribute('aria-activedescendant'), 'dg-1');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.locator('#dg-3[aria-selected=true]').waitFor();
    await panel.page.locator('#detail-summary').filter({ hasText: '#3 ·' }).waitFor();
    await panel.page.keyboard.press('ArrowUp');
    await panel.page.locator('#dg-2[aria-selected=true]').waitFor();
    await panel.page.keyboard.press('PageDown');
    const afterPage = Number(await panel.page.locator('.dg-row[aria-selected=true]').getAttribute('data-seq'));
    assert.ok(afterPage > 10, `Page Down moves by a page (now at ${afterPage})`);
    await panel.page.keyboard.press('End');
    await panel.page.locator('#dg-300[aria-selected=true]').waitFor();

    await panel.page.keyboard.press('Enter');
    const focused = await panel.page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.tagName);
    assert.equal(focused, 'VSCODE-TAB-PANEL', 'Enter moves focus into the detail (its scrolling tab panel)');

    await list.focus();
    await panel.page.keyboard.press('Escape');
    await panel.page.locator('.dg-row[aria-selected=true]').waitFor({ state: 'detached' });
  });

  it('reaches every control with Tab, composer first, then filters, list and detail', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 5 } });
    await panel.page.locator('#dg-5').click();
    await panel.page.locator('#composer-from').focus();
    const order: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await panel.page.evaluate(() => {
        const d = (globalThis as unknown as PageWindow).document;
        const a = d.activeElement;
        if (!a) return '';
        if (a.id) return a.id;
        const tab = a.getAttribute('data-tab');
        return tab ? `${a.tagName.toLowerCase()}:${tab}` : a.tagName.toLowerCase();
      });
      order.push(id);
      await panel.page.keyboard.press('Tab');
    }
    const expected = [
      'composer-from',
      'composer-target',
      'composer-encoding',
      'composer-repeat',
      'composer-interval',
      'composer-send',
      'composer-payload',
      'filter-socket',
      'filter-peer',
      'filter-direction',
      'filter-search',
      'filter-mode',
      'filter-case',
      'list-pause',
      'list-follow',
      'list-clear',
      'list-export',
      'datagram-list',
      'copy-hex',
      'copy-escaped',
      'copy-base64',
      'copy-nc',
      'copy-socat',
      'copy-node',
      'detail-reply',
    ];
    let at = -1;
    for (const id of expected) {
      const i = order.indexOf(id, at + 1);
      assert.ok(i > at, `${id} is reachable by Tab after ${expected[expected.indexOf(id) - 1] ?? 'the start'} (order: ${order.join(', ')})`);
      at = i;
    }
    // vscode-tabs names its header and panel elements itself (t<n>-h<i>, t<n>-p<i>).
    const tabs = order.slice(order.indexOf('detail-reply') + 1);
    assert.ok(/^t\d+-h\d$/.test(tabs[0] ?? '') && /^t\d+-p\d$/.test(tabs[1] ?? ''), `after Reply come the detail's tab header, then its panel (order: ${order.join(', ')})`);
  });

  it('labels every icon-only button and every field for screen readers', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 3 } });
    await panel.page.locator('#dg-3').waitFor();
    const unlabeled = await panel.page.evaluate(() => {
      const d = (globalThis as unknown as PageWindow).document;
      const missing: string[] = [];
      for (const el of Array.from(d.querySelectorAll('vscode-toolbar-button, vscode-textfield, vscode-textarea, vscode-single-select'))) {
        const label = el.getAttribute('aria-label') ?? el.getAttribute('label');
        if (!label || label.trim() === '') missing.push(el.id || el.tagName);
      }
      // The toolbar buttons put their label on the inner <button> too.
      for (const el of Array.from(d.querySelectorAll('vscode-toolbar-button'))) {
        const inner = el.shadowRoot?.querySelector('button');
        if (!inner?.getAttribute('aria-label')) missing.push(`${el.id} (inner button)`);
      }
      return missing;
    });
    assert.deepEqual(unlabeled, []);
    const grid = panel.page.locator('[role=grid]#datagram-list');
    assert.equal(await grid.getAttribute('aria-label'), 'Datagrams. Arrow keys move the selection, Enter opens the detail.');
    assert.equal(await panel.page.locator('[role=columnheader]').count(), 7);
  });
});
