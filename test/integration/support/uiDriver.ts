// The test side of scripts/integration/uiDriver.js: asks the runner to press keys, type and read the screen in
// the real workbench (Playwright), and waits for its answer file. Available when the runner sets UDP_LAB_UI_DIR.
import * as fs from 'fs';
import * as path from 'path';

export type UiStep =
  | { press: string }
  | { type: string }
  | { click: string; text?: string; button?: 'right' }
  | { waitFor: string; text?: string; timeoutMs?: number }
  | { waitForText: string; text: string; as?: string; timeoutMs?: number }
  | { read: string; as: string }
  | { waitForWebview: string; text?: string; timeoutMs?: number }
  | { webviewClick: string; text?: string; timeoutMs?: number }
  | { webviewFill: string; value: string; timeoutMs?: number }
  | { webviewPress: string; key: string; timeoutMs?: number }
  | { webviewRead: string; as: string; text?: string; timeoutMs?: number }
  | { webviewValue: string; as: string; timeoutMs?: number }
  | { webviewPost: string; messages: unknown[]; timeoutMs?: number }
  | { waitForValue: string; value: string; not?: boolean; timeoutMs?: number }
  | { screenshot: string; clip?: 'window' | 'sidebar' | 'panel' | 'editor' };

export interface UiReply {
  ok: boolean;
  error?: string;
  reads: Record<string, string>;
}

const UI_MARKER = '[udp-lab:ui] ';
let counter = 0;
const MODULE_TAG = Math.random().toString(36).slice(2, 10);

export function uiDriverAvailable(): boolean {
  const dir = process.env.UDP_LAB_UI_DIR;
  return typeof dir === 'string' && dir !== '' && fs.existsSync(dir);
}

/** Runs the steps in the browser; rejects when a step fails or no answer comes within `ms`. */
export function ui(steps: UiStep[], ms = 30_000): Promise<UiReply> {
  const dir = process.env.UDP_LAB_UI_DIR;
  if (!dir) return Promise.reject(new Error('UDP_LAB_UI_DIR is not set: this runner has no browser driver'));
  // Each test file is its own bundle with its own `counter`, so the id also carries a per-module random part:
  // otherwise a later suite's first request would find an earlier suite's answer file and take it for its own.
  const id = `ui-${process.pid}-${MODULE_TAG}-${++counter}`;
  const file = path.join(dir, `${id}.json`);
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(dir, (_event, name) => {
      if (name === `${id}.json`) check();
    });
    const timer = setTimeout(() => finish(new Error(`the browser driver did not answer ${id} within ${ms} ms`)), ms);
    const finish = (error: Error | undefined, reply?: UiReply): void => {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else if (reply && !reply.ok) reject(new Error(`browser driver: ${reply.error}${Object.keys(reply.reads ?? {}).length ? ` (read before: ${JSON.stringify(reply.reads)})` : ''}`));
      else resolve(reply!);
    };
    const check = (): void => {
      if (!fs.existsSync(file)) return;
      try {
        finish(undefined, JSON.parse(fs.readFileSync(file, 'utf8')) as UiReply);
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e)));
      }
    };
    console.log(UI_MARKER + JSON.stringify({ id, steps }));
    check();
  });
}
