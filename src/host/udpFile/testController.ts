// Test Explorer for `.udp` files: every block with Expect or Expect-Hex is a test, grouped under its file. Files
// are discovered in the workspace (and from open editors, unsaved text included) and kept in sync as they
// change. A run uses the same runner as the CLI: a selected test brings the LISTEN responders and reply sources
// it needs; a whole file runs like `udp-lab run`. Passes report the round-trip time; failures say what arrived
// instead, or that nothing did ("no reply within 500 ms"), with an expected/actual diff when there was a reply.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseUdpFile, type BlockResult, type RunEvent, type UdpFileModel } from '../../core/udpFile';
import { formatEndpoint } from '../../core/udpFile';
import { blockByKey, blockKeys } from './blockKeys';
import type { UdpBlockRuns } from './blockRuns';
import { toVsRange } from './convert';
import type { UdpDocumentModels } from './documentModels';

export type TestOutcome = 'passed' | 'failed' | 'errored' | 'skipped';

export interface RecordedTest {
  id: string;
  label: string;
  uri: string;
  outcome: TestOutcome;
  /** The failure or error sentence; for passes the result line (`"pong 17" · 3.2 ms`). */
  message: string;
  /** What Test Explorer shows as the duration: the round-trip time for passes. */
  durationMs?: number;
}

/** One finished Test Explorer run, as reported to VS Code (for the integration tests' hook). */
export interface RecordedTestRun {
  tests: RecordedTest[];
}

/** Workspace discovery stops here; a repository with more `.udp` files than this is unusual. */
const MAX_DISCOVERED_FILES = 5000;
const EXCLUDE = '**/{node_modules,.git}/**';

interface ItemData {
  uri: vscode.Uri;
  /** Undefined for a file item. */
  key?: string;
}

export class UdpTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly recorded = new vscode.EventEmitter<RecordedTestRun>();
  /** Fires after each run has ended, with every outcome it reported. */
  readonly onDidRecordRun = this.recorded.event;
  private readonly synced = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after a file's test items were brought up to date (added, changed or removed). */
  readonly onDidSync = this.synced.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private discovery: Promise<void> | undefined;

  constructor(
    private readonly models: UdpDocumentModels,
    private readonly runs: UdpBlockRuns,
  ) {
    this.controller = vscode.tests.createTestController('udpLab.udpFiles', 'UDP Files');
    this.controller.resolveHandler = async (item) => {
      if (item === undefined) await this.discover();
    };
    this.controller.refreshHandler = async () => {
      this.discovery = undefined;
      await this.discover();
    };
    this.controller.createRunProfile(
      'Run',
      vscode.TestRunProfileKind.Run,
      async (request, token) => {
        await this.runHandler(request, token);
      },
      true,
    );

    const watcher = vscode.workspace.createFileSystemWatcher('**/*.udp');
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate((uri) => void this.syncFromSource(uri)),
      watcher.onDidChange((uri) => {
        if (!this.models.openDocument(uri)) void this.syncFromSource(uri);
      }),
      watcher.onDidDelete((uri) => this.remove(uri)),
      models.onDidUpdate(({ document, model }) => this.sync(document.uri, model)),
      // A closed editor may have held unsaved text: go back to what is on disk (or drop an untitled file).
      models.onDidClose((uri) => void this.syncFromSource(uri)),
    );
  }

  /** Finds `.udp` files in the workspace once (again after Refresh). */
  discover(): Promise<void> {
    this.discovery ??= (async () => {
      const uris = await vscode.workspace.findFiles('**/*.udp', EXCLUDE, MAX_DISCOVERED_FILES);
      await Promise.all(uris.map((uri) => this.syncFromSource(uri)));
    })();
    return this.discovery;
  }

  /** Test items as a plain tree, for tests: file id → its block items' labels. */
  snapshot(): Array<{ id: string; label: string; children: Array<{ id: string; label: string }> }> {
    const out: Array<{ id: string; label: string; children: Array<{ id: string; label: string }> }> = [];
    this.controller.items.forEach((file) => {
      const children: Array<{ id: string; label: string }> = [];
      file.children.forEach((c) => children.push({ id: c.id, label: c.label }));
      out.push({ id: file.id, label: file.label, children });
    });
    return out;
  }

  // ------------------------------------------------------------------------------------------- items

  private async syncFromSource(uri: vscode.Uri): Promise<void> {
    const open = this.models.openDocument(uri);
    if (open) return this.sync(uri, this.models.get(open));
    const model = await this.readModel(uri);
    if (model === undefined) this.remove(uri);
    else this.sync(uri, model);
  }

  private async readModel(uri: vscode.Uri): Promise<UdpFileModel | undefined> {
    if (uri.scheme === 'untitled') return undefined;
    try {
      return parseUdpFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      return undefined; // deleted or unreadable: no tests
    }
  }

  private sync(uri: vscode.Uri, model: UdpFileModel): void {
    this.syncItems(uri, model);
    this.synced.fire(uri);
  }

  private syncItems(uri: vscode.Uri, model: UdpFileModel): void {
    const id = uri.toString();
    const keys = blockKeys(model);
    const tests = model.blocks.filter((b) => b.expect !== undefined);
    if (tests.length === 0) {
      this.controller.items.delete(id);
      return;
    }
    let file = this.controller.items.get(id);
    if (!file) {
      file = this.controller.createTestItem(id, this.fileLabel(uri), uri);
      this.data.set(file, { uri });
      this.controller.items.add(file);
    }
    const existing = file.children;
    const children = tests.map((block) => {
      const key = keys.get(block.index)!;
      const childId = `${id}#${key}`;
      const item = existing.get(childId) ?? this.controller.createTestItem(childId, block.label, uri);
      item.label = block.label;
      item.description = `${block.method} udp://${block.target?.raw ?? '?'}`;
      item.range = toVsRange(block.range);
      item.error = block.hasErrors ? 'This block has errors; see the Problems panel.' : undefined;
      this.data.set(item, { uri, key });
      return item;
    });
    file.children.replace(children);
  }

  private remove(uri: vscode.Uri): void {
    this.controller.items.delete(uri.toString());
    this.synced.fire(uri);
  }

  private fileLabel(uri: vscode.Uri): string {
    return uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri) : path.basename(uri.path);
  }

  // --------------------------------------------------------------------------------------------- runs

  /** The model a run uses: the open editor's text (unsaved edits included), else the file on disk. */
  private async currentModel(uri: vscode.Uri): Promise<UdpFileModel | undefined> {
    const open = this.models.openDocument(uri);
    if (open) return this.models.flush(open);
    return this.readModel(uri);
  }

  async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<RecordedTestRun> {
    await this.discover();
    const run = this.controller.createTestRun(request);
    const record: RecordedTestRun = { tests: [] };
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));

    // Group what was asked for by file: a whole file, or some of its blocks.
    const plan = new Map<string, { uri: vscode.Uri; whole: boolean; keys: Set<string> }>();
    const roots: vscode.TestItem[] = [];
    if (request.include) roots.push(...request.include);
    else this.controller.items.forEach((i) => roots.push(i));
    for (const item of roots) {
      const d = this.data.get(item);
      if (!d || excluded.has(item.id)) continue;
      const entry = plan.get(d.uri.toString()) ?? { uri: d.uri, whole: false, keys: new Set<string>() };
      plan.set(d.uri.toString(), entry);
      if (d.key !== undefined) entry.keys.add(d.key);
      else {
        let some = false;
        item.children.forEach((c) => {
          const k = this.data.get(c)?.key;
          if (k === undefined) return;
          if (excluded.has(c.id)) some = true;
          else entry.keys.add(k);
        });
        // A whole file runs like `udp-lab run` (every block); with a test excluded, only the chosen ones run.
        entry.whole = !some;
      }
    }

    try {
      for (const { uri, whole, keys } of plan.values()) {
        const file = this.controller.items.get(uri.toString());
        const items = [...keys].map((k) => file?.children.get(`${uri.toString()}#${k}`)).filter((i): i is vscode.TestItem => i !== undefined);
        const report = (item: vscode.TestItem, outcome: TestOutcome, message: string, durationMs?: number) =>
          record.tests.push({ id: item.id, label: item.label, uri: uri.toString(), outcome, message, ...(durationMs !== undefined ? { durationMs } : {}) });

        if (token.isCancellationRequested) {
          for (const item of items) {
            run.skipped(item);
            report(item, 'skipped', 'cancelled');
          }
          continue;
        }
        const model = await this.currentModel(uri);
        if (model === undefined) {
          for (const item of items) {
            run.errored(item, new vscode.TestMessage('The file could not be read.'));
            report(item, 'errored', 'The file could not be read.');
          }
          continue;
        }
        this.sync(uri, model);
        const refused = this.runs.gate.reason('send');
        if (refused !== undefined) {
          const sentence = `${refused}. Trust this workspace (Manage Workspace Trust) to run its .udp files.`;
          for (const item of items) {
            run.errored(item, new vscode.TestMessage(sentence));
            report(item, 'errored', sentence);
          }
          continue;
        }
        for (const item of items) run.started(item);
        const indexes = whole ? undefined : [...keys].map((k) => blockByKey(model, k)?.index).filter((i): i is number => i !== undefined);
        const result = await this.runs.runForTests(uri, model, indexes, token, (e) => this.output(run, uri, e));
        const byIndex = new Map(result.results.map((r) => [r.blockIndex, r]));
        for (const item of items) {
          const key = this.data.get(item)?.key;
          const block = key !== undefined ? blockByKey(model, key) : undefined;
          const r = block ? byIndex.get(block.index) : undefined;
          if (!block || !r) {
            // A LISTEN test whose block already listens from its lens is left out (binding it again would fail).
            const listening = !result.cancelled && key !== undefined && this.runs.isListening(uri, key);
            const reason = result.cancelled ? 'cancelled' : listening ? 'not run: this block is already listening from its Listen lens. Stop it there to test it here' : 'not run';
            if (listening) run.appendOutput(`○ ${item.label}: ${reason}\r\n`, undefined, item);
            run.skipped(item);
            report(item, 'skipped', reason);
            continue;
          }
          this.reportResult(run, uri, model, item, r, report);
        }
      }
    } finally {
      run.end();
      this.recorded.fire(record);
    }
    return record;
  }

  private reportResult(
    run: vscode.TestRun,
    uri: vscode.Uri,
    model: UdpFileModel,
    item: vscode.TestItem,
    r: BlockResult,
    report: (item: vscode.TestItem, outcome: TestOutcome, message: string, durationMs?: number) => void,
  ): void {
    const block = model.blocks[r.blockIndex];
    const location = new vscode.Location(uri, toVsRange(block?.expect?.range ?? block?.requestRange ?? { start: { line: r.line, character: 0 }, end: { line: r.line, character: 0 } }));
    switch (r.status) {
      case 'passed': {
        const rtt = r.rtt?.avg ?? r.durationMs;
        run.appendOutput(`✓ ${r.label}: ${r.message}\r\n`, location, item);
        run.passed(item, rtt);
        report(item, 'passed', r.message, rtt);
        return;
      }
      case 'failed': {
        const mismatch = r.replies.filter((x) => !x.matched).pop();
        const message =
          mismatch && r.expected !== undefined ? vscode.TestMessage.diff(capitalize(r.message), r.expected, mismatch.text) : new vscode.TestMessage(capitalize(r.message));
        message.location = location;
        run.appendOutput(`✗ ${r.label}: ${r.message}\r\n`, location, item);
        run.failed(item, message, r.durationMs);
        report(item, 'failed', r.message, r.durationMs);
        return;
      }
      case 'cancelled':
        run.skipped(item);
        report(item, 'skipped', r.message);
        return;
      default: {
        const message = new vscode.TestMessage(capitalize(r.message));
        message.location = location;
        run.appendOutput(`✗ ${r.label}: ${r.message}\r\n`, location, item);
        run.errored(item, message, r.durationMs);
        report(item, 'errored', r.message, r.durationMs);
      }
    }
  }

  /** The run's traffic in the Test Results output, one line per datagram. */
  private output(run: vscode.TestRun, uri: vscode.Uri, e: RunEvent): void {
    const at = (line: number) => new vscode.Location(uri, new vscode.Position(line, 0));
    switch (e.type) {
      case 'listening':
        run.appendOutput(`● ${e.block.label}: listening on ${formatEndpoint(e.local)}\r\n`, at(e.block.requestRange.start.line));
        return;
      case 'sent':
        run.appendOutput(`→ ${e.block.label}: ${e.bytes.length} bytes to ${formatEndpoint({ address: e.to.host, port: e.to.port })}\r\n`, at(e.block.requestRange.start.line));
        return;
      case 'received':
        run.appendOutput(`← ${e.block.label}: ${e.reply.bytes.length} bytes from ${formatEndpoint(e.reply.peer)}: ${e.reply.text.slice(0, 200)}\r\n`, at(e.block.requestRange.start.line));
        return;
      case 'responded':
        run.appendOutput(`↩ ${e.block.label}: answered ${formatEndpoint(e.to)} with ${e.bytes.length} bytes\r\n`, at(e.block.requestRange.start.line));
        return;
      default:
        return;
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.recorded.dispose();
    this.synced.dispose();
    this.controller.dispose();
  }
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}
