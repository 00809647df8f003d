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
   * Turns typed text into an item of its own (listed after the caller's rows, and made the active row so Enter
   * takes it), or explains why it cannot be one. Lets a pick list of recent targets also take a new `host:port`.
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
  type Row = T | ProblemItem;
  const pick = vscode.window.createQuickPick<Row>();
  pick.title = options.title;
  pick.step = options.step;
  pick.totalSteps = options.totalSteps;
  pick.placeholder = options.placeholder;
  pick.matchOnDescription = options.matchOnDescription ?? true;
  pick.matchOnDetail = options.matchOnDetail ?? false;
  pick.buttons = [...(options.back ? [vscode.QuickInputButtons.Back] : []), ...(options.buttons ?? [])];
  // The workbench filters, moves the highlight and takes Enter on its own as keys arrive; the extension host
  // hears of it later, naming rows by their index in the `items` it sent last. Typing fast and pressing Enter
  // therefore reaches us with highlight reports that are older than the text, or that name rows of a list we
  // have since replaced ("::1" + Enter took the ":" problem row, or the row that had shifted into its index).
  // So: the caller's rows keep their indexes for the life of the pick (the typed row or the problem goes after
  // them, and `items` is re-sent only when that row changes); each text sets the row Enter should take — the
  // typed row, the listed row whose label is exactly the typed text, or the problem — active; and highlight
  // reports count only once the workbench has echoed that row back. Until then Enter takes the row the text names.
  const base = [...options.items];
  const firstRow = base.find((i) => i.kind !== vscode.QuickPickItemKind.Separator);
  let extra: Row | undefined; // the typed row or the problem, after the caller's rows
  let intended: Row | undefined = options.active;
  let confirmed = options.active === undefined;

  const rowFor = (value: string): Row | undefined => {
    const typed = value.trim() === '' || !options.custom ? undefined : options.custom(value);
    if (!typed) return undefined;
    if ('error' in typed) {
      const problem: ProblemItem = { label: `$(error) ${typed.error}`, alwaysShow: true, problem: true };
      return problem;
    }
    // Typed text that equals an existing item's label selects that item instead of duplicating it.
    return base.find((i) => i.label === typed.item.label) ?? { ...typed.item, alwaysShow: true };
  };
  const refresh = (value: string): void => {
    const row = rowFor(value);
    const isExtra = row !== undefined && !base.includes(row as T);
    const nextExtra = isExtra ? row : undefined;
    const same = nextExtra !== undefined && extra !== undefined && nextExtra.label === extra.label && ('problem' in nextExtra) === ('problem' in extra);
    if (!same && nextExtra !== extra) {
      extra = nextExtra;
      pick.items = extra ? [...base, extra] : base;
    }
    // Text cleared: back to the row the pick opened on (the caller's `active`, else the first row).
    const target = isExtra ? extra : (row ?? (value.trim() === '' ? (options.active ?? firstRow) : undefined));
    if (target === undefined) {
      // No row of ours to prefer (a custom that declined the text): the workbench's filter decides.
      intended = undefined;
      confirmed = true;
      return;
    }
    intended = target;
    confirmed = false;
    pick.activeItems = [target];
  };
  pick.items = base;
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
      pick.onDidChangeActive((rows) => {
        // Reports older than the text describe a highlight the user no longer sees; ours coming back ends them.
        if (!confirmed && rows[0] === intended) confirmed = true;
      }),
      pick.onDidAccept(() => {
        // Once confirmed, pick.activeItems follows the user's arrow keys and clicks again. The workbench can also
        // take Enter while its list has no highlight (it drops the highlight while it redraws the filtered rows):
        // then too the text decides.
        const item = (confirmed ? pick.activeItems[0] : intended) ?? intended ?? pick.selectedItems[0];
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
