// Everything UDP Lab does for `.udp` files in the editor, registered in one call from src/extension.ts:
// diagnostics, hover, completion, outline/folding, CodeLens (Send, Send & Await, Listen/Stop, Run File) with
// inline results, and Test Explorer — all over the shared parser and runner in src/core/udpFile and the socket
// registry the extension composed. Workspace Trust gates every send and listen (trustGate.ts).

import * as vscode from 'vscode';
import type { ErrorReporter } from '../errorReporter';
import type { BindGuard, RunResult } from '../../core/udpFile';
import { UdpBlockRuns, type BlockRunState, type UdpFilesRegistry } from './blockRuns';
import { UdpCodeLensProvider } from './codeLens';
import { UdpFileCommands } from './commandIds';
import { registerUdpCompletion } from './completion';
import { registerUdpDiagnostics } from './diagnostics';
import { UdpDocumentModels } from './documentModels';
import { registerUdpHover } from './hover';
import { registerUdpOutline } from './outline';
import { UdpResultDecorations } from './resultDecorations';
import { UdpTestController, type RecordedTestRun } from './testController';
import { TrustGate } from './trustGate';

export type { UdpFilesRegistry } from './blockRuns';

/** Hooks for the integration tests (reached through the extension's activate() result); not a public API. */
export interface UdpFilesHooks {
  /** Makes the editor behave as in an untrusted workspace (it can only take permission away). */
  simulateUntrusted(on: boolean): void;
  /** Whether sending and listening are allowed right now. */
  readonly trusted: boolean;
  /** Runs Test Explorer's run handler for these test item ids (all when omitted), as the Run button does. */
  runTests(ids?: string[]): Promise<RecordedTestRun>;
  /** Fires after every Test Explorer run with the outcomes it reported (also runs started from the UI). */
  readonly onDidRecordTestRun: vscode.Event<RecordedTestRun>;
  /** Finds the workspace's `.udp` files now (Test Explorer does it when first shown). */
  discoverTests(): Promise<void>;
  /** A file's test items were brought up to date. */
  readonly onDidSyncTests: vscode.Event<vscode.Uri>;
  /** The test items: files and their blocks. */
  testItems(): Array<{ id: string; label: string; children: Array<{ id: string; label: string }> }>;
  /** What the editor shows for each block of a document, by block key. */
  blockStates(uri: vscode.Uri): ReadonlyMap<string, BlockRunState>;
  /** The inline result texts currently drawn in a visible editor, by line. */
  inlineResults(uri: vscode.Uri): Map<number, string>;
  /** Listeners started from lenses. */
  activeListeners(): Array<{ uri: string; key: string; socketId: string; local: string }>;
  readonly onDidChangeBlockState: vscode.Event<vscode.Uri>;
}

function trustSource(): { isTrusted: boolean; onDidGrant: (listener: () => void) => { dispose(): void } } {
  return {
    get isTrusted() {
      return vscode.workspace.isTrusted;
    },
    onDidGrant: (listener) => vscode.workspace.onDidGrantWorkspaceTrust(listener),
  };
}

/** `confirmBind`: the network-exposure question the Listen command asks too (one answer per session for both). */
export function registerUdpFiles(
  context: vscode.ExtensionContext,
  registry: UdpFilesRegistry,
  log: vscode.LogOutputChannel,
  errors: Pick<ErrorReporter, 'show'>,
  confirmBind?: BindGuard,
): UdpFilesHooks {
  const gate = new TrustGate(trustSource());
  const models = new UdpDocumentModels();
  const runs = new UdpBlockRuns(models, registry, gate, log, confirmBind);
  const lenses = new UdpCodeLensProvider(models, runs);
  const decorations = new UdpResultDecorations(models, runs);
  const tests = new UdpTestController(models, runs);

  const documentFor = async (uri: unknown): Promise<vscode.TextDocument> => {
    const parsed = uri instanceof vscode.Uri ? uri : vscode.Uri.parse(String(uri));
    return vscode.workspace.openTextDocument(parsed);
  };
  const command = (id: UdpFileCommands, run: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (error) {
        // Through the extension's reporter: one notification with the sentence, links in it made inert (the text
        // can quote a .udp file from someone else's repository), the stack only in the log.
        errors.show(error);
        return undefined;
      }
    });

  context.subscriptions.push(
    gate,
    models,
    runs,
    lenses,
    decorations,
    tests,
    registerUdpDiagnostics(models),
    registerUdpHover(models, (uri, name) => runs.lastReply(uri, name)),
    registerUdpCompletion(models),
    registerUdpOutline(models),
    vscode.languages.registerCodeLensProvider({ language: 'udp' }, lenses),
    command(UdpFileCommands.Send, async (uri: string, key: string): Promise<RunResult | undefined> => runs.send(await documentFor(uri), key, 'send')),
    command(UdpFileCommands.SendAndAwait, async (uri: string, key: string): Promise<RunResult | undefined> => runs.send(await documentFor(uri), key, 'await')),
    command(UdpFileCommands.Cancel, (uri: string, key: string) => runs.cancel(vscode.Uri.parse(uri), key)),
    command(UdpFileCommands.Listen, async (uri: string, key: string) => runs.listen(await documentFor(uri), key)),
    command(UdpFileCommands.Stop, (uri: string, key: string) => runs.stop(vscode.Uri.parse(uri), key)),
    command(UdpFileCommands.Restart, async (uri: string, key: string) => {
      await runs.stop(vscode.Uri.parse(uri), key);
      return runs.listen(await documentFor(uri), key);
    }),
    command(UdpFileCommands.RunFile, async (uri: string) => runs.runFile(await documentFor(uri))),
    command(UdpFileCommands.ClearResults, (uri: string) => runs.clearResults(vscode.Uri.parse(uri))),
  );
  models.announceOpenDocuments();
  // Found now, not only when Test Explorer asks (resolveHandler): the workbench resolves a controller when the view is
  // shown, but not one registered while the Testing view is already open — its files would then never be listed.
  void tests.discover();

  return {
    simulateUntrusted: (on) => gate.simulateUntrusted(on),
    get trusted() {
      return gate.allowed;
    },
    runTests: async (ids) => {
      await tests.discover();
      let include: vscode.TestItem[] | undefined;
      if (ids) {
        include = [];
        const wanted = new Set(ids);
        tests.controller.items.forEach((file) => {
          if (wanted.has(file.id)) include!.push(file);
          file.children.forEach((c) => {
            if (wanted.has(c.id)) include!.push(c);
          });
        });
      }
      const cts = new vscode.CancellationTokenSource();
      try {
        return await tests.runHandler(new vscode.TestRunRequest(include), cts.token);
      } finally {
        cts.dispose();
      }
    },
    onDidRecordTestRun: tests.onDidRecordRun,
    discoverTests: () => tests.discover(),
    onDidSyncTests: tests.onDidSync,
    testItems: () => tests.snapshot(),
    blockStates: (uri) => runs.states(uri),
    inlineResults: (uri) => decorations.inlineTexts(uri),
    activeListeners: () => runs.activeListeners(),
    onDidChangeBlockState: runs.onDidChange,
  };
}
