// Suggestions under the composer's target field: recent targets and the peers seen, filtered by what is typed.
// Down/Up move through them, Enter or a click picks one, Escape closes the list.

import type { TargetSuggestion } from '../shared/protocol';
import type { TextField } from './controls';
import { el, setText } from './dom';

const MAX_SHOWN = 12;

export class TargetSuggest {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private suggestions: TargetSuggestion[] = [];
  private shown: TargetSuggestion[] = [];
  private active = -1;
  private open = false;
  /** The input lives in the field's shadow root, so aria-activedescendant cannot reach the options: announce instead. */
  private readonly announcer: HTMLElement;

  constructor(
    private readonly field: TextField,
    private readonly pick: (s: TargetSuggestion) => void,
  ) {
    this.list = el('div', { class: 'suggest-list', id: 'composer-target-suggestions', role: 'listbox', 'aria-label': 'Recent targets and peers', hidden: true });
    this.announcer = el('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.element = el('div', { class: 'suggest' }, field, this.list, this.announcer);
    field.setAttribute('aria-controls', this.list.id);
    field.setAttribute('aria-expanded', 'false');
    field.setAttribute('aria-autocomplete', 'list');

    field.addEventListener('focus', () => this.refresh(true));
    field.addEventListener('input', () => this.refresh(true));
    field.addEventListener('blur', () => this.close());
    field.addEventListener('keydown', (e) => this.onKey(e));
    // mousedown, not click: the field's blur would close the list before a click lands.
    this.list.addEventListener('mousedown', (e) => {
      const option = e.target instanceof Element ? e.target.closest<HTMLElement>('[role=option]') : null;
      if (!option) return;
      e.preventDefault();
      const s = this.shown[Number(option.dataset.index)];
      if (s) this.choose(s);
    });
  }

  setSuggestions(suggestions: TargetSuggestion[]): void {
    this.suggestions = suggestions;
    if (this.open) this.refresh(false);
  }

  private refresh(openIt: boolean): void {
    const typed = this.field.value.trim().toLowerCase();
    const seen = new Set<string>();
    this.shown = this.suggestions
      .filter((s) => {
        if (seen.has(s.target)) return false;
        seen.add(s.target);
        return typed === '' || (s.target.toLowerCase().includes(typed) && s.target.toLowerCase() !== typed);
      })
      .slice(0, MAX_SHOWN);
    this.active = -1;
    this.list.replaceChildren(
      ...this.shown.map((s, i) =>
        el(
          'div',
          { role: 'option', id: `target-suggestion-${i}`, class: 'suggest-option', 'data-index': i, 'aria-selected': 'false' },
          el('span', { class: `codicon codicon-${s.kind === 'peer' ? 'radio-tower' : 'history'}`, 'aria-hidden': 'true' }),
          el('span', { class: 'suggest-target' }, s.target),
          s.detail ? el('span', { class: 'suggest-detail' }, s.detail) : undefined,
        ),
      ),
    );
    this.setOpen((openIt || this.open) && this.shown.length > 0);
  }

  private setOpen(open: boolean): void {
    this.open = open;
    this.list.hidden = !open;
    this.field.setAttribute('aria-expanded', String(open));
  }

  private close(): void {
    this.setOpen(false);
    this.active = -1;
  }

  private choose(s: TargetSuggestion): void {
    this.close();
    this.pick(s);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.open) {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!this.open) this.refresh(true);
      if (this.shown.length === 0) return;
      e.preventDefault();
      const n = this.shown.length;
      this.active = e.key === 'ArrowDown' ? (this.active + 1) % n : (this.active - 1 + n) % n;
      this.highlight();
      return;
    }
    if (e.key === 'Enter' && this.open && this.active >= 0 && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      const s = this.shown[this.active];
      if (s) this.choose(s);
    }
  }

  private highlight(): void {
    const options = this.list.children;
    for (let i = 0; i < options.length; i++) {
      const o = options[i] as HTMLElement;
      const on = i === this.active;
      o.setAttribute('aria-selected', String(on));
      o.classList.toggle('active', on);
      if (on) o.scrollIntoView({ block: 'nearest' });
    }
    const active = this.shown[this.active];
    if (active) setText(this.announcer, `${active.target}${active.detail ? `, ${active.detail}` : ''}`);
  }
}
