// Results where the block is: after each block's SEND/LISTEN line, an inline note such as `✓ "pong 17" · 3.2 ms`,
// `✗ no reply within 500 ms`, or `● listening on 127.0.0.1:9001 · 3 received · 3 answered`. Hovering it shows
// the details (expected, the replies with sender and round-trip time).

import * as vscode from 'vscode';
import type { BlockResult } from '../../core/udpFile';
import { formatEndpoint, formatMs } from '../../core/udpFile';
import { blockKeys } from './blockKeys';
import type { BlockRunState, UdpBlockRuns } from './blockRuns';
import { isUdpDocument } from './convert';
import { displayed } from './hover';
import type { UdpDocumentModels } from './documentModels';

type Tone = 'passed' | 'failed' | 'active' | 'neutral';

/** Long messages are cut in the line (the hover has all of it). */
const MAX_INLINE = 120;

export function glyphFor(state: BlockRunState): string {
  if (state.phase === 'running') return '…';
  if (state.phase === 'listening') return '●';
  switch (state.status) {
    case 'passed':
      return '✓';
    case 'failed':
    case 'error':
      return '✗';
    case 'sent':
      return '↗';
    case 'listened':
      return '■';
    default:
      return '○';
  }
}

function toneFor(state: BlockRunState): Tone {
  if (state.phase === 'running' || state.phase === 'listening') return 'active';
  if (state.status === 'passed') return 'passed';
  if (state.status === 'failed' || state.status === 'error') return 'failed';
  return 'neutral';
}

/** The inline text: glyph, message (cut), and a note when the block only ran for another one. */
export function inlineText(state: BlockRunState): string {
  const message = state.message.length > MAX_INLINE ? `${state.message.slice(0, MAX_INLINE - 1)}…` : state.message;
  return `${glyphFor(state)} ${message}${state.dependency ? '  (ran for another block)' : ''}`;
}

function detailMarkdown(state: BlockRunState): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${glyphFor(state)} ${state.message}\n`);
  const r: BlockResult | undefined = state.result;
  if (r) {
    const facts: string[] = [];
    if (r.expected) facts.push(`Expected: ${r.expected}`);
    if (r.target) facts.push(`To: ${formatEndpoint({ address: r.target.host, port: r.target.port })}`);
    if (r.local) facts.push(`From: ${formatEndpoint(r.local)}`);
    if (r.sent > 0) facts.push(`Sent: ${r.sent} datagram${r.sent === 1 ? '' : 's'}, ${r.bytesSent} bytes`);
    if (r.method === 'LISTEN') facts.push(`Received: ${r.received}, answered: ${r.responded}`);
    if (r.rtt) facts.push(`Round trip: min ${formatMs(r.rtt.min)}, avg ${formatMs(r.rtt.avg)}, max ${formatMs(r.rtt.max)}`);
    facts.push(`Took ${formatMs(r.durationMs)}, finished ${new Date(state.time).toLocaleTimeString()}`);
    md.appendMarkdown('\n');
    for (const f of facts) md.appendText(`${f}\n`).appendMarkdown('\n');
    const shown = r.replies.slice(-5);
    if (shown.length > 0) {
      md.appendMarkdown(`\n**${r.method === 'SEND' ? 'Replies' : 'Datagrams'}** (last ${shown.length} of ${r.replies.length} kept)\n`);
      const lines = shown.map(
        (x) => `${x.matched ? '✓' : '✗'} ${formatEndpoint(x.peer)}${x.rttMs !== undefined ? ` · ${formatMs(x.rttMs)}` : ''} · ${x.bytes.length} B  ${displayed(x.text.slice(0, 200), false)}`,
      );
      md.appendCodeblock(lines.join('\n'), 'text');
    }
  }
  return md;
}

export class UdpResultDecorations implements vscode.Disposable {
  private readonly types: Record<Tone, vscode.TextEditorDecorationType>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly models: UdpDocumentModels,
    private readonly runs: UdpBlockRuns,
  ) {
    const make = (color: string) =>
      vscode.window.createTextEditorDecorationType({
        after: { margin: '0 0 0 2em', color: new vscode.ThemeColor(color), fontStyle: 'normal' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
    this.types = {
      passed: make('testing.iconPassed'),
      failed: make('testing.iconFailed'),
      active: make('editorCodeLens.foreground'),
      neutral: make('editorCodeLens.foreground'),
    };
    this.subscriptions = [
      runs.onDidChange((uri) => this.refresh(uri)),
      models.onDidUpdate(({ document }) => this.refresh(document.uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
    ];
    this.refreshAll();
  }

  /** What each visible line shows, for tests: line → inline text. */
  inlineTexts(uri: vscode.Uri): Map<number, string> {
    const out = new Map<number, string>();
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!document) return out;
    for (const { line, state } of this.placed(document)) out.set(line, inlineText(state));
    return out;
  }

  private placed(document: vscode.TextDocument): Array<{ line: number; state: BlockRunState }> {
    const states = this.runs.states(document.uri);
    if (states.size === 0) return [];
    const model = this.models.get(document);
    const out: Array<{ line: number; state: BlockRunState }> = [];
    for (const [index, key] of blockKeys(model)) {
      const state = states.get(key);
      if (state) out.push({ line: model.blocks[index]!.requestRange.start.line, state });
    }
    return out;
  }

  refreshAll(): void {
    for (const editor of vscode.window.visibleTextEditors) if (isUdpDocument(editor.document)) this.render(editor);
  }

  private refresh(uri: vscode.Uri): void {
    const id = uri.toString();
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === id && isUdpDocument(editor.document)) this.render(editor);
  }

  private render(editor: vscode.TextEditor): void {
    const byTone: Record<Tone, vscode.DecorationOptions[]> = { passed: [], failed: [], active: [], neutral: [] };
    for (const { line, state } of this.placed(editor.document)) {
      const end = editor.document.lineAt(line).range.end;
      byTone[toneFor(state)].push({
        range: new vscode.Range(end, end),
        hoverMessage: detailMarkdown(state),
        renderOptions: { after: { contentText: inlineText(state) } },
      });
    }
    for (const tone of Object.keys(byTone) as Tone[]) editor.setDecorations(this.types[tone], byTone[tone]);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of Object.values(this.types)) t.dispose();
  }
}
