// "UDP: Clear Log" and "UDP: Export Log…" (every datagram still in the log, oldest first, as JSON Lines in the
// shared format — see src/shared/datagramJsonl.ts). The export streams in chunks, so a log at its byte cap
// (tens of MiB, twice that as hex) never has to exist as one string.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import * as vscode from 'vscode';
import type { DatagramLog } from '../core/datagramLog';
import { toJsonLine } from '../shared/datagramJsonl';
import { argObject, reqString } from './commandArgs';
import { Commands, type ExportLogResult } from './commandIds';
import { validationError } from '../core/errors';
import { formatCount } from './format';
import { registerGuarded } from './guardedCommand';
import type { SurfaceDeps } from './surfaceDeps';

const CHUNK = 2000;

export function registerLogCommands(deps: SurfaceDeps): vscode.Disposable {
  return vscode.Disposable.from(
    registerGuarded(deps.errors, Commands.ClearLog, async () => {
      const cleared = deps.registry.log.size;
      deps.registry.log.clear();
      deps.log.info(`Cleared the datagram log (${formatCount(cleared)} datagrams).`);
      return cleared;
    }),

    registerGuarded(deps.errors, Commands.ExportLog, async (arg) => {
      const args = argObject(arg);
      let file: string;
      if (args) {
        file = reqString(args, 'path', 'the absolute path of the .jsonl file to write');
        if (!path.isAbsolute(file)) throw validationError(`The export path ${JSON.stringify(file.slice(0, 80))} is not absolute. Pass a full path.`);
      } else {
        if (deps.registry.log.size === 0) throw validationError('The datagram log is empty, so there is nothing to export yet.');
        const uri = await vscode.window.showSaveDialog({
          title: 'UDP: Export Log',
          saveLabel: 'Export',
          defaultUri: defaultExportUri(),
          filters: { 'JSON Lines': ['jsonl', 'ndjson'], 'All files': ['*'] },
        });
        if (!uri) return undefined;
        if (uri.scheme !== 'file') {
          return exportViaWorkspaceFs(deps, uri);
        }
        file = uri.fsPath;
      }
      const result = await exportToFile(deps, file);
      deps.log.info(`Exported ${formatCount(result.datagrams)} datagrams to ${result.path}.`);
      if (!args) {
        void vscode.window
          .showInformationMessage(`Exported ${formatCount(result.datagrams)} datagrams to ${path.basename(file)}.`, 'Open File')
          .then((choice) => (choice ? vscode.window.showTextDocument(vscode.Uri.file(file)) : undefined));
      }
      return result;
    }),
  );
}

function defaultExportUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  return folder ? vscode.Uri.joinPath(folder, `udp-lab-${stamp}.jsonl`) : undefined;
}

/** Every line, oldest first, `CHUNK` entries at a time; stops at what was in the log when it started. */
function* lines(log: DatagramLog, deps: SurfaceDeps): Generator<string> {
  const end = log.lastSeq;
  let after = log.firstSeq - 1;
  while (after < end) {
    const chunk = log.since(after, CHUNK);
    if (chunk.length === 0) break;
    for (const d of chunk) {
      if (d.seq > end) return;
      yield toJsonLine(d, deps.directory.local(d.socketId));
      after = d.seq;
    }
  }
}

async function exportToFile(deps: SurfaceDeps, file: string): Promise<ExportLogResult> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  let failed: Error | undefined;
  out.on('error', (e) => (failed = e));
  let count = 0;
  try {
    for (const line of lines(deps.registry.log, deps)) {
      if (failed) break;
      count++;
      if (!out.write(line + '\n')) await Promise.race([once(out, 'drain'), once(out, 'error')]);
    }
  } finally {
    out.end();
    await Promise.race([once(out, 'close'), once(out, 'error')]).catch(() => undefined);
  }
  if (failed) throw validationError(`UDP Lab could not write ${file}: ${failed.message}. Choose another place to save it.`);
  return { path: file, datagrams: count };
}

async function exportViaWorkspaceFs(deps: SurfaceDeps, uri: vscode.Uri): Promise<ExportLogResult> {
  const text = [...lines(deps.registry.log, deps)].map((l) => l + '\n').join('');
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const count = text === '' ? 0 : text.split('\n').length - 1;
  deps.log.info(`Exported ${formatCount(count)} datagrams to ${uri.toString()}.`);
  return { path: uri.toString(), datagrams: count };
}
