// Binding 0.0.0.0, :: or a LAN address makes the port reachable from other machines. UDP Lab asks once per
// session, with the reason and the safe alternative (loopback) one keystroke away, then trusts the answer until
// the window reloads.
//
// Why a pick list and not a modal dialog: the question belongs to the Listen flow, which already runs in the
// quick input; and VS Code refuses modal dialogs in extension test runs, so a modal could never be proven in CI.

import * as vscode from 'vscode';
import { exposesToNetwork, isWildcard } from './localAddresses';

type Choice = vscode.QuickPickItem & { bind: 'network' | 'local' | 'cancel' };

export class NetworkExposureGuard {
  private accepted = false;

  /**
   * Resolves the address to bind — `address` itself, or loopback when the user chose to stay local — or undefined
   * when the user cancelled.
   */
  async confirm(address: string, port: number): Promise<string | undefined> {
    if (this.accepted || !exposesToNetwork(address)) return address;
    const portText = port === 0 ? 'A free port' : `Port ${port}`;
    const local = address.includes(':') ? '::1' : '127.0.0.1';
    const where = isWildcard(address) ? `every network interface of this machine (${address})` : `the network interface ${address}`;
    const items: Choice[] = [
      {
        label: '$(warning) Listen on the Network',
        detail: `${portText} on ${address} can be reached from other machines. UDP Lab asks once per session.`,
        bind: 'network',
      },
      { label: `$(lock) Listen on ${local} Instead`, detail: 'Only this machine can reach it.', bind: 'local' },
      { label: 'Cancel', bind: 'cancel' },
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: `Listen on ${where}?`,
      placeHolder: `${portText} becomes reachable from the network: anyone who can reach this machine can send datagrams to it, and UDP Lab shows and logs what they send.`,
      ignoreFocusOut: true,
    });
    if (!choice || choice.bind === 'cancel') return undefined;
    if (choice.bind === 'local') return local;
    this.accepted = true;
    return address;
  }
}
