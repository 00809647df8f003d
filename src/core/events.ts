// A tiny typed event emitter and Disposable, so the core never depends on `vscode.EventEmitter`
// (the same shape as VS Code's, in the spirit of vscode-js-debug's src/common/events.ts).

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (event: T) => void;

/** Subscribe to an event; dispose of the result to unsubscribe. */
export type Event<T> = (listener: Listener<T>) => Disposable;

/** Reports a listener's exception without letting it escape into the code that fired the event. */
export type ListenerErrorHandler = (error: unknown) => void;

let listenerErrorHandler: ListenerErrorHandler = (error) => {
  // A listener's bug must not break the socket that fired the event; report it where it can be seen.
  console.error('[udp-lab] event listener threw:', error);
};

export function setListenerErrorHandler(handler: ListenerErrorHandler): void {
  listenerErrorHandler = handler;
}

/** Reports a callback's exception the way a listener's is reported (for callbacks that are not Emitter listeners). */
export function reportListenerError(error: unknown): void {
  listenerErrorHandler(error);
}

export class Emitter<T> implements Disposable {
  // An array, not a Set: firing is the hot path (once per datagram), and most emitters have 0–2 listeners.
  private listeners: Array<Listener<T>> = [];
  private disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this.disposed) return { dispose: () => undefined };
    this.listeners = [...this.listeners, listener];
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(event: T): void {
    // Copy-on-write above means a listener that unsubscribes while we iterate cannot skip another.
    const current = this.listeners;
    for (let i = 0; i < current.length; i++) {
      try {
        current[i]!(event);
      } catch (error) {
        listenerErrorHandler(error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

/** Collects disposables and disposes of them together, in reverse order of addition. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch (error) {
        listenerErrorHandler(error);
      }
    }
  }
}

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      fn();
    },
  };
}
