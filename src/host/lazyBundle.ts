// Loads a bundle that dist/extension.js does not carry but require()s on first use (esbuild.js marks them
// `lazy`: dist/udpFiles.js, dist/panel.js). Such a bundle has its own copy of the few small modules it shares with
// the main one; core/events keeps its listener-error handler at module level, so each copy is pointed at the log.

import * as path from 'node:path';
import type * as vscode from 'vscode';

export interface LazyBundle {
  logListenerErrors(log: vscode.LogOutputChannel): void;
}

/**
 * `require()`s `file` from the folder of the running bundle (dist/). Throws a sentence naming the feature, the
 * file and the way out when it is missing or broken.
 */
export function requireBundle<T extends LazyBundle>(file: string, feature: string, log: vscode.LogOutputChannel): T {
  let bundle: T;
  try {
    // A computed path, so esbuild leaves this require() to Node at run time instead of bundling the feature in.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundle = require(path.join(__dirname, file)) as T;
  } catch (error) {
    throw new Error(
      `UDP Lab could not load ${feature} (${file}: ${error instanceof Error ? error.message : String(error)}). ` +
        'Reinstall the extension (or run the build again in a development copy).',
    );
  }
  bundle.logListenerErrors(log);
  return bundle;
}
