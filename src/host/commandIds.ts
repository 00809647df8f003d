// Every command UDP Lab contributes, in one place (the vscode-js-debug pattern): ids live in a const enum, and
// registerCommand / executeCommand are typed by id, so a misspelt id or a wrong result type is a compile error.
// The integration suite checks that this list and package.json `contributes.commands` match in both directions.

import * as vscode from 'vscode';
import type { PayloadEncoding, SocketView, SocketType } from '../shared/dto';

export const enum Commands {
  Listen = 'udpLab.listen',
  Send = 'udpLab.send',
  SendSelection = 'udpLab.sendSelection',
  ChangeSendTarget = 'udpLab.changeSendTarget',
  CloseSocket = 'udpLab.closeSocket',
  CloseAllSockets = 'udpLab.closeAllSockets',
  ConnectSocket = 'udpLab.connectSocket',
  DisconnectSocket = 'udpLab.disconnectSocket',
  EnableBroadcast = 'udpLab.enableBroadcast',
  DisableBroadcast = 'udpLab.disableBroadcast',
  SetTtl = 'udpLab.setTtl',
  JoinMulticastGroup = 'udpLab.joinMulticastGroup',
  LeaveMulticastGroup = 'udpLab.leaveMulticastGroup',
  RepeatSend = 'udpLab.repeatSend',
  ShowMessages = 'udpLab.showMessages',
  ClearLog = 'udpLab.clearLog',
  ExportLog = 'udpLab.exportLog',
  CopyLocalAddress = 'udpLab.copyLocalAddress',
  ReplyToPeer = 'udpLab.replyToPeer',
}

/** Every id, for the contribution check in tests. Kept next to the enum so a new id cannot be forgotten here. */
export const ALL_COMMANDS: readonly Commands[] = [
  Commands.Listen,
  Commands.Send,
  Commands.SendSelection,
  Commands.ChangeSendTarget,
  Commands.CloseSocket,
  Commands.CloseAllSockets,
  Commands.ConnectSocket,
  Commands.DisconnectSocket,
  Commands.EnableBroadcast,
  Commands.DisableBroadcast,
  Commands.SetTtl,
  Commands.JoinMulticastGroup,
  Commands.LeaveMulticastGroup,
  Commands.RepeatSend,
  Commands.ShowMessages,
  Commands.ClearLog,
  Commands.ExportLog,
  Commands.CopyLocalAddress,
  Commands.ReplyToPeer,
];

// ------------------------------------------------------------------------------------ argument shapes
// What other extensions, keybindings and tests may pass. Every field is checked at run time (callers are
// untyped JSON); a socket may be named by its id, its local `address:port`, or a bare port when only one
// socket has it. A tree element can stand in for `socket` (VS Code passes the clicked item).

/** A socket reference: id (`"udp4-1"`), local endpoint (`"127.0.0.1:5000"`, `"[::1]:5000"`) or port (`5000`). */
export type SocketRef = string | number;

export interface ListenArgs {
  port: number | string;
  address?: string;
  type?: SocketType;
  reuseAddr?: boolean;
  reusePort?: boolean;
  ipv6Only?: boolean;
  exclusive?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
  label?: string;
}

export interface SendArgs {
  /** `host:port`, `[v6]:port`, `udp://host:port`, or `{ host, port }`. */
  target: string | { host: string; port: number };
  payload: string;
  encoding?: PayloadEncoding;
  /** Send from this open socket; omitted = from a throw-away ephemeral socket. */
  socket?: SocketRef;
}

export interface SendResult {
  /** Bytes in the datagram. */
  bytes: number;
  /** `host:port` as sent to. */
  target: string;
  /** The id of the socket it left from, or `"ephemeral"`. */
  from: string;
}

export interface RepeatSendArgs extends SendArgs {
  count: number;
  intervalMs?: number;
  ratePerSecond?: number;
}

export interface RepeatSendResult {
  sent: number;
  failed: number;
  cancelled: boolean;
  elapsedMs: number;
}

export interface SendSelectionArgs {
  /** Overrides (and remembers) the document's target. */
  target?: string;
  encoding?: PayloadEncoding;
}

export interface SendSelectionResult {
  target: string;
  encoding: PayloadEncoding;
  /** Byte length of each datagram sent, in order. */
  sizes: number[];
  /** Empty selections (empty lines) that were not sent. */
  skipped: number;
}

export interface ChangeSendTargetArgs {
  target: string;
  /** The document whose target changes; defaults to the active editor's. */
  uri?: string;
}

export interface SocketArgs {
  socket: SocketRef;
}

export interface ConnectArgs extends SocketArgs {
  target: string | { host: string; port: number };
}

export interface SetTtlArgs extends SocketArgs {
  ttl: number;
  /** Set the multicast TTL instead of the unicast one. */
  multicast?: boolean;
}

export interface MembershipArgs extends SocketArgs {
  group: string;
  /** Local interface address to join on; omitted = the system's choice. */
  interface?: string;
  /** For a source-specific join (SSM). */
  source?: string;
}

export interface ReplyArgs extends SocketArgs {
  /** `host:port` or an Endpoint. */
  peer: string | { address: string; port: number };
  payload: string;
  encoding?: PayloadEncoding;
}

export interface ExportLogArgs {
  /** Absolute file path to write the JSON Lines to. */
  path: string;
}

export interface ExportLogResult {
  path: string;
  datagrams: number;
}

/** What each command resolves to; `undefined` whenever the user cancelled or an error was shown instead. */
export interface CommandResults {
  [Commands.Listen]: SocketView | undefined;
  [Commands.Send]: SendResult | undefined;
  [Commands.SendSelection]: SendSelectionResult | undefined;
  [Commands.ChangeSendTarget]: string | undefined;
  [Commands.CloseSocket]: number | undefined;
  [Commands.CloseAllSockets]: number | undefined;
  [Commands.ConnectSocket]: SocketView | undefined;
  [Commands.DisconnectSocket]: SocketView | undefined;
  [Commands.EnableBroadcast]: SocketView | undefined;
  [Commands.DisableBroadcast]: SocketView | undefined;
  [Commands.SetTtl]: SocketView | undefined;
  [Commands.JoinMulticastGroup]: SocketView | undefined;
  [Commands.LeaveMulticastGroup]: SocketView | undefined;
  [Commands.RepeatSend]: RepeatSendResult | undefined;
  [Commands.ShowMessages]: void;
  [Commands.ClearLog]: number | undefined;
  [Commands.ExportLog]: ExportLogResult | undefined;
  [Commands.CopyLocalAddress]: string | undefined;
  [Commands.ReplyToPeer]: SendResult | undefined;
}

/** What each command accepts as its first argument (besides a tree element or nothing). */
export interface CommandArgs {
  [Commands.Listen]: ListenArgs;
  [Commands.Send]: SendArgs;
  [Commands.SendSelection]: SendSelectionArgs;
  [Commands.ChangeSendTarget]: ChangeSendTargetArgs;
  [Commands.CloseSocket]: SocketArgs;
  [Commands.CloseAllSockets]: undefined;
  [Commands.ConnectSocket]: ConnectArgs;
  [Commands.DisconnectSocket]: SocketArgs;
  [Commands.EnableBroadcast]: SocketArgs;
  [Commands.DisableBroadcast]: SocketArgs;
  [Commands.SetTtl]: SetTtlArgs;
  [Commands.JoinMulticastGroup]: MembershipArgs;
  [Commands.LeaveMulticastGroup]: MembershipArgs;
  [Commands.RepeatSend]: RepeatSendArgs;
  [Commands.ShowMessages]: undefined;
  [Commands.ClearLog]: undefined;
  [Commands.ExportLog]: ExportLogArgs;
  [Commands.CopyLocalAddress]: SocketArgs;
  [Commands.ReplyToPeer]: ReplyArgs;
}

/**
 * A handler receives what VS Code passes: nothing (palette), a tree element (with the selection as the second
 * argument), or caller-supplied arguments of unknown shape. It checks what it got and never throws to VS Code.
 */
export type CommandHandler<K extends Commands> = (arg?: unknown, more?: unknown) => Promise<CommandResults[K]>;

export function registerCommand<K extends Commands>(id: K, handler: CommandHandler<K>): vscode.Disposable {
  return vscode.commands.registerCommand(id, handler);
}

/** Typed executeCommand for UDP Lab's own commands (used by tests and by host pieces that chain commands). */
export function executeCommand<K extends Commands>(id: K, arg?: CommandArgs[K] | object): Thenable<CommandResults[K]> {
  return vscode.commands.executeCommand<CommandResults[K]>(id, arg);
}
