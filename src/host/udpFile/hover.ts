// Hover on `{{…}}` expressions, `@name` definitions and header names: what it is and, for file variables, the
// value it has. `{{ping.reply}}` also shows the reply "ping" last received in this window, when it ran.

import * as vscode from 'vscode';
import { findBlock, hoverAt, type HoverInfo, type UdpFileModel } from '../../core/udpFile';
import { showInvisibles } from '../../shared/payload';
import { fromVsPosition, toVsRange } from './convert';
import type { UdpDocumentModels } from './documentModels';

/** The last reply a block received in this window, as its Expect saw it (text in the block's encoding). */
export type LastReplyLookup = (uri: vscode.Uri, blockName: string) => { text: string; captures: string[]; time: number } | undefined;

const KIND_LABEL: Partial<Record<HoverInfo['kind'], string>> = {
  variable: 'file variable',
  builtin: 'built-in',
  capture: 'regex capture',
  reply: 'value from another block',
  header: 'header',
};

/** Values longer than this are cut in the hover (the full text is in the file). */
const MAX_SHOWN = 500;

export function hoverMarkdown(model: UdpFileModel, info: HoverInfo, lastReply?: LastReplyLookup, uri?: vscode.Uri): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(info.title)}**${KIND_LABEL[info.kind] ? ` — ${KIND_LABEL[info.kind]}` : ''}\n\n`);
  if (info.value !== undefined) {
    md.appendMarkdown('Value:');
    md.appendCodeblock(shorten(displayed(info.value)), 'text');
  }
  md.appendMarkdown(escapeMarkdown(info.detail));
  // {{name.reply}} / {{name.reply.N}}: what that block last received here, if it ran.
  const ref = info.kind === 'reply' ? /^\{\{([^.}]+)\.reply(?:\.(\d+))?\}\}$/.exec(info.title) : null;
  if (ref && lastReply && uri) {
    const block = findBlock(model, ref[1]!);
    const seen = block?.name ? lastReply(uri, block.name) : undefined;
    if (seen) {
      const value = ref[2] === undefined ? seen.text : (seen.captures[Number(ref[2])] ?? '');
      md.appendMarkdown(`\n\nLast received at ${new Date(seen.time).toLocaleTimeString()}:`);
      md.appendCodeblock(shorten(displayed(value)), 'text');
    } else {
      md.appendMarkdown(`\n\n${escapeMarkdown('Not received in this window yet; it is filled in when the block runs.')}`);
    }
  }
  return md;
}

export function registerUdpHover(models: UdpDocumentModels, lastReply?: LastReplyLookup): vscode.Disposable {
  return vscode.languages.registerHoverProvider(
    { language: 'udp' },
    {
      provideHover(document, position) {
        const model = models.get(document);
        const info = hoverAt(model, fromVsPosition(position));
        if (info === undefined) return undefined;
        return new vscode.Hover(hoverMarkdown(model, info, lastReply, document.uri), toVsRange(info.range));
      },
    },
  );
}

/**
 * A value as hovers show it: a reply comes from the network, and inside a code block a bidi override would still
 * reorder the text and a zero-width character still hide, so those (and control characters) are shown as the
 * escapes the Messages panel uses; line breaks stay unless `keepNewlines` is false. The value is already text (an
 * escaped reply stays as the runner matched it), so backslashes are not escaped again.
 */
export function displayed(value: string, keepNewlines = true): string {
  return showInvisibles(value, { keepNewlines });
}

function shorten(value: string): string {
  return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}… (${value.length} characters)` : value;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
