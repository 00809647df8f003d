// The status-bar summary: `$(pulse) 2 sockets ↓ 340/s` (not radio-tower: remote windows show Ports with it).
// Click opens the Messages panel; hidden while no socket is open. Redrawn at most twice a second.

import * as vscode from 'vscode';
import type { SocketRegistry } from '../core/socketRegistry';
import { Commands } from './commandIds';
import { formatCount, formatEndpoint, formatRate, socketTitle } from './format';
import { LiveRefresh } from './liveRefresh';

export interface SocketsStatusBar extends vscode.Disposable {
  /** The item's text, or undefined while it is hidden (tests). */
  readonly text: string | undefined;
  refreshNow(): void;
}

export function registerStatusBar(registry: SocketRegistry): SocketsStatusBar {
  const item = vscode.window.createStatusBarItem('udpLab.sockets', vscode.StatusBarAlignment.Left, 50);
  item.name = 'UDP Lab: Open Sockets';
  item.command = { command: Commands.ShowMessages, title: 'Show Messages' };
  let visible = false;
  const redraw = (): void => {
    const views = registry.views();
    if (views.length === 0) {
      item.hide();
      visible = false;
      return;
    }
    const rate = views.reduce((sum, v) => sum + v.stats.rateIn, 0);
    item.text = `$(pulse) ${views.length} socket${views.length === 1 ? '' : 's'} ↓ ${formatRate(rate)}`;
    const md = new vscode.MarkdownString('', true);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**UDP Lab** — click to show messages\n\n');
    for (const v of views.slice(0, 10)) {
      md.appendMarkdown('- ');
      md.appendText(`${socketTitle(v)}: ↓ ${formatCount(v.stats.datagramsIn)} ↑ ${formatCount(v.stats.datagramsOut)} · ${formatRate(v.stats.rateIn)}${v.remote ? ` · connected to ${formatEndpoint(v.remote)}` : ''}`);
      md.appendMarkdown('\n');
    }
    if (views.length > 10) md.appendMarkdown(`- … ${views.length - 10} more\n`);
    item.tooltip = md;
    item.accessibilityInformation = { label: `UDP Lab: ${views.length} open sockets, receiving ${formatRate(rate).replace('/s', ' per second')}` };
    item.show();
    visible = true;
  };
  const live = new LiveRefresh(registry, 500, redraw);
  redraw();
  return {
    get text() {
      return visible ? item.text : undefined;
    },
    refreshNow: () => live.run(),
    dispose: () => {
      live.dispose();
      item.dispose();
    },
  };
}
