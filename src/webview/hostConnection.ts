// The webview's side of the protocol: typed posting, request/response by id, and the saved state that VS Code
// keeps for the panel across reloads (getState/setState; the serializer hands it back after a restart).

import type { HostToWebview, RequestMap, RequestType, WebviewToHost } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class RequestError extends Error {}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

export class HostConnection {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private listener: ((message: HostToWebview) => void) | undefined;

  constructor() {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') return;
      const typed = message as HostToWebview;
      if (typed.type === 'response') {
        const p = this.pending.get(typed.id);
        if (!p) return;
        this.pending.delete(typed.id);
        if (typed.ok) p.resolve(typed.result);
        else p.reject(new RequestError(typed.error));
        return;
      }
      this.listener?.(typed);
    });
  }

  onMessage(listener: (message: HostToWebview) => void): void {
    this.listener = listener;
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  /** Sends a request and resolves with its typed result (rejects with the host's sentence). */
  request<K extends RequestType>(type: K, params: RequestMap[K]['params']): { id: number; result: Promise<RequestMap[K]['result']> } {
    const id = this.nextId++;
    const result = new Promise<RequestMap[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
    });
    this.api.postMessage({ type, id, ...params });
    return { id, result };
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }
}
