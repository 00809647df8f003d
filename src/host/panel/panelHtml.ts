// The Messages panel's HTML: a strict Content-Security-Policy (scripts only with this load's nonce, styles and
// fonts only from the extension's own resources, nothing inline, no network), the codicon and panel styles, and
// the bundle. Pure (no `vscode`), so the Chromium test page serves exactly the same document.

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the webview loads local resources from. */
  cspSource: string;
  /** Fresh for every load: crypto.randomBytes(16) as base64 (see newNonce()). */
  nonce: string;
  scriptUri: string;
  stylesUri: string;
  codiconsUri: string;
  /** Scripts to run before the bundle (the test page's stand-in for acquireVsCodeApi). Never used by the extension. */
  preludeScriptUris?: string[];
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(o.nonce)) throw new Error('The CSP nonce must be at least 16 base64 characters.');
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    // data: images only: @vscode-elements draws a few tiny PNGs (textfield/select chrome) as data URLs.
    `img-src ${o.cspSource} data:`,
    // The regex filter's worker (src/webview/regexWorker.ts) is made from a Blob the panel's own script creates; a
    // script that could make one could already run (script-src needs the nonce), so this adds no way in.
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const prelude = (o.preludeScriptUris ?? []).map((u) => `    <script nonce="${attr(o.nonce)}" src="${attr(u)}"></script>\n`).join('');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${attr(csp)}" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <link rel="stylesheet" href="${attr(o.codiconsUri)}" id="vscode-codicon-stylesheet" />
    <link rel="stylesheet" href="${attr(o.stylesUri)}" />
    <title>UDP Messages</title>
  </head>
  <body>
    <main id="app" class="app" aria-label="UDP Messages"></main>
${prelude}    <script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
  </body>
</html>
`;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
