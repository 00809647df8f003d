// One parse per document version, shared by every `.udp` editor feature (diagnostics, CodeLens, hover,
// completion, outline, Test Explorer). Providers ask for the model of the version they are looking at; the
// `onDidUpdate` event is debounced per document, so typing does not re-publish diagnostics or re-sync test
// items on every keystroke.

import * as vscode from 'vscode';
import { parseUdpFile, type UdpFileModel } from '../../core/udpFile';
import { isUdpDocument } from './convert';

/** How long a document must stay unchanged before diagnostics and test items follow it. */
export const UPDATE_DEBOUNCE_MS = 250;

export interface ModelUpdate {
  document: vscode.TextDocument;
  model: UdpFileModel;
}

export class UdpDocumentModels implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; model: UdpFileModel }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly updated = new vscode.EventEmitter<ModelUpdate>();
  private readonly closed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];

  /** A `.udp` document was opened, or changed and then stayed unchanged for UPDATE_DEBOUNCE_MS. */
  readonly onDidUpdate = this.updated.event;
  /** A `.udp` document was closed (or stopped being one, when its language changed). */
  readonly onDidClose = this.closed.event;

  constructor(private readonly debounceMs = UPDATE_DEBOUNCE_MS) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.opened(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isUdpDocument(e.document) && e.contentChanges.length > 0) this.schedule(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
    );
  }

  /** Announces the `.udp` documents already open when the extension activates. */
  announceOpenDocuments(): void {
    for (const d of vscode.workspace.textDocuments) this.opened(d);
  }

  /** The model of the document's current text (parsed at most once per version). */
  get(document: vscode.TextDocument): UdpFileModel {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.model;
    const model = parseUdpFile(document.getText());
    this.cache.set(key, { version: document.version, model });
    return model;
  }

  /** The open `.udp` document for a URI, if any. */
  openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.toString();
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key && isUdpDocument(d));
  }

  /** Runs pending debounced updates now (a run must see the text the user just typed, not 250 ms ago). */
  flush(document: vscode.TextDocument): UdpFileModel {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    const model = this.get(document);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(key);
      this.updated.fire({ document, model });
    }
    return model;
  }

  private opened(document: vscode.TextDocument): void {
    if (!isUdpDocument(document)) {
      // `setTextDocumentLanguage` closes and reopens under the new id: a document that stopped being .udp.
      if (this.cache.has(document.uri.toString())) this.forget(document);
      return;
    }
    this.updated.fire({ document, model: this.get(document) });
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (document.isClosed) return;
        this.updated.fire({ document, model: this.get(document) });
      }, this.debounceMs),
    );
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (this.cache.delete(key) || isUdpDocument(document)) this.closed.fire(document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.cache.clear();
    for (const d of this.disposables) d.dispose();
    this.updated.dispose();
    this.closed.dispose();
  }
}
