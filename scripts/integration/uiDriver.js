// Lets an integration test drive the workbench like a person — press keys, type, wait for and read what is on
// screen — through the browser (Playwright), which the extension host cannot reach by itself.
//
// Protocol (test side: test/integration/support/uiDriver.ts):
//   the test logs one line  `[udp-lab:ui] {"id":"…","steps":[…]}`  (it reaches the runner through
//   codeAutomationLog, like the test output), the runner runs the steps on the page in order and writes
//   `$UDP_LAB_UI_DIR/<id>.json` = {"ok":true,"reads":{…}} or {"ok":false,"error":"…"}; the test waits for that file.
// Steps:
//   { "press": "F1" }                      keyboard.press (Playwright key names, e.g. "Control+A", "Enter")
//   { "type": "text" }                     keyboard.type into whatever has focus
//   { "click": "css", "text"?: "…", "button"?: "right" }  click the first visible match (right: context menu)
//   { "waitFor": "css", "text"?: "…" }     until an element matching css (and containing text) is visible
//   { "waitForValue": "css", "value": "…", "not"?: true }  until the input's value is (not) exactly that
//   { "read": "css", "as": "name" }        innerText of the first visible match, into reads[name] ("" if none)
//   { "waitForText": "css", "text": "…", "as"?: "name" }  until the element's text contains `text`; reads it
//   { "waitForWebview": "css", "text"?: "…" }  until an element inside a webview (nested iframes) is visible
//   { "webviewClick": "css", "text"?: "…" }  click it, once visible, inside a webview
//   { "webviewFill": "css", "value": "…" }    fill an input/textarea inside a webview (shadow DOM is pierced)
//   { "webviewPress": "css", "key": "…" }     press a key with that element focused, inside a webview
//   { "webviewRead": "css", "as": "name" }    innerText of every match inside the webview, one per line
//   { "webviewValue": "css", "as": "name" }   the value of an input/textarea inside the webview
//   { "webviewPost": "css", "messages": […] }  from the webview showing css, post each message to the extension
//                                          through VS Code's own webview channel — what any script in the webview
//                                          could send (the hostile-input tests use it to fuzz the host's handler)
//   { "screenshot": "name", "clip"?: "window"|"sidebar"|"panel"|"editor" }  a PNG <screenshotDir>/<name>.png;
//                                          only when the runner passes screenshotDir (scripts/screenshots.js)
// Every step has a time limit (default 10 s); a failed step answers ok:false with its message, never hangs.
'use strict';
const fs = require('fs');
const path = require('path');

const UI_MARKER = '[udp-lab:ui] ';
const STEP_TIMEOUT_MS = 10_000;

/**
 * Call from the workbench's log hook with every line. Returns true when the line was a UI request.
 * @param {() => import('playwright-core').Page | undefined} getPage
 * @param {string} replyDir
 * @param {string} message
 */
function handleUiLine(getPage, replyDir, message, options = {}) {
  const at = message.indexOf(UI_MARKER);
  if (at < 0) return false;
  let request;
  try {
    request = JSON.parse(message.slice(at + UI_MARKER.length));
  } catch {
    return true; // a torn line: the test times out and says so
  }
  if (!request || typeof request.id !== 'string' || !/^[\w-]{1,64}$/.test(request.id) || !Array.isArray(request.steps)) return true;
  void run(getPage(), request.steps, options).then((reply) => {
    const file = path.join(replyDir, `${request.id}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(reply));
    fs.renameSync(`${file}.tmp`, file); // atomic: the test never reads half a reply
  });
  return true;
}

async function run(page, steps, options) {
  if (!page) return { ok: false, error: 'the workbench page is not open' };
  const reads = {};
  for (const [i, step] of steps.entries()) {
    try {
      await runStep(page, step, reads, options);
    } catch (e) {
      return { ok: false, error: `step ${i + 1} ${JSON.stringify(step)} failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`, reads };
    }
  }
  return { ok: true, reads };
}

async function runStep(page, step, reads, options) {
  const timeout = typeof step.timeoutMs === 'number' ? step.timeoutMs : STEP_TIMEOUT_MS;
  if (typeof step.press === 'string') return page.keyboard.press(step.press);
  if (typeof step.type === 'string') return page.keyboard.type(step.type, { delay: 5 });
  if (typeof step.click === 'string') {
    const loc = page.locator(step.click, typeof step.text === 'string' ? { hasText: step.text } : {});
    return loc.first().click({ timeout, ...(step.button === 'right' ? { button: 'right' } : {}) });
  }
  if (typeof step.waitFor === 'string') {
    const loc = page.locator(step.waitFor, typeof step.text === 'string' ? { hasText: step.text } : {});
    return loc.first().waitFor({ state: 'visible', timeout });
  }
  if (typeof step.waitForText === 'string' && typeof step.text === 'string') {
    const loc = page.locator(step.waitForText).filter({ hasText: step.text }).first();
    await loc.waitFor({ state: 'visible', timeout });
    if (typeof step.as === 'string') reads[step.as] = await loc.innerText();
    return;
  }
  if (typeof step.waitForValue === 'string' && typeof step.value === 'string') {
    // An input's current value (what was typed), which innerText and attribute selectors do not see;
    // with "not": true, until it is anything but that value.
    const loc = page.locator(step.waitForValue).first();
    await loc.waitFor({ state: 'visible', timeout });
    const deadline = Date.now() + timeout;
    while (((await loc.inputValue({ timeout })) === step.value) === (step.not === true)) {
      if (Date.now() > deadline) throw new Error(`${step.waitForValue} never held ${step.not ? 'anything but ' : ''}${JSON.stringify(step.value)}`);
      await page.waitForTimeout(50);
    }
    return;
  }
  if (typeof step.read === 'string' && typeof step.as === 'string') {
    const loc = page.locator(`${step.read}:visible`).first();
    reads[step.as] = (await loc.count()) > 0 ? await loc.innerText({ timeout }) : '';
    return;
  }
  if (typeof step.waitForWebview === 'string') return waitForWebview(page, step.waitForWebview, step.text, timeout);
  // Inside a webview (the Messages panel): click, fill a field, press a key on an element, read text.
  if (typeof step.webviewClick === 'string') return (await waitForWebview(page, step.webviewClick, step.text, timeout)).locator.click({ timeout });
  if (typeof step.webviewFill === 'string' && typeof step.value === 'string') {
    return (await waitForWebview(page, step.webviewFill, undefined, timeout)).locator.fill(step.value, { timeout });
  }
  if (typeof step.webviewPress === 'string' && typeof step.key === 'string') {
    return (await waitForWebview(page, step.webviewPress, undefined, timeout)).locator.press(step.key, { timeout });
  }
  if (typeof step.webviewValue === 'string' && typeof step.as === 'string') {
    reads[step.as] = await (await waitForWebview(page, step.webviewValue, undefined, timeout)).locator.inputValue({ timeout });
    return;
  }
  if (typeof step.webviewPost === 'string' && Array.isArray(step.messages)) {
    const { frame } = await waitForWebview(page, step.webviewPost, undefined, timeout);
    // acquireVsCodeApi().postMessage(m) in the webview calls its host frame's __vscode_post_message__('onmessage',
    // { message: m }) (VS Code's pre/index.html); the page already holds the one API object, so the step calls that
    // channel in the host frame directly. (globalThis, not window: this file is linted as Node code.)
    const host = frame.parentFrame();
    if (!host) throw new Error('the webview has no host frame');
    const posted = await host.evaluate((messages) => {
      const post = globalThis.__vscode_post_message__;
      if (typeof post !== 'function') throw new Error('no VS Code webview channel in the host frame');
      for (const message of messages) post('onmessage', { message });
      return messages.length;
    }, step.messages);
    reads.posted = String(posted);
    return;
  }
  if (typeof step.webviewRead === 'string' && typeof step.as === 'string') {
    // Every match's text, one per line (rows of a list), once the first is visible.
    const { frame } = await waitForWebview(page, step.webviewRead, step.text, timeout);
    reads[step.as] = (await frame.locator(step.webviewRead).allInnerTexts()).join('\n');
    return;
  }
  if (typeof step.screenshot === 'string') {
    if (!options.screenshotDir) throw new Error('this runner takes no screenshots (npm run screenshots does)');
    if (!/^[\w-]{1,64}$/.test(step.screenshot)) throw new Error('a screenshot name is 1-64 letters, digits, - or _');
    return screenshot(page, path.join(options.screenshotDir, `${step.screenshot}.png`), step.clip);
  }
  throw new Error('unknown step');
}

/**
 * Webviews live in nested iframes (…/webview/…/fake.html?id=…) that page.locator does not enter. Resolves with
 * the first visible match and the frame it is in.
 */
async function waitForWebview(page, css, text, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames()) {
      if (!frame.url().includes('/webview/')) continue;
      const loc = frame.locator(css, typeof text === 'string' ? { hasText: text } : {}).first();
      if (await loc.isVisible().catch(() => false)) return { frame, locator: loc };
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${css}${text ? ` with "${text}"` : ''}`);
    await page.waitForTimeout(100); // frames appear and load on their own schedule; poll them briefly
  }
}

const PARTS = { sidebar: '.part.sidebar', panel: '.part.panel', editor: '.part.editor' };

async function screenshot(page, file, clip = 'window') {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Two animation frames: whatever the last step changed has been painted.
  // (A string, evaluated in the page: this file is linted as Node code, which has no requestAnimationFrame.)
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  if (clip === 'window') return page.screenshot({ path: file });
  if (!PARTS[clip]) throw new Error(`unknown clip "${clip}" (window, sidebar, panel or editor)`);
  return page.locator(PARTS[clip]).first().screenshot({ path: file });
}

module.exports = { handleUiLine, UI_MARKER };
