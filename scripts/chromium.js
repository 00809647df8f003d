// The one Chromium every browser test uses: Debian's package, driven by playwright-core (no browser is ever
// downloaded), with the flags that keep a headless run from reaching the network or a keyring.
'use strict';

const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

module.exports = { CHROMIUM_PATH, CHROMIUM_ARGS };
