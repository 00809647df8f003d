// The Messages panel's regex filter runs in a Web Worker when the pattern can backtrack (src/shared/regexRisk.ts).
// A peer's payload can make such a pattern run for seconds; on the page's own thread that would freeze the panel
// (and in a browser workbench, whatever shares its renderer). A worker can be stopped at any moment: when a batch
// of rows takes longer than its limit, the worker is terminated and the filter is turned off with a sentence.
//
// The worker is made from a Blob of the source below (the CSP allows `worker-src blob:` for exactly this), so it
// needs no file of its own and no second bundle; it only ever runs RegExp#test over the texts it is sent.

const WORKER_SOURCE = `"use strict";
let key = "";
let re = null;
onmessage = (event) => {
  const m = event.data;
  const k = m.flags + "/" + m.source;
  if (k !== key) { re = new RegExp(m.source, m.flags); key = k; }
  const out = new Uint8Array(m.texts.length);
  for (let i = 0; i < m.texts.length; i++) out[i] = re.test(m.texts[i]) ? 1 : 0;
  postMessage({ id: m.id, out: out }, [out.buffer]);
};`;

export type RegexBatchResult = { kind: 'done'; matches: Uint8Array } | { kind: 'timeout' } | { kind: 'unavailable'; reason: string };

/**
 * Lives as long as the page: VS Code destroys a hidden panel's webview (contexts are not retained), and the
 * worker and its blob URL with it, so there is nothing to dispose of by hand.
 */
export class RegexWorker {
  private worker: Worker | undefined;
  private url: string | undefined;
  private nextId = 1;
  private inFlight: { id: number; finish: (r: RegexBatchResult) => void; timer: ReturnType<typeof setTimeout> } | undefined;

  /** Tests `texts` against the pattern; resolves with one 0/1 per text, or `timeout` when `limitMs` passed first. */
  test(source: string, flags: string, texts: string[], limitMs: number): Promise<RegexBatchResult> {
    this.abandon();
    let worker: Worker;
    try {
      worker = this.ensure();
    } catch (error) {
      return Promise.resolve({ kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const finish = (r: RegexBatchResult) => {
        if (this.inFlight?.id !== id) return;
        clearTimeout(this.inFlight.timer);
        this.inFlight = undefined;
        resolve(r);
      };
      const timer = setTimeout(() => {
        // The worker is stuck in the pattern: only terminating it stops the backtracking.
        this.stop();
        finish({ kind: 'timeout' });
      }, limitMs);
      this.inFlight = { id, finish, timer };
      worker.postMessage({ id, source, flags, texts });
    });
  }

  /** Forgets the batch in flight (a new filter replaced it); a worker still busy with it is stopped. */
  abandon(): void {
    const pending = this.inFlight;
    if (!pending) return;
    this.inFlight = undefined;
    clearTimeout(pending.timer);
    this.stop();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    this.url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(this.url, { name: 'udp-lab regex filter' });
    worker.onmessage = (event: MessageEvent<{ id: number; out: Uint8Array }>) => {
      if (this.inFlight?.id === event.data.id) this.inFlight.finish({ kind: 'done', matches: event.data.out });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.stop();
      this.inFlight?.finish({ kind: 'unavailable', reason: event.message || 'the filter worker failed' });
    };
    this.worker = worker;
    return worker;
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}
