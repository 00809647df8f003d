// Filters in real Chromium: socket, peer, direction, search as text / regex / hex bytes, match case, and the
// export request that carries the same filter to the host.

import * as assert from 'node:assert/strict';
import { choose, text, typeInto, usePanelPages, visibleSeqs } from './helpers';
import type { PanelPage } from './page/panelPage';
import type { PageWindow } from './page/pageTypes';

/** Seqs of every row the list would show (reads the view through the DOM: scrolls through it). */
async function allShown(panel: PanelPage): Promise<number[]> {
  await panel.settle();
  const status = await text(panel, '#list-status');
  const m = /^(\d[\d\u2009]*) (?:match|matches|datagram|datagrams)/.exec(status);
  const n = m ? Number(m[1]!.replace(/\u2009/g, '')) : 0;
  if (n === 0) return [];
  const seen = new Set<number>();
  await panel.page.evaluate(() => {
    (globalThis as unknown as PageWindow).document.getElementById('datagram-list')!.scrollTop = 0;
  });
  for (let guard = 0; guard < 50 && seen.size < n; guard++) {
    await panel.settle();
    for (const s of await visibleSeqs(panel)) seen.add(s);
    await panel.page.evaluate(() => {
      const list = (globalThis as unknown as PageWindow).document.getElementById('datagram-list')!;
      list.scrollTop += list.clientHeight - 44;
    });
  }
  return [...seen].sort((a, b) => a - b);
}

describe('webview: filters', () => {
  const pages = usePanelPages();

  async function withRows(): Promise<PanelPage> {
    const panel = await pages.open();
    await panel.snapshot({
      rows: [
        { seq: 1, direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: 'GET /status HTTP/1.0' },
        { seq: 2, direction: 'out', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: 'OK 200' },
        { seq: 3, direction: 'in', socketId: 'udp4-2', peer: { address: '10.0.0.7', port: 8125 }, text: 'gauge:1|g' },
        { seq: 4, direction: 'in', socketId: 'udp6-3', peer: { address: '::1', port: 5353, family: 'IPv6' }, hex: 'de ad be ef 00 01' },
        { seq: 5, direction: 'out', socketId: 'udp4-2', peer: { address: '10.0.0.7', port: 8125 }, text: 'get /Status' },
      ],
    });
    await panel.page.locator('#dg-5').waitFor();
    return panel;
  }

  it('filters by socket, peer and direction, and says how many match', async () => {
    const panel = await withRows();
    await choose(panel, 'filter-socket', 'statsd · udp4 127.0.0.1:8125');
    await panel.page.locator('#dg-1').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [3, 5]);
    assert.match(await text(panel, '#list-status'), /^2 matches of 5 in the panel/);

    await choose(panel, 'filter-direction', 'Sent (out)');
    await panel.page.locator('#dg-3').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [5]);

    await choose(panel, 'filter-socket', 'All sockets');
    await choose(panel, 'filter-direction', 'In and out');
    await typeInto(panel, 'filter-peer', '[::1]');
    await panel.page.locator('#dg-1').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [4]);
  });

  it('searches text (case-insensitive unless asked), regex over the shown text, and hex bytes', async () => {
    const panel = await withRows();
    await typeInto(panel, 'filter-search', 'get /Status');
    await panel.page.locator('#dg-2').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [1, 5]);

    await panel.page.locator('#filter-case').click();
    await panel.page.locator('#dg-1').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [5], 'match case keeps only the exact spelling');
    await panel.page.locator('#filter-case').click();

    await choose(panel, 'filter-mode', 'Regex');
    await typeInto(panel, 'filter-search', '^ok|http/1\\.0$');
    await panel.page.locator('#dg-5').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [1, 2], 'a case-insensitive regex with anchors');

    await typeInto(panel, 'filter-search', '\\\\0\\\\x01$');
    await panel.page.locator('#dg-4').waitFor();
    assert.deepEqual(await allShown(panel), [4], 'regex sees the escapes the list shows (\\0, \\x01)');

    await choose(panel, 'filter-mode', 'Hex bytes');
    await typeInto(panel, 'filter-search', 'BE:EF 00');
    await panel.page.locator('#dg-4').waitFor();
    assert.deepEqual(await allShown(panel), [4]);
  });

  it('explains an invalid regex or hex query and keeps the previous filter', async () => {
    const panel = await withRows();
    await choose(panel, 'filter-mode', 'Regex');
    await typeInto(panel, 'filter-search', '(unclosed');
    await panel.page.locator('#filter-message').filter({ hasText: 'The regular expression is not valid' }).waitFor();
    assert.deepEqual(await allShown(panel), [1, 2, 3, 4, 5]);

    await choose(panel, 'filter-mode', 'Hex bytes');
    await typeInto(panel, 'filter-search', 'abc');
    await panel.page.locator('#filter-message').filter({ hasText: 'odd number of hex digits' }).waitFor();
  });

  it('runs a regex that can backtrack in a worker: results arrive, and a payload that makes it backtrack turns it off with a sentence', async () => {
    const panel = await pages.open();
    // 30 × "a" + "b": /(a+)+$/ would backtrack for minutes on the page's thread and freeze the panel.
    const evil = `${'a'.repeat(30)}b`;
    await panel.snapshot({
      rows: [
        { seq: 1, direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: 'aaaa' },
        { seq: 2, direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: 'bbbb' },
        { seq: 3, direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: evil },
        { seq: 4, direction: 'out', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40001 }, text: 'aa' },
      ],
    });
    await panel.page.locator('#dg-4').waitFor();
    await choose(panel, 'filter-mode', 'Regex');
    // Repetition, so the worker runs it; every row is harmless to it.
    await typeInto(panel, 'filter-search', '^b+$');
    await panel.page.locator('#dg-1').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [2]);

    await typeInto(panel, 'filter-search', '^(a+)+$');
    const message = panel.page.locator('#filter-message').filter({ hasText: 'was turned off' });
    await message.waitFor({ timeout: 15_000 });
    assert.match(
      (await message.textContent()) ?? '',
      /^The filter \/\^\(a\+\)\+\$\/i took longer than 1000 ms on datagram #3 and was turned off\. Simplify the pattern/,
    );
    assert.deepEqual(await allShown(panel), [1, 2, 3, 4], 'the search is off; the list shows every row again');
    // The page never froze: other filters still work at once, and the pattern stays off until it is edited (run
    // again, it would hide rows 2 and 3 while it worked and take the time limit once more).
    await choose(panel, 'filter-direction', 'Sent (out)');
    await panel.page.locator('#dg-1').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [4]);
    await choose(panel, 'filter-direction', 'In and out');
    await panel.page.locator('#dg-2').waitFor();
    assert.deepEqual(await allShown(panel), [1, 2, 3, 4]);
    assert.match((await message.textContent()) ?? '', /^The filter \/\^\(a\+\)\+\$\/i took longer than/);
    // A new pattern runs again.
    await typeInto(panel, 'filter-search', '^a+$');
    await panel.page.locator('#dg-2').waitFor({ state: 'detached' });
    assert.deepEqual(await allShown(panel), [1, 4]);
  });

  it('exports through the host with the filter as shown, and reports the result', async () => {
    const panel = await withRows();
    await choose(panel, 'filter-direction', 'Received (in)');
    await typeInto(panel, 'filter-search', 'g');
    await panel.settle();
    await panel.page.locator('#list-export').click();
    const req = await panel.request('export');
    assert.deepEqual(req.filter, { direction: 'in', search: { mode: 'text', query: 'g', caseSensitive: false } });
    await panel.respond(req.id!, 'export', true, { written: 2, path: '/tmp/out.jsonl' });
    await panel.page.locator('#action-status').filter({ hasText: 'Exported 2 datagrams to /tmp/out.jsonl.' }).waitFor();
  });
});
