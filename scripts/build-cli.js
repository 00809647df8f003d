#!/usr/bin/env node
// Builds only dist/cli.js (the `udp-lab` bin), with the same esbuild options as `npm run build`.
// `npm ci` runs this as `prepare`, so `npx udp-lab …` works on a fresh clone. It builds the CLI alone on purpose:
// an install must not fail because some other bundle (an integration test in progress) does not build.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { bundles, optionsFor } = require('../esbuild.js');

const cli = bundles.find((b) => b.name === 'cli');
const production = process.argv.includes('--production');

esbuild
  .build(optionsFor(cli, { production }))
  .then(() => {
    const out = path.join(__dirname, '..', cli.outfile);
    fs.chmodSync(out, 0o755);
    console.log(`✔ built ${cli.outfile}`);
  })
  .catch((error) => {
    console.error(`✘ could not build ${cli.outfile}: ${error.message}`);
    process.exit(1);
  });
