// Hostile payloads (test/fixtures/hostile-payloads.json) in real Chromium: markup, script, javascript: URLs,
// bidi overrides, zero-width characters, NUL and control bytes, invalid UTF-8 and 64 KiB datagrams must show
// as inert text — byte-exact in the detail, escaped in the preview — with no script run and no element made.

import * as assert from 'node:assert/strict';
import { decodeText, hexDump } from '../../src/shared/payload';
import { hostilePayloads } from '../fixtures/hostilePayloads';
import { text, usePanelPages } from './helpers';
import { DEFAULT_SOCKETS } from './page/sockets';
import type { PageWindow } from './page/pageTypes';

/** Characters that must never reach the page raw: C0/C1 controls, bidi controls, zero-width characters, BOM. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

describe('webview: hostile payloads', () => {
  const pages = usePanelPages();
  const payloads = hostilePayloads();

  it('renders every hostile payload as inert text in the list and the detail, and runs nothing', async () => {
    const panel = await pages.open({ height: 900 });
    const dialogs: string[] = [];
    panel.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const evilLabel = `<img src=x onerror="window.__pwned='label'"> \u202Eevil`;
    await panel.snapshot({
      sockets: [...DEFAULT_SOCKETS, { id: 'evil', title: evilLabel, type: 'udp4', state: 'listening', local: { address: '127.0.0.1', family: 'IPv4', port: 6666 } }],
      rows: payloads.map((p, i) => ({ seq: i + 1, socketId: i === 0 ? 'evil' : 'udp4-1', hex: Buffer.from(p.bytes).toString('hex') })),
    });
    await panel.page.locator(`#dg-${payloads.length}`).waitFor();
    const list = panel.page.locator('#datagram-list');
    await list.focus();
    await panel.page.keyboard.press('Home');

    for (let i = 0; i < payloads.length; i++) {
      const seq = i + 1;
      const bytes = payloads[i]!.bytes;
      const name = payloads[i]!.name;
      if (i > 0) await panel.page.keyboard.press('ArrowDown');
      await panel.page.locator(`#detail-summary`).filter({ hasText: `#${seq} ·` }).waitFor();

      const preview = (await panel.page.locator(`#dg-${seq} .c-preview`).textContent()) ?? '';
      const expected = decodeText(bytes.subarray(0, 160)).slice(0, 200);
      assert.ok(preview.startsWith(expected), `${name}: the preview is the escaped text (got ${JSON.stringify(preview.slice(0, 60))})`);
      assert.doesNotMatch(preview, INVISIBLE, `${name}: no invisible or reordering character reaches the preview raw`);

      for (const tab of ['hex', 'text'] as const) {
        await panel.page.locator(`vscode-tab-header[data-tab=${tab}]`).click();
        const shown = await text(panel, `#detail-${tab}`);
        const want = tab === 'hex' ? hexDump(bytes) : decodeText(bytes, { keepNewlines: true });
        assert.equal(shown, want, `${name}: the ${tab} view shows the bytes exactly`);
        if (tab === 'text') assert.doesNotMatch(shown.replace(/[\r\n]/g, ''), INVISIBLE, `${name}: text view has no raw invisible characters`);
      }
      await panel.page.locator('vscode-tab-header[data-tab=hex]').click();
      await list.focus();
    }

    assert.equal(await text(panel, '#dg-1 .c-socket'), evilLabel, 'a socket label with markup is shown as text');
    const made = await panel.page.evaluate(() => {
      const d = (globalThis as unknown as PageWindow).document;
      return Array.from(d.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app a, #app style, #app link, #app object, #app embed, #app b, #app circle, #evil-link')).map(
        (e) => e.tagName,
      );
    });
    assert.deepEqual(made, [], 'no element was made from a payload');
    assert.equal(await panel.page.evaluate(() => (globalThis as unknown as PageWindow).__pwned), undefined, 'no payload ran as script');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(panel.problems, [], 'no page error and no CSP violation (nothing even tried to load)');
  });

  it('copies a hostile payload byte-exact (escaped and base64), never as markup', async () => {
    const panel = await pages.open();
    const big = payloads.find((p) => p.bytes.length === 65_507)!;
    await panel.snapshot({ rows: [{ seq: 1, hex: Buffer.from(big.bytes).toString('hex') }] });
    await panel.page.locator('#dg-1').click();
    await panel.page.locator('#copy-base64').click();
    const req = await panel.request('copy');
    assert.equal(req.text, Buffer.from(big.bytes).toString('base64'));
    assert.equal((await text(panel, '#detail-hex')).split('\n').length, Math.ceil(65_507 / 16));
  });
});
