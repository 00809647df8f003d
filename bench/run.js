#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only ingest,send] [-- --cpu-prof] [-- --strict]`
// Builds the bench (bench/**/*.ts → out/bench) and the production bundles UDP Lab ships
// (esbuild.js's own options, minified, → out/bench/dist, so dist/ is never touched), then runs the sections.
// Exit 0 when every section ran (a missed target is a finding, not a crash); `--strict` also fails on a miss.
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { bundles, optionsFor } = require('../esbuild.js');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'out/bench');
const profiling = process.argv.includes('--cpu-prof');

/**
 * Bundled code keeps working in place: files outside bench/ that find their neighbours through __dirname
 * (the panel's test page finds fakeHost.ts that way) get their own folder, not out/bench.
 */
const sourceDirnamePlugin = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.startsWith(__dirname + path.sep)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('__dirname')) return undefined;
      return { contents: text.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))), loader: 'ts' };
    });
  },
};

const benchOptions = {
  absWorkingDir: root,
  outdir: outDir,
  outbase: 'bench',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Readable names in --cpu-prof profiles; packages (playwright-core) load from node_modules.
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'silent',
  plugins: [sourceDirnamePlugin],
};

/**
 * The driver must build; each worker is built on its own, so a layer that is mid-change (or not there yet)
 * only skips the sections that need it, with the build error as the reason (out/bench/build-errors.json).
 */
async function buildBench() {
  await esbuild.build({ ...benchOptions, entryPoints: ['bench/main.ts'] });
  const workers = fs
    .readdirSync(path.join(__dirname, 'workers'))
    .filter((f) => f.endsWith('.ts') && f !== 'ipc.ts')
    .map((f) => `bench/workers/${f}`);
  const errors = {};
  await Promise.all(
    workers.map((entry) =>
      esbuild.build({ ...benchOptions, entryPoints: [entry] }).catch((error) => {
        errors[path.basename(entry, '.ts')] = (error.errors?.[0]?.text ?? String(error)).split('\n')[0];
      }),
    ),
  );
  fs.writeFileSync(path.join(outDir, 'build-errors.json'), JSON.stringify(errors, null, 2));
}

/** The shipped bundles, built exactly as `npm run build:production` would, into out/bench/dist. */
async function buildProduction() {
  const built = {};
  for (const bundle of bundles) {
    if (!bundle.outfile) continue; // test bundles are not shipped
    const entries = bundle.entryPoints.filter((e) => fs.existsSync(path.join(root, e)));
    if (entries.length !== bundle.entryPoints.length) continue;
    const outfile = path.join(outDir, 'dist', path.basename(bundle.outfile));
    try {
      // With --cpu-prof the sections run an unminified copy, so profiles name functions as the source does.
      const options = profiling ? { ...optionsFor(bundle, { production: true }), minify: false, sourcemap: 'linked' } : optionsFor(bundle, { production: true });
      const result = await esbuild.build({ ...options, outfile, metafile: true });
      // What the bundle is made of, biggest first (the editor section names them when a size target is missed).
      const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
      const parts = Object.entries(inputs)
        .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
        .sort((a, b) => b.bytes - a.bytes);
      built[bundle.name] = { file: outfile, parts, lazy: bundle.lazy === true };
    } catch (error) {
      // A layer mid-change must not take the whole bench down: the sections that need it say why they can't run.
      built[bundle.name] = { error: String(error.message || error).split('\n')[0] };
    }
  }
  return built;
}

async function main() {
  fs.rmSync(outDir, { recursive: true, force: true });
  await buildBench();
  const production = await buildProduction();
  fs.writeFileSync(path.join(outDir, 'production.json'), JSON.stringify(production, null, 2));
  const { runBench } = require(path.join(outDir, 'main.js'));
  const code = await runBench(process.argv.slice(2));
  process.exit(code);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
