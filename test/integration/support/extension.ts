// What the integration suites need to know about UDP Lab's manifest, read from the extension VS Code loaded
// (so the packaged check reads the installed package.json, not the repository's).
import * as vscode from 'vscode';

interface Manifest {
  publisher: string;
  name: string;
  main?: string;
  contributes?: {
    commands?: Array<{ command: string; title: string; category?: string }>;
    views?: Record<string, Array<{ id: string; name: string; type?: string }>>;
    viewsContainers?: Record<string, Array<{ id: string; title: string; icon: string }>>;
  };
}

export const EXTENSION_ID = 'udp-lab.udp-lab';

export function udpLab(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this VS Code (is extensionDevelopmentPath right?)`);
  return ext;
}

export function manifest(ext = udpLab()): Manifest {
  return ext.packageJSON as Manifest;
}

export function contributedCommands(ext = udpLab()): string[] {
  return (manifest(ext).contributes?.commands ?? []).map((c) => c.command);
}

export function contributedViewIds(ext = udpLab()): string[] {
  return Object.values(manifest(ext).contributes?.views ?? {}).flatMap((views) => views.map((v) => v.id));
}

/**
 * Commands VS Code itself registers for each contributed view (`<viewId>.focus` and friends). They share the
 * view's id prefix, so they are not the extension's own and are left out of the "registered but not
 * contributed" check.
 */
const viewCommandSuffixes = ['focus', 'resetViewLocation', 'removeView', 'toggleVisibility', 'open'];
export function workbenchViewCommands(ext = udpLab()): Set<string> {
  return new Set(contributedViewIds(ext).flatMap((id) => viewCommandSuffixes.map((s) => `${id}.${s}`)));
}

/** Registered `udpLab.*` commands that the extension registered itself (VS Code's view commands excluded). */
export async function registeredUdpLabCommands(ext = udpLab()): Promise<string[]> {
  const generated = workbenchViewCommands(ext);
  return (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('udpLab.') && !generated.has(c));
}
