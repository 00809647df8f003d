import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertNetnsAvailable } from '../support/netns';
import { buildCli, udpFile } from './cliProcess';

// Broadcast and multicast headers of .udp files, end to end through `udp-lab run`, ONLY inside a private network
// namespace this test creates (`unshare -rn`): nothing reaches the machine's own interfaces.

const SETUP = ['set -e', 'ip link set lo up', 'ip link set lo multicast on', 'ip route add 224.0.0.0/4 dev lo'].join('; ');

function runInNamespace(cli: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rn', 'sh', '-c', `${SETUP}; exec "$0" "$@"`, process.execPath, cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`udp-lab in a namespace did not finish.\n${stdout}\n${stderr}`));
    }, 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface JsonResult {
  name: string;
  status: string;
  message: string;
  error?: { code: string };
  replies: Array<{ text: string }>;
}

describe('.udp broadcast and multicast headers (inside a private network namespace)', function () {
  this.timeout(60000);

  it('Join + Multicast-Interface/TTL/Loopback deliver to the group; Broadcast: on is needed for 127.255.255.255', async () => {
    assertNetnsAvailable();
    const cli = await buildCli();
    const file = udpFile([
      '### group',
      'LISTEN udp://0.0.0.0:0',
      'Join: 239.1.2.3@127.0.0.1',
      'Expect: /^hello group$/ within 3 s',
      '',
      '### to-group',
      'SEND udp://239.1.2.3:{{group.port}}',
      'Multicast-Interface: 127.0.0.1',
      'Multicast-TTL: 1',
      'Multicast-Loopback: on',
      '',
      'hello group',
      '',
      '### everyone',
      'LISTEN udp://0.0.0.0:0',
      'Expect: /^hello all$/ within 3 s',
      '',
      '### no-flag',
      'SEND udp://127.255.255.255:{{everyone.port}}',
      '',
      'refused without the flag',
      '',
      '### to-everyone',
      'SEND udp://127.255.255.255:{{everyone.port}}',
      'Broadcast: on',
      '',
      'hello all',
    ]);
    const r = await runInNamespace(cli, ['run', file, '--json']);
    const doc = JSON.parse(r.stdout) as { ok: boolean; results: JsonResult[] };
    const by = new Map(doc.results.map((x) => [x.name, x]));
    assert.equal(by.get('group')?.status, 'passed', by.get('group')?.message);
    assert.equal(by.get('to-group')?.status, 'sent');
    assert.equal(by.get('everyone')?.status, 'passed', by.get('everyone')?.message);
    assert.deepEqual(by.get('everyone')?.replies.map((x) => x.text), ['hello all'], 'the refused datagram never arrived');
    assert.equal(by.get('to-everyone')?.status, 'sent');
    const refused = by.get('no-flag')!;
    assert.equal(refused.status, 'error');
    assert.equal(refused.error?.code, 'EACCES');
    assert.match(refused.message, /EACCES/);
    // One block had an error, so the run as a whole did not pass.
    assert.equal(doc.ok, false);
    assert.equal(r.code, 1);
  });
});
