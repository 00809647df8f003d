// Parser diagnostics in the Problems panel and as squiggles: syntax errors with their line and column, unknown
// headers as warnings that list the known ones (the parser writes the sentences). Follows each open `.udp`
// document through UdpDocumentModels' debounced updates; a closed document's problems go away with it.

import * as vscode from 'vscode';
import type { Diagnostic, DiagnosticSeverity } from '../../core/udpFile';
import { toVsRange } from './convert';
import type { UdpDocumentModels } from './documentModels';

const SEVERITY: Record<DiagnosticSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toVsRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = 'udp';
  out.code = d.code;
  return out;
}

export function registerUdpDiagnostics(models: UdpDocumentModels): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('udp');
  const subscriptions = [
    models.onDidUpdate(({ document, model }) => collection.set(document.uri, model.diagnostics.map(toVsDiagnostic))),
    models.onDidClose((uri) => collection.delete(uri)),
  ];
  return vscode.Disposable.from(collection, ...subscriptions);
}
