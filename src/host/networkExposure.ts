// Binding 0.0.0.0, :: or a LAN address makes the port reachable from other machines. UDP Lab asks once per
// session (a modal with the reason), then trusts the user's answer until the window reloads.

import * as vscode from 'vscode';
import { exposesToNetwork, isWildcard } from './localAddresses';

export class NetworkExposureGuard {
  private accepted = false;

  /** Resolves true when binding may go ahead. */
  async confirm(address: string, port: number): Promise<boolean> {
    if (this.accepted || !exposesToNetwork(address)) return true;
    const portText = port === 0 ? 'a free port' : `port ${port}`;
    const where = isWildcard(address)
      ? `every network interface of this machine (${address})`
      : `the network interface with address ${address}`;
    const choice = await vscode.window.showWarningMessage(
      `Listen on ${where}?`,
      {
        modal: true,
        detail:
          `This makes ${portText} reachable from the network: anyone who can reach this machine can send datagrams to it, ` +
          'and UDP Lab will show and log what they send. Choose 127.0.0.1 or ::1 to stay local. ' +
          'UDP Lab asks once per session.',
      },
      'Listen on the Network',
    );
    if (choice !== 'Listen on the Network') return false;
    this.accepted = true;
    return true;
  }
}
