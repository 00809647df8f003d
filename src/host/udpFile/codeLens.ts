// CodeLens above each block: SEND → "Send" (and "Send & Await" when it has Expect), LISTEN → "Listen", or "Stop"
// while it listens; "Cancel" while a send runs; "Run File" once per file. In an untrusted workspace, or when the
// block has errors, the lens says why it cannot run instead of offering an action.

import * as vscode from 'vscode';
import type { Block } from '../../core/udpFile';
import { blockKeys } from './blockKeys';
import type { UdpBlockRuns } from './blockRuns';
import { UdpFileCommands } from './commandIds';
import { toVsRange } from './convert';
import type { UdpDocumentModels } from './documentModels';

function lens(range: vscode.Range, title: string, command: string, args: unknown[], tooltip: string): vscode.CodeLens {
  return new vscode.CodeLens(range, { title, command, arguments: args, tooltip });
}

function targetText(block: Block): string {
  return `udp://${block.target?.raw ?? '?'}`;
}

export class UdpCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly models: UdpDocumentModels,
    private readonly runs: UdpBlockRuns,
  ) {
    const gateChanged = runs.gate.onDidChange(() => this.changed.fire());
    this.subscriptions = [runs.onDidChange(() => this.changed.fire()), { dispose: () => gateChanged.dispose() }];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const model = this.models.get(document);
    const keys = blockKeys(model);
    const uri = document.uri.toString();
    const lenses: vscode.CodeLens[] = [];
    const trusted = this.runs.gate.allowed;

    if (model.blocks.length > 0 && trusted) {
      const first = new vscode.Range(0, 0, 0, 0);
      lenses.push(lens(first, '$(run-all) Run File', UdpFileCommands.RunFile, [uri], 'Run every block like `udp-lab run`: LISTEN blocks stay up while SEND blocks run in order'));
      if ([...this.runs.states(document.uri).values()].some((s) => s.phase === 'done')) {
        lenses.push(lens(first, '$(clear-all) Clear Results', UdpFileCommands.ClearResults, [uri], 'Remove the results shown next to the blocks'));
      }
    }

    for (const block of model.blocks) {
      const key = keys.get(block.index)!;
      const range = toVsRange(block.separatorRange ?? block.requestRange);
      const args = [uri, key];
      if (!trusted) {
        const reason = this.runs.gate.reason(block.method === 'SEND' ? 'send' : 'listen')!;
        lenses.push(lens(range, `$(workspace-untrusted) ${reason}`, 'workbench.trust.manage', [], 'Trust this workspace to send and listen from its .udp files'));
        continue;
      }
      if (block.method === 'LISTEN') {
        if (this.runs.isListening(document.uri, key)) {
          lenses.push(lens(range, '$(debug-stop) Stop', UdpFileCommands.Stop, args, `Stop listening on ${targetText(block)} and close the socket`));
          lenses.push(lens(range, '$(debug-restart) Restart', UdpFileCommands.Restart, args, 'Stop, then listen again with the block as it is now'));
          continue;
        }
        if (block.hasErrors) {
          lenses.push(lens(range, '$(error) Fix the problems in this block to listen', 'workbench.actions.view.problems', [], 'Show the Problems panel'));
          continue;
        }
        const responds = block.responders.length > 0 ? ', answering with its Respond headers' : '';
        lenses.push(lens(range, '$(radio-tower) Listen', UdpFileCommands.Listen, args, `Listen on ${targetText(block)}${responds} until you stop it`));
        continue;
      }
      if (this.runs.isRunning(document.uri, key)) {
        lenses.push(lens(range, '$(loading~spin) Sending…', UdpFileCommands.Cancel, args, 'Cancel this send'));
        lenses.push(lens(range, '$(close) Cancel', UdpFileCommands.Cancel, args, 'Cancel this send'));
        continue;
      }
      if (block.hasErrors) {
        lenses.push(lens(range, '$(error) Fix the problems in this block to send', 'workbench.actions.view.problems', [], 'Show the Problems panel'));
        continue;
      }
      const times = block.repeat ? ` ${block.repeat.count} times` : '';
      lenses.push(lens(range, '$(play) Send', UdpFileCommands.Send, args, `Send to ${targetText(block)}${times} without waiting for a reply`));
      if (block.expect !== undefined) {
        lenses.push(
          lens(range, '$(check) Send & Await', UdpFileCommands.SendAndAwait, args, `Send to ${targetText(block)} and check the reply within ${block.expect.withinMs} ms`),
        );
      }
    }
    return lenses;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
