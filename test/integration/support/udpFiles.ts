// Helpers for the `.udp` editor suites: writing `.udp` files into the test workspace, reading the lenses VS Code
// shows, and waiting on real events (diagnostics, block states, test item syncs) instead of sleeping.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as vscode from 'vscode';
import type { UdpFilesHooks } from '../../../src/host/udpFile';

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need a workspace folder');
  return folder.uri;
}

/** Writes a `.udp` file into the workspace and opens it in an editor (decorations only draw in visible editors). */
export async function openUdpFile(name: string, content: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(workspaceRoot(), name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  assert.equal(document.languageId, 'udp', `${name} did not open as a .udp file`);
  return vscode.window.showTextDocument(document);
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface ShownLens {
  title: string;
  command: string;
  args: unknown[];
  line: number;
}

/** The lenses VS Code would draw for the document, resolved, with their commands. */
export async function lensesOf(uri: vscode.Uri): Promise<ShownLens[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.map((l) => ({ title: l.command?.title ?? '', command: l.command?.command ?? '', args: l.command?.arguments ?? [], line: l.range.start.line }));
}

/** The lens with this title (codicon prefix ignored) on the block that starts at `line`. */
export async function lensAt(uri: vscode.Uri, line: number, title: string): Promise<ShownLens> {
  const all = await lensesOf(uri);
  const found = all.find((l) => l.line === line && l.title.replace(/^\$\([^)]*\)\s*/, '') === title);
  assert.ok(found, `no "${title}" lens on line ${line + 1}; lenses: ${JSON.stringify(all.map((l) => `${l.line + 1}: ${l.title}`))}`);
  return found;
}

export function runLens<T>(lens: ShownLens): Thenable<T> {
  return vscode.commands.executeCommand<T>(lens.command, ...lens.args);
}

/** Resolves with the value once `read()` returns something, re-checking whenever `event` fires. */
export function when<T>(event: vscode.Event<unknown>, read: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const now = read();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const sub = event(() => {
      const value = read();
      if (value === undefined) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
  });
}

/**
 * Waits until the workbench itself lists these test items (ids as the controller made them) for `uri`. The
 * extension host hands test item changes to the workbench in batches — VS Code's TestItemCollection sends its diff
 * 200 ms after the first change — and no event tells an extension when they have arrived. A workbench command run
 * before that (Run Tests in Current File) finds no tests in the file and returns without running anything. So this
 * asks the workbench (`vscode.testing.getTestsInFile`, its own view of the tests) until it knows them: a wait for a
 * state nothing announces, re-asked every 50 ms, bounded by `ms`.
 */
export async function workbenchKnowsTests(uri: vscode.Uri, ids: readonly string[], ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Each entry is a test's id path from its controller: [controller, file item, block item].
    const known = (await vscode.commands.executeCommand<string[][]>('vscode.testing.getTestsInFile', uri)) ?? [];
    const listed = new Set(known.map((path) => path[path.length - 1]));
    const missing = ids.filter((id) => !listed.has(id));
    if (missing.length === 0) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for the workbench to list ${missing.join(', ')} (it lists ${[...listed].join(', ') || 'nothing'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the document's diagnostics satisfy `predicate`. */
export function diagnosticsWhen(uri: vscode.Uri, predicate: (d: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  const read = () => {
    const d = vscode.languages.getDiagnostics(uri);
    return predicate(d) ? d : undefined;
  };
  return when(vscode.languages.onDidChangeDiagnostics, read, what);
}

/** Waits until the inline result on `line` matches `pattern`; returns its text. */
export function inlineWhen(hooks: UdpFilesHooks, uri: vscode.Uri, line: number, pattern: RegExp): Promise<string> {
  return when(
    hooks.onDidChangeBlockState,
    () => {
      const text = hooks.inlineResults(uri).get(line);
      return text !== undefined && pattern.test(text) ? text : undefined;
    },
    `the inline result on line ${line + 1} to match ${pattern} (now: ${JSON.stringify(hooks.inlineResults(uri).get(line))})`,
  );
}

/** The 0-based line of the first line of `document` that starts with `prefix`. */
export function lineOf(document: vscode.TextDocument, prefix: string): number {
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.startsWith(prefix)) return i;
  throw new Error(`no line starts with ${JSON.stringify(prefix)}`);
}
