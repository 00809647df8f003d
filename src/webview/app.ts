// The Messages panel: wires the protocol stream into the row store and the list, and the composer, toolbar and
// detail pane to the host. Rendering happens once per animation frame at most, whatever the message rate.

import type { DatagramFilter, HostToWebview, LogCaps, LogTotals, RowBlock, Snapshot } from '../shared/protocol';
import { PROTOCOL_VERSION, type SendParams } from '../shared/protocol';
import { rowBlockProblem } from '../shared/rowBlock';
import { Composer, type ComposerState } from './composer';
import { button } from './controls';
import { DetailPane, type DetailTab } from './detailPane';
import { el, setAttr, setHidden, setText } from './dom';
import { formatCount, plural } from './format';
import { HostConnection, RequestError } from './hostConnection';
import { ListView } from './listView';
import { RowStore } from './rowStore';
import { SocketDirectory } from './socketDirectory';
import { Toolbar, type ToolbarState } from './toolbar';
import { VirtualList } from './virtualList';

const STATE_VERSION = 1;
const DEFAULT_CAPS: LogCaps = { maxCount: 100_000, maxBytes: 64 * 1024 * 1024 };
/** Time a frame may spend testing rows against a filter before yielding. */
const FILTER_SLICE_MS = 6;

interface SavedState {
  version: number;
  composer?: Partial<ComposerState>;
  toolbar?: Partial<ToolbarState>;
  detailTab?: DetailTab;
  selectedSeq?: number;
}

const EMPTY_TOTALS: LogTotals = { logged: 0, dropped: 0, cleared: 0, kept: 0, keptBytes: 0, lastSeq: 0 };

export class App {
  private readonly host = new HostConnection();
  private readonly sockets = new SocketDirectory();
  private readonly store = new RowStore(DEFAULT_CAPS);
  private readonly view = new ListView(this.store);
  private readonly list: VirtualList;
  private readonly composer: Composer;
  private readonly toolbar: Toolbar;
  private readonly detail: DetailPane;
  private readonly statusText: HTMLElement;
  private readonly sampleNotice: HTMLElement;
  private readonly actionStatus: HTMLElement;
  private readonly emptyState: HTMLElement;
  private readonly emptyText: HTMLElement;
  private readonly emptyListen: HTMLElement;

  /** Stream sequence of the last snapshot/batch applied; undefined until the first snapshot. */
  private streamSeq: number | undefined;
  private resyncRequested = false;
  private totals: LogTotals = EMPTY_TOTALS;
  /** Datagrams the host counted but did not send to the panel (sampling, snapshot bounds). */
  private notSent = 0;
  private paused = false;
  private pausedBlocks: RowBlock[] = [];
  private pausedRows = 0;
  private loggedAtPause = 0;
  private frame = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingSelection: number | undefined;

  constructor(root: HTMLElement) {
    // A regex filter that can backtrack is tested in a worker: its answers arrive later, and one that runs out of
    // time is turned off with a sentence under the search box.
    this.view.listener = {
      // New matches change which rows the list shows; rows whose index changed are refilled without forcing.
      progressed: () => this.scheduleRender(),
      regexTurnedOff: (message) => {
        this.toolbar.showFilterError(message);
        this.scheduleRender(true);
      },
    };
    this.list = new VirtualList(this.store, this.view, this.sockets, {
      select: (seq) => {
        this.detail.show(seq);
        this.saveSoon();
      },
      open: (seq) => {
        this.detail.show(seq);
        this.detail.focus();
      },
      userScrolled: (atEnd) => this.toolbar.setFollow(atEnd, false),
      resized: () => this.scheduleRender(true),
    });
    this.composer = new Composer(this.sockets, {
      send: (params) => this.send(params),
      cancel: (id) => this.host.request('cancelSend', { sendId: id }),
      changed: () => this.saveSoon(),
    });
    this.toolbar = new Toolbar(this.sockets, {
      filterChanged: (filter) => this.applyFilter(filter),
      pauseChanged: (paused) => this.setPaused(paused),
      followChanged: () => {
        this.saveSoon();
        this.scheduleRender();
      },
      clear: () => this.clear(),
      export: () => this.exportRows(),
    });
    this.detail = new DetailPane(this.store, this.sockets, {
      copy: async (text, what) => {
        const { result } = this.host.request('copy', { text, what });
        const r = await result;
        return `Copied as ${what} (${plural(r.chars, 'character', 'characters')}).`;
      },
      reply: (target, socketId) => this.composer.prefill({ target, from: this.sockets.isOpen(socketId) ? socketId : 'ephemeral', focus: true }),
      fetchBytes: async (seq) => (await this.host.request('getBytes', { seq }).result).bytes,
      tabChanged: () => this.saveSoon(),
    });

    this.statusText = el('span', { id: 'list-status' });
    this.sampleNotice = el('div', { id: 'sample-notice', class: 'status-line sample-notice', hidden: true });
    this.actionStatus = el('span', { id: 'action-status', role: 'status', 'aria-live': 'polite' });
    this.emptyText = el('p', { id: 'empty-text' });
    this.emptyListen = button('empty-listen', 'Listen on Port…', { icon: 'radio-tower' });
    this.emptyListen.addEventListener('click', () => {
      this.host.request('runCommand', { command: 'listen' }).result.catch((e: Error) => this.say(e.message));
    });
    this.emptyState = el('div', { class: 'empty-state', id: 'empty-state' }, this.emptyText, this.emptyListen);

    const listArea = el('div', { class: 'list-area' }, this.list.element, this.emptyState);
    // Each line is a box of fixed size (media/messages.css): the counts change with every batch under traffic, and
    // laying out one line is all that costs, not the document around it.
    const statusBar = el(
      'div',
      { class: 'list-statusbar', role: 'status', 'aria-live': 'off' },
      el('div', { class: 'status-line status-counts' }, this.statusText, el('span', { class: 'spacer' }), this.actionStatus),
      this.sampleNotice,
    );
    const split = el(
      'vscode-split-layout',
      { class: 'split', split: 'horizontal', 'initial-handle-position': '62%', 'min-start': '80px', 'min-end': '60px' },
      el('div', { slot: 'start', class: 'pane-start' }, listArea, statusBar),
      el('div', { slot: 'end', class: 'pane-end' }, this.detail.element),
    );
    root.replaceChildren(this.composer.element, this.toolbar.element, split);

    this.restore();
    this.host.onMessage((m) => this.onMessage(m));
    this.host.post({ type: 'ready', protocol: PROTOCOL_VERSION });
    this.scheduleRender();
  }

  // ---------------------------------------------------------------------------------------- messages

  private onMessage(m: HostToWebview): void {
    switch (m.type) {
      case 'snapshot':
        this.applySnapshot(m);
        break;
      case 'batch': {
        if (this.streamSeq === undefined || this.resyncRequested) return; // a snapshot is on its way
        if (m.seq !== this.streamSeq + 1) {
          this.requestResync(`expected batch ${this.streamSeq + 1}, got ${m.seq}`);
          return;
        }
        const problem = rowBlockProblem(m.rows);
        if (problem) {
          this.requestResync(`a batch was malformed: ${problem}`);
          return;
        }
        this.streamSeq = m.seq;
        this.totals = m.totals;
        this.notSent += m.skipped;
        if (this.paused) this.holdWhilePaused(m.rows);
        else this.store.append(m.rows);
        this.host.post({ type: 'ack', seq: m.seq });
        this.scheduleRender();
        break;
      }
      case 'sockets':
        this.setSockets(m.sockets);
        break;
      case 'targets':
        this.composer.setTargets(m.targets);
        break;
      case 'caps':
        this.store.setCaps(m.caps);
        this.scheduleRender();
        break;
      case 'sendProgress':
        this.composer.progress(m.id, m.sent, m.failed, m.total);
        break;
      case 'prefill':
        this.composer.prefill(m.prefill);
        if (m.prefill.filterSocketId !== undefined) this.toolbar.setSocketFilter(m.prefill.filterSocketId);
        break;
      case 'response':
        break; // handled by HostConnection
    }
  }

  private applySnapshot(m: Snapshot): void {
    const problem = rowBlockProblem(m.rows);
    if (problem) {
      this.say(`The panel received a malformed snapshot (${problem}) and asked for another.`);
      this.requestResync(`snapshot malformed: ${problem}`);
      return;
    }
    this.streamSeq = m.seq;
    this.resyncRequested = false;
    this.totals = m.totals;
    this.notSent = m.omitted;
    this.pausedBlocks = [];
    this.pausedRows = 0;
    this.loggedAtPause = m.totals.logged;
    this.store.setCaps(m.caps);
    this.store.clear();
    this.store.append(m.rows);
    this.view.reset();
    this.setSockets(m.sockets);
    this.composer.setTargets(m.targets);
    this.composer.setDefaultEncoding(m.defaultEncoding);
    if (this.pendingSelection !== undefined) {
      // Restored after a reload: select the row again if it is still there.
      const seq = this.pendingSelection;
      this.pendingSelection = undefined;
      if (this.store.findSeq(seq) !== -1) {
        this.list.select(seq, false);
        this.detail.show(seq);
      }
    }
    this.detail.refresh();
    this.host.post({ type: 'ack', seq: m.seq });
    this.scheduleRender(true);
  }

  private requestResync(reason: string): void {
    if (this.resyncRequested) return;
    this.resyncRequested = true;
    this.host.post({ type: 'resync', lastSeq: this.streamSeq ?? -1, reason });
  }

  private setSockets(sockets: Snapshot['sockets']): void {
    this.sockets.update(sockets);
    this.composer.setSockets();
    this.toolbar.setSockets();
    this.scheduleRender(true);
  }

  // ------------------------------------------------------------------------------------- pause, filter

  private setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) {
      this.loggedAtPause = this.totals.logged;
      this.toolbar.setArrivedWhilePaused(0);
    } else {
      for (const block of this.pausedBlocks) this.store.append(block);
      this.pausedBlocks = [];
      this.pausedRows = 0;
    }
    this.scheduleRender();
  }

  /** Holds rows that arrive while paused, at most a store's worth (older ones count as not shown). */
  private holdWhilePaused(block: RowBlock): void {
    this.pausedBlocks.push(block);
    this.pausedRows += block.count;
    while (this.pausedBlocks.length > 1 && this.pausedRows - this.pausedBlocks[0]!.count >= this.store.caps().maxCount) {
      const dropped = this.pausedBlocks.shift()!;
      this.pausedRows -= dropped.count;
      this.notSent += dropped.count;
    }
  }

  private applyFilter(filter: DatagramFilter): void {
    const result = this.view.setFilter(filter);
    this.toolbar.showFilterError(result.ok ? undefined : result.message);
    this.saveSoon();
    this.scheduleRender(true);
  }

  // ------------------------------------------------------------------------------------------ actions

  private send(params: SendParams): { id: number; done: Promise<string> } {
    const { id, result } = this.host.request('send', params);
    const done = result.then((r) => {
      const what = r.sent === 1 ? `Sent ${plural(r.bytes, 'byte', 'bytes')} to ${r.target}.` : `Sent ${formatCount(r.sent)} datagrams of ${plural(r.bytes, 'byte', 'bytes')} to ${r.target}.`;
      if (r.cancelled) return `Stopped after ${formatCount(r.sent)} datagrams${r.failed ? ` (${formatCount(r.failed)} failed)` : ''}.`;
      if (r.failed > 0) return `${what} ${formatCount(r.failed)} failed.`;
      return what;
    });
    return { id, done };
  }

  private clear(): void {
    this.host.request('clear', {}).result.then(
      (r) => this.say(`Cleared ${plural(r.cleared, 'datagram', 'datagrams')}.`),
      (e: Error) => this.say(e.message),
    );
  }

  private exportRows(): void {
    this.say('Choose where to save the export…');
    this.host.request('export', { filter: this.toolbar.filter() }).result.then(
      (r) => this.say('cancelled' in r ? 'Export cancelled.' : `Exported ${plural(r.written, 'datagram', 'datagrams')} to ${r.path}.`),
      (e: Error) => this.say(e instanceof RequestError ? e.message : `Export failed: ${e.message}`),
    );
  }

  private say(text: string): void {
    setText(this.actionStatus, text);
    // The line cuts a long message short with an ellipsis; the whole of it is one hover away (and announced).
    setAttr(this.actionStatus, 'title', text === '' ? undefined : text);
  }

  // ------------------------------------------------------------------------------------------ render

  private scheduleRender(force = false): void {
    if (force) this.forceNext = true;
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private forceNext = false;

  private render(): void {
    const force = this.forceNext;
    this.forceNext = false;
    if (this.view.pending) {
      this.view.work(FILTER_SLICE_MS);
      // Keep going next frame (the list shows what is known so far), unless the worker's answer will schedule it.
      if (this.view.pending && !this.view.waitingForWorker) this.scheduleRender();
    }
    // Status first: every DOM write of the frame goes before the list's scroll write, so the frame lays out once.
    this.renderStatus();
    this.list.render(force, this.toolbar.isFollowing && !this.paused);
    const selected = this.list.selection;
    if (selected !== undefined && this.store.findSeq(selected) === -1) this.detail.refresh();
  }

  private renderStatus(): void {
    const t = this.totals;
    const shown = this.view.length;
    const parts: string[] = [];
    parts.push(this.view.filtered ? `${plural(shown, 'match', 'matches')} of ${formatCount(this.store.size)} in the panel` : `${plural(shown, 'datagram', 'datagrams')} in the panel`);
    parts.push(`${formatCount(t.logged)} logged`);
    if (t.cleared) parts.push(`${formatCount(t.cleared)} cleared`);
    if (t.dropped > 0) parts.push(`${formatCount(t.dropped)} older dropped by the log cap`);
    if (this.view.pending) parts.push(`filtering… ${Math.round(this.view.progress * 100)} %`);
    setText(this.statusText, parts.join(' · '));

    const sampled = this.notSent > 0 || this.store.evicted > 0;
    setHidden(this.sampleNotice, !sampled);
    if (sampled) {
      const notice = `Showing a sample: ${formatCount(this.notSent)} datagrams were counted but not sent to the panel during heavy traffic. Totals are exact; Export writes every matching datagram in the log.`;
      setText(this.sampleNotice, notice);
      // A narrow panel cuts the line short; the whole sentence is one hover away.
      setAttr(this.sampleNotice, 'title', notice);
    }
    if (this.paused) this.toolbar.setArrivedWhilePaused(Math.max(0, t.logged - this.loggedAtPause));

    const empty = shown === 0;
    setHidden(this.emptyState, !empty);
    if (empty) {
      const noSockets = this.sockets.list().length === 0;
      setText(
        this.emptyText,
        this.view.filtered && this.store.size > 0
          ? 'No datagram in the panel matches the filter.'
          : this.streamSeq === undefined
            ? 'Connecting to UDP Lab…'
            : noSockets
              ? 'No datagrams yet. Listen on a port to receive, or send one from the composer above.'
              : 'No datagrams yet. Everything your sockets receive and send appears here.',
      );
      setHidden(this.emptyListen, !(noSockets && this.streamSeq !== undefined && !this.view.filtered));
    }
  }

  // ------------------------------------------------------------------------------------------- state

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    // Says on the page whether the latest change is saved (tests in a real VS Code wait for it).
    document.documentElement.dataset.stateSaved = 'pending';
    this.saveTimer = setTimeout(() => {
      const state: SavedState = {
        version: STATE_VERSION,
        composer: this.composer.state(),
        toolbar: this.toolbar.state(),
        detailTab: this.detail.selectedTab,
        selectedSeq: this.list.selection,
      };
      this.host.setState(state);
      document.documentElement.dataset.stateSaved = 'saved';
    }, 200);
  }

  private restore(): void {
    const raw = this.host.getState();
    if (typeof raw !== 'object' || raw === null || (raw as SavedState).version !== STATE_VERSION) return;
    const s = raw as SavedState;
    try {
      if (s.composer) this.composer.restore(s.composer);
      if (s.toolbar) {
        this.toolbar.restore(s.toolbar);
        const result = this.view.setFilter(this.toolbar.filter());
        this.toolbar.showFilterError(result.ok ? undefined : result.message);
      }
      if (s.detailTab) this.detail.setTab(s.detailTab);
      if (typeof s.selectedSeq === 'number') this.pendingSelection = s.selectedSeq;
    } catch (error) {
      // A state saved by an older build must never keep the panel from opening.
      console.warn('UDP Lab: ignoring saved panel state', error);
    }
  }
}
