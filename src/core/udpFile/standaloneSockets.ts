// A RunnerRegistry that opens plain core UdpSockets, for runs outside VS Code (the CLI, tests): no shared
// registry and no datagram log to fill, since nothing shows them. The extension passes its SocketRegistry
// instead, so `.udp` sockets appear in the sockets tree and the Messages panel.

import { UdpSocket } from '../udpSocket';
import type { SocketOptions } from '../../shared/dto';
import { Emitter, type Disposable, type Event } from '../events';
import type { RunnerRegistry } from './runner';

export class StandaloneSockets implements RunnerRegistry, Disposable {
  private readonly open_ = new Set<UdpSocket>();
  private readonly opened = new Emitter<UdpSocket>();
  /** Each socket once it is bound (tests read its options back from view()). */
  readonly onDidOpen: Event<UdpSocket> = this.opened.event;

  async open(options: SocketOptions): Promise<UdpSocket> {
    const socket = new UdpSocket(options);
    try {
      await socket.bind();
    } catch (error) {
      socket.dispose();
      throw error;
    }
    this.open_.add(socket);
    socket.onDidClose(() => this.open_.delete(socket));
    this.opened.fire(socket);
    return socket;
  }

  /** Sockets still open (a test can assert a run leaves none behind). */
  get openCount(): number {
    return this.open_.size;
  }

  /** Closes whatever is still open; resolves when every socket has closed. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open_].map((s) => s.close()));
  }

  dispose(): void {
    this.opened.dispose();
    void this.closeAll();
  }
}
