// `npm run screenshots` (scripts/screenshots.js) runs this in the extension host of a real workbench: it opens a
// few loopback sockets with some traffic, then asks for one picture per surface — the sockets tree, the
// Messages panel, the Command Palette filtered to "UDP:" — written to docs/images/<name>.png.
// Not a *.test.ts file, so the integration suites never run it.
import * as vscode from 'vscode';
import { api } from '../support/surface';
import { shot } from '../support/screenshot';
import { TEST_LINE_MARKER } from '../support/runMocha';

/** Listens on `port` (a port that reads well in the docs) or, when it is taken, on any free port. */
async function listen(args: { port: number; address?: string; type?: 'udp4' | 'udp6'; label: string }): Promise<string> {
  const udp = await api();
  const before = new Set(udp.registry.list().map((s) => s.id));
  await vscode.commands.executeCommand('udpLab.listen', args);
  let opened = udp.registry.list().find((s) => !before.has(s.id));
  if (!opened) await vscode.commands.executeCommand('udpLab.listen', { ...args, port: 0 });
  opened = udp.registry.list().find((s) => !before.has(s.id));
  if (!opened) throw new Error(`could not open a ${args.label} socket for the screenshots`);
  const { address, port } = opened.view().local ?? { address: args.address ?? '127.0.0.1', port: args.port };
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

async function send(target: string, payloads: string[]): Promise<void> {
  for (const payload of payloads) await vscode.commands.executeCommand('udpLab.send', { target, payload });
}

/** Three listeners and some traffic to them (sent by UDP Lab itself, so each shows a peer). */
async function stage(): Promise<void> {
  const statsd = await listen({ port: 8125, label: 'statsd' });
  const syslog = await listen({ port: 5514, label: 'syslog' });
  const v6 = await listen({ port: 9999, address: '::1', type: 'udp6', label: 'echo (IPv6)' });
  await send(statsd, ['checkout.requests:1|c', 'checkout.latency:41|ms', 'checkout.latency:38|ms', 'cart.size:3|g']);
  await send(syslog, ['<134>1 2025-01-01T12:00:00Z web-1 nginx - - - GET /health 200', '<131>1 2025-01-01T12:00:02Z web-1 app - - - payment timeout']);
  await send(v6, ['ping', 'pong?']);
}

export async function run(): Promise<void> {
  const udp = await api();
  await stage();
  try {
    await vscode.commands.executeCommand('udpLab.sockets.focus');
    udp.testing.refreshViews();
    // The tree's rows arrive from the extension host a moment after the data changes: wait for them.
    await shot({ name: 'sockets-tree', waitFor: { css: '.part.sidebar .monaco-list-row', text: 'echo (IPv6)' } });

    await vscode.commands.executeCommand('udpLab.showMessages');
    await shot({ name: 'messages-panel', webviewSelector: '.dg-row' });

    await shot({ name: 'command-palette', palette: 'UDP: ' });
    console.log(`${TEST_LINE_MARKER}screenshots done`);
  } finally {
    await vscode.commands.executeCommand('udpLab.closeAllSockets');
  }
}
