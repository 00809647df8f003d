// What UDP Lab remembers between uses: recent send targets and bind addresses (global, across workspaces) and
// the Send Selection target of each document (per workspace). The count follows `udpLab.rememberTargets`;
// 0 remembers nothing.

import * as vscode from 'vscode';

const TARGETS_KEY = 'udpLab.recentTargets';
const ADDRESSES_KEY = 'udpLab.recentBindAddresses';
const DOCUMENT_TARGETS_KEY = 'udpLab.documentTargets';
/** Per-document targets kept at most (oldest forgotten first), so workspaceState never grows without bound. */
const MAX_DOCUMENTS = 200;

export class Recents {
  private readonly onDidChangeDocumentTargetEmitter = new vscode.EventEmitter<string>();
  /** Fires with the document URI (string) whose remembered target changed. */
  readonly onDidChangeDocumentTarget = this.onDidChangeDocumentTargetEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly limit: () => number,
  ) {}

  targets(): string[] {
    return this.read(this.context.globalState, TARGETS_KEY);
  }

  bindAddresses(): string[] {
    return this.read(this.context.globalState, ADDRESSES_KEY);
  }

  async addTarget(target: string): Promise<void> {
    await this.push(this.context.globalState, TARGETS_KEY, target);
  }

  async addBindAddress(address: string): Promise<void> {
    await this.push(this.context.globalState, ADDRESSES_KEY, address);
  }

  documentTarget(uri: vscode.Uri): string | undefined {
    if (this.limit() === 0) return undefined;
    return this.documentTargets()[uri.toString()];
  }

  async setDocumentTarget(uri: vscode.Uri, target: string): Promise<void> {
    if (this.limit() === 0) return;
    const key = uri.toString();
    const all = this.documentTargets();
    delete all[key];
    all[key] = target; // re-inserted last: object key order is insertion order, so the oldest come first
    const keys = Object.keys(all);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_DOCUMENTS))) delete all[old];
    await this.context.workspaceState.update(DOCUMENT_TARGETS_KEY, all);
    this.onDidChangeDocumentTargetEmitter.fire(key);
  }

  private documentTargets(): Record<string, string> {
    const raw = this.context.workspaceState.get<unknown>(DOCUMENT_TARGETS_KEY);
    const out: Record<string, string> = {};
    if (raw && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
    }
    return out;
  }

  private read(memento: vscode.Memento, key: string): string[] {
    const raw = memento.get<unknown>(key);
    const list = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
    return list.slice(0, this.limit());
  }

  private async push(memento: vscode.Memento, key: string, value: string): Promise<void> {
    const limit = this.limit();
    if (limit === 0) return;
    const list = [value, ...this.read(memento, key).filter((v) => v !== value)].slice(0, limit);
    await memento.update(key, list);
  }

  dispose(): void {
    this.onDidChangeDocumentTargetEmitter.dispose();
  }
}
