// `.udp` files in a real VS Code: the language, diagnostics, hover and completion, and the CodeLens actions —
// Send, Send & Await, Listen/Stop, Run File — on real loopback sockets, with the results drawn next to the block
// and the traffic in the shared registry (what the Messages panel and the sockets tree show).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { RunResult } from '../../src/core/udpFile';
import type { UdpLabApi } from '../../src/host/api';
import { closeAll, until, type TestPeer } from './support/surface';
import { surfaceSuite } from './support/suite';
import { diagnosticsWhen, freePort, inlineWhen, lensAt, lensesOf, lineOf, openUdpFile, runLens, workspaceRoot } from './support/udpFiles';

const titles = (lenses: Array<{ title: string }>) => lenses.map((l) => l.title.replace(/^\$\([^)]*\)\s*/, ''));

describe('.udp files in the editor', () => {
  let udp: UdpLabApi;
  let peer: TestPeer;

  surfaceSuite({ onApi: (api) => (udp = api), onPeer: (p) => (peer = p), closeEditors: true });

  it('opens the example as the udp language with Run File, Listen, Send and Send & Await lenses', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'echo.udp'));
    assert.equal(document.languageId, 'udp');
    const lenses = await lensesOf(document.uri);
    const responder = lineOf(document, '### responder');
    const ping = lineOf(document, '### ping');
    assert.deepEqual(titles(lenses.filter((l) => l.line === responder)), ['Listen']);
    assert.deepEqual(titles(lenses.filter((l) => l.line === ping)), ['Send', 'Send & Await']);
    assert.deepEqual(titles(lenses.filter((l) => l.line === 0)), ['Run File']);
    assert.equal(titles(lenses).filter((t) => t === 'Send & Await').length, 3, 'one per SEND block with Expect');
  });

  it('reports syntax errors with line and column and unknown headers as warnings naming the known ones, and follows edits', async () => {
    const editor = await openUdpFile('diagnostics.udp', '### bad\nSEND udp://127.0.0.1:99999\nX-Color: blue\n\nhi\n');
    const uri = editor.document.uri;
    const diagnostics = await diagnosticsWhen(uri, (d) => d.length >= 2, 'two diagnostics');
    const error = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.equal(error.range.start.line, 1);
    assert.equal(error.range.start.character, 5, 'the error points at the address, not the whole line');
    assert.match(error.message, /99999/);
    const warning = diagnostics.find((d) => d.severity === vscode.DiagnosticSeverity.Warning);
    assert.ok(warning);
    assert.equal(warning.range.start.line, 2);
    assert.match(warning.message, /Unknown header "X-Color".*Known headers: Encoding, From, Repeat, Expect/);
    assert.equal(warning.source, 'udp');

    await editor.edit((e) => e.replace(new vscode.Range(1, 21, 1, 26), '9999'));
    await diagnosticsWhen(uri, (d) => !d.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'the error to go after the fix');
    await editor.document.save();
  });

  it('shows a file variable’s value on hover and explains built-ins and replies', async () => {
    const editor = await openUdpFile(
      'hover.udp',
      '@host = 127.0.0.1\n@port = 4{{host}}\n\n### ping\nSEND udp://{{host}}:9\nExpect: /^pong/\n\nping {{$seq}}\n\n### again\nSEND udp://{{host}}:9\n\n{{ping.reply}}\n',
    );
    const hoverText = async (line: number, character: number) => {
      const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, character))) ?? [];
      return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    };
    assert.match(await hoverText(4, 14), /127\.0\.0\.1/, 'value of {{host}}');
    assert.match(await hoverText(1, 2), /4127\.0\.0\.1/, 'a variable built from another shows the computed value');
    assert.match(await hoverText(7, 9), /counter/i, '{{$seq}} is explained');
    const reply = await hoverText(12, 4);
    assert.match(reply, /reply the block "ping" received/, `{{ping.reply}} is explained: ${reply}`);
  });

  it('completes variables and built-ins inside {{ and header names in the header lines', async () => {
    const editor = await openUdpFile('complete.udp', '@host = 127.0.0.1\n### x\nSEND udp://{{}}:9\nEx\n');
    const items = async (line: number, character: number) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(line, character));
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const inside = await items(2, 13);
    assert.ok(inside.includes('host') && inside.includes('$seq') && inside.includes('$randomInt'), JSON.stringify(inside));
    const headers = await items(3, 2);
    assert.ok(headers.includes('Expect') && headers.includes('Expect-Hex') && headers.includes('Repeat'), JSON.stringify(headers));
    assert.ok(!headers.includes('Respond'), 'Respond applies only to LISTEN blocks');
  });

  it('Send sends the block’s datagram to a test socket, logs it for the Messages panel and shows the result inline', async () => {
    const editor = await openUdpFile('send.udp', `### hello\nSEND udp://127.0.0.1:${peer.port}\n\nhello {{$seq}}\n`);
    const uri = editor.document.uri;
    const result = await runLens<RunResult>(await lensAt(uri, 0, 'Send'));
    assert.equal(result.results[0]?.status, 'sent');
    const [got] = await peer.receivedCount(1);
    assert.equal(got!.bytes.toString(), 'hello 1');
    const logged = udp.registry.log.latest(10).filter((d) => d.direction === 'out' && d.peer.port === peer.port);
    assert.equal(logged.length, 1, 'the datagram is in the shared log the Messages panel shows');
    assert.equal(Buffer.from(logged[0]!.bytes).toString(), 'hello 1');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /sent/), /^↗ sent 1 datagram \(7 bytes\) to 127\.0\.0\.1:\d+$/);
  });

  it('Send & Await passes on the matching reply with its round trip, and says what arrived instead or that nothing did', async () => {
    const editor = await openUdpFile(
      'await.udp',
      `### ping\nSEND udp://127.0.0.1:${peer.port}\nExpect: /^pong (\\d+)$/ within 2000 ms\n\nping {{$seq}}\n\n` +
        `### quiet\nSEND udp://127.0.0.1:${peer.port}\nExpect: /^pong/ within 200 ms\n\nanyone?\n`,
    );
    const uri = editor.document.uri;

    const pass = runLens<RunResult>(await lensAt(uri, 0, 'Send & Await'));
    const [ping] = await peer.receivedCount(1);
    assert.equal(ping!.bytes.toString(), 'ping 1');
    await peer.send('pong 17', ping!.port);
    const passed = await pass;
    assert.equal(passed.results[0]?.status, 'passed');
    assert.ok((passed.results[0]?.rtt?.last ?? -1) >= 0);
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /^✓/), /^✓ "pong 17" · [\d.]+ (ms|µs|s)$/);

    const fail = runLens<RunResult>(await lensAt(uri, 0, 'Send & Await'));
    const [, again] = await peer.receivedCount(2);
    await peer.send('nope', again!.port);
    const failed = await fail;
    assert.equal(failed.results[0]?.status, 'failed');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /^✗/), /^✗ expected \/\^pong \(\\d\+\)\$\/ but got "nope" from 127\.0\.0\.1:\d+$/);

    const quiet = lineOf(editor.document, '### quiet');
    const silent = await runLens<RunResult>(await lensAt(uri, quiet, 'Send & Await'));
    assert.equal(silent.results[0]?.status, 'failed');
    assert.equal(await inlineWhen(udp.udpFiles, uri, quiet + 1, /^✗/), '✗ no reply within 200 ms');
  });

  it('Send & Await brings up the responder it needs, on a port the system picks ({{echo.port}})', async () => {
    const editor = await openUdpFile(
      'port0.udp',
      '### echo\nLISTEN udp://127.0.0.1:0\nRespond: /^hi (\\w+)$/ -> hello {{$1}}\n\n### greet\nSEND udp://127.0.0.1:{{echo.port}}\nExpect: /^hello bob$/ within 2000 ms\n\nhi bob\n',
    );
    const uri = editor.document.uri;
    const greet = lineOf(editor.document, '### greet');
    const result = await runLens<RunResult>(await lensAt(uri, greet, 'Send & Await'));
    assert.deepEqual(
      result.results.map((r) => `${r.label}: ${r.status}`),
      ['echo: listened', 'greet: passed'],
    );
    const port = result.results[0]?.local?.port;
    assert.ok(port && port > 0);
    assert.equal(result.results[1]?.target?.port, port, 'the SEND went to the port the responder got');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /^■/), /\(ran for another block\)$/);
  });

  it('Listen starts the responder (a socket in the shared registry), answers, and Stop closes it', async () => {
    const port = await freePort();
    const editor = await openUdpFile('listen.udp', `### echo\nLISTEN udp://127.0.0.1:${port}\nRespond: /^ping (\\d+)$/ -> pong {{$1}}\n`);
    const uri = editor.document.uri;
    await runLens(await lensAt(uri, 0, 'Listen'));
    const socket = udp.registry.views().find((v) => v.local?.port === port);
    assert.ok(socket, 'the listener is a registry socket, so the sockets tree shows it');
    assert.equal(socket.label, 'listen.udp › echo');
    assert.deepEqual(titles((await lensesOf(uri)).filter((l) => l.line === 0)).slice(-2), ['Stop', 'Restart']);

    await peer.send('ping 5', port);
    const [answer] = await peer.receivedCount(1);
    assert.equal(answer!.bytes.toString(), 'pong 5');
    assert.equal(answer!.port, port, 'answered from the listening socket');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /answered/), /^● listening on 127\.0\.0\.1:\d+ · 1 received · 1 answered$/);

    await runLens(await lensAt(uri, 0, 'Stop'));
    await until(udp, () => !udp.registry.views().some((v) => v.local?.port === port), 'the listener socket is closed');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /^■/), /^■ listened on 127\.0\.0\.1:\d+: received 1 datagram, answered 1$/);
    assert.deepEqual(titles((await lensesOf(uri)).filter((l) => l.line === 0)).slice(-1), ['Listen']);
  });

  it('a listener closed from the sockets view shows Listen again', async () => {
    const port = await freePort();
    const editor = await openUdpFile('closed.udp', `### sink\nLISTEN udp://127.0.0.1:${port}\n`);
    const uri = editor.document.uri;
    await runLens(await lensAt(uri, 0, 'Listen'));
    assert.equal(udp.udpFiles.activeListeners().length, 1);
    await closeAll();
    await inlineWhen(udp.udpFiles, uri, 1, /^■/);
    assert.equal(udp.udpFiles.activeListeners().length, 0);
    await lensAt(uri, 0, 'Listen');
  });

  it('Run File with a responder already listening from its lens on a fixed port: uses it for {{echo.port}}, and {{greet.reply.0}} is the whole reply', async () => {
    const port = await freePort();
    const editor = await openUdpFile(
      'lensport.udp',
      [
        '### echo',
        `LISTEN udp://127.0.0.1:${port}`,
        'Respond: /^hi (\\w+)$/ -> hello {{$1}}',
        '',
        '### greet',
        'SEND udp://127.0.0.1:{{echo.port}}',
        'Expect: /^hello (\\w+)$/ within 2000 ms',
        '',
        'hi bob',
        '',
        '### tell',
        `SEND udp://127.0.0.1:${peer.port}`,
        '',
        '{{greet.reply.0}}|{{greet.reply.1}}',
        '',
      ].join('\n'),
    );
    const uri = editor.document.uri;
    await runLens(await lensAt(uri, 0, 'Listen'));
    // Binding the block's port a second time would fail ("port in use"): the run talks to the running listener.
    const result = await runLens<RunResult>(await lensAt(uri, 0, 'Run File'));
    assert.deepEqual(
      result.results.map((r) => `${r.label}: ${r.status}`),
      ['greet: passed', 'tell: sent'],
      JSON.stringify(result.results.map((r) => r.message)),
    );
    assert.equal(result.results[0]?.target?.port, port);
    const [told] = await peer.receivedCount(1);
    assert.equal(told!.bytes.toString(), 'hello bob|bob');
    assert.match(await inlineWhen(udp.udpFiles, uri, 1, /answered/), /^● listening on 127\.0\.0\.1:\d+ · 1 received · 1 answered$/);

    // The hover of {{greet.reply.0}} shows the whole reply, as the run filled it in.
    const line = lineOf(editor.document, '{{greet.reply.0}}');
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 4))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /Last received at .*\n```text\nhello bob\n```/, text);
  });

  it('Run File runs the example conversation: the responder answers every ping', async () => {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'echo.udp'));
    await vscode.window.showTextDocument(document);
    const result = await runLens<RunResult>(await lensAt(document.uri, 0, 'Run File'));
    assert.deepEqual(
      result.results.map((r) => `${r.label}: ${r.status}`),
      ['responder: listened', 'ping: passed', 'ping-again: passed', 'what time is it: passed'],
    );
    assert.match(await inlineWhen(udp.udpFiles, document.uri, lineOf(document, 'LISTEN'), /^■/), /received 3 datagrams, answered 3/);

    // Hovering a reply now shows what the block received in this window.
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(lineOf(document, 'ping {{ping.reply.1}}'), 8),
    )) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /Last received at .*\n```text\n1\n```/, text);
  });
});
