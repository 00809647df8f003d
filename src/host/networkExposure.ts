// Binding 0.0.0.0, :: or a LAN address makes the port reachable from other machines. UDP Lab asks once per
// session, with the reason and the safe alternative (loopback) one keystroke away, then trusts the answer until
// the window reloads. The Listen command and every `.udp` bind (LISTEN blocks, From: headers — from CodeLens,
// Run File and Test Explorer alike) ask through the one guard the extension composed, so one answer covers both.
//
// Why a pick list and not a modal dialog: the question belongs to the Listen flow, which already runs in the
// quick input; and VS Code refuses modal dialogs in extension test runs, so a modal could never be proven in CI.

import * as vscode from 'vscode';
import type { BindGuard } from '../core/udpFile';
import { exposesToNetwork, isWildcard } from '../core/localAddresses';

type Choice = vscode.QuickPickItem & { bind: 'network' | 'local' | 'cancel' };

/** What the bind is for: listening (the Listen command, a LISTEN block) or sending from a fixed address (From:). */
export type ExposurePurpose = 'listen' | 'send';

export class NetworkExposureGuard {
  private accepted = false;
  /** The question on screen: a second bind waits for its answer instead of replacing (and so cancelling) it. */
  private asking: Promise<unknown> | undefined;

  /**
   * Resolves the address to bind — `address` itself, or loopback when the user chose to stay local — or undefined
   * when the user cancelled.
   */
  async confirm(address: string, port: number, purpose: ExposurePurpose = 'listen', context?: string): Promise<string | undefined> {
    while (this.asking) await this.asking.catch(() => undefined);
    if (this.accepted || !exposesToNetwork(address)) return address;
    const question = this.ask(address, port, purpose, context);
    this.asking = question;
    try {
      return await question;
    } finally {
      this.asking = undefined;
    }
  }

  /** The guard `.udp` runs get: the same question, the same once-per-session answer. */
  readonly forUdpFiles: BindGuard = (request) =>
    this.confirm(request.address, request.port, request.header === 'LISTEN' ? 'listen' : 'send', `${request.block.label} (${request.header === 'LISTEN' ? 'LISTEN' : 'From:'} in a .udp file)`);

  /** Tests only: forget the session's "Listen on the Network" answer, so the next exposing bind asks again. */
  forget(): void {
    this.accepted = false;
  }

  private async ask(address: string, port: number, purpose: ExposurePurpose, context: string | undefined): Promise<string | undefined> {
    const portText = port === 0 ? 'A free port' : `Port ${port}`;
    const local = address.includes(':') ? '::1' : '127.0.0.1';
    const where = isWildcard(address) ? `every network interface of this machine (${address})` : `the network interface ${address}`;
    const listen = purpose === 'listen';
    const items: Choice[] = [
      {
        label: listen ? '$(warning) Listen on the Network' : '$(warning) Send from the Network Address',
        detail: `${portText} on ${address} can be reached from other machines. UDP Lab asks once per session.`,
        bind: 'network',
      },
      // Sending from loopback only reaches this machine, so for From: binds staying local is not offered as a fix.
      ...(listen ? [{ label: `$(lock) Listen on ${local} Instead`, detail: 'Only this machine can reach it.', bind: 'local' as const }] : []),
      { label: 'Cancel', detail: listen ? 'Nothing is bound.' : 'Nothing is bound or sent.', bind: 'cancel' },
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: `${listen ? 'Listen on' : 'Send from'} ${where}?${context ? ` — ${context}` : ''}`,
      placeHolder: `${portText} becomes reachable from the network: anyone who can reach this machine can send datagrams to it, and UDP Lab shows and logs what they send.`,
      ignoreFocusOut: true,
    });
    if (!choice || choice.bind === 'cancel') return undefined;
    if (choice.bind === 'local') return local;
    this.accepted = true;
    return address;
  }
}
