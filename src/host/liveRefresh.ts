// Turns the registry's change and log signals (which can fire 100 000 times a second) into at most one redraw
// per interval, and keeps redrawing once a second while any rate is non-zero, so "340/s" decays to nothing when
// the traffic stops instead of freezing at its last value.

import type * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';

export class LiveRefresh implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private lastRun = 0;
  private readonly subscriptions: Array<{ dispose(): void }>;
  private disposed = false;

  constructor(
    private readonly registry: SocketRegistry,
    private readonly intervalMs: number,
    private readonly redraw: () => void,
  ) {
    this.subscriptions = [registry.onDidChange(() => this.schedule()), registry.onDidLog(() => this.schedule())];
  }

  /** Redraw soon (never more often than the interval). */
  schedule(delay = 0): void {
    if (this.disposed || this.timer) return;
    const wait = Math.max(delay, this.lastRun + this.intervalMs - Date.now(), 0);
    this.timer = setTimeout(() => this.run(), wait);
  }

  /** Redraw now (tests, and views becoming visible). */
  run(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    this.lastRun = Date.now();
    try {
      this.redraw();
    } finally {
      // Rates are computed over the last seconds; keep ticking until they fall to zero.
      if (this.registry.views().some((v) => v.stats.rateIn > 0 || v.stats.rateOut > 0)) this.schedule(1000);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
