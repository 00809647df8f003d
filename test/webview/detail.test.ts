// The detail pane in real Chromium: hex dump, text and base64 of the selected datagram, "Copy as" in six forms
// (the shell lines and the Node snippet are run for real to prove they resend the exact bytes), Reply, and
// rows that arrived truncated under load.

import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { hexDump, toBase64 } from '../../src/shared/payload';
import { DEFAULT_SOCKETS } from './page/sockets';
import { text, typeInto, usePanelPages } from './helpers';
import type { PanelPage } from './page/panelPage';

const PAYLOAD_HEX = "68 69 27 25 5c 00 0d 0a ff 22 24 60 20 7e"; // hi'%\ NUL CR LF 0xff " $ ` space ~
const PAYLOAD = Buffer.from(PAYLOAD_HEX.replace(/ /g, ''), 'hex');

describe('webview: detail pane and copy-as', () => {
  const pages = usePanelPages();

  async function openWithRow(localPort = 5000): Promise<PanelPage> {
    const panel = await pages.open();
    const sockets = DEFAULT_SOCKETS.map((s) => (s.id === 'udp4-1' ? { ...s, title: `udp4 127.0.0.1:${localPort}`, local: { address: '127.0.0.1', family: 'IPv4' as const, port: localPort } } : s));
    await panel.snapshot({
      sockets,
      rows: [
        { seq: 41, direction: 'in', socketId: 'udp4-1', peer: { address: '127.0.0.1', port: 40123 }, hex: PAYLOAD_HEX },
        { seq: 42, direction: 'out', socketId: 'udp6-3', peer: { address: '::1', port: 9999, family: 'IPv6' }, text: 'pong' },
      ],
    });
    await panel.page.locator('#dg-41').click();
    await panel.page.locator('#detail-summary').filter({ hasText: '#41' }).waitFor();
    return panel;
  }

  async function copied(panel: PanelPage, format: string): Promise<string> {
    await panel.page.locator(`#copy-${format}`).click();
    const req = await panel.request('copy');
    await panel.respond(req.id!, 'copy', true, { chars: (req.text as string).length });
    await panel.page.locator('#detail-status').filter({ hasText: 'Copied as' }).waitFor();
    return req.text as string;
  }

  it('shows the selected datagram as a Wireshark-style hex dump, as text and as base64', async () => {
    const panel = await openWithRow();
    assert.match(await text(panel, '#detail-summary'), /^#41 · received · 127\.0\.0\.1:40123 → udp4 127\.0\.0\.1:5000 · IPv4 · 14 bytes · /);
    assert.equal(await text(panel, '#detail-hex'), hexDump(PAYLOAD));
    assert.match(await text(panel, '#detail-hex'), /^0000 {3}68 69 27 25 5c 00 0d 0a {2}ff 22 24 60 20 7e/);

    await panel.page.locator('vscode-tab-header[data-tab=text]').click();
    await panel.page.locator('#detail-text').filter({ hasText: "hi'%" }).waitFor();
    assert.equal(await text(panel, '#detail-text'), "hi'%\\\\\\0\r\n\\xff\"$` ~", 'escapes for NUL, backslash and invalid bytes; line break kept');

    await panel.page.locator('vscode-tab-header[data-tab=base64]').click();
    await panel.page.locator('#detail-base64').filter({ hasText: toBase64(PAYLOAD) }).waitFor();
  });

  it('copies as hex, escaped text and base64', async () => {
    const panel = await openWithRow();
    assert.equal(await copied(panel, 'hex'), '68 69 27 25 5c 00 0d 0a ff 22 24 60 20 7e');
    assert.equal(await copied(panel, 'escaped'), "hi'%\\\\\\0\\r\\n\\xff\"$` ~");
    assert.equal(await copied(panel, 'base64'), PAYLOAD.toString('base64'));
  });

  it('copies nc and socat lines whose printf prints exactly the datagram (run with dash)', async () => {
    const panel = await openWithRow();
    const nc = await copied(panel, 'nc');
    const ncMatch = /^(printf '.*') \| nc -u -w1 127\.0\.0\.1 5000$/s.exec(nc);
    assert.ok(ncMatch, `nc line has the expected shape: ${nc}`);
    const printed = execFileSync('/bin/sh', ['-c', ncMatch[1]!]);
    assert.deepEqual(printed, PAYLOAD, 'printf in POSIX sh reproduces every byte (NUL, quote, %, backslash, 0xff)');

    const socat = await copied(panel, 'socat');
    const socatMatch = /^(printf '.*') \| socat -u - UDP4-SENDTO:127\.0\.0\.1:5000$/s.exec(socat);
    assert.ok(socatMatch, `socat line has the expected shape: ${socat}`);

    // A sent datagram resends to its peer; IPv6 gets brackets for socat.
    await panel.page.locator('#dg-42').click();
    await panel.page.locator('#detail-summary').filter({ hasText: '#42' }).waitFor();
    assert.match(await copied(panel, 'socat'), /\| socat -u - 'UDP6-SENDTO:\[::1\]:9999'$|\| socat -u - UDP6-SENDTO:\[::1\]:9999$/);
  });

  it('copies a Node snippet that resends the datagram to the socket it arrived on (run for real)', async () => {
    const receiver = dgram.createSocket('udp4');
    receiver.on('error', (e) => assert.fail(e));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const panel = await openWithRow(port);
      const snippet = await copied(panel, 'node');
      assert.match(snippet, /require\('node:dgram'\)/);
      const received = new Promise<Buffer>((resolve) => receiver.once('message', (msg) => resolve(Buffer.from(msg))));
      const child = spawn(process.execPath, ['-e', snippet], { stdio: 'inherit' });
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.deepEqual(await received, PAYLOAD);
      assert.equal(await exit, 0);
    } finally {
      receiver.close();
    }
  });

  it('Reply fills the composer with the peer and the socket, and focuses the payload', async () => {
    const panel = await openWithRow();
    await panel.page.locator('#detail-reply').click();
    assert.equal(await panel.page.locator('#composer-target input').inputValue(), '127.0.0.1:40123');
    assert.equal(await panel.page.locator('#composer-from').evaluate((e) => (e as unknown as { value: string }).value), 'udp4-1');
    const focused = await panel.page.evaluate(() => {
      const g = globalThis as unknown as { document: { activeElement: { id: string } | null } };
      return g.document.activeElement?.id;
    });
    assert.equal(focused, 'composer-payload');
    await typeInto(panel, 'composer-payload', 'pong');
    await panel.page.keyboard.press('Control+Enter');
    const send = await panel.request('send');
    assert.deepEqual({ from: send.from, target: send.target, payload: send.payload, encoding: send.encoding }, {
      from: { socketId: 'udp4-1' },
      target: '127.0.0.1:40123',
      payload: 'pong',
      encoding: 'text',
    });
  });

  it('fetches the whole payload of a row that arrived truncated', async () => {
    const panel = await pages.open();
    // 300 bytes of which the row carries 4: the pane asks the host for the rest.
    await panel.snapshot({ rows: [{ seq: 9, text: 'abcd', size: 300 }] });
    await panel.page.locator('#dg-9').click();
    await panel.page.locator('#detail-notice').filter({ hasText: 'first 4 bytes of 300 bytes' }).waitFor();
    const req = await panel.request('getBytes');
    assert.equal(req.seq, 9);
    await panel.respondBytes(req.id!, 9, '41'.repeat(300));
    await panel.page.locator('#detail-notice').waitFor({ state: 'hidden' });
    assert.equal((await text(panel, '#detail-hex')).split('\n').length, Math.ceil(300 / 16));
  });
});
