// Workspace Trust for `.udp` files, at the level of the gate every editor run goes through (the real-VS Code
// harness opens its workspace trusted, so this is where "untrusted sends nothing" is proven on real sockets):
// an untrusted gate lets the runner open no socket at all, while the very same file sends when trusted.
import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/events';
import { SocketRegistry } from '../../../src/core/socketRegistry';
import { parseUdpFile, runUdpFile, startListener } from '../../../src/core/udpFile';
import { TrustGate, UNTRUSTED_REASON, UntrustedWorkspaceError, gatedRegistry } from '../../../src/host/udpFile/trustGate';
import { freePort, peer } from '../udpFile/helpers';

function trustSource(isTrusted: boolean) {
  const grant = new Emitter<void>();
  const source = {
    isTrusted,
    onDidGrant: grant.event,
    grant() {
      source.isTrusted = true;
      grant.fire();
    },
  };
  return source;
}

describe('.udp Workspace Trust gate', () => {
  let registry: SocketRegistry;
  beforeEach(() => {
    registry = new SocketRegistry();
  });
  afterEach(async () => {
    await registry.closeAll();
    registry.dispose();
  });

  it('follows the workspace trust and announces when trust is granted', () => {
    const source = trustSource(false);
    const gate = new TrustGate(source);
    let changes = 0;
    gate.onDidChange(() => changes++);
    assert.equal(gate.allowed, false);
    assert.equal(gate.reason('send'), 'Sending is disabled in untrusted workspaces');
    assert.equal(gate.reason('listen'), 'Listening is disabled in untrusted workspaces');
    assert.throws(() => gate.check('send'), (e: unknown) => e instanceof UntrustedWorkspaceError && e.code === 'UNTRUSTED_WORKSPACE');
    source.grant();
    assert.equal(changes, 1);
    assert.equal(gate.allowed, true);
    assert.equal(gate.reason('send'), undefined);
    gate.check('listen');
    gate.dispose();
  });

  it('can simulate an untrusted workspace but never grant trust', () => {
    const trusted = new TrustGate(trustSource(true));
    trusted.simulateUntrusted(true);
    assert.equal(trusted.allowed, false);
    trusted.simulateUntrusted(false);
    assert.equal(trusted.allowed, true);
    const untrusted = new TrustGate(trustSource(false));
    untrusted.simulateUntrusted(false);
    assert.equal(untrusted.allowed, false, 'turning the simulation off must not make an untrusted workspace trusted');
  });

  it('untrusted: a SEND block opens no socket and sends nothing; trusted, the same file sends', async () => {
    const receiver = await peer();
    try {
      const model = parseUdpFile(`### ping\nSEND udp://127.0.0.1:${receiver.port}\n\nhello {{$seq}}\n`);
      assert.deepEqual(model.diagnostics, []);
      const added: string[] = [];
      registry.onDidChange((e) => {
        if (e.kind === 'added') added.push(e.id);
      });
      const gate = new TrustGate(trustSource(false));

      const refused = await runUdpFile(model, { registry: gatedRegistry(registry, gate, 'send') });
      assert.equal(refused.ok, false);
      assert.equal(refused.results[0]?.status, 'error');
      assert.equal(refused.results[0]?.sent, 0);
      assert.match(refused.results[0]?.message ?? '', new RegExp(`^${UNTRUSTED_REASON.send}`));
      assert.deepEqual(added, [], 'no socket may be opened in an untrusted workspace');
      assert.equal(registry.log.totalAppended, 0, 'nothing may be sent or logged');

      // Control: the same run with trust sends the datagram the receiver waits for (so the refusal above is the gate).
      const trusted = await runUdpFile(model, { registry: gatedRegistry(registry, new TrustGate(trustSource(true)), 'send') });
      assert.equal(trusted.results[0]?.status, 'sent');
      await receiver.waitFor(1);
      assert.equal(receiver.received.length, 1, 'only the trusted run reached the receiver');
      assert.equal(receiver.received[0]?.bytes.toString(), 'hello 1');
    } finally {
      await receiver.close();
    }
  });

  it('untrusted: a LISTEN block does not bind its port', async () => {
    const port = await freePort();
    const model = parseUdpFile(`### echo\nLISTEN udp://127.0.0.1:${port}\nRespond: /^ping$/ -> pong\n`);
    const block = model.blocks[0]!;
    const gate = new TrustGate(trustSource(false));
    await assert.rejects(startListener(model, block, { registry: gatedRegistry(registry, gate, 'listen') }), /^RunError: Listening is disabled in untrusted workspaces/);
    assert.equal(registry.list().length, 0);
    // The port is still free: a plain socket can take it.
    const probe = await peer({ port });
    await probe.close();
  });
});
