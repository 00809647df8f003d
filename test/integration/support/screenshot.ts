// Screenshots for the docs (`npm run screenshots`, scripts/screenshots.js): a scenario puts the workbench in a
// state through the VS Code API, then asks the browser driver (support/uiDriver.ts) for the picture.
import { TEST_LINE_MARKER } from './runMocha';
import { ui, type UiStep } from './uiDriver';

export interface ShotRequest {
  /** File name without extension: docs/images/<name>.png. */
  name: string;
  /** What to capture: the whole window (default) or one part of the workbench. */
  clip?: 'window' | 'sidebar' | 'panel' | 'editor';
  /** Open the Command Palette (F1, which starts with ">") and type this after it; Escape closes it afterwards. */
  palette?: string;
  /** Wait until a webview shows an element matching this CSS selector (e.g. the Messages panel's rows). */
  webviewSelector?: string;
  /** Wait until the workbench shows an element matching `css` that contains `text` (e.g. a tree row). */
  waitFor?: { css: string; text?: string };
}

export async function shot({ name, clip, palette, webviewSelector, waitFor }: ShotRequest): Promise<void> {
  console.log(`${TEST_LINE_MARKER}  screenshot ${name}`);
  const steps: UiStep[] = [];
  if (waitFor) steps.push({ waitFor: waitFor.css, ...(waitFor.text !== undefined ? { text: waitFor.text } : {}) });
  if (webviewSelector) steps.push({ waitForWebview: webviewSelector });
  if (palette !== undefined) {
    steps.push({ press: 'Escape' }, { press: 'F1' }, { waitFor: '.quick-input-widget .quick-input-box input' });
    steps.push({ type: palette }, { waitFor: '.quick-input-widget .monaco-list-row' });
  }
  steps.push({ screenshot: name, ...(clip ? { clip } : {}) });
  if (palette !== undefined) steps.push({ press: 'Escape' });
  await ui(steps, 60_000);
}
