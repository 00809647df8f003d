// UDP Lab's settings, read in one place with their defaults and sanitised (settings.json is hand-edited:
// a wrong type or a negative cap must fall back to the default, not break a command).

import * as vscode from 'vscode';
import type { PayloadEncoding } from '../shared/dto';
import { isPayloadEncoding } from '../shared/payload';

export type IncomingNotifications = 'none' | 'firstPerPeer' | 'every';

export interface UdpLabSettings {
  defaultBindAddress: string;
  defaultEncoding: PayloadEncoding;
  logMaxDatagrams: number;
  logMaxBytes: number;
  incomingNotifications: IncomingNotifications;
  /** How many recent targets and bind addresses to remember; 0 = remember nothing (also per-document targets). */
  rememberTargets: number;
}

export const DEFAULT_SETTINGS: UdpLabSettings = {
  defaultBindAddress: '127.0.0.1',
  defaultEncoding: 'text',
  logMaxDatagrams: 100_000,
  logMaxBytes: 64 * 1024 * 1024,
  incomingNotifications: 'firstPerPeer',
  rememberTargets: 10,
};

const SECTION = 'udpLab';

export function readSettings(): UdpLabSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const d = DEFAULT_SETTINGS;
  const address = c.get<unknown>('defaultBindAddress');
  const encoding = c.get<unknown>('defaultEncoding');
  const notifications = c.get<unknown>('notifications.incoming');
  return {
    defaultBindAddress: typeof address === 'string' && address.trim() !== '' ? address.trim() : d.defaultBindAddress,
    defaultEncoding: typeof encoding === 'string' && isPayloadEncoding(encoding) ? encoding : d.defaultEncoding,
    logMaxDatagrams: positiveInt(c.get<unknown>('log.maxDatagrams'), d.logMaxDatagrams),
    logMaxBytes: positiveInt(c.get<unknown>('log.maxBytes'), d.logMaxBytes),
    incomingNotifications:
      notifications === 'none' || notifications === 'firstPerPeer' || notifications === 'every'
        ? notifications
        : d.incomingNotifications,
    rememberTargets: nonNegativeInt(c.get<unknown>('rememberTargets'), d.rememberTargets),
  };
}

/** Fires `listener` with fresh settings whenever one of UDP Lab's settings changes. */
export function onDidChangeSettings(listener: (settings: UdpLabSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(readSettings());
  });
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
