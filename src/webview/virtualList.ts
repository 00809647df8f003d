// The datagram list: a grid whose DOM holds only the rows in view (a fixed pool of row elements re-used as
// the list scrolls), over however many rows the store keeps. Text reaches the DOM through textContent only,
// and payload previews are decoded only for the rows on screen.

import { decodeText } from '../shared/payload';
import { formatPeer } from '../shared/protocol';
import { el, setAttr, setText } from './dom';
import { formatClock, formatDateTime } from './format';
import type { ListView } from './listView';
import type { RowStore } from './rowStore';
import type { SocketDirectory } from './socketDirectory';

export const ROW_HEIGHT = 22;
/** Browsers cap element heights (~33 M px in Chromium); past this the scroll position is scaled. */
const MAX_SCROLL_PX = 8_000_000;
const PREVIEW_BYTES = 160;
const PREVIEW_CHARS = 200;
const OVERSCAN = 2;

export interface ListCallbacks {
  /** The selection moved (by mouse or keys) to the row with this seq. */
  select(seq: number | undefined): void;
  /** Enter or double-click on a row. */
  open(seq: number): void;
  /** The user scrolled: `atEnd` tells whether the newest row is in view (follow mode turns on/off with it). */
  userScrolled(atEnd: boolean): void;
  /** The list's size changed: render again. */
  resized(): void;
}

interface PooledRow {
  element: HTMLDivElement;
  cells: {
    time: HTMLSpanElement;
    dirIcon: HTMLSpanElement;
    dirText: HTMLSpanElement;
    socket: HTMLSpanElement;
    peer: HTMLSpanElement;
    family: HTMLSpanElement;
    size: HTMLSpanElement;
    preview: HTMLSpanElement;
  };
  /** What it shows: absolute row index, or -1. */
  r: number;
  /** Its view index and position (so unchanged ones are not written again). */
  v: number;
  top: number;
  /** SocketDirectory.version it was drawn with. */
  version: number;
}

export class VirtualList {
  readonly element: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: PooledRow[] = [];
  private selectedSeq: number | undefined;
  /** Where we last scrolled to ourselves, so that scroll event is not taken for the user's. */
  private expectedScrollTop: number | undefined;
  private viewportHeight = ROW_HEIGHT * 12;
  private headerHeight = ROW_HEIGHT;
  private spacerPx = -1;
  private rowCount = -1;
  private lastScrollTop = -1;
  private readonly header: HTMLElement;
  private renderedFirst = 0;
  /** Column offsets and widths last given to the rows (placeColumns). */
  private readonly columns: Array<{ x: string; w: string }> = [];

  constructor(
    private readonly store: RowStore,
    private view: ListView,
    private readonly sockets: SocketDirectory,
    private readonly callbacks: ListCallbacks,
  ) {
    const header = el(
      'div',
      { class: 'dg-header', role: 'row', 'aria-rowindex': 1 },
      el('span', { role: 'columnheader', class: 'c-time' }, 'Time'),
      el('span', { role: 'columnheader', class: 'c-dir' }, 'Dir'),
      el('span', { role: 'columnheader', class: 'c-socket' }, 'Local socket'),
      el('span', { role: 'columnheader', class: 'c-peer' }, 'Peer'),
      el('span', { role: 'columnheader', class: 'c-family' }, 'Family'),
      el('span', { role: 'columnheader', class: 'c-size' }, 'Size'),
      el('span', { role: 'columnheader', class: 'c-preview' }, 'Payload'),
    );
    this.spacer = el('div', { class: 'dg-spacer', role: 'rowgroup' });
    // The scrolling element is the grid itself: it takes focus, and aria-activedescendant on it names the
    // selected row. The header row sits inside it with position: sticky, so columns line up exactly.
    this.viewport = el(
      'div',
      {
        class: 'dg-viewport',
        id: 'datagram-list',
        role: 'grid',
        tabindex: 0,
        'aria-label': 'Datagrams. Arrow keys move the selection, Enter opens the detail.',
        'aria-readonly': 'true',
        'aria-colcount': 7,
      },
      el('div', { role: 'rowgroup', class: 'dg-header-group' }, header),
      this.spacer,
    );
    this.header = header;
    this.element = el('div', { class: 'dg-grid' }, this.viewport);

    this.viewport.addEventListener('scroll', () => {
      const expected = this.expectedScrollTop;
      this.expectedScrollTop = undefined;
      if (expected === undefined || Math.abs(this.viewport.scrollTop - expected) >= 1) {
        this.callbacks.userScrolled(this.isAtEnd());
        this.render();
      }
    });
    this.viewport.addEventListener('click', (e) => {
      const seq = this.seqFromEvent(e);
      if (seq === undefined) return;
      this.select(seq, true);
      // Looking at an older row stops following the newest (as moving there with the keys does).
      const r = this.store.findSeq(seq);
      if (r !== -1 && this.view.indexOf(r) < this.view.length - 1) this.callbacks.userScrolled(false);
    });
    this.viewport.addEventListener('dblclick', (e) => {
      const seq = this.seqFromEvent(e);
      if (seq !== undefined) this.callbacks.open(seq);
    });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    // Sizes are read here, after layout, so render() never has to force one. The header is watched too: a
    // scrollbar coming or going changes its width, not the viewport's.
    const resized = new ResizeObserver(() => {
      this.viewportHeight = this.viewport.clientHeight;
      this.headerHeight = this.header.offsetHeight;
      this.placeColumns();
      this.lastScrollTop = -1;
      this.callbacks.resized();
    });
    resized.observe(this.viewport);
    resized.observe(this.header);
  }

  /**
   * Row cells are placed where the header's cells are (media/messages.css): the header is the one grid that
   * sizes the columns, and each row cell gets its column's offset and width as --cN-x/--cN-w, set on the rows'
   * container only when they change (a resize), so filling a row never runs grid sizing.
   */
  private placeColumns(): void {
    const origin = this.header.getBoundingClientRect().left;
    const cells = this.header.children;
    for (let i = 0; i < cells.length; i++) {
      const box = cells[i]!.getBoundingClientRect();
      const x = `${box.left - origin}px`;
      const w = `${box.width}px`;
      if (this.columns[i]?.x === x && this.columns[i]?.w === w) continue;
      this.columns[i] = { x, w };
      this.spacer.style.setProperty(`--c${i}-x`, x);
      this.spacer.style.setProperty(`--c${i}-w`, w);
    }
  }

  /** The element that takes keyboard focus. */
  get focusTarget(): HTMLElement {
    return this.viewport;
  }

  get selection(): number | undefined {
    return this.selectedSeq;
  }

  setView(view: ListView): void {
    this.view = view;
  }

  /** Selects the row with this seq (undefined clears), scrolling it into view when asked. */
  select(seq: number | undefined, notify = false, reveal = true): void {
    this.selectedSeq = seq;
    if (seq !== undefined && reveal) {
      const r = this.store.findSeq(seq);
      const v = r === -1 ? -1 : this.view.indexOf(r);
      if (v !== -1) this.ensureVisible(v);
    }
    this.render(true);
    if (notify) this.callbacks.select(seq);
  }

  isAtEnd(): boolean {
    return this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_HEIGHT / 2;
  }

  focus(): void {
    this.viewport.focus();
  }

  /** Number of row elements in the DOM (tests assert that it stays bounded). */
  get domRowCount(): number {
    return this.spacer.childElementCount;
  }

  /**
   * Redraws the rows in view. `force` redraws rows whose content did not change (selection, names); `follow`
   * keeps the newest row in view. Layout is never read here while following (sizes come from a
   * ResizeObserver), and every write happens before the one scroll write, so a frame costs one layout.
   */
  render(force = false, follow = false): void {
    const n = this.view.length;
    const rowsHeight = this.rowsHeight();
    const totalPx = n * ROW_HEIGHT;
    const spacerPx = Math.min(totalPx, MAX_SCROLL_PX);
    const maxScroll = Math.max(0, spacerPx - rowsHeight);
    // Following: where the end is, computed rather than read. Otherwise: where the user left it.
    const scrollTop = follow ? maxScroll : Math.min(this.viewport.scrollTop, maxScroll);
    let firstFloat: number;
    if (totalPx <= MAX_SCROLL_PX) {
      firstFloat = scrollTop / ROW_HEIGHT;
    } else {
      firstFloat = (scrollTop / Math.max(1, maxScroll)) * Math.max(0, n - rowsHeight / ROW_HEIGHT);
    }
    const visible = Math.ceil(rowsHeight / ROW_HEIGHT) + 1;
    const first = Math.max(0, Math.floor(firstFloat) - OVERSCAN);
    const count = Math.max(0, Math.min(n - first, visible + OVERSCAN * 2));
    this.renderedFirst = first;
    while (this.pool.length < count) this.pool.push(this.createRow());

    const version = this.sockets.version;
    for (let j = 0; j < this.pool.length; j++) {
      const row = this.pool[j]!;
      if (j >= count) {
        if (row.element.isConnected) row.element.remove();
        row.r = -1;
        continue;
      }
      const v = first + j;
      const r = this.view.rowAt(v);
      const top = Math.round(scrollTop + (v - firstFloat) * ROW_HEIGHT);
      if (row.top !== top) {
        row.element.style.transform = `translateY(${top}px)`;
        row.top = top;
      }
      if (!row.element.isConnected) this.spacer.append(row.element);
      if (row.v !== v) {
        row.element.setAttribute('aria-rowindex', String(v + 2));
        row.v = v;
      }
      if (force || row.r !== r || row.version !== version) this.fill(row, r, version);
    }
    if (this.spacerPx !== spacerPx) {
      this.spacer.style.height = `${spacerPx}px`;
      this.spacerPx = spacerPx;
    }
    if (this.rowCount !== n) {
      this.viewport.setAttribute('aria-rowcount', String(n + 1));
      this.rowCount = n;
    }
    if (follow && Math.abs(this.lastScrollTop - scrollTop) >= 1) this.scrollTo(scrollTop);
    this.lastScrollTop = scrollTop;
  }

  private createRow(): PooledRow {
    const cell = (cls: string): HTMLSpanElement => el('span', { role: 'gridcell', class: cls });
    const time = cell('c-time');
    const dirIcon = el('span', { class: 'codicon', 'aria-hidden': 'true' });
    const dirText = el('span');
    const dir = cell('c-dir');
    dir.append(dirIcon, dirText);
    const socket = cell('c-socket');
    const peer = cell('c-peer');
    const family = cell('c-family');
    const size = cell('c-size');
    const preview = cell('c-preview');
    const element = el('div', { class: 'dg-row', role: 'row' });
    element.append(time, dir, socket, peer, family, size, preview);
    return { element, cells: { time, dirIcon, dirText, socket, peer, family, size, preview }, r: -1, v: -1, top: Number.NaN, version: -1 };
  }

  private fill(row: PooledRow, r: number, version: number): void {
    const s = this.store;
    const seq = s.seq(r);
    const dir = s.direction(r);
    const size = s.sizeOf(r);
    const bytes = s.bytesOf(r);
    const e = row.element;
    row.r = r;
    row.version = version;
    e.id = `dg-${seq}`;
    e.dataset.seq = String(seq);
    const selected = seq === this.selectedSeq;
    setAttr(e, 'aria-selected', selected ? 'true' : 'false');
    e.classList.toggle('selected', selected);
    e.classList.toggle('out', dir === 'out');
    const c = row.cells;
    const time = s.time(r);
    setText(c.time, formatClock(time));
    setAttr(c.time, 'title', formatDateTime(time));
    const dirIcon = `codicon ${dir === 'in' ? 'codicon-arrow-down' : 'codicon-arrow-up'}`;
    if (c.dirIcon.className !== dirIcon) c.dirIcon.className = dirIcon;
    setText(c.dirText, dir);
    const socketTitle = this.sockets.title(s.socketId(r));
    setText(c.socket, socketTitle);
    setAttr(c.socket, 'title', socketTitle);
    setText(c.peer, formatPeer(s.peerAddress(r), s.peerPort(r)));
    setText(c.family, s.family(r));
    setText(c.size, String(size));
    let preview = decodeText(bytes.length > PREVIEW_BYTES ? bytes.subarray(0, PREVIEW_BYTES) : bytes);
    if (preview.length > PREVIEW_CHARS) preview = preview.slice(0, PREVIEW_CHARS);
    if (size > Math.min(bytes.length, PREVIEW_BYTES) || preview.length === PREVIEW_CHARS) preview += '…';
    setText(c.preview, preview);
    if (selected) this.viewport.setAttribute('aria-activedescendant', e.id);
    else if (this.viewport.getAttribute('aria-activedescendant') === e.id) this.viewport.removeAttribute('aria-activedescendant');
  }

  private seqFromEvent(e: Event): number | undefined {
    const target = e.target instanceof Element ? e.target.closest<HTMLElement>('.dg-row') : null;
    const seq = target?.dataset.seq;
    return seq === undefined ? undefined : Number(seq);
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.view.length;
    if (n === 0) return;
    const page = Math.max(1, Math.floor(this.rowsHeight() / ROW_HEIGHT) - 1);
    const current = this.currentIndex();
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = current === -1 ? this.renderedFirst + OVERSCAN : current + 1;
        break;
      case 'ArrowUp':
        next = current === -1 ? this.renderedFirst + OVERSCAN : current - 1;
        break;
      case 'PageDown':
        next = (current === -1 ? this.renderedFirst : current) + page;
        break;
      case 'PageUp':
        next = (current === -1 ? this.renderedFirst : current) - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = n - 1;
        break;
      case 'Enter':
        if (this.selectedSeq !== undefined) {
          e.preventDefault();
          this.callbacks.open(this.selectedSeq);
        }
        return;
      case 'Escape':
        if (this.selectedSeq !== undefined) {
          e.preventDefault();
          this.select(undefined, true, false);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(n - 1, next));
    this.select(this.store.seq(this.view.rowAt(next)), true);
    if (e.key === 'End') this.callbacks.userScrolled(true);
    else if (next < n - 1) this.callbacks.userScrolled(false);
  }

  /** View index of the selected row, or -1. */
  private currentIndex(): number {
    if (this.selectedSeq === undefined) return -1;
    const r = this.store.findSeq(this.selectedSeq);
    return r === -1 ? -1 : this.view.indexOf(r);
  }

  /** Scrolls so that view row v is fully visible. */
  private ensureVisible(v: number): void {
    const n = this.view.length;
    const clientHeight = this.rowsHeight();
    const totalPx = n * ROW_HEIGHT;
    let target: number;
    if (totalPx <= MAX_SCROLL_PX) {
      const top = v * ROW_HEIGHT;
      const bottom = top + ROW_HEIGHT;
      const st = this.viewport.scrollTop;
      if (top < st) target = top;
      else if (bottom > st + clientHeight) target = bottom - clientHeight;
      else return;
    } else {
      const maxScroll = Math.max(1, MAX_SCROLL_PX - clientHeight);
      const rowsInView = clientHeight / ROW_HEIGHT;
      const firstFloat = (this.viewport.scrollTop / maxScroll) * Math.max(0, n - rowsInView);
      if (v >= firstFloat && v + 1 <= firstFloat + rowsInView) return;
      const wantFirst = v < firstFloat ? v : v + 1 - rowsInView;
      target = (wantFirst / Math.max(1, n - rowsInView)) * maxScroll;
    }
    this.scrollTo(Math.max(0, target));
  }

  private scrollTo(top: number): void {
    this.viewport.scrollTop = top;
    // Not read back (that would force a second layout): the browser rounds, the scroll handler allows for it.
    this.expectedScrollTop = top;
  }

  /** Height available to rows: the viewport minus the sticky header. */
  private rowsHeight(): number {
    return Math.max(ROW_HEIGHT, this.viewportHeight - this.headerHeight);
  }
}
