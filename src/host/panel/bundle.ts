// The entry of dist/panel.js: a Messages panel's session (HTML and CSP, feed, requests, export), which
// messagesPanel.ts require()s when a panel is first opened or restored (src/host/lazyBundle.ts). It carries its
// own copy of the small shared modules it uses (payload, validation, protocol), and the loader routes this
// copy's core listener errors to the log (logListenerErrors).

export { PanelSession } from './panelSession';
export { logListenerErrors } from '../listenerErrors';
