// Shared setup for the webview suites: one page server and one Chromium per suite file, a fresh page per test.

import type { Browser } from 'playwright-core';
import { launchChromium, openPanel, startPanelServer, type OpenOptions, type PanelPage, type PanelServer } from './page/panelPage';
import type { PageWindow } from './page/pageTypes';

export interface Harness {
  open(options?: OpenOptions): Promise<PanelPage>;
}

/** Registers before/after hooks in the current describe block and returns a way to open panel pages. */
export function usePanelPages(): Harness {
  let server: PanelServer | undefined;
  let browser: Browser | undefined;
  const pages: PanelPage[] = [];
  before(async function () {
    this.timeout(60_000);
    server = await startPanelServer();
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.page.close().catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    async open(options?: OpenOptions) {
      const p = await openPanel(browser!, server!, options);
      pages.push(p);
      return p;
    },
  };
}

/** Seqs of the rows in the DOM that are inside the list's visible area, top to bottom. */
export async function visibleSeqs(panel: PanelPage): Promise<number[]> {
  return panel.page.evaluate(() => {
    const d = (globalThis as unknown as PageWindow).document;
    const list = d.getElementById('datagram-list')!;
    const header = list.querySelector('.dg-header')!.getBoundingClientRect();
    const box = list.getBoundingClientRect();
    const rows = Array.from(list.querySelectorAll('.dg-row'))
      .map((r) => ({ seq: Number(r.dataset.seq), rect: r.getBoundingClientRect() }))
      .filter((r) => r.rect.top >= header.bottom - 1 && r.rect.bottom <= box.bottom + 1)
      .sort((a, b) => a.rect.top - b.rect.top);
    return rows.map((r) => r.seq);
  });
}

/** Text of one cell class (c-time, c-peer, …) for the row with this seq, or undefined when not in the DOM. */
export async function cellText(panel: PanelPage, seq: number, cell: string): Promise<string | undefined> {
  return panel.page.evaluate(
    ([s, c]) => {
      const row = (globalThis as unknown as PageWindow).document.getElementById(`dg-${s}`);
      return row?.querySelector(`.${c}`)?.textContent ?? undefined;
    },
    [seq, cell] as const,
  );
}

export async function text(panel: PanelPage, selector: string): Promise<string> {
  return (await panel.page.locator(selector).first().textContent()) ?? '';
}

/** Types into a vscode-textfield / vscode-textarea (its input lives in the shadow root). */
export async function typeInto(panel: PanelPage, hostId: string, value: string): Promise<void> {
  const inner = panel.page.locator(`#${hostId}`).locator('input, textarea').first();
  await inner.fill(value);
}

/** Picks an option of a vscode-single-select by its label, the way a user does (open, click). */
export async function choose(panel: PanelPage, selectId: string, label: string): Promise<void> {
  const select = panel.page.locator(`#${selectId}`);
  await select.click();
  await select.locator('.option, li, [role=option]').filter({ hasText: label }).first().click();
}
