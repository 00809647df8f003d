// Wraps a command handler so that nothing a user (or a caller) does can escape into VS Code as an exception:
// every failure becomes one notification with the sentence, plus actions chosen for that failure.

import { type CommandHandler, type CommandResults, type Commands, registerCommand } from './commandIds';
import type { ErrorAction, ErrorReporter } from './errorReporter';
import type * as vscode from 'vscode';

export type ActionsFor = (error: unknown, arg: unknown) => readonly ErrorAction[];

export function registerGuarded<K extends Commands>(
  errors: ErrorReporter,
  id: K,
  handler: (arg: unknown, more: unknown) => Promise<CommandResults[K]>,
  actionsFor?: ActionsFor,
): vscode.Disposable {
  const guarded: CommandHandler<K> = async (arg, more) => {
    try {
      return await handler(arg, more);
    } catch (error) {
      let actions: readonly ErrorAction[] = [];
      try {
        actions = actionsFor?.(error, arg) ?? [];
      } catch {
        // choosing actions must never hide the sentence itself
      }
      errors.show(error, actions);
      return undefined as CommandResults[K];
    }
  };
  return registerCommand(id, guarded);
}

/** The error code of a thrown value (UdpLabError.code, Node's err.code), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
