// "UDP: Send Selection" (editor context menu, Ctrl+Alt+U): each selection — or the cursor's line when nothing is
// selected — goes out as one datagram, top to bottom. The target is asked for once per document and remembered
// (workspaceState); a status-bar hint shows it and "UDP: Change Send Target…" changes it. The encoding is
// `udpLab.defaultEncoding`, or hex when the document looks like hex bytes.

import * as vscode from 'vscode';
import type { PayloadEncoding } from '../shared/dto';
import { looksLikeHex } from '../shared/payload';
import { parseHostPort, type HostPort } from '../shared/validation';
import { argObject, optEncoding, optString, parseTarget, unwrap } from './commandArgs';
import { Commands, type SendSelectionResult } from './commandIds';
import { validationError } from '../core/errors';
import { formatCount } from './format';
import { registerGuarded } from './guardedCommand';
import { checkPayload } from './payloadInput';
import { BACK } from './quickInput';
import { sendDatagram, withRunSocket } from './sendFlow';
import type { SurfaceDeps } from './surfaceDeps';
import { askTarget, targetText } from './targetPick';

/** Enough of the document to judge whether it is hex, without reading a huge file whole. */
const HEX_SNIFF_CHARS = 64 * 1024;

export interface SendSelectionSurface extends vscode.Disposable {
  /** The status-bar hint's text, or undefined when hidden (for tests). */
  readonly hintText: string | undefined;
}

export function registerSendSelection(deps: SurfaceDeps): SendSelectionSurface {
  const hint = vscode.window.createStatusBarItem('udpLab.sendTarget', vscode.StatusBarAlignment.Right, 99);
  hint.name = 'UDP Lab: Send Selection Target';
  hint.command = Commands.ChangeSendTarget;
  const updateHint = (): void => {
    const editor = vscode.window.activeTextEditor;
    const target = editor ? deps.recents.documentTarget(editor.document.uri) : undefined;
    if (!editor || !target) {
      hint.hide();
      return;
    }
    hint.text = `$(send) ${target}`;
    hint.tooltip = `Send Selection (Ctrl+Alt+U) sends to ${target} from this document. Click to change the target.`;
    hint.show();
  };

  const askAndRemember = async (uri: vscode.Uri, title: string): Promise<HostPort | undefined> => {
    const t = await askTarget(deps.registry, deps.recents, { title, placeholder: 'Where should selections from this document go? host:port' });
    if (!t || t === BACK) return undefined;
    await remember(uri, t);
    return t;
  };
  const remember = async (uri: vscode.Uri, t: HostPort): Promise<void> => {
    await deps.recents.setDocumentTarget(uri, targetText(t));
    void deps.recents.addTarget(targetText(t));
    updateHint();
  };

  const disposables = [
    hint,
    vscode.window.onDidChangeActiveTextEditor(updateHint),
    deps.recents.onDidChangeDocumentTarget(updateHint),

    registerGuarded(deps.errors, Commands.SendSelection, async (arg) => {
      // From the editor context menu VS Code passes the document's URI: that is the active editor's anyway.
      const args = arg instanceof vscode.Uri ? undefined : argObject(arg);
      const editor = vscode.window.activeTextEditor;
      if (!editor) throw validationError('Send Selection needs an editor: open a file, select the text to send, and run it again.');
      const doc = editor.document;
      const encoding = (args && optEncoding(args)) ?? encodingFor(doc, deps.settings().defaultEncoding);
      // Encode every payload before sending any, so one bad selection does not leave half of them sent.
      const payloads = payloadsOf(editor);
      const nonEmpty = payloads.filter((p) => p.text !== '');
      if (nonEmpty.length === 0) {
        throw validationError(
          payloads.length > 1
            ? 'Every selection is empty (and so is each cursor’s line). Select the text to send, or put the cursor on a line that has some.'
            : 'The selection and the current line are empty, so there is nothing to send. Select the text to send, or put the cursor on a line that has some.',
        );
      }
      let target: HostPort | undefined;
      const argTarget = args ? optString(args, 'target') : undefined;
      if (argTarget !== undefined) {
        target = parseTarget(argTarget, 'target');
        await remember(doc.uri, target);
      } else {
        const saved = deps.recents.documentTarget(doc.uri);
        target = saved ? unwrap(parseHostPort(saved)) : await askAndRemember(doc.uri, 'UDP: Send Selection to…');
      }
      if (!target) return undefined;
      const family = target.kind === 'ipv6' ? 'IPv6' : 'IPv4';
      const encoded = nonEmpty.map((p, i) => {
        const c = checkPayload(p.text, encoding, family);
        if (c.error || !c.bytes) {
          const which = nonEmpty.length > 1 ? `Selection ${i + 1} of ${nonEmpty.length} (line ${p.line + 1}): ` : '';
          throw validationError(`${which}${c.error ?? 'It is empty.'}${encoding !== 'text' ? ` (Sent as ${encoding}; set udpLab.defaultEncoding or pass "encoding" to change that.)` : ''}`);
        }
        return c.bytes;
      });
      const sizes: number[] = [];
      const to = target;
      if (encoded.length === 1) {
        sizes.push((await sendDatagram(deps, encoded[0]!, to)).bytes);
      } else {
        // Several datagrams leave from one socket, in order, so the peer sees them as one sender's sequence.
        await withRunSocket(deps, to, 'Send Selection', async (socket) => {
          for (const bytes of encoded) sizes.push((await sendDatagram(deps, bytes, to, socket, { quiet: encoded.length > 20 })).bytes);
        });
      }
      const skipped = payloads.length - nonEmpty.length;
      const total = sizes.reduce((a, b) => a + b, 0);
      const summary = `Sent ${sizes.length === 1 ? 'the selection' : `${sizes.length} datagrams`} (${formatCount(total)} bytes, ${encoding}) to ${targetText(target)}${skipped ? `; ${skipped} empty selection${skipped > 1 ? 's' : ''} skipped` : ''}.`;
      if (encoded.length > 20) deps.log.info(summary);
      vscode.window.setStatusBarMessage(`$(check) ${summary}`, 4000);
      return { target: targetText(target), encoding, sizes, skipped } satisfies SendSelectionResult;
    }),

    registerGuarded(deps.errors, Commands.ChangeSendTarget, async (arg) => {
      const args = arg instanceof vscode.Uri ? undefined : argObject(arg);
      let uri: vscode.Uri | undefined = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      const argUri = args ? optString(args, 'uri') : undefined;
      if (argUri !== undefined) {
        try {
          uri = vscode.Uri.parse(argUri, true);
        } catch {
          throw validationError(`${JSON.stringify(argUri.slice(0, 60))} is not a document URI.`);
        }
      }
      if (!uri) throw validationError('Change Send Target works on the active editor: open the document whose selections you send.');
      if (deps.settings().rememberTargets === 0) {
        throw validationError('Remembering targets is off (udpLab.rememberTargets is 0). Raise it to keep a target per document.');
      }
      const argTarget = args ? optString(args, 'target') : undefined;
      if (argTarget !== undefined) {
        const t = parseTarget(argTarget, 'target');
        await remember(uri, t);
        return targetText(t);
      }
      const t = await askAndRemember(uri, 'UDP: Change Send Target');
      return t ? targetText(t) : undefined;
    }),
  ];
  updateHint();

  return {
    get hintText() {
      // StatusBarItem has no "visible" flag; the hint is shown exactly when a target is remembered for the editor.
      const editor = vscode.window.activeTextEditor;
      return editor && deps.recents.documentTarget(editor.document.uri) ? hint.text : undefined;
    },
    dispose: () => {
      for (const d of disposables) d.dispose();
    },
  };
}

/** Selections in document order; an empty selection stands for its line (each line once). */
function payloadsOf(editor: vscode.TextEditor): Array<{ text: string; line: number }> {
  const doc = editor.document;
  const sorted = [...editor.selections].sort((a, b) => a.start.compareTo(b.start));
  const out: Array<{ text: string; line: number }> = [];
  const linesTaken = new Set<number>();
  for (const sel of sorted) {
    if (sel.isEmpty) {
      if (linesTaken.has(sel.active.line)) continue;
      linesTaken.add(sel.active.line);
      out.push({ text: doc.lineAt(sel.active.line).text, line: sel.active.line });
    } else {
      out.push({ text: doc.getText(sel), line: sel.start.line });
    }
  }
  return out;
}

function encodingFor(doc: vscode.TextDocument, fallback: PayloadEncoding): PayloadEncoding {
  let sample = doc.getText(new vscode.Range(doc.positionAt(0), doc.positionAt(HEX_SNIFF_CHARS)));
  // A cut through the middle of a byte would make valid hex look invalid: end at the last separator.
  if (sample.length >= HEX_SNIFF_CHARS) sample = sample.slice(0, Math.max(0, sample.search(/\s\S*$/)));
  return fallback === 'text' && looksLikeHex(sample) ? 'hex' : fallback;
}
