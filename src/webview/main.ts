// Entry of the Messages panel's webview bundle (dist/webview.js, an IIFE loaded with the page's CSP nonce).
import './elements';
import { App } from './app';

const root = document.getElementById('app');
if (root) new App(root);
