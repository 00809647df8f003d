// UDP Lab loads in a real VS Code: it activates, its commands and package.json agree in both directions, and
// its sockets view is contributed and can be shown.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { contributedCommands, contributedViewIds, manifest, registeredUdpLabCommands, udpLab } from './support/extension';

describe('UDP Lab in VS Code: activation and contributions', () => {
  before(async () => {
    await udpLab().activate();
  });

  it('activates without throwing', () => {
    const ext = udpLab();
    assert.equal(ext.isActive, true, 'extension is not active after activate()');
  });

  it('registers every command package.json contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = contributedCommands();
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed in package.json but never registered: ${missing.join(', ')}`);
  });

  it('contributes every udpLab.* command it registers', async () => {
    const contributed = new Set(contributedCommands());
    const registered = await registeredUdpLabCommands();
    assert.ok(registered.length > 0, 'no udpLab.* command is registered');
    const undeclared = registered.filter((c) => !contributed.has(c));
    assert.deepEqual(undeclared, [], `registered but missing from package.json contributes.commands: ${undeclared.join(', ')}`);
  });

  it('gives every contributed command the UDP category and a title', () => {
    const bad = (manifest().contributes?.commands ?? []).filter((c) => c.category !== 'UDP' || !c.title?.trim());
    assert.deepEqual(
      bad.map((c) => c.command),
      [],
      'every command needs category "UDP" and a title',
    );
  });

  it('contributes the sockets view in its own activity bar container, and the view opens', async () => {
    const views = manifest().contributes?.views ?? {};
    const containers = manifest().contributes?.viewsContainers?.activitybar ?? [];
    const container = Object.keys(views).find((key) => views[key]?.some((v) => /(^|\.)sockets$/i.test(v.id)));
    const socketsView = container ? views[container]?.find((v) => /(^|\.)sockets$/i.test(v.id)) : undefined;
    assert.ok(socketsView && container, `no sockets view among contributed views: ${contributedViewIds().join(', ') || 'none'}`);
    assert.ok(
      containers.some((c) => c.id === container),
      `the sockets view lives in "${container}", which is not one of UDP Lab's activity bar containers (${containers.map((c) => c.id).join(', ') || 'none'})`,
    );
    // `<viewId>.focus` exists only when the workbench registered the view; running it shows the container.
    await vscode.commands.executeCommand(`${socketsView.id}.focus`);
  });
});
