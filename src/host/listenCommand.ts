// "UDP: Listen on Port…". The fast path is one box: type a port (or address:port), press Enter, and it binds on
// `udpLab.defaultBindAddress`. The gear button on that box opens the options — address (recent, loopback,
// wildcards, this machine's interfaces), family, Reuse Address, Reuse Port (when this Node supports it), IPv6-only,
// buffer sizes — and comes back to the port box. From other extensions: executeCommand('udpLab.listen', { port }).

import * as vscode from 'vscode';
import { UdpSocket } from '../core/udpSocket';
import type { SocketOptions, SocketType, SocketView } from '../shared/dto';
import { parseBindSpec, validateAddress, validatePort } from '../shared/validation';
import { argObject, optAddress, optBoolean, optInt, optSocketType, optString, reqPort } from './commandArgs';
import { Commands } from './commandIds';
import type { ErrorAction } from './errorReporter';
import { formatEndpoint, socketTitle } from './format';
import { errorCode, registerGuarded } from './guardedCommand';
import { isLoopback, isWildcard, localAddresses } from '../core/localAddresses';
import { askInput, askMany, askPick, BACK, type Check } from './quickInput';
import type { SurfaceDeps } from './surfaceDeps';

const MAX_BUFFER = 2 ** 31 - 1;
const OPTIONS_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('settings-gear'), tooltip: 'Options: address, family, reuse, buffer sizes' };

/** What the palette flow collects before it binds. */
interface ListenDraft {
  address: string;
  type: SocketType;
  reuseAddr: boolean;
  reusePort: boolean;
  ipv6Only: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

export function registerListenCommand(deps: SurfaceDeps): vscode.Disposable {
  /** What the last attempt asked for, so "Choose Another Port" can keep the address and options. */
  let lastAttempt: SocketOptions | undefined;
  const retry = (): void => {
    const seed = lastAttempt;
    void askOptions(deps, seed)
      .then((options) => (options ? ((lastAttempt = options), listen(deps, options)) : undefined))
      .catch((error: unknown) => deps.errors.show(error, actionsFor(error)));
  };
  const actionsFor = (error: unknown): ErrorAction[] => {
    const code = errorCode(error);
    if (code === 'EADDRINUSE' || code === 'EACCES') return [{ title: 'Choose Another Port', run: retry }];
    if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'ENOTFOUND' || code === 'EINVAL') {
      return [{ title: 'Choose Another Address', run: retry }];
    }
    return [];
  };
  return registerGuarded(
    deps.errors,
    Commands.Listen,
    async (arg) => {
      const args = argObject(arg);
      lastAttempt = undefined;
      const options = args ? optionsFromArgs(args, deps) : await askOptions(deps);
      if (!options) return undefined;
      lastAttempt = options;
      return listen(deps, options);
    },
    (error) => actionsFor(error),
  );
}

/** Opens and binds (the activity log records it); remembers the address. Throws the core's UdpLabError. */
export async function listen(deps: SurfaceDeps, requested: SocketOptions): Promise<SocketView | undefined> {
  let options = requested;
  if (options.address) {
    const address = await deps.exposure.confirm(options.address, options.port);
    if (address === undefined) return undefined;
    if (address !== options.address) options = { ...options, address };
  }
  const socket = await deps.registry.open(options);
  const view = socket.view();
  if (options.address) void deps.recents.addBindAddress(options.address);
  vscode.window.setStatusBarMessage(`$(radio-tower) Listening on ${view.local ? formatEndpoint(view.local) : socketTitle(view)}`, 4000);
  return view;
}

function familyOf(address: string): SocketType | undefined {
  const v = validateAddress(address);
  if (!v.ok) return undefined;
  return v.value.kind === 'ipv6' ? 'udp6' : v.value.kind === 'ipv4' ? 'udp4' : undefined;
}

/**
 * The default bind address for a socket type the caller named: the setting, or its counterpart in that family
 * (`{ type: 'udp6' }` with the default 127.0.0.1 binds ::1, with 0.0.0.0 binds ::) instead of a family mismatch.
 */
function defaultAddressFor(type: SocketType | undefined, configured: string): string {
  const family = familyOf(configured);
  if (type === undefined || family === undefined || family === type) return configured;
  if (isWildcard(configured)) return type === 'udp6' ? '::' : '0.0.0.0';
  if (isLoopback(configured)) return type === 'udp6' ? '::1' : '127.0.0.1';
  return configured; // one interface's address: the core explains the mismatch
}

/** Arguments → SocketOptions, each field checked (a bad one throws the sentence). */
export function optionsFromArgs(args: Record<string, unknown>, deps: SurfaceDeps): SocketOptions {
  const port = reqPort(args);
  const asked = optSocketType(args);
  const address = optAddress(args, 'address') ?? defaultAddressFor(asked, deps.settings().defaultBindAddress);
  const type = asked ?? familyOf(address) ?? 'udp4';
  const options: SocketOptions = { type, port, address };
  const reuseAddr = optBoolean(args, 'reuseAddr');
  const reusePort = optBoolean(args, 'reusePort');
  const ipv6Only = optBoolean(args, 'ipv6Only');
  const exclusive = optBoolean(args, 'exclusive');
  const recv = optInt(args, 'recvBufferSize', 1, MAX_BUFFER, 'The receive buffer size');
  const send = optInt(args, 'sendBufferSize', 1, MAX_BUFFER, 'The send buffer size');
  const label = optString(args, 'label');
  if (reuseAddr !== undefined) options.reuseAddr = reuseAddr;
  if (reusePort !== undefined) options.reusePort = reusePort;
  if (ipv6Only !== undefined) options.ipv6Only = ipv6Only;
  if (exclusive !== undefined) options.exclusive = exclusive;
  if (recv !== undefined) options.recvBufferSize = recv;
  if (send !== undefined) options.sendBufferSize = send;
  if (label !== undefined && label.trim() !== '') options.label = label.trim().slice(0, 60);
  return options;
}

// ------------------------------------------------------------------------------------------ palette

async function askOptions(deps: SurfaceDeps, seed?: SocketOptions): Promise<SocketOptions | undefined> {
  const address = seed?.address ?? deps.settings().defaultBindAddress;
  const draft: ListenDraft = {
    address,
    type: seed?.type ?? familyOf(address) ?? 'udp4',
    reuseAddr: seed?.reuseAddr ?? false,
    reusePort: seed?.reusePort ?? false,
    ipv6Only: seed?.ipv6Only ?? false,
    ...(seed?.recvBufferSize ? { recvBufferSize: seed.recvBufferSize } : {}),
    ...(seed?.sendBufferSize ? { sendBufferSize: seed.sendBufferSize } : {}),
  };
  let typed = '';
  for (;;) {
    const result = await askInput({
      title: 'UDP: Listen on Port',
      prompt: `${describeDraft(draft)} — type a port and press Enter (0 = any free port), or address:port. The gear sets options.`,
      placeholder: 'Port, e.g. 5000',
      value: typed,
      validate: (value) => checkBindSpec(value),
      buttons: [OPTIONS_BUTTON],
    });
    if (result === undefined || result === BACK) return undefined;
    if (result.kind === 'button') {
      typed = result.value;
      const edited = await askAdvanced(deps, draft);
      if (edited) Object.assign(draft, edited);
      continue;
    }
    const spec = parseBindSpec(result.value);
    if (!spec.ok) continue; // cannot happen: validate blocked it
    if (spec.value.host !== undefined) {
      draft.address = spec.value.host;
      draft.type = familyOf(spec.value.host) ?? draft.type;
    }
    return toOptions(draft, spec.value.port);
  }
}

function checkBindSpec(value: string): Check {
  if (value.trim() === '') return { error: 'Type a port number from 0 to 65535 (0 picks a free port), or address:port.' };
  // Without a colon the user is typing a port: say what is wrong with it as a port, not as a host name.
  if (!value.includes(':')) {
    const port = validatePort(value);
    return port.ok ? {} : { error: port.message };
  }
  const spec = parseBindSpec(value);
  if (!spec.ok) return { error: spec.message };
  if (spec.value.host !== undefined && isWildcard(spec.value.host)) {
    return { warning: `${spec.value.host} listens on every interface: the port becomes reachable from the network.` };
  }
  return {};
}

function describeDraft(d: ListenDraft): string {
  const flags = [d.reuseAddr ? 'reuse address' : '', d.reusePort ? 'reuse port' : '', d.ipv6Only ? 'IPv6 only' : '']
    .filter((f) => f !== '')
    .join(', ');
  const buffers = d.recvBufferSize || d.sendBufferSize ? `, buffers ${d.recvBufferSize ?? 'default'}/${d.sendBufferSize ?? 'default'}` : '';
  return `Binds ${d.type} on ${d.address.includes(':') ? `[${d.address}]` : d.address}${flags ? ` with ${flags}` : ''}${buffers}`;
}

function toOptions(d: ListenDraft, port: number): SocketOptions {
  const o: SocketOptions = { type: d.type, port, address: d.address };
  if (d.reuseAddr) o.reuseAddr = true;
  if (d.reusePort) o.reusePort = true;
  if (d.ipv6Only && d.type === 'udp6') o.ipv6Only = true;
  if (d.recvBufferSize) o.recvBufferSize = d.recvBufferSize;
  if (d.sendBufferSize) o.sendBufferSize = d.sendBufferSize;
  return o;
}

type AddressItem = vscode.QuickPickItem & { address?: string };

/** The options steps: address → family (host names only) → switches → buffer sizes. Back returns a step. */
async function askAdvanced(deps: SurfaceDeps, current: ListenDraft): Promise<Partial<ListenDraft> | undefined> {
  const draft: ListenDraft = { ...current };
  const title = 'UDP: Listen on Port — Options';
  let step = 1;
  for (;;) {
    if (step === 1) {
      const picked = await askPick<AddressItem>({
        title,
        step: 1,
        totalSteps: 3,
        placeholder: 'Bind address (or type one)',
        items: addressItems(deps, draft.address),
        custom: (value) => {
          const v = validateAddress(value);
          if (!v.ok) return { error: v.message };
          return { item: { label: v.value.address, description: 'typed address', address: v.value.address } };
        },
      });
      if (picked === undefined || picked === BACK || picked.kind !== 'item') return undefined;
      if (!picked.item.address) continue;
      draft.address = picked.item.address;
      const family = familyOf(draft.address);
      if (family) {
        draft.type = family;
        step = 3;
      } else {
        step = 2;
      }
      continue;
    }
    if (step === 2) {
      const picked = await askPick<vscode.QuickPickItem & { type: SocketType }>({
        title,
        step: 2,
        totalSteps: 3,
        back: true,
        placeholder: `Address family for ${draft.address}`,
        items: [
          { label: 'udp4', description: 'IPv4', type: 'udp4' },
          { label: 'udp6', description: 'IPv6', type: 'udp6' },
        ],
      });
      if (picked === undefined) return undefined;
      if (picked === BACK) {
        step = 1;
        continue;
      }
      if (picked.kind !== 'item') continue;
      draft.type = picked.item.type;
      step = 3;
      continue;
    }
    if (step === 3) {
      type Switch = vscode.QuickPickItem & { key: 'reuseAddr' | 'reusePort' | 'ipv6Only' | 'buffers' };
      const items: Switch[] = [
        { label: 'Reuse Address', description: 'SO_REUSEADDR: share the port with other sockets that also set it', key: 'reuseAddr', picked: draft.reuseAddr },
      ];
      if (UdpSocket.reusePortSupported()) {
        items.push({ label: 'Reuse Port', description: 'SO_REUSEPORT: the kernel spreads datagrams over sockets sharing the port', key: 'reusePort', picked: draft.reusePort });
      }
      if (draft.type === 'udp6') {
        items.push({ label: 'IPv6 Only', description: 'do not also receive IPv4 on a :: socket', key: 'ipv6Only', picked: draft.ipv6Only });
      }
      items.push({
        label: 'Set Buffer Sizes…',
        description: `receive ${draft.recvBufferSize ?? 'default'}, send ${draft.sendBufferSize ?? 'default'} (bytes)`,
        key: 'buffers',
        picked: false,
      });
      const chosen = await askMany<Switch>({ title, step: 3, totalSteps: 3, back: true, placeholder: 'Tick the options, then press Enter', items });
      if (chosen === undefined) return undefined;
      if (chosen === BACK) {
        step = familyOf(draft.address) ? 1 : 2;
        continue;
      }
      const keys = new Set(chosen.map((c) => c.key));
      draft.reuseAddr = keys.has('reuseAddr');
      draft.reusePort = keys.has('reusePort');
      draft.ipv6Only = keys.has('ipv6Only');
      if (!keys.has('buffers')) return draft;
      const recv = await askBuffer(title, 'Receive buffer size in bytes (SO_RCVBUF); empty = 4 MiB, capped by the system (net.core.rmem_max)', draft.recvBufferSize);
      if (recv === undefined) return undefined;
      if (recv === BACK) continue;
      const send = await askBuffer(title, 'Send buffer size in bytes (SO_SNDBUF); empty = the system default', draft.sendBufferSize);
      if (send === undefined) return undefined;
      if (send === BACK) continue;
      draft.recvBufferSize = recv ?? undefined;
      draft.sendBufferSize = send ?? undefined;
      return draft;
    }
  }
}

/** A buffer size; null = the system default. */
async function askBuffer(title: string, prompt: string, value: number | undefined): Promise<number | null | typeof BACK | undefined> {
  const result = await askInput({
    title,
    prompt,
    back: true,
    value: value === undefined ? '' : String(value),
    placeholder: 'e.g. 1048576',
    validate: (text) => {
      const t = text.trim();
      if (t === '') return {};
      if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_BUFFER) {
        return { error: `${JSON.stringify(t.slice(0, 20))} is not a size in bytes. Type a whole number from 1 to ${MAX_BUFFER}, or leave it empty.` };
      }
      return {};
    },
  });
  if (result === undefined || result === BACK) return result;
  if (result.kind !== 'value') return BACK;
  const t = result.value.trim();
  return t === '' ? null : Number(t);
}

function addressItems(deps: SurfaceDeps, current: string): AddressItem[] {
  const NETWORK = '$(warning) Reachable from the network';
  // What each address means, so it reads the same whether it shows up as current, recent or in its own section.
  const known = new Map<string, { what: string; detail?: string }>([
    ['127.0.0.1', { what: 'IPv4 loopback: only this machine' }],
    ['::1', { what: 'IPv6 loopback: only this machine' }],
    ['0.0.0.0', { what: 'every IPv4 interface', detail: NETWORK }],
    ['::', { what: 'every IPv6 interface (and IPv4, unless IPv6 Only)', detail: NETWORK }],
  ]);
  const interfaces = localAddresses();
  for (const l of interfaces) {
    const key = l.address.toLowerCase();
    if (!known.has(key)) known.set(key, { what: `${l.interfaceName} · ${l.family}`, ...(l.internal ? {} : { detail: NETWORK }) });
  }
  const seen = new Set<string>();
  const items: AddressItem[] = [];
  const add = (address: string, why?: string): void => {
    const key = address.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    const k = known.get(key);
    const description = [why, k?.what].filter((p) => p !== undefined && p !== '').join(' · ');
    items.push({ label: address, description, address, ...(k?.detail ? { detail: k.detail } : {}) });
  };
  const section = (label: string): void => {
    items.push({ label, kind: vscode.QuickPickItemKind.Separator });
  };
  const def = deps.settings().defaultBindAddress;
  add(current, current === def ? 'current, the default (udpLab.defaultBindAddress)' : 'current');
  add(def, 'the default (udpLab.defaultBindAddress)');
  const recent = deps.recents.bindAddresses().filter((r) => !seen.has(r.toLowerCase()));
  if (recent.length > 0) section('recent');
  for (const r of recent) add(r, 'recent');
  section('loopback and wildcards');
  for (const a of ['127.0.0.1', '::1', '0.0.0.0', '::']) add(a);
  const rest = interfaces.filter((l) => !seen.has(l.address.toLowerCase()));
  if (rest.length > 0) section('this machine');
  for (const l of rest) add(l.address);
  return items;
}
