// The selected datagram in full: a summary line, then its bytes as a Wireshark-style hex dump, as text (escapes
// for control and invalid bytes, real line breaks kept) and as base64; "Copy as" in six forms; "Reply" fills
// the composer. All of it is text in <pre> elements, set through textContent.

import { decodeText, hexDump, toBase64 } from '../shared/payload';
import { formatPeer } from '../shared/protocol';
import { button } from './controls';
import { COPY_FORMATS, copyText, type CopyFormat, type ResendTarget } from './copyAs';
import { el, setText } from './dom';
import { formatBytes, formatDateTime } from './format';
import type { RowStore } from './rowStore';
import type { SocketDirectory } from './socketDirectory';

export type DetailTab = 'hex' | 'text' | 'base64';
const TABS: DetailTab[] = ['hex', 'text', 'base64'];
const TAB_LABELS: Record<DetailTab, string> = { hex: 'Hex dump', text: 'Text', base64: 'Base64' };

export interface DetailCallbacks {
  /** Puts text on the clipboard; resolves with a sentence for the status line. */
  copy(text: string, what: string): Promise<string>;
  reply(target: string, socketId: string): void;
  /** Fetches the whole payload of a row that arrived truncated. */
  fetchBytes(seq: number): Promise<Uint8Array>;
  tabChanged(tab: DetailTab): void;
}

export class DetailPane {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly status: HTMLElement;
  private readonly tabs: HTMLElement & { selectedIndex: number };
  private readonly pres: Record<DetailTab, HTMLPreElement>;
  private readonly actions: HTMLElement;
  private readonly replyButton: HTMLElement;
  private tab: DetailTab = 'hex';
  private seq: number | undefined;
  /** What each <pre> shows, so switching tabs does not redo a 64 KiB dump. */
  private rendered: Partial<Record<DetailTab, number>> = {};
  private fetching: number | undefined;

  constructor(
    private readonly store: RowStore,
    private readonly sockets: SocketDirectory,
    private readonly callbacks: DetailCallbacks,
  ) {
    this.summary = el('div', { class: 'detail-summary', id: 'detail-summary' });
    this.notice = el('div', { class: 'detail-notice', id: 'detail-notice', hidden: true });
    this.status = el('span', { class: 'detail-status', id: 'detail-status', role: 'status', 'aria-live': 'polite' });
    this.pres = {
      hex: el('pre', { class: 'detail-pre', id: 'detail-hex' }),
      text: el('pre', { class: 'detail-pre wrap', id: 'detail-text' }),
      base64: el('pre', { class: 'detail-pre wrap', id: 'detail-base64' }),
    };
    this.tabs = el(
      'vscode-tabs',
      { id: 'detail-tabs', 'selected-index': 0 },
      ...TABS.map((t) => el('vscode-tab-header', { slot: 'header', 'data-tab': t }, TAB_LABELS[t])),
      ...TABS.map((t) => el('vscode-tab-panel', { 'data-tab': t, 'aria-label': TAB_LABELS[t] }, this.pres[t])),
    ) as HTMLElement & { selectedIndex: number };
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      this.tab = TABS[index] ?? 'hex';
      this.renderContent();
      this.callbacks.tabChanged(this.tab);
    });

    const copyButtons = COPY_FORMATS.map(({ format, label, title }) => {
      const b = button(`copy-${format}`, label, { secondary: true, title, 'aria-label': `Copy as ${label}` });
      b.addEventListener('click', () => this.copy(format, label));
      return b;
    });
    this.replyButton = button('detail-reply', 'Reply', { icon: 'reply', title: 'Fill the composer to answer this peer from this socket' });
    this.replyButton.addEventListener('click', () => this.reply());
    this.actions = el(
      'div',
      { class: 'detail-actions', role: 'group', 'aria-label': 'Copy as' },
      el('span', { class: 'field-label' }, 'Copy as'),
      ...copyButtons,
      el('span', { class: 'spacer' }),
      this.status,
      this.replyButton,
    );
    this.element = el(
      'section',
      { class: 'detail', id: 'detail', 'aria-label': 'Datagram detail' },
      el('div', { class: 'detail-head' }, this.summary),
      this.notice,
      this.actions,
      this.tabs,
    );
    this.show(undefined);
  }

  get selectedTab(): DetailTab {
    return this.tab;
  }

  setTab(tab: DetailTab): void {
    const index = TABS.indexOf(tab);
    if (index === -1) return;
    this.tab = tab;
    this.tabs.selectedIndex = index;
    this.renderContent();
  }

  /** Shows the row with this seq (or the empty state). */
  show(seq: number | undefined): void {
    if (seq === this.seq && seq !== undefined) return;
    this.seq = seq;
    this.rendered = {};
    this.renderAll();
  }

  /** The row's data may have changed (evicted, or its whole payload arrived). */
  refresh(): void {
    this.rendered = {};
    this.renderAll();
  }

  /** Focuses the visible tab panel (the scrolling, focusable element around the text). */
  focus(): void {
    const panel = this.pres[this.tab].parentElement;
    (panel ?? this.pres[this.tab]).focus();
  }

  private row(): number {
    return this.seq === undefined ? -1 : this.store.findSeq(this.seq);
  }

  private renderAll(): void {
    const r = this.row();
    const empty = r === -1;
    this.element.classList.toggle('empty', empty);
    this.actions.hidden = empty;
    this.tabs.hidden = empty;
    if (empty) {
      setText(
        this.summary,
        this.seq === undefined ? 'Select a datagram to see its bytes (arrow keys in the list, Enter to come here).' : `Datagram #${this.seq} is no longer in the panel.`,
      );
      this.notice.hidden = true;
      return;
    }
    const s = this.store;
    const dir = s.direction(r);
    const peer = formatPeer(s.peerAddress(r), s.peerPort(r));
    const socket = this.sockets.title(s.socketId(r));
    const arrow = dir === 'in' ? `${peer} → ${socket}` : `${socket} → ${peer}`;
    setText(this.summary, `#${s.seq(r)} · ${dir === 'in' ? 'received' : 'sent'} · ${arrow} · ${s.family(r)} · ${formatBytes(s.sizeOf(r))} · ${formatDateTime(s.time(r))}`);
    if (s.truncated(r)) {
      this.notice.hidden = false;
      setText(this.notice, `This row arrived with the first ${formatBytes(s.bytesOf(r).length)} of ${formatBytes(s.sizeOf(r))} (the panel samples under heavy traffic). Loading the rest…`);
      this.fetchWhole(s.seq(r));
    } else {
      this.notice.hidden = true;
    }
    this.renderContent();
  }

  private renderContent(): void {
    const r = this.row();
    if (r === -1 || this.rendered[this.tab] === this.seq) return;
    const bytes = this.store.bytesOf(r);
    let text: string;
    switch (this.tab) {
      case 'hex':
        text = bytes.length === 0 ? '(empty datagram: 0 bytes)' : hexDump(bytes);
        break;
      case 'text':
        text = bytes.length === 0 ? '(empty datagram: 0 bytes)' : decodeText(bytes, { keepNewlines: true });
        break;
      case 'base64':
        text = toBase64(bytes);
        break;
    }
    this.pres[this.tab].textContent = text;
    this.rendered[this.tab] = this.seq;
  }

  private fetchWhole(seq: number): void {
    if (this.fetching === seq) return;
    this.fetching = seq;
    this.callbacks.fetchBytes(seq).then(
      (bytes) => {
        this.store.setFullBytes(seq, bytes);
        if (this.seq === seq) this.refresh();
      },
      (error: Error) => {
        if (this.seq === seq) setText(this.notice, `Only the first bytes are shown: ${error.message}`);
      },
    ).finally(() => {
      if (this.fetching === seq) this.fetching = undefined;
    });
  }

  /** Where "resend" goes: the local socket for a received datagram (a wildcard bind means loopback), the peer for a sent one. */
  private resendTarget(r: number): ResendTarget {
    const s = this.store;
    if (s.direction(r) === 'in') {
      const local = this.sockets.get(s.socketId(r))?.local;
      if (local) {
        const address = local.address === '0.0.0.0' ? '127.0.0.1' : local.address === '::' ? '::1' : local.address;
        return { address, port: local.port, family: local.family };
      }
    }
    return { address: s.peerAddress(r), port: s.peerPort(r), family: s.family(r) };
  }

  private copy(format: CopyFormat, label: string): void {
    const r = this.row();
    if (r === -1) return;
    const text = copyText(format, this.store.bytesOf(r), this.resendTarget(r));
    const partial = this.store.truncated(r) ? ' (only the bytes that reached the panel)' : '';
    this.callbacks.copy(text, label).then(
      (sentence) => setText(this.status, sentence + partial),
      (error: Error) => setText(this.status, error.message),
    );
  }

  private reply(): void {
    const r = this.row();
    if (r === -1) return;
    this.callbacks.reply(formatPeer(this.store.peerAddress(r), this.store.peerPort(r)), this.store.socketId(r));
  }
}
