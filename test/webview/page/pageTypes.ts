// Minimal browser types for code that runs inside the test page (fakeHost.ts and page.evaluate callbacks):
// the Node tsconfig that checks the tests has no DOM lib, and must not get one (it would make `window` look
// valid in Node code). Callbacks use `globalThis as unknown as PageWindow`.

import type { TestApi } from './fakeHost';

export interface PageElement {
  readonly id: string;
  readonly tagName: string;
  readonly isConnected: boolean;
  readonly textContent: string | null;
  readonly childElementCount: number;
  readonly children: ArrayLike<PageElement>;
  readonly shadowRoot: PageElement | null;
  readonly parentElement: PageElement | null;
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { add(...c: string[]): void; contains(c: string): boolean };
  hidden: boolean;
  scrollTop: number;
  readonly clientHeight: number;
  readonly scrollHeight: number;
  value?: string;
  rel?: string;
  href?: string;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; height: number; width: number };
  append(...nodes: PageElement[]): void;
  focus(): void;
}

export interface PageDocument {
  readonly head: PageElement;
  readonly body: PageElement;
  readonly activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createElement(tag: string): PageElement;
  addEventListener(type: string, listener: (event: { violatedDirective?: string; blockedURI?: string }) => void): void;
}

export interface PageWindow {
  readonly document: PageDocument;
  readonly location: { readonly search: string };
  postMessage(message: unknown, targetOrigin: string): void;
  requestAnimationFrame(callback: (time: number) => void): number;
  addEventListener(type: string, listener: (event: { detail?: unknown }) => void): void;
  __udpLabTest: TestApi;
  __udpLabInitialState?: unknown;
  /** Set by a hostile payload if it ever ran as script. */
  __pwned?: unknown;
  acquireVsCodeApi?: () => unknown;
  __udpLabToNode?: (message: unknown) => void;
}
