// The Messages panel's host side: opens (or reveals) the one panel and restores it after a reload
// (WebviewPanelSerializer). What connects a panel's webview to the core (PanelSession: HTML and CSP, the feed,
// the requests) is a bundle of its own, dist/panel.js, require()d when a panel is first opened or restored:
// an activation that never opens the panel does not load it.
//
// Contexts are not retained while hidden (retainContextWhenHidden stays off): a hidden panel costs nothing,
// nothing is posted to it, and when it shows again the webview says `ready` and gets a fresh snapshot.

import * as vscode from 'vscode';
import type { ComposerPrefill } from '../../shared/protocol';
import { requireBundle } from '../lazyBundle';
import type * as PanelBundleModule from './bundle';
import type { PanelDeps, PanelSession } from './panelSession';

export type { PanelDeps } from './panelSession';

type PanelBundle = typeof PanelBundleModule;

export const MESSAGES_VIEW_TYPE = 'udpLab.messages';
const TITLE = 'UDP Messages';

export interface ShowMessagesOptions {
  /** Filter the list to this socket and send from it. */
  socketId?: string;
  /** Fill the composer. */
  prefill?: ComposerPrefill;
  preserveFocus?: boolean;
}

/** The one Messages panel of this window. */
export class MessagesPanelController implements vscode.Disposable {
  private session: PanelSession | undefined;
  private bundle: PanelBundle | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: PanelDeps,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(MESSAGES_VIEW_TYPE, {
        // After a reload VS Code re-creates the panel; its webview state (composer, filters) comes back with it.
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
          try {
            this.adopt(panel);
          } catch (error) {
            // Its code could not be loaded (panel.js): say so rather than leave an empty panel behind.
            panel.dispose();
            this.deps.errors.show(error);
          }
        },
      }),
    );
  }

  /** The open panel, for tests. */
  get panel(): vscode.WebviewPanel | undefined {
    return this.session?.panel;
  }

  /** Events the tests wait on. */
  get current(): PanelSession | undefined {
    return this.session;
  }

  /** Opens the panel, or reveals it; applies the options once the webview is ready. */
  async show(options: ShowMessagesOptions = {}): Promise<void> {
    if (!this.session) {
      this.sessionCode(); // before the panel exists: if it cannot load, no empty panel is left behind
      const panel = vscode.window.createWebviewPanel(
        MESSAGES_VIEW_TYPE,
        TITLE,
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: options.preserveFocus === true },
        { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: false, enableFindWidget: true },
      );
      this.adopt(panel);
    } else {
      this.session.panel.reveal(undefined, options.preserveFocus === true);
    }
    const prefill: ComposerPrefill = { ...options.prefill };
    if (options.socketId !== undefined) {
      prefill.from ??= options.socketId;
      prefill.filterSocketId = options.socketId;
    }
    if (Object.keys(prefill).length > 0) this.session!.prefill(prefill);
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.session?.dispose();
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.iconPath = {
      light: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'messages-light.svg'),
      dark: vscode.Uri.joinPath(this.context.extensionUri, 'media', 'messages.svg'),
    };
    const session = new (this.sessionCode().PanelSession)(panel, this.context.extensionUri, this.deps);
    this.session = session;
    session.onDidDispose(() => {
      if (this.session === session) this.session = undefined;
    });
  }

  /** The panel bundle, loaded the first time a panel is opened or restored. */
  private sessionCode(): PanelBundle {
    this.bundle ??= requireBundle<PanelBundle>('panel.js', 'the Messages panel', this.deps.log);
    return this.bundle;
  }

  dispose(): void {
    this.session?.panel.dispose();
    this.session = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

let controller: MessagesPanelController | undefined;

/**
 * Registers the panel (serializer included) and returns its controller; `src/extension.ts` hands the
 * controller to the "UDP: Show Messages" command through MessagesLink.connect().
 */
export function registerMessagesPanel(context: vscode.ExtensionContext, deps: PanelDeps): MessagesPanelController {
  const c = new MessagesPanelController(context, deps);
  controller = c;
  const dispose = c.dispose.bind(c);
  c.dispose = () => {
    if (controller === c) controller = undefined;
    dispose();
  };
  return c;
}

/** Opens or reveals the Messages panel (for host code that has no reference to the controller). */
export async function showMessages(options?: ShowMessagesOptions): Promise<void> {
  if (!controller) throw new Error('The Messages panel is not registered.');
  await controller.show(options);
}
