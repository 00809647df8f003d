// The datagram list in real Chromium: what a row shows, the page's security policy, and virtualization over a
// log of 100 000 rows (only the visible rows exist in the DOM).

import * as assert from 'node:assert/strict';
import { cellText, text, usePanelPages, visibleSeqs } from './helpers';
import type { PageWindow } from './page/pageTypes';

describe('webview: datagram list', () => {
  const pages = usePanelPages();

  it('says ready first, then shows a snapshot row by row with time, direction, socket, peer, family, size and preview', async () => {
    const panel = await pages.open();
    assert.equal(panel.pending('ready').length, 0, 'ready was already taken by openPanel');
    await panel.snapshot({
      rows: [
        { seq: 7, time: Date.UTC(2024, 4, 1, 9, 30, 15, 123), direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40123 }, text: 'hello\r\n' },
        { seq: 8, direction: 'out', socketId: 'udp6-3', peer: { address: '::1', port: 9000, family: 'IPv6' }, hex: 'ff fe 00 01' },
      ],
    });
    const ack = await panel.waitFor((m) => m.type === 'ack');
    assert.equal(ack.seq, 1, 'the snapshot is acknowledged with its stream seq');
    await panel.page.locator('#dg-8').waitFor();

    const time = await cellText(panel, 7, 'c-time');
    // Local time in the page; the milliseconds are always shown.
    assert.match(time!, /^\d\d:\d\d:15\.123$/);
    assert.equal(await cellText(panel, 7, 'c-dir'), 'in');
    assert.equal(await cellText(panel, 7, 'c-socket'), 'udp4 127.0.0.1:5000');
    assert.equal(await cellText(panel, 7, 'c-peer'), '127.0.0.1:40123');
    assert.equal(await cellText(panel, 7, 'c-family'), 'IPv4');
    assert.equal(await cellText(panel, 7, 'c-size'), '7');
    assert.equal(await cellText(panel, 7, 'c-preview'), 'hello\\r\\n', 'control bytes are escaped in the preview');

    assert.equal(await cellText(panel, 8, 'c-dir'), 'out');
    assert.equal(await cellText(panel, 8, 'c-socket'), 'udp6 [::1]:5001');
    assert.equal(await cellText(panel, 8, 'c-peer'), '[::1]:9000');
    assert.equal(await cellText(panel, 8, 'c-family'), 'IPv6');
    assert.equal(await cellText(panel, 8, 'c-preview'), '\\xff\\xfe\\0\\x01');

    assert.match(await text(panel, '#list-status'), /2 datagrams in the panel · 2 logged/);
    assert.deepEqual(panel.problems, [], 'no page error and no CSP violation');
  });

  it('loads only with its nonce: a fresh one per page load, and the CSP allows no inline script or style', async () => {
    const panel = await pages.open();
    const csp = await panel.page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content'));
    assert.match(csp!, /default-src 'none'/);
    assert.match(csp!, /script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    assert.doesNotMatch(csp!, /unsafe-inline|unsafe-eval/);
    const second = await pages.open();
    const csp2 = await second.page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content'));
    assert.notEqual(/nonce-([^']+)/.exec(csp!)![1], /nonce-([^']+)/.exec(csp2!)![1]);
    // An inline script injected now must be refused by the policy.
    await panel.page.evaluate(() => {
      const d = (globalThis as unknown as PageWindow).document;
      const s = d.createElement('script') as unknown as { textContent: string };
      s.textContent = 'window.__pwned = "inline"';
      d.body.append(s as unknown as never);
    });
    assert.equal(await panel.page.evaluate(() => (globalThis as unknown as PageWindow).__pwned), undefined);
    assert.ok(panel.problems.some((p) => p.includes('CSP violation')), 'the refused inline script is reported as a CSP violation');
  });

  it('keeps only the visible rows in the DOM over 100 000 rows, and scrolls to any of them', async () => {
    const panel = await pages.open({ height: 800 });
    await panel.snapshot({ synth: { from: 1, count: 100_000, outEvery: 10 } });
    await panel.page.locator('#dg-100000').waitFor();
    const domRows = await panel.page.locator('.dg-row').count();
    assert.ok(domRows > 5 && domRows < 80, `DOM rows bounded by the viewport (got ${domRows})`);
    assert.equal(await panel.page.locator('#datagram-list').getAttribute('aria-rowcount'), '100001');
    assert.match(await text(panel, '#list-status'), /100\u2009000 datagrams in the panel/);

    // Following the newest: the last row is visible.
    const atEnd = await visibleSeqs(panel);
    assert.equal(atEnd[atEnd.length - 1], 100_000);

    // Jump to the top with Home, then to the middle by scrolling.
    await panel.page.locator('#datagram-list').focus();
    await panel.page.keyboard.press('Home');
    await panel.page.locator('#dg-1').waitFor();
    assert.equal((await visibleSeqs(panel))[0], 1);
    await panel.page.evaluate(() => {
      const list = (globalThis as unknown as PageWindow).document.getElementById('datagram-list')!;
      list.scrollTop = 50_000 * 22;
    });
    await panel.page.locator('#dg-50001').waitFor();
    const middle = await visibleSeqs(panel);
    assert.ok(middle.includes(50_001), `row 50 001 is visible after scrolling to it (saw ${middle[0]}…${middle[middle.length - 1]})`);
    assert.ok((await panel.page.locator('.dg-row').count()) < 80, 'still bounded after scrolling');
    assert.deepEqual(panel.problems, []);
  });

  it('drops the oldest rows at the log caps, like the log does', async () => {
    const panel = await pages.open();
    await panel.snapshot({ synth: { from: 1, count: 50 }, caps: { maxCount: 100, maxBytes: 1_000_000 } });
    await panel.page.locator('#dg-50').waitFor();
    await panel.batch({ synth: { from: 51, count: 80 } });
    await panel.page.locator('#dg-130').waitFor();
    assert.match(await text(panel, '#list-status'), /^100 datagrams in the panel/);
    await panel.page.locator('#datagram-list').focus();
    await panel.page.keyboard.press('Home');
    await panel.page.locator('#dg-31').waitFor();
    assert.equal((await visibleSeqs(panel))[0], 31, 'rows 1–30 fell out; 31 is the oldest kept');
  });

  it('shows an empty state with a way to listen when nothing is open', async () => {
    const panel = await pages.open();
    await panel.snapshot({ rows: [], sockets: [] });
    await panel.page.locator('#empty-listen').waitFor();
    assert.match(await text(panel, '#empty-text'), /No datagrams yet\. Listen on a port/);
    await panel.page.locator('#empty-listen').click();
    const req = await panel.request('runCommand');
    assert.equal(req.command, 'listen');
  });
});
