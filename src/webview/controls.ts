// Thin typed access to the @vscode-elements components the panel uses (their classes are registered by
// elements.ts; here we only need their shapes), plus factories that set labels for screen readers.

import { el } from './dom';

export interface SelectOption {
  value: string;
  label: string;
  description?: string;
}

export interface SingleSelect extends HTMLElement {
  value: string;
  options: Array<{ label: string; value: string; description: string; selected: boolean; disabled: boolean }>;
  label: string;
  disabled: boolean;
}

export interface TextField extends HTMLElement {
  value: string;
  invalid: boolean;
  placeholder: string | undefined;
  label: string;
  disabled: boolean;
  readonly wrappedElement: HTMLInputElement;
}

export interface TextArea extends HTMLElement {
  value: string;
  invalid: boolean;
  label: string;
  readonly wrappedElement: HTMLTextAreaElement;
}

export interface Button extends HTMLElement {
  disabled: boolean;
  icon: string;
  secondary: boolean;
}

export interface ToolbarButton extends HTMLElement {
  checked: boolean;
  icon: string;
  label: string | undefined;
}

export function singleSelect(id: string, label: string, options: SelectOption[], value: string): SingleSelect {
  const select = el('vscode-single-select', { id, 'aria-label': label, label }) as SingleSelect;
  setSelectOptions(select, options, value);
  return select;
}

/** Replaces a select's options, keeping `value` selected (or the first option when it is not among them). */
export function setSelectOptions(select: SingleSelect, options: SelectOption[], value: string): void {
  const chosen = options.some((o) => o.value === value) ? value : (options[0]?.value ?? '');
  select.options = options.map((o) => ({ label: o.label, value: o.value, description: o.description ?? '', selected: o.value === chosen, disabled: false }));
  select.value = chosen;
}

export function textField(id: string, label: string, attrs: Record<string, string | number | boolean | undefined> = {}): TextField {
  return el('vscode-textfield', { id, 'aria-label': label, label, ...attrs }) as TextField;
}

export function button(id: string, text: string, attrs: Record<string, string | number | boolean | undefined> = {}): Button {
  return el('vscode-button', { id, ...attrs }, text) as Button;
}

/** An icon-only toolbar button; `label` is what screen readers (and the tooltip) say. */
export function toolbarButton(id: string, icon: string, label: string, toggleable = false): ToolbarButton {
  return el('vscode-toolbar-button', { id, icon, label, title: label, 'aria-label': label, toggleable }) as ToolbarButton;
}
