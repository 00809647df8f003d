// Pictures of the Messages panel in the dark, light and high-contrast themes, on the Chromium test page with
// realistic traffic: docs/images/panel-dark.png, panel-light.png, panel-high-contrast.png.
//   npx tsx test/webview/screenshots.ts [outDir]
// Look at every picture before committing it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RowSpec } from './page/fakeHost';
import { launchChromium, openPanel, ROOT, startPanelServer } from './page/panelPage';
import type { ThemeName } from './page/themes';
import type { SocketSummary } from '../../src/shared/protocol';

const SOCKETS: SocketSummary[] = [
  { id: 's1', title: 'statsd · udp4 127.0.0.1:8125', type: 'udp4', state: 'listening', local: { address: '127.0.0.1', family: 'IPv4', port: 8125 } },
  { id: 's2', title: 'syslog · udp4 127.0.0.1:5514', type: 'udp4', state: 'listening', local: { address: '127.0.0.1', family: 'IPv4', port: 5514 } },
  { id: 's3', title: 'echo · udp6 [::1]:9999', type: 'udp6', state: 'listening', local: { address: '::1', family: 'IPv6', port: 9999 } },
];

function traffic(): RowSpec[] {
  const t0 = Date.UTC(2025, 0, 31, 10, 20, 30, 120);
  const rows: RowSpec[] = [];
  let seq = 1;
  let t = t0;
  const add = (r: Omit<RowSpec, 'seq' | 'time'>, gap = 37) => {
    t += gap;
    rows.push({ seq: seq++, time: t, ...r });
  };
  const metrics = ['checkout.requests:1|c', 'checkout.latency:41|ms', 'checkout.latency:38|ms|@0.5', 'cart.size:3|g', 'users.online:+1|g', 'api.errors:1|c|#route:/pay'];
  for (let i = 0; i < 14; i++) add({ socketId: 's1', direction: 'in', peer: { address: '127.0.0.1', port: 50112 + (i % 3) }, text: metrics[i % metrics.length]! }, 11 + ((i * 7) % 23));
  add({ socketId: 's2', direction: 'in', peer: { address: '127.0.0.1', port: 41234 }, text: '<134>1 2025-01-31T10:20:31Z web-1 nginx - - - GET /health 200 0.002' });
  add({ socketId: 's2', direction: 'in', peer: { address: '127.0.0.1', port: 41234 }, text: '<131>1 2025-01-31T10:20:31Z web-1 app 812 - - payment timeout after 3000 ms\n' });
  add({ socketId: 's3', direction: 'in', peer: { address: '::1', port: 53211, family: 'IPv6' }, hex: '12 34 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01' });
  add({ socketId: 's3', direction: 'out', peer: { address: '::1', port: 53211, family: 'IPv6' }, hex: '12 34 81 80 00 01 00 01 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01 c0 0c 00 01 00 01 00 00 0e 10 00 04 5d b8 d8 22' });
  add({ socketId: 's1', direction: 'in', peer: { address: '127.0.0.1', port: 50112 }, text: 'checkout.latency:44|ms' });
  add({ socketId: 's2', direction: 'out', peer: { address: '127.0.0.1', port: 41234 }, text: 'ACK 812\r\n' });
  add({ socketId: 's1', direction: 'in', peer: { address: '127.0.0.1', port: 50113 }, hex: '00 01 ff fe 7b 22 62 69 6e 22 3a 74 72 75 65 7d 0a' });
  for (let i = 0; i < 6; i++) add({ socketId: 's1', direction: 'in', peer: { address: '127.0.0.1', port: 50112 + (i % 3) }, text: metrics[(i + 2) % metrics.length]! }, 9);
  return rows;
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs/images'));
  fs.mkdirSync(outDir, { recursive: true });
  const server = await startPanelServer();
  const browser = await launchChromium();
  try {
    for (const theme of ['dark', 'light', 'high-contrast'] as ThemeName[]) {
      const panel = await openPanel(browser, server, { theme, width: 1280, height: 800 });
      const rows = traffic();
      await panel.snapshot({
        rows,
        sockets: SOCKETS,
        targets: [
          { target: '127.0.0.1:8125', kind: 'recent' },
          { target: '[::1]:53211', kind: 'peer', detail: 'peer of echo · udp6 [::1]:9999 · 2 datagrams', socketId: 's3' },
        ],
      });
      const dns = rows.find((r) => r.hex?.startsWith('12 34 81'))!;
      await panel.page.locator(`#dg-${dns.seq}`).click();
      await panel.page.locator('#composer-target input').fill('[::1]:9999');
      await panel.page.locator('#composer-encoding').click();
      await panel.page.locator('#composer-encoding').locator('.option, li, [role=option]').filter({ hasText: 'Escaped' }).first().click();
      await panel.page.locator('#composer-payload textarea').fill('PING 42\\r\\n');
      await panel.page.locator(`#dg-${dns.seq}`).click();
      await panel.settle();
      await panel.page.screenshot({ path: path.join(outDir, `panel-${theme}.png`) });
      if (panel.problems.length > 0) throw new Error(`${theme}: ${panel.problems.join('; ')}`);
      await panel.page.close();
      console.log(`wrote ${path.join(outDir, `panel-${theme}.png`)}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
