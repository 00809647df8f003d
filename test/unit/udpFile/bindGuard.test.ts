import * as assert from 'node:assert/strict';
import { parseUdpFile, RunError, runUdpFile, startListener, type BindRequest, type UdpFileModel } from '../../../src/core/udpFile';
import { StandaloneSockets } from '../../../src/core/udpFile/standaloneSockets';

// The runner asks its BindGuard before every bind the file names (LISTEN addresses, From: headers) — the hook the
// editor answers with its once-per-session network-exposure question and the CLI with a warning. Real loopback
// sockets; binding 0.0.0.0 sends nothing anywhere (every datagram here goes to 127.0.0.1).

function model(lines: string[]): UdpFileModel {
  const m = parseUdpFile(lines.join('\n'));
  assert.deepEqual(
    m.diagnostics.filter((d) => d.severity === 'error'),
    [],
    'the test file itself must parse cleanly',
  );
  return m;
}

describe('.udp runner: binds the file names pass the bind guard first', function () {
  this.timeout(20000);
  let sockets: StandaloneSockets;
  let bound: string[];

  beforeEach(() => {
    sockets = new StandaloneSockets();
    bound = [];
    sockets.onDidOpen((s) => bound.push(`${s.view().local?.address}:${s.view().local?.port}`));
  });
  afterEach(async () => {
    assert.equal(sockets.openCount, 0, 'sockets left open after the run');
    await sockets.closeAll();
  });

  const FILE = [
    '### echo',
    'LISTEN udp://0.0.0.0:0',
    'Respond: /^ping$/ -> pong',
    '',
    '### ping',
    'SEND udp://127.0.0.1:{{echo.port}}',
    'From: 0.0.0.0:0',
    'Expect: /^pong$/ within 2 s',
    '',
    'ping',
    '',
    '### plain',
    'SEND udp://127.0.0.1:{{echo.port}}',
    '',
    'ping',
  ];

  it('asks for the LISTEN address and the From: address, never for the runner’s own sender socket', async () => {
    const asked: BindRequest[] = [];
    const result = await runUdpFile(model(FILE), {
      registry: sockets,
      confirmBind: async (r) => {
        asked.push(r);
        return r.address;
      },
    });
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    assert.deepEqual(
      asked.map((r) => [r.block.label, r.header, r.address, r.port, r.type]),
      [
        ['echo', 'LISTEN', '0.0.0.0', 0, 'udp4'],
        ['ping', 'From', '0.0.0.0', 0, 'udp4'],
      ],
    );
    assert.equal(bound.filter((b) => b.startsWith('0.0.0.0:')).length, 2, `bound: ${bound.join(', ')}`);
  });

  it('a declined bind fails its block with a sentence (DECLINED) and binds nothing; blocks that do not need it still run', async () => {
    const result = await runUdpFile(model(['### echo', 'LISTEN udp://0.0.0.0:0', 'Respond: -> pong', '', '### local', 'LISTEN udp://127.0.0.1:0', 'Respond: -> pong']), {
      registry: sockets,
      confirmBind: async (r) => (r.address === '0.0.0.0' ? undefined : r.address),
    });
    const [echo, local] = result.results;
    assert.equal(echo!.status, 'error');
    assert.equal(echo!.error?.code, 'DECLINED');
    assert.match(echo!.message, /^Not listening on 0\.0\.0\.0:0: listening on the network was declined, so nothing was bound\. Listen on 127\.0\.0\.1 to stay on this machine/);
    assert.equal(local!.status, 'listened', local!.message);
    assert.deepEqual(
      bound.map((b) => b.split(':')[0]),
      ['127.0.0.1'],
      'only the loopback block bound a socket',
    );
  });

  it('a declined From: fails the SEND block before anything is sent', async () => {
    const result = await runUdpFile(model(['### ping', 'SEND udp://[::1]:9', 'From: [::]:0', '', 'ping']), {
      registry: sockets,
      confirmBind: async () => undefined,
    });
    const ping = result.results[0]!;
    assert.equal(ping.status, 'error');
    assert.equal(ping.error?.code, 'DECLINED');
    assert.equal(ping.sent, 0);
    assert.match(ping.message, /^Not sent: sending from \[::\]:0 \(From:\) was declined, so nothing was bound\. Send from ::1 to stay on this machine/);
    assert.deepEqual(bound, []);
  });

  it('binds the address the guard answers instead (“Listen on 127.0.0.1 Instead”), and the conversation works there', async () => {
    const result = await runUdpFile(model(FILE.slice(0, 10)), {
      registry: sockets,
      confirmBind: async (r) => (r.address === '0.0.0.0' ? '127.0.0.1' : r.address),
    });
    assert.equal(result.ok, true, JSON.stringify(result.results.map((r) => r.message)));
    assert.equal(result.results[0]!.local?.address, '127.0.0.1');
    assert.equal(result.results[1]!.replies[0]?.text, 'pong');
    assert.ok(
      bound.every((b) => b.startsWith('127.0.0.1:')),
      `bound: ${bound.join(', ')}`,
    );
  });

  it('startListener (the Listen lens) rejects with RunError DECLINED and opens no socket', async () => {
    const m = model(['### echo', 'LISTEN udp://0.0.0.0:0', 'Respond: -> pong']);
    await assert.rejects(
      startListener(m, m.blocks[0]!, { registry: sockets, confirmBind: async () => undefined }),
      (e: unknown) => e instanceof RunError && e.code === 'DECLINED' && /^Not listening on 0\.0\.0\.0:0/.test(e.message),
    );
    assert.deepEqual(bound, []);
  });
});
