// Completion in `.udp` files: inside `{{` the file's variables (with their values), the built-ins, replies of
// earlier blocks and, in a Respond payload, the pattern's captures; at the start of a header line the headers
// that apply to the block's method; after `Encoding:` and the on/off headers their values.

import * as vscode from 'vscode';
import { BUILTINS, HEADERS, type Block, type UdpFileModel } from '../../core/udpFile';
import type { UdpDocumentModels } from './documentModels';

const SEPARATOR = /^\s*###/;
const REQUEST = /^\s*(SEND|LISTEN)(?=\s|$)/;

/** The block whose header lines (request line + 1 up to the first blank line) include `line`, if any. */
function headerBlockAt(document: vscode.TextDocument, model: UdpFileModel, line: number): Block | undefined {
  for (let l = line - 1; l >= 0; l--) {
    const text = document.lineAt(l).text;
    if (text.trim() === '' || SEPARATOR.test(text)) return undefined;
    if (REQUEST.test(text)) return model.blocks.find((b) => b.requestRange.start.line === l);
  }
  return undefined;
}

function countGroups(source: string): number {
  try {
    return (new RegExp(`${source.replace(/\{\{[^{}]*\}\}/g, '')}|`).exec('') ?? []).length - 1;
  } catch {
    return 0;
  }
}

function expressionItems(model: UdpFileModel, document: vscode.TextDocument, position: vscode.Position, range: vscode.Range, close: string): vscode.CompletionItem[] {
  const items: vscode.CompletionItem[] = [];
  for (const def of model.variables.values()) {
    const item = new vscode.CompletionItem(def.name, vscode.CompletionItemKind.Variable);
    item.detail = def.staticValue ?? def.value.raw;
    item.documentation = `File variable defined on line ${def.range.start.line + 1}.`;
    item.insertText = def.name + close;
    item.range = range;
    item.sortText = `0${def.name}`;
    items.push(item);
  }
  for (const b of BUILTINS) {
    const args = /^\{\{\$\S+((?:\s+\S+)*)\}\}$/.exec(b.signature)?.[1]?.trim().split(/\s+/) ?? [];
    const snippet = new vscode.SnippetString(`\\$${b.name}`);
    args.forEach((a, i) => snippet.appendText(' ').appendPlaceholder(a, i + 1));
    snippet.appendText(close);
    const item = new vscode.CompletionItem(`$${b.name}`, vscode.CompletionItemKind.Function);
    item.detail = b.signature;
    item.documentation = b.description;
    item.insertText = snippet;
    item.range = range;
    item.sortText = `1${b.name}`;
    items.push(item);
  }
  const here = model.blocks.find((b) => position.line >= b.range.start.line && position.line <= b.range.end.line);
  for (const b of model.blocks) {
    if (b.name !== undefined && b.method === 'LISTEN') {
      const port = new vscode.CompletionItem(`${b.name}.port`, vscode.CompletionItemKind.Reference);
      port.detail = `the port the LISTEN block "${b.name}" is bound to in the run`;
      port.insertText = `${b.name}.port${close}`;
      port.range = range;
      port.sortText = `2${b.name}`;
      items.push(port);
      continue;
    }
    if (b.name === undefined || b.method !== 'SEND' || b.expect === undefined) continue;
    if (here !== undefined && b.index >= here.index) continue;
    const reply = new vscode.CompletionItem(`${b.name}.reply`, vscode.CompletionItemKind.Reference);
    reply.detail = `the reply "${b.name}" received`;
    reply.insertText = `${b.name}.reply${close}`;
    reply.range = range;
    reply.sortText = `2${b.name}`;
    items.push(reply);
    const groups = b.expect.kind === 'regex' ? countGroups(b.expect.pattern.raw) : 0;
    for (let g = 1; g <= groups; g++) {
      const capture = new vscode.CompletionItem(`${b.name}.reply.${g}`, vscode.CompletionItemKind.Reference);
      capture.detail = `capture ${g} of "${b.name}"'s Expect in its reply`;
      capture.insertText = `${b.name}.reply.${g}${close}`;
      capture.range = range;
      capture.sortText = `2${b.name}.${g}`;
      items.push(capture);
    }
  }
  // Captures exist only in a Respond payload: offer the ones its pattern has.
  const line = document.lineAt(position.line).text;
  const respond = /^\s*respond\s*:\s*\/((?:\\.|[^/\\])*)\/[A-Za-z]*\s*->/i.exec(line);
  if (respond && position.character >= respond[0].length) {
    const groups = countGroups(respond[1]!);
    for (let g = 0; g <= groups; g++) {
      const item = new vscode.CompletionItem(`$${g}`, vscode.CompletionItemKind.Constant);
      item.detail = g === 0 ? 'the whole match' : `capture group ${g} of the Respond pattern`;
      item.insertText = `$${g}${close}`;
      item.range = range;
      item.sortText = `3${g}`;
      items.push(item);
    }
  }
  return items;
}

const HEADER_VALUES: Record<string, readonly string[]> = {
  encoding: ['text', 'hex', 'base64', 'escaped'],
  broadcast: ['on', 'off'],
  'multicast-loopback': ['on', 'off'],
  'reuse-address': ['on', 'off'],
};

export function provideUdpCompletions(document: vscode.TextDocument, position: vscode.Position, model: UdpFileModel): vscode.CompletionItem[] {
  const line = document.lineAt(position.line).text;
  const before = line.slice(0, position.character);

  const open = /\{\{\s*([^{}]*)$/.exec(before);
  if (open) {
    const start = position.character - open[1]!.length;
    const after = line.slice(position.character);
    const word = /^[^{}\s]*/.exec(after)![0];
    const close = /^[^{}\s]*\s*\}\}/.test(after) ? '' : '}}';
    return expressionItems(model, document, position, new vscode.Range(position.line, start, position.line, position.character + word.length), close);
  }

  const block = headerBlockAt(document, model, position.line);
  if (block === undefined) return [];
  const value = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*:\s*(\S*)$/.exec(before);
  if (value) {
    const choices = HEADER_VALUES[value[1]!.toLowerCase()] ?? [];
    return choices.map((c) => {
      const item = new vscode.CompletionItem(c, vscode.CompletionItemKind.EnumMember);
      item.range = new vscode.Range(position.line, position.character - value[2]!.length, position.line, position.character);
      return item;
    });
  }
  const name = /^\s*([A-Za-z0-9-]*)$/.exec(before);
  if (!name || line.slice(position.character).includes(':')) return [];
  const present = new Set(block.headers.filter((h) => h.range.start.line !== position.line).map((h) => h.canonicalName));
  const range = new vscode.Range(position.line, position.character - name[1]!.length, position.line, position.character);
  return HEADERS.filter((h) => h.methods.includes(block.method) && (h.repeatable || !present.has(h.name))).map((h, i) => {
    const item = new vscode.CompletionItem(h.name, vscode.CompletionItemKind.Property);
    item.detail = h.summary;
    item.insertText = `${h.name}: `;
    item.range = range;
    item.sortText = String(i).padStart(2, '0');
    if (HEADER_VALUES[h.name.toLowerCase()]) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
    return item;
  });
}

export function registerUdpCompletion(models: UdpDocumentModels): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    { language: 'udp' },
    { provideCompletionItems: (document, position) => provideUdpCompletions(document, position, models.get(document)) },
    '{',
    '$',
    ':',
  );
}
