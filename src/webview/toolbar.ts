// The list's toolbar: filters (socket, peer, direction, search as text / regex / hex bytes, match case) and
// actions (pause/resume with the count that arrived meanwhile, follow newest, clear, export as JSON Lines).

import type { Direction } from '../shared/dto';
import type { DatagramFilter, SearchMode } from '../shared/protocol';
import { setSelectOptions, singleSelect, textField, toolbarButton, type SelectOption, type SingleSelect, type TextField, type ToolbarButton } from './controls';
import { el, setText } from './dom';
import { formatCount } from './format';
import type { SocketDirectory } from './socketDirectory';

const ALL = '';

const SEARCH_PLACEHOLDERS: Record<SearchMode, string> = {
  text: 'Search payload text',
  regex: 'Search with a regular expression, e.g. ^GET |\\\\0',
  hex: 'Search bytes as hex, e.g. de ad be ef',
};

export interface ToolbarCallbacks {
  filterChanged(filter: DatagramFilter): void;
  pauseChanged(paused: boolean): void;
  followChanged(follow: boolean): void;
  clear(): void;
  export(): void;
}

export interface ToolbarState {
  filter: DatagramFilter;
  follow: boolean;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly socket: SingleSelect;
  private readonly peer: TextField;
  private readonly direction: SingleSelect;
  private readonly search: TextField;
  private readonly mode: SingleSelect;
  private readonly matchCase: ToolbarButton;
  private readonly pause: ToolbarButton;
  private readonly follow: ToolbarButton;
  private readonly clearButton: ToolbarButton;
  private readonly exportButton: ToolbarButton;
  private readonly pausedBadge: HTMLElement;
  private readonly filterMessage: HTMLElement;
  private socketValue = ALL;
  private paused = false;
  private following = true;
  private debounce: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sockets: SocketDirectory,
    private readonly callbacks: ToolbarCallbacks,
  ) {
    this.socket = singleSelect('filter-socket', 'Filter by socket', this.socketOptions(), ALL);
    this.peer = textField('filter-peer', 'Filter by peer address and port', { placeholder: 'Peer, e.g. 127.0.0.1:40123' });
    this.direction = singleSelect(
      'filter-direction',
      'Filter by direction',
      [
        { value: ALL, label: 'In and out' },
        { value: 'in', label: 'Received (in)' },
        { value: 'out', label: 'Sent (out)' },
      ],
      ALL,
    );
    this.search = textField('filter-search', 'Search payloads', { placeholder: SEARCH_PLACEHOLDERS.text, type: 'search' });
    this.mode = singleSelect(
      'filter-mode',
      'Search mode',
      [
        { value: 'text', label: 'Text' },
        { value: 'regex', label: 'Regex' },
        { value: 'hex', label: 'Hex bytes' },
      ],
      'text',
    );
    this.matchCase = toolbarButton('filter-case', 'case-sensitive', 'Match case', true);
    this.pause = toolbarButton('list-pause', 'debug-pause', 'Pause the list (datagrams are still counted)', true);
    this.follow = toolbarButton('list-follow', 'arrow-circle-down', 'Follow the newest datagram', true);
    this.follow.checked = true;
    this.clearButton = toolbarButton('list-clear', 'clear-all', 'Clear the log');
    this.exportButton = toolbarButton('list-export', 'save-as', 'Export the filtered datagrams as JSON Lines…');
    this.pausedBadge = el('span', { class: 'paused-badge', id: 'paused-badge', role: 'status', 'aria-live': 'polite', hidden: true });
    this.filterMessage = el('span', { class: 'filter-message error', id: 'filter-message', role: 'alert' });

    this.element = el(
      'section',
      { class: 'toolbar', 'aria-label': 'Filters and list actions' },
      el(
        'div',
        { class: 'toolbar-filters', role: 'group', 'aria-label': 'Filters' },
        el('span', { class: 'codicon codicon-filter toolbar-icon', 'aria-hidden': 'true' }),
        this.socket,
        this.peer,
        this.direction,
        el('div', { class: 'search-group' }, this.search, this.mode, this.matchCase),
      ),
      el('div', { class: 'toolbar-actions', role: 'toolbar', 'aria-label': 'List actions' }, this.pausedBadge, this.pause, this.follow, this.clearButton, this.exportButton),
      this.filterMessage,
    );

    this.socket.addEventListener('change', () => {
      this.socketValue = this.socket.value;
      this.emitFilter();
    });
    this.direction.addEventListener('change', () => this.emitFilter());
    this.mode.addEventListener('change', () => {
      this.search.placeholder = SEARCH_PLACEHOLDERS[this.searchMode()];
      this.emitFilter();
    });
    // Toggle buttons flip `checked` themselves and then fire `change`.
    this.matchCase.addEventListener('change', () => this.emitFilter());
    for (const f of [this.peer, this.search]) {
      f.addEventListener('input', () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.emitFilter(), 150);
      });
      f.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          clearTimeout(this.debounce);
          this.emitFilter();
        }
      });
    }
    this.pause.addEventListener('change', () => this.setPaused(this.pause.checked, true));
    this.follow.addEventListener('change', () => this.setFollow(this.follow.checked, true));
    this.clearButton.addEventListener('click', () => this.callbacks.clear());
    this.exportButton.addEventListener('click', () => this.callbacks.export());
  }

  filter(): DatagramFilter {
    const f: DatagramFilter = {};
    if (this.socketValue !== ALL) f.socketId = this.socketValue;
    const peer = this.peer.value.trim();
    if (peer !== '') f.peer = peer;
    const dir = this.direction.value;
    if (dir === 'in' || dir === 'out') f.direction = dir as Direction;
    const query = this.search.value;
    if (query !== '') f.search = { mode: this.searchMode(), query, caseSensitive: this.matchCase.checked };
    return f;
  }

  state(): ToolbarState {
    return { filter: this.filter(), follow: this.following };
  }

  restore(s: Partial<ToolbarState>): void {
    const f = s.filter ?? {};
    this.socketValue = f.socketId ?? ALL;
    setSelectOptions(this.socket, this.socketOptions(), this.socketValue);
    this.peer.value = f.peer ?? '';
    setSelectOptions(
      this.direction,
      [
        { value: ALL, label: 'In and out' },
        { value: 'in', label: 'Received (in)' },
        { value: 'out', label: 'Sent (out)' },
      ],
      f.direction ?? ALL,
    );
    this.search.value = f.search?.query ?? '';
    if (f.search) {
      setSelectOptions(
        this.mode,
        [
          { value: 'text', label: 'Text' },
          { value: 'regex', label: 'Regex' },
          { value: 'hex', label: 'Hex bytes' },
        ],
        f.search.mode,
      );
      this.search.placeholder = SEARCH_PLACEHOLDERS[f.search.mode];
      this.matchCase.checked = f.search.caseSensitive === true;
    }
    if (typeof s.follow === 'boolean') this.setFollow(s.follow, false);
  }

  /** Socket list changed: keep the chosen one even when it closed (its rows are still there). */
  setSockets(): void {
    setSelectOptions(this.socket, this.socketOptions(), this.socketValue);
  }

  /** Shows only this socket's datagrams (the user can choose "All sockets" again). */
  setSocketFilter(socketId: string): void {
    this.socketValue = socketId;
    setSelectOptions(this.socket, this.socketOptions(), socketId);
    this.emitFilter();
  }

  showFilterError(message: string | undefined): void {
    setText(this.filterMessage, message ?? '');
    this.search.invalid = message !== undefined;
  }

  setPaused(paused: boolean, notify: boolean): void {
    this.paused = paused;
    this.pause.checked = paused;
    this.pause.icon = paused ? 'debug-continue' : 'debug-pause';
    const label = paused ? 'Resume the list' : 'Pause the list (datagrams are still counted)';
    this.pause.label = label;
    this.pause.setAttribute('title', label);
    this.pause.setAttribute('aria-label', label);
    if (!paused) this.pausedBadge.hidden = true;
    if (notify) this.callbacks.pauseChanged(paused);
  }

  /** While paused: how many datagrams arrived since the pause. */
  setArrivedWhilePaused(count: number): void {
    this.pausedBadge.hidden = !this.paused;
    setText(this.pausedBadge, `Paused · ${formatCount(count)} new`);
  }

  get isFollowing(): boolean {
    return this.following;
  }

  setFollow(follow: boolean, notify: boolean): void {
    if (follow === this.following && !notify) return;
    this.following = follow;
    this.follow.checked = follow;
    if (notify) this.callbacks.followChanged(follow);
  }

  private searchMode(): SearchMode {
    const m = this.mode.value;
    return m === 'regex' || m === 'hex' ? m : 'text';
  }

  private socketOptions(): SelectOption[] {
    const options: SelectOption[] = [{ value: ALL, label: 'All sockets' }, ...this.sockets.list().map((s) => ({ value: s.id, label: s.title }))];
    if (this.socketValue !== ALL && !options.some((o) => o.value === this.socketValue)) {
      options.push({ value: this.socketValue, label: this.sockets.title(this.socketValue) });
    }
    return options;
  }

  private emitFilter(): void {
    this.callbacks.filterChanged(this.filter());
  }
}
