// Small wrappers over createInputBox / createQuickPick for the multi-step flows (Listen, Send, Join…):
// validation as you type (errors block Enter, warnings don't), a Back button, extra title-bar buttons, and
// a quick pick that also accepts a typed value (a new target or address) validated the same way.

import * as vscode from 'vscode';

/** The user pressed the Back button. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

export interface Check {
  error?: string;
  warning?: string;
}

export interface InputOptions {
  title: string;
  step?: number;
  totalSteps?: number;
  prompt?: string;
  placeholder?: string;
  value?: string;
  /** Validate as the user types; an error blocks Enter, a warning is only shown. */
  validate?: (value: string) => Check;
  buttons?: readonly vscode.QuickInputButton[];
  /** Show the Back button (steps after the first). */
  back?: boolean;
}

export type InputResult = { kind: 'value'; value: string } | { kind: 'button'; button: vscode.QuickInputButton; value: string };

/** Resolves with the accepted value, the pressed button, BACK, or undefined when the user dismissed it. */
export function askInput(options: InputOptions): Promise<InputResult | Back | undefined> {
  const input = vscode.window.createInputBox();
  input.title = options.title;
  input.step = options.step;
  input.totalSteps = options.totalSteps;
  input.prompt = options.prompt;
  input.placeholder = options.placeholder;
  input.value = options.value ?? '';
  input.ignoreFocusOut = false;
  input.buttons = [...(options.back ? [vscode.QuickInputButtons.Back] : []), ...(options.buttons ?? [])];
  const check = (value: string): Check => {
    try {
      return options.validate?.(value) ?? {};
    } catch (error) {
      // A validator bug must not leave the user stuck in a box that never accepts: show it, allow nothing.
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const showCheck = (value: string): Check => {
    const c = check(value);
    input.validationMessage = c.error
      ? { message: c.error, severity: vscode.InputBoxValidationSeverity.Error }
      : c.warning
        ? { message: c.warning, severity: vscode.InputBoxValidationSeverity.Warning }
        : undefined;
    return c;
  };
  if (input.value !== '') showCheck(input.value);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: InputResult | Back | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      input.hide();
    };
    const subscriptions = [
      input.onDidChangeValue((value) => showCheck(value)),
      input.onDidAccept(() => {
        const value = input.value;
        if (showCheck(value).error) return;
        finish({ kind: 'value', value });
      }),
      input.onDidTriggerButton((button) => {
        finish(button === vscode.QuickInputButtons.Back ? BACK : { kind: 'button', button, value: input.value });
      }),
      input.onDidHide(() => {
        finish(undefined);
        for (const s of subscriptions) s.dispose();
        input.dispose();
      }),
    ];
    input.show();
  });
}

export interface PickOptions<T extends vscode.QuickPickItem> {
  title: string;
  step?: number;
  totalSteps?: number;
  placeholder?: string;
  items: readonly T[];
  /** Pre-selected (active) item. */
  active?: T;
  /**
   * Turns typed text into an item of its own (shown first), or explains why it cannot be one. Lets a pick list
   * of recent targets also take a new `host:port`.
   */
  custom?: (value: string) => { item: T } | { error: string } | undefined;
  buttons?: readonly vscode.QuickInputButton[];
  back?: boolean;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
}

export type PickResult<T> = { kind: 'item'; item: T } | { kind: 'button'; button: vscode.QuickInputButton };

/** An item that only carries a validation message; accepting it does nothing. */
interface ProblemItem extends vscode.QuickPickItem {
  problem: true;
}

export function askPick<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<PickResult<T> | Back | undefined> {
  const pick = vscode.window.createQuickPick<T | ProblemItem>();
  pick.title = options.title;
  pick.step = options.step;
  pick.totalSteps = options.totalSteps;
  pick.placeholder = options.placeholder;
  pick.matchOnDescription = options.matchOnDescription ?? true;
  pick.matchOnDetail = options.matchOnDetail ?? false;
  pick.buttons = [...(options.back ? [vscode.QuickInputButtons.Back] : []), ...(options.buttons ?? [])];
  const base = [...options.items];
  const refresh = (value: string): void => {
    const typed = value.trim() === '' || !options.custom ? undefined : options.custom(value);
    if (!typed) {
      pick.items = base;
      return;
    }
    if ('error' in typed) {
      const problem: ProblemItem = { label: `$(error) ${typed.error}`, alwaysShow: true, problem: true };
      pick.items = [problem, ...base];
      return;
    }
    // Typed text that equals an existing item's label selects that item instead of duplicating it.
    const existing = base.find((i) => i.label === typed.item.label);
    pick.items = existing ? base : [{ ...typed.item, alwaysShow: true }, ...base];
    if (!existing) pick.activeItems = [pick.items[0]!];
  };
  refresh('');
  if (options.active) pick.activeItems = [options.active];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PickResult<T> | Back | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      pick.hide();
    };
    const subscriptions = [
      pick.onDidChangeValue((value) => refresh(value)),
      pick.onDidAccept(() => {
        const item = pick.activeItems[0] ?? pick.selectedItems[0];
        if (!item || 'problem' in item) return;
        finish({ kind: 'item', item: item as T });
      }),
      pick.onDidTriggerButton((button) => finish(button === vscode.QuickInputButtons.Back ? BACK : { kind: 'button', button })),
      pick.onDidHide(() => {
        finish(undefined);
        for (const s of subscriptions) s.dispose();
        pick.dispose();
      }),
    ];
    pick.show();
  });
}

/** A tick-box list (canPickMany); resolves with the chosen items, BACK or undefined. */
export function askMany<T extends vscode.QuickPickItem>(options: {
  title: string;
  step?: number;
  totalSteps?: number;
  placeholder?: string;
  items: readonly T[];
  back?: boolean;
}): Promise<T[] | Back | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = options.title;
  pick.step = options.step;
  pick.totalSteps = options.totalSteps;
  pick.placeholder = options.placeholder;
  pick.canSelectMany = true;
  pick.items = options.items;
  pick.selectedItems = options.items.filter((i) => i.picked);
  pick.buttons = options.back ? [vscode.QuickInputButtons.Back] : [];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: T[] | Back | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(result);
      pick.hide();
    };
    const subscriptions = [
      pick.onDidAccept(() => finish([...pick.selectedItems])),
      pick.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) finish(BACK);
      }),
      pick.onDidHide(() => {
        finish(undefined);
        for (const s of subscriptions) s.dispose();
        pick.dispose();
      }),
    ];
    pick.show();
  });
}
