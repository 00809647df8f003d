// The Messages panel on a test page in real Chromium, for the webview tests and the bench.
//
//   const server = await startPanelServer();              // serves the page, dist/ and media/ on 127.0.0.1
//   const browser = await launchChromium();
//   const panel = await openPanel(browser, server, { theme: 'dark' });
//   await panel.snapshot({ synth: { from: 1, count: 100_000 } });
//
// The page is the extension's own HTML (renderPanelHtml, same CSP with a fresh nonce) with one extra script
// before the bundle: fakeHost.ts, which stands in for acquireVsCodeApi and lets the test post host messages.
// Nothing is downloaded: Chromium is Debian's /usr/bin/chromium, driven by playwright-core.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { renderPanelHtml } from '../../../src/host/panel/panelHtml';
import type { HostToWebview } from '../../../src/shared/protocol';
import type { RowSpec, SynthOptions, TestApi } from './fakeHost';
import type { PageWindow } from './pageTypes';
import { themeCss, THEMES, type ThemeName } from './themes';

export const ROOT = path.resolve(__dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one Chromium definition is a plain script
const chromiumConfig = require('../../../scripts/chromium') as { CHROMIUM_PATH: string; CHROMIUM_ARGS: readonly string[] };
export const CHROMIUM = chromiumConfig.CHROMIUM_PATH;
export const CHROMIUM_ARGS = [...chromiumConfig.CHROMIUM_ARGS];

export interface PanelServer {
  origin: string;
  /** Nonces of the pages served, newest last (each load gets a fresh one). */
  nonces: string[];
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The webview bundle to serve as /dist/webview.js (default: dist/webview.js; the bench passes its production build). */
  webviewBundle?: string;
}

/** Bundles the fake host for the browser (in memory). */
async function bundleFakeHost(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'fakeHost.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    tsconfig: path.join(ROOT, 'src/webview/tsconfig.json'),
  });
  return result.outputFiles[0]!.text;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export async function startPanelServer(options: ServerOptions = {}): Promise<PanelServer> {
  const bundle = options.webviewBundle ?? path.join(ROOT, 'dist/webview.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node esbuild.js\` first.`);
  const fakeHost = await bundleFakeHost();
  const nonces: string[] = [];
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') {
      const nonce = crypto.randomBytes(16).toString('base64');
      nonces.push(nonce);
      send(
        200,
        'text/html; charset=utf-8',
        renderPanelHtml({
          cspSource: origin,
          nonce,
          scriptUri: '/dist/webview.js',
          stylesUri: '/media/messages.css',
          codiconsUri: '/dist/codicons/codicon.css',
          preludeScriptUris: ['/fake-host.js'],
        }),
      );
      return;
    }
    if (url.pathname === '/fake-host.js') return send(200, TYPES['.js']!, fakeHost);
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', ''); // the browser asks on its own
    const theme = /^\/theme\/([a-z-]+)\.css$/.exec(url.pathname);
    if (theme && theme[1]! in THEMES) return send(200, TYPES['.css']!, themeCss(theme[1] as ThemeName));
    if (url.pathname === '/dist/webview.js') return send(200, TYPES['.js']!, fs.readFileSync(bundle));
    // Static files, only under dist/ and media/ (like the panel's localResourceRoots).
    const rel = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!/^(dist|media)\//.test(rel) || rel.includes('..')) return send(404, 'text/plain', 'not found');
    const file = path.join(ROOT, rel);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'text/plain', 'not found');
    send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    nonces,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface OpenOptions {
  theme?: ThemeName;
  width?: number;
  height?: number;
  /** What getState() returns at load (as after a reload of the panel). */
  initialState?: unknown;
}

export interface Message {
  type: string;
  id?: number;
  [key: string]: unknown;
}

type Global = PageWindow;

/** A panel page plus helpers that run in it. */
export class PanelPage {
  /** Page errors, CSP violations and console errors seen so far. */
  readonly problems: string[] = [];
  private readonly inbox: Message[] = [];
  private readonly waiters = new Set<{ match: (m: Message) => boolean; resolve: (m: Message) => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
    page.on('console', (m: ConsoleMessage) => {
      // Failed loads are reported below with their URL.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) this.problems.push(`console error: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) this.problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('requestfailed', (r) => this.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  }

  /** Called (through a page binding) for every message the webview posts. */
  receive(message: Message): void {
    this.inbox.push(message);
    for (const w of [...this.waiters]) {
      const i = this.inbox.findIndex(w.match);
      if (i === -1) continue;
      const [m] = this.inbox.splice(i, 1);
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(m!);
    }
  }

  /** Waits for a message from the webview matching `match` (one already received counts), and takes it. */
  waitFor(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const i = this.inbox.findIndex(match);
    if (i !== -1) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise<Message>((resolve, reject) => {
      const waiter = {
        match,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching message from the webview within ${timeoutMs} ms; received ${JSON.stringify(this.inbox.map((m) => m.type))}; problems: ${this.problems.join('; ') || 'none'}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Waits for the webview's request of this type and returns it. */
  request(type: string, timeoutMs?: number): Promise<Message> {
    return this.waitFor((m) => m.type === type, timeoutMs);
  }

  /** Takes every message received and not taken yet (the bench drains acks and resyncs this way). */
  async take(): Promise<Message[]> {
    return this.inbox.splice(0, this.inbox.length);
  }

  /** Messages received and not taken yet, of one type (or all). */
  pending(type?: string): Message[] {
    return this.inbox.filter((m) => type === undefined || m.type === type);
  }

  snapshot(o: Parameters<TestApi['snapshot']>[0]): Promise<number> {
    return this.page.evaluate((arg) => (globalThis as unknown as Global).__udpLabTest.snapshot(arg), o);
  }

  batch(o: { rows?: RowSpec[]; synth?: SynthOptions; skipped?: number; seq?: number }): Promise<number> {
    return this.page.evaluate((arg) => (globalThis as unknown as Global).__udpLabTest.batch(arg), o);
  }

  /** Posts a host message built in Node (JSON-safe messages only: no row blocks). */
  post(message: HostToWebview): Promise<void> {
    return this.page.evaluate((m) => (globalThis as unknown as Global).__udpLabTest.post(m), message as unknown as HostToWebview);
  }

  respond(id: number, request: string, ok: boolean, resultOrError: unknown): Promise<void> {
    return this.page.evaluate(([i, r, o, v]) => (globalThis as unknown as Global).__udpLabTest.respond(i, r, o, v), [id, request, ok, resultOrError] as const);
  }

  /** Answers a getBytes request with bytes given as hex (built in the page, so it is a real Uint8Array). */
  respondBytes(id: number, seq: number, hex: string): Promise<void> {
    return this.page.evaluate(
      ([i, s, h]) => {
        const t = (globalThis as unknown as Global).__udpLabTest;
        t.respond(i, 'getBytes', true, { seq: s, bytes: t.bytesFromHex(h) });
      },
      [id, seq, hex] as const,
    );
  }

  savedState(): Promise<unknown> {
    return this.page.evaluate(() => (globalThis as unknown as Global).__udpLabTest.state);
  }

  /** Waits until the list has drawn (after the next animation frames). */
  async settle(): Promise<void> {
    await this.page.evaluate(() => {
      const w = globalThis as unknown as PageWindow;
      return new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(() => r())));
    });
  }
}

export async function openPanel(browser: Browser, server: PanelServer, o: OpenOptions = {}): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: o.width ?? 1200, height: o.height ?? 800 } });
  const panel = new PanelPage(page);
  await page.exposeFunction('__udpLabToNode', (message: Message) => panel.receive(message));
  await page.addInitScript(() => {
    const w = globalThis as unknown as PageWindow;
    w.document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  if (o.initialState !== undefined) {
    await page.addInitScript((s) => {
      (globalThis as unknown as PageWindow).__udpLabInitialState = s;
    }, o.initialState);
  }
  await page.goto(`${server.origin}/?theme=${o.theme ?? 'dark'}`, { waitUntil: 'load' });
  await panel.waitFor((m) => m.type === 'ready');
  return panel;
}
