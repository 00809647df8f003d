// Shows what went wrong as ONE notification holding the core's sentence (cause, way out, code) and, where one
// helps, an action ("Choose Another Port"). Never a stack trace: the stack goes to the log channel only.
// Keeps the last sentences it showed so integration tests can assert on exactly what the user saw.

import * as vscode from 'vscode';
import { UdpLabError } from '../core/errors';
import { PayloadError } from '../shared/payload';

export interface ErrorAction {
  title: string;
  run: () => unknown;
}

export interface ShownMessage {
  severity: 'error' | 'warning';
  message: string;
  code?: string;
  time: number;
}

const KEEP = 100;

export class ErrorReporter implements vscode.Disposable {
  private readonly shown: ShownMessage[] = [];
  private readonly onDidShowEmitter = new vscode.EventEmitter<ShownMessage>();
  /** Fires for every notification this reporter shows (tests wait on it instead of sleeping). */
  readonly onDidShow = this.onDidShowEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The sentences shown so far, oldest first (at most the last 100). */
  get messages(): readonly ShownMessage[] {
    return this.shown;
  }

  /**
   * Shows `error` to the user and returns its sentence. Does not wait for the notification to be dismissed
   * (a command awaiting it would hang until the user clicks); the chosen action runs when it is clicked.
   */
  show(error: unknown, actions: readonly ErrorAction[] = []): string {
    const { message: raw, code } = describe(error);
    const message = inertLinks(raw);
    this.log.error(message);
    if (error instanceof Error && !isExpected(error) && error.stack) {
      this.log.debug(error.stack);
    }
    this.record({ severity: 'error', message, ...(code ? { code } : {}), time: Date.now() });
    void vscode.window.showErrorMessage(message, ...actions.map((a) => a.title)).then((choice) => runChoice(choice, actions, this.log));
    return message;
  }

  /** A warning the user should see once (e.g. "2 empty selections were not sent"). */
  warn(text: string, actions: readonly ErrorAction[] = []): void {
    const message = inertLinks(text);
    this.log.warn(message);
    this.record({ severity: 'warning', message, time: Date.now() });
    void vscode.window.showWarningMessage(message, ...actions.map((a) => a.title)).then((choice) => runChoice(choice, actions, this.log));
  }

  private record(entry: ShownMessage): void {
    this.shown.push(entry);
    if (this.shown.length > KEEP) this.shown.splice(0, this.shown.length - KEEP);
    this.onDidShowEmitter.fire(entry);
  }

  dispose(): void {
    this.onDidShowEmitter.dispose();
  }
}

/**
 * Notifications turn `[text](target)` into a clickable link — a command link, too. Sentences quote what the user
 * (or a .udp file from someone else's repository) typed, so the link syntax is broken with a zero-width space.
 */
export function inertLinks(message: string): string {
  return message.replace(/\]\(/g, ']\u200b(');
}

function runChoice(choice: string | undefined, actions: readonly ErrorAction[], log: vscode.LogOutputChannel): void {
  const action = actions.find((a) => a.title === choice);
  if (!action) return;
  Promise.resolve()
    .then(() => action.run())
    .catch((e: unknown) => log.error(`The action "${action.title}" failed: ${describe(e).message}`));
}

/** The user's sentence for any thrown value: the core's `userMessage`, a codec's message, or a last resort. */
export function describe(error: unknown): { message: string; code?: string } {
  if (error && typeof error === 'object') {
    const e = error as { userMessage?: unknown; code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (typeof e.userMessage === 'string' && e.userMessage !== '') return { message: e.userMessage, ...(code ? { code } : {}) };
    if (error instanceof PayloadError) return { message: error.message, code: 'VALIDATION' };
    if (typeof e.message === 'string' && e.message !== '') {
      // Not one of ours: keep Node's message (it names the code) but never the stack.
      return { message: ensureSentence(e.message), ...(code ? { code } : {}) };
    }
  }
  return { message: `Something went wrong: ${ensureSentence(String(error))}` };
}

/** Errors whose sentence says everything; anything else is a bug worth a stack in the log. */
function isExpected(error: Error): boolean {
  return error instanceof UdpLabError || error instanceof PayloadError;
}

function ensureSentence(text: string): string {
  const t = text.trim().split('\n')[0] ?? '';
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
