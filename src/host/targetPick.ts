// The "where to?" step shared by Send…, Repeat Send…, Connect, Send Selection and Change Send Target: recent
// targets, UDP Lab's own open sockets (so "send hello to my listener" is two keystrokes), the peers seen on open
// sockets, or any host:port typed in — validated as you type.

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import { parseHostPort, type HostPort } from '../shared/validation';
import { formatCount, formatEndpoint, socketTitle } from './format';
import { isWildcard } from '../core/localAddresses';
import { askPick, type Back } from './quickInput';
import type { Recents } from './recents';

type TargetItem = vscode.QuickPickItem & { target?: HostPort };

export interface TargetQuestion {
  title: string;
  step?: number;
  totalSteps?: number;
  back?: boolean;
  placeholder?: string;
}

export async function askTarget(
  registry: SocketRegistry,
  recents: Recents,
  question: TargetQuestion,
): Promise<HostPort | Back | undefined> {
  for (;;) {
    const result = await askPick<TargetItem>({
      title: question.title,
      step: question.step,
      totalSteps: question.totalSteps,
      back: question.back,
      placeholder: question.placeholder ?? 'Type host:port (e.g. 127.0.0.1:9000, [::1]:9000) or pick one',
      items: targetItems(registry, recents),
      custom: (value) => {
        const hp = parseHostPort(value);
        if (!hp.ok) return { error: hp.message };
        return { item: { label: targetText(hp.value), description: 'typed', target: hp.value } };
      },
    });
    if (result === undefined || typeof result === 'symbol') return result;
    if (result.kind === 'item' && result.item.target) return result.item.target;
  }
}

/** `host:port` with brackets for IPv6 — the form parseHostPort reads back. */
export function targetText(t: { host: string; port: number }): string {
  return formatEndpoint({ address: t.host, port: t.port });
}

function targetItems(registry: SocketRegistry, recents: Recents): TargetItem[] {
  const items: TargetItem[] = [];
  const seen = new Set<string>();
  /** Adds a section of candidates; its separator only when at least one of them is new. */
  const section = (label: string, candidates: Array<{ text: string; description: string }>): void => {
    const fresh: TargetItem[] = [];
    for (const c of candidates) {
      const hp = parseHostPort(c.text);
      if (!hp.ok) continue;
      const key = targetText(hp.value).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push({ label: targetText(hp.value), description: c.description, target: hp.value });
    }
    if (fresh.length > 0) items.push({ label, kind: vscode.QuickPickItemKind.Separator }, ...fresh);
  };

  section('recent', recents.targets().map((text) => ({ text, description: 'recent' })));

  section(
    'UDP Lab sockets',
    registry
      .views()
      .filter((v) => v.local)
      .map((v) => {
        const local = v.local!;
        // A wildcard socket is reached through loopback from here.
        const address = isWildcard(local.address) ? (v.type === 'udp6' ? '::1' : '127.0.0.1') : local.address;
        return { text: formatEndpoint({ address, port: local.port }), description: `open socket · ${socketTitle(v)}` };
      }),
  );

  const peers: Array<{ text: string; description: string; lastSeen: number }> = [];
  for (const s of registry.list()) {
    const v = s.view();
    for (const p of s.peers()) {
      peers.push({ text: formatEndpoint(p), description: `peer of ${socketTitle(v)} · ${formatCount(p.datagrams)} datagrams`, lastSeen: p.lastSeen });
    }
  }
  peers.sort((a, b) => b.lastSeen - a.lastSeen);
  section('peers seen', peers.slice(0, 50));
  return items;
}
