// The outline (breadcrumbs, Go to Symbol, sticky scroll) and folding of a `.udp` file: one symbol and one fold
// per block, plus the file variables.

import * as vscode from 'vscode';
import type { Block } from '../../core/udpFile';
import { toVsRange } from './convert';
import type { UdpDocumentModels } from './documentModels';

function blockDetail(block: Block): string {
  const target = block.target?.raw ?? '';
  return `${block.method} ${target}`.trim();
}

export function registerUdpOutline(models: UdpDocumentModels): vscode.Disposable {
  const selector: vscode.DocumentSelector = { language: 'udp' };
  return vscode.Disposable.from(
    vscode.languages.registerDocumentSymbolProvider(
      selector,
      {
        provideDocumentSymbols(document) {
          const model = models.get(document);
          const variables = model.variableDefinitions.map(
            (v) => new vscode.DocumentSymbol(`@${v.name}`, v.value.raw, vscode.SymbolKind.Variable, toVsRange(v.range), toVsRange(v.nameRange)),
          );
          const blocks = model.blocks.map((b) => {
            const symbol = new vscode.DocumentSymbol(
              b.name ?? blockDetail(b),
              b.name !== undefined ? blockDetail(b) : '',
              b.method === 'SEND' ? vscode.SymbolKind.Event : vscode.SymbolKind.Interface,
              toVsRange(b.range),
              toVsRange(b.separatorRange ?? b.requestRange),
            );
            symbol.children = b.headers.map(
              (h) => new vscode.DocumentSymbol(h.canonicalName, h.value, vscode.SymbolKind.Property, toVsRange(h.range), toVsRange(h.nameRange)),
            );
            return symbol;
          });
          return [...variables, ...blocks];
        },
      },
      { label: 'UDP blocks' },
    ),
    vscode.languages.registerFoldingRangeProvider(selector, {
      provideFoldingRanges(document) {
        return models
          .get(document)
          .blocks.filter((b) => b.range.end.line > b.range.start.line)
          .map((b) => new vscode.FoldingRange(b.range.start.line, b.range.end.line, vscode.FoldingRangeKind.Region));
      },
    }),
  );
}
