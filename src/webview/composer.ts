// The composer: from (an open socket or an ephemeral one), to (host:port with recent targets and peers seen),
// encoding, payload with a live byte count and the shared validation inline, repeat, Send / Ctrl+Enter, and a
// history of sent payloads recalled with Up/Down. It validates with the same shared code the host runs again.

import type { AddressFamily, PayloadEncoding, SocketType } from '../shared/dto';
import { formatPayload, PAYLOAD_ENCODINGS, tryEncodePayload } from '../shared/payload';
import { PROTOCOL_LIMITS, type ComposerPrefill, type SendParams, type TargetSuggestion } from '../shared/protocol';
import { checkPayloadSize, parseHostPort } from '../shared/validation';
import { button, setSelectOptions, singleSelect, textField, type Button, type SelectOption, type SingleSelect, type TextArea, type TextField } from './controls';
import { el, setText } from './dom';
import { formatBytes, formatCount } from './format';
import type { SocketDirectory } from './socketDirectory';
import { TargetSuggest } from './targetSuggest';

export const EPHEMERAL = 'ephemeral';
const HISTORY_MAX = 50;

const ENCODING_LABELS: Record<PayloadEncoding, string> = {
  text: 'Text (UTF-8)',
  hex: 'Hex',
  base64: 'Base64',
  escaped: 'Escaped (\\xHH)',
};

const PLACEHOLDERS: Record<PayloadEncoding, string> = {
  text: 'Payload as UTF-8 text, e.g. hello',
  hex: 'Payload as hex bytes, e.g. 48 65 6c 6c 6f or 0x48656c6c6f',
  base64: 'Payload as base64, e.g. aGVsbG8=',
  escaped: 'Payload with escapes, e.g. PING\\r\\n or \\x00\\x01',
};

export interface HistoryEntry {
  payload: string;
  encoding: PayloadEncoding;
}

export interface ComposerState {
  from: string;
  target: string;
  encoding: PayloadEncoding;
  payload: string;
  repeatCount: string;
  intervalMs: string;
  history: HistoryEntry[];
}

export interface ComposerCallbacks {
  /** Sends; resolves with a sentence for the status line (or rejects with the host's sentence). */
  send(params: SendParams): { id: number; done: Promise<string> };
  cancel(id: number): void;
  changed(): void;
}

export class Composer {
  readonly element: HTMLElement;
  private readonly from: SingleSelect;
  private readonly target: TextField;
  private readonly encoding: SingleSelect;
  private readonly repeatCount: TextField;
  private readonly interval: TextField;
  private readonly payload: TextArea;
  private readonly sendButton: Button;
  private readonly info: HTMLElement;
  private readonly targetMessage: HTMLElement;
  private readonly status: HTMLElement;
  private readonly suggest: TargetSuggest;
  private currentEncoding: PayloadEncoding = 'text';
  private history: HistoryEntry[] = [];
  /** Position while recalling history (history.length = the draft being typed). */
  private historyIndex = 0;
  private draft: HistoryEntry | undefined;
  private sending: number | undefined;

  constructor(
    private readonly sockets: SocketDirectory,
    private readonly callbacks: ComposerCallbacks,
  ) {
    this.from = singleSelect('composer-from', 'Send from', this.fromOptions(), EPHEMERAL);
    this.target = textField('composer-target', 'Send to (host:port)', { placeholder: '127.0.0.1:9000', autocomplete: 'off', spellcheck: false });
    this.suggest = new TargetSuggest(this.target, (s) => this.pickSuggestion(s));
    this.encoding = singleSelect(
      'composer-encoding',
      'Payload encoding',
      PAYLOAD_ENCODINGS.map((e) => ({ value: e, label: ENCODING_LABELS[e] })),
      'text',
    );
    this.repeatCount = textField('composer-repeat', 'Repeat count', { type: 'number', min: 1, max: PROTOCOL_LIMITS.maxRepeatCount, value: '1' });
    this.interval = textField('composer-interval', 'Interval between repeats in milliseconds', { type: 'number', min: 0, max: PROTOCOL_LIMITS.maxIntervalMs, value: '0' });
    this.repeatCount.value = '1';
    this.interval.value = '0';
    this.sendButton = button('composer-send', 'Send', { icon: 'send', title: 'Send (Ctrl+Enter)' });
    this.payload = el('vscode-textarea', {
      id: 'composer-payload',
      'aria-label': 'Payload',
      label: 'Payload',
      monospace: true,
      rows: 3,
      resize: 'vertical',
      spellcheck: false,
      placeholder: PLACEHOLDERS.text,
    }) as TextArea;
    this.info = el('span', { class: 'composer-info', id: 'composer-info' });
    this.targetMessage = el('span', { class: 'composer-target-message', id: 'composer-target-message' });
    this.status = el('span', { class: 'composer-status', id: 'composer-status', role: 'status', 'aria-live': 'polite' });

    const field = (labelText: string, control: HTMLElement, cls: string): HTMLElement =>
      el('label', { class: `field ${cls}` }, el('span', { class: 'field-label' }, labelText), control);

    this.element = el(
      'section',
      { class: 'composer', 'aria-label': 'Compose and send' },
      el(
        'div',
        { class: 'composer-row' },
        field('From', this.from, 'f-from'),
        el('div', { class: 'field f-target' }, el('span', { class: 'field-label' }, 'To'), this.suggest.element),
        field('As', this.encoding, 'f-encoding'),
        field('Repeat', this.repeatCount, 'f-repeat'),
        field('every ms', this.interval, 'f-interval'),
        el('div', { class: 'field f-send' }, this.sendButton),
      ),
      this.payload,
      el('div', { class: 'composer-messages' }, this.targetMessage, this.info, this.status),
    );

    this.sendButton.addEventListener('click', () => (this.sending === undefined ? this.submit() : this.stop()));
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      }
    });
    this.payload.addEventListener('keydown', (e) => this.onPayloadKey(e));
    this.payload.addEventListener('input', () => {
      this.historyIndex = this.history.length;
      this.validate();
      this.callbacks.changed();
    });
    this.target.addEventListener('input', () => {
      this.validate();
      this.callbacks.changed();
    });
    this.from.addEventListener('change', () => {
      this.validate();
      this.callbacks.changed();
    });
    this.encoding.addEventListener('change', () => this.onEncodingChange());
    for (const f of [this.repeatCount, this.interval]) {
      f.addEventListener('input', () => {
        this.validate();
        this.callbacks.changed();
      });
    }
    this.validate();
  }

  setSockets(): void {
    setSelectOptions(this.from, this.fromOptions(), this.from.value || EPHEMERAL);
    this.validate();
  }

  setTargets(targets: TargetSuggestion[]): void {
    this.suggest.setSuggestions(targets);
  }

  setDefaultEncoding(encoding: PayloadEncoding): void {
    if (this.payload.value === '' && this.history.length === 0) this.setEncoding(encoding);
  }

  prefill(p: ComposerPrefill): void {
    if (p.from !== undefined) setSelectOptions(this.from, this.fromOptions(), p.from);
    if (p.target !== undefined) this.target.value = p.target;
    if (p.encoding !== undefined) this.setEncoding(p.encoding);
    if (p.payload !== undefined) this.payload.value = p.payload;
    this.validate();
    this.callbacks.changed();
    if (p.focus) this.focusPayload();
  }

  focusPayload(): void {
    this.payload.focus();
  }

  state(): ComposerState {
    return {
      from: this.from.value,
      target: this.target.value,
      encoding: this.currentEncoding,
      payload: this.payload.value,
      repeatCount: this.repeatCount.value,
      intervalMs: this.interval.value,
      history: this.history,
    };
  }

  restore(s: Partial<ComposerState>): void {
    if (typeof s.encoding === 'string' && (PAYLOAD_ENCODINGS as readonly string[]).includes(s.encoding)) this.setEncoding(s.encoding);
    if (typeof s.target === 'string') this.target.value = s.target.slice(0, PROTOCOL_LIMITS.maxTargetChars);
    if (typeof s.payload === 'string') this.payload.value = s.payload.slice(0, PROTOCOL_LIMITS.maxPayloadChars);
    if (typeof s.repeatCount === 'string') this.repeatCount.value = s.repeatCount;
    if (typeof s.intervalMs === 'string') this.interval.value = s.intervalMs;
    if (typeof s.from === 'string') setSelectOptions(this.from, this.fromOptions(), s.from);
    if (Array.isArray(s.history)) {
      this.history = s.history
        .filter((h): h is HistoryEntry => typeof h?.payload === 'string' && (PAYLOAD_ENCODINGS as readonly string[]).includes(h?.encoding))
        .slice(-HISTORY_MAX);
      this.historyIndex = this.history.length;
    }
    this.validate();
  }

  // ------------------------------------------------------------------------------------------ sending

  private fromOptions(): SelectOption[] {
    const open = this.sockets.list().filter((s) => s.state === 'listening' || s.state === 'connected');
    return [
      ...open.map((s) => ({ value: s.id, label: s.title, description: s.state === 'connected' ? 'connected' : '' })),
      { value: EPHEMERAL, label: 'Ephemeral (a new socket per send)', description: '' },
    ];
  }

  private fromSocketType(): SocketType | undefined {
    const id = this.from.value;
    if (id === EPHEMERAL || id === '') return undefined;
    return this.sockets.get(id)?.type;
  }

  /** Checks every field; shows the reasons inline; returns the request when everything is valid. */
  private validate(): SendParams | undefined {
    const socketType = this.fromSocketType();
    // Target
    const targetText = this.target.value.trim();
    let family: AddressFamily = socketType === 'udp6' ? 'IPv6' : 'IPv4';
    let targetOk = false;
    let targetError = '';
    if (targetText !== '') {
      const hp = parseHostPort(targetText);
      if (!hp.ok) {
        targetError = hp.message;
      } else {
        if (hp.value.kind === 'ipv6') family = 'IPv6';
        else if (hp.value.kind === 'ipv4') family = 'IPv4';
        if (socketType === 'udp4' && hp.value.kind === 'ipv6') {
          targetError = 'This socket is udp4 and cannot send to an IPv6 address. Choose a udp6 socket or the ephemeral one.';
        } else if (socketType === 'udp6' && hp.value.kind === 'ipv4') {
          targetError = 'This socket is udp6 and cannot send to an IPv4 address. Choose a udp4 socket or the ephemeral one.';
        } else {
          targetOk = true;
        }
      }
    }
    this.target.invalid = targetError !== '';
    setText(this.targetMessage, targetError);
    this.targetMessage.classList.toggle('error', targetError !== '');

    // Payload
    const encoded = tryEncodePayload(this.payload.value, this.currentEncoding);
    let payloadOk = false;
    let infoText: string;
    let infoClass = '';
    if (!encoded.ok) {
      infoText = encoded.message;
      infoClass = 'error';
    } else {
      const size = encoded.value.length;
      const check = checkPayloadSize(size, family);
      if (check.error) {
        infoText = check.error;
        infoClass = 'error';
      } else if (check.warning) {
        infoText = check.warning;
        infoClass = 'warning';
        payloadOk = true;
      } else {
        infoText = `${formatBytes(size)} · Ctrl+Enter sends · ↑/↓ recall sent payloads`;
        payloadOk = true;
      }
      if (size === 0 && payloadOk) infoText = `0 bytes: an empty datagram · Ctrl+Enter sends`;
    }
    this.payload.invalid = infoClass === 'error';
    setText(this.info, infoText);
    this.info.className = `composer-info ${infoClass}`;

    // Repeat
    const count = Number(this.repeatCount.value || '1');
    const interval = Number(this.interval.value || '0');
    const countOk = Number.isInteger(count) && count >= 1 && count <= PROTOCOL_LIMITS.maxRepeatCount;
    const intervalOk = Number.isInteger(interval) && interval >= 0 && interval <= PROTOCOL_LIMITS.maxIntervalMs;
    this.repeatCount.invalid = !countOk;
    this.interval.invalid = !intervalOk;

    if (!targetOk || !payloadOk || !countOk || !intervalOk || this.payload.value.length > PROTOCOL_LIMITS.maxPayloadChars) return undefined;
    const fromValue = this.from.value || EPHEMERAL;
    return {
      from: fromValue === EPHEMERAL ? { ephemeral: family === 'IPv6' ? 'udp6' : 'udp4' } : { socketId: fromValue },
      target: targetText,
      payload: this.payload.value,
      encoding: this.currentEncoding,
      ...(count > 1 ? { repeat: { count, intervalMs: interval } } : {}),
    };
  }

  private submit(): void {
    if (this.sending !== undefined) return;
    const params = this.validate();
    if (!params) {
      if (this.target.value.trim() === '') {
        setText(this.targetMessage, 'Enter where to send, as host:port (for example 127.0.0.1:9000).');
        this.targetMessage.classList.add('error');
        this.target.focus();
      }
      this.setStatus('Nothing was sent: fix the fields marked above.', 'error');
      return;
    }
    const total = params.repeat?.count ?? 1;
    const { id, done } = this.callbacks.send(params);
    this.sending = id;
    this.setSending(true, total > 1);
    this.setStatus(total > 1 ? `Sending ${formatCount(total)} datagrams…` : 'Sending…', '');
    this.pushHistory({ payload: params.payload, encoding: params.encoding });
    done.then(
      (sentence) => this.setStatus(sentence, 'ok'),
      (error: Error) => this.setStatus(error.message, 'error'),
    ).finally(() => {
      this.sending = undefined;
      this.setSending(false, false);
    });
  }

  /** Progress of a repeated send (from the host's sendProgress). */
  progress(id: number, sent: number, failed: number, total: number): void {
    if (id !== this.sending) return;
    this.setStatus(`Sending… ${formatCount(sent)} of ${formatCount(total)} sent${failed > 0 ? `, ${formatCount(failed)} failed` : ''}.`, '');
  }

  private stop(): void {
    if (this.sending !== undefined) this.callbacks.cancel(this.sending);
  }

  private setSending(sending: boolean, cancellable: boolean): void {
    this.sendButton.icon = sending && cancellable ? 'debug-stop' : 'send';
    setText(this.sendButton, sending && cancellable ? 'Stop' : 'Send');
    this.sendButton.setAttribute('title', sending && cancellable ? 'Stop repeating' : 'Send (Ctrl+Enter)');
    this.sendButton.disabled = sending && !cancellable;
  }

  private setStatus(text: string, kind: '' | 'ok' | 'error'): void {
    setText(this.status, text);
    this.status.className = `composer-status ${kind}`;
  }

  // -------------------------------------------------------------------------------- encoding, history

  private setEncoding(encoding: PayloadEncoding): void {
    this.currentEncoding = encoding;
    setSelectOptions(this.encoding, PAYLOAD_ENCODINGS.map((e) => ({ value: e, label: ENCODING_LABELS[e] })), encoding);
    this.payload.setAttribute('placeholder', PLACEHOLDERS[encoding]);
    this.validate();
  }

  /** Switching encoding converts the payload when it is valid, so "hello" becomes "68 65 6c 6c 6f". */
  private onEncodingChange(): void {
    const next = this.encoding.value as PayloadEncoding;
    if (!(PAYLOAD_ENCODINGS as readonly string[]).includes(next) || next === this.currentEncoding) return;
    const bytes = tryEncodePayload(this.payload.value, this.currentEncoding);
    if (bytes.ok && this.payload.value !== '') {
      const converted = formatPayload(bytes.value, next);
      if (converted.ok) {
        this.payload.value = converted.value;
      } else {
        // Not valid UTF-8: keep the old encoding rather than lose bytes.
        this.setStatus(converted.message, 'error');
        setSelectOptions(this.encoding, PAYLOAD_ENCODINGS.map((e) => ({ value: e, label: ENCODING_LABELS[e] })), this.currentEncoding);
        return;
      }
    }
    this.setEncoding(next);
    this.callbacks.changed();
  }

  private pushHistory(entry: HistoryEntry): void {
    const last = this.history[this.history.length - 1];
    if (!last || last.payload !== entry.payload || last.encoding !== entry.encoding) this.history.push(entry);
    if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
    this.historyIndex = this.history.length;
    this.draft = undefined;
    this.callbacks.changed();
  }

  private onPayloadKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const area = this.payload.wrappedElement;
    const value = area.value;
    const caret = area.selectionStart;
    if (area.selectionEnd !== caret) return;
    // Like a shell: Up on the first line goes back, Down on the last line goes forward.
    if (e.key === 'ArrowUp' && value.lastIndexOf('\n', caret - 1) !== -1) return;
    if (e.key === 'ArrowDown' && value.indexOf('\n', caret) !== -1) return;
    const next = this.historyIndex + (e.key === 'ArrowUp' ? -1 : 1);
    if (next < 0 || next > this.history.length) return;
    e.preventDefault();
    if (this.historyIndex === this.history.length) this.draft = { payload: value, encoding: this.currentEncoding };
    this.historyIndex = next;
    const entry = next === this.history.length ? this.draft : this.history[next];
    if (!entry) return;
    if (entry.encoding !== this.currentEncoding) this.setEncoding(entry.encoding);
    this.payload.value = entry.payload;
    area.setSelectionRange(entry.payload.length, entry.payload.length);
    this.validate();
    this.callbacks.changed();
  }

  private pickSuggestion(s: TargetSuggestion): void {
    this.target.value = s.target;
    if (s.socketId !== undefined && this.sockets.isOpen(s.socketId)) setSelectOptions(this.from, this.fromOptions(), s.socketId);
    this.validate();
    this.callbacks.changed();
  }
}
