// 4. Panel: the production webview bundle in headless Chromium, fed by the host's real PanelFeed over a
// stream of 100 000 datagrams/s for 10 s (a synthetic log with exact totals; see syntheticFeedSource.ts), the
// messages delivered as VS Code delivers them (a structured clone into the page's 'message' event). Measured
// in the page: the longest task, the time from a batch posted to the first painted frame that shows its newest
// row, and the frame rate.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BenchContext, productionBundle, SkipSection } from '../lib/context';
import { formatNumber } from '../lib/report';
import { percentile } from '../lib/stats';
import { SyntheticFeedSource } from '../lib/syntheticFeedSource';
import { DEFAULT_LOG_CAPS } from '../../src/core/datagramLog';
import { CHROMIUM, launchChromium, openPanel, startPanelServer } from '../../test/webview/page/panelPage';
import { FEED_DEFAULTS, PanelFeed } from '../../src/host/panel/panelFeed';
import type { HostToWebview, SocketSummary } from '../../src/shared/protocol';

const RATE = 100_000;
/** The log caps the stream reports: the core's defaults, what a user has. */
const CAPS = DEFAULT_LOG_CAPS;

/** What bench/page/probe.js puts on the page. */
interface BenchGlobal {
  __udpLabBench: {
    post(message: unknown): void;
    start(): void;
    stop(): ProbeResult;
    text(): string;
  };
}

interface ProbeResult {
  longTasks: Array<{ start: number; duration: number }>;
  frames: number[];
  latencies: number[];
  stillPending: number;
  postedBatches: number;
  domRows: number;
}

const SOCKET: SocketSummary = {
  id: 'bench-socket',
  title: 'bench · udp4 127.0.0.1:9999',
  type: 'udp4',
  state: 'listening',
  local: { address: '127.0.0.1', family: 'IPv4', port: 9999 },
};

export async function panel(ctx: BenchContext): Promise<void> {
  const webview = productionBundle(ctx, 'webview');
  if (!fs.existsSync(CHROMIUM)) throw new SkipSection(`${CHROMIUM} is missing (apt-get install chromium)`);
  const seconds = ctx.quick ? 2 : 10;
  // The panel's own test page (its real HTML and CSP, a fake host for acquireVsCodeApi), serving the
  // production bundle instead of dist/webview.js.
  const server = await startPanelServer({ webviewBundle: webview });
  const browser = await launchChromium();
  try {
    const panelPage = await openPanel(browser, server, { theme: 'dark', width: 1280, height: 800 });
    const page = panelPage.page;
    // Evaluated rather than added as a script tag: the page's CSP (nonce-only) would refuse an inline script.
    await page.evaluate(fs.readFileSync(path.join(ctx.root, 'bench/page/probe.js'), 'utf8'));

    const source = new SyntheticFeedSource({ rate: RATE, caps: CAPS, size: 64 });
    let resyncs = 0;
    let postedBatches = 0;
    const feed = new PanelFeed({
      source,
      post: async (message: HostToWebview) => {
        if (message.type === 'batch') postedBatches++;
        await page.evaluate((m) => (globalThis as unknown as BenchGlobal).__udpLabBench.post(m), message as unknown);
        return true;
      },
      snapshotExtras: () => ({ sockets: [SOCKET], targets: [], defaultEncoding: 'text' }),
    });
    // What the webview says back: acks keep the feed's window open; a resync means it saw a gap.
    const pump = setInterval(() => {
      void panelPage
        .take()
        .then((messages) => {
          for (const m of messages) {
            if (m.type === 'ack' && typeof m.seq === 'number') feed.ack(m.seq);
            else if (m.type === 'resync') {
              resyncs++;
              feed.snapshot('resync');
            }
          }
        })
        .catch(() => undefined);
    }, 20);
    // The log's "something new" signal, as onDidLog would give it during the flood.
    const signal = setInterval(() => feed.notify(), 5);
    feed.snapshot('ready');
    await new Promise((r) => setTimeout(r, 1_000)); // warm-up: first layout, JIT
    // --cpu-prof: a JS CPU profile of the page (the webview's main thread) and a Chromium trace, for DevTools.
    const profiling = ctx.workerExecArgv.includes('--cpu-prof');
    const cdp = profiling ? await page.context().newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    // Always a light trace (top-level tasks only: wall and thread time), so a long task can be told apart from
    // a page starved of CPU by everything else on the machine; the full timeline only with --cpu-prof.
    const traceFile = profiling ? path.join(ctx.root, 'bench/profiles/panel-trace.json') : path.join(ctx.outDir, 'panel-trace.json');
    fs.mkdirSync(path.dirname(traceFile), { recursive: true });
    await browser.startTracing(page, { path: traceFile, screenshots: false, ...(profiling ? {} : { categories: ['toplevel'] }) });
    await page.evaluate(() => (globalThis as unknown as BenchGlobal).__udpLabBench.start());
    const batchesBefore = postedBatches;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    // The flood ends: the feed's last batch carries the final totals; give the page time to show it.
    clearInterval(signal);
    source.stop();
    const batches = postedBatches - batchesBefore;
    const elapsed = (performance.now() - started) / 1000;
    feed.flush();
    await new Promise((r) => setTimeout(r, 750));
    const result = await page.evaluate(() => (globalThis as unknown as BenchGlobal).__udpLabBench.stop());
    await browser.stopTracing();
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(path.join(ctx.root, 'bench/profiles/panel-page.cpuprofile'), JSON.stringify(profile));
    }
    const cpuOfLongest = longTaskThreadTimes(traceFile);
    clearInterval(pump);
    feed.dispose();
    const shownText = await page.evaluate(() => (globalThis as unknown as BenchGlobal).__udpLabBench.text());

    const longest = result.longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
    const f = result.frames;
    const gaps = f.slice(1).map((t, i) => t - f[i]!);
    const longestGap = gaps.length ? Math.max(...gaps) : 0;
    ctx.report.check(
      'panel longest task',
      longest,
      'ms',
      50,
      'max',
      result.longTasks.length === 0
        ? `no task over 50 ms in ${seconds} s (the longtask API reports only those); longest frame gap ${longestGap.toFixed(0)} ms`
        : `${result.longTasks.length} tasks over 50 ms in ${seconds} s`,
    );
    if (cpuOfLongest) {
      ctx.report.info(
        'panel most CPU any task took',
        cpuOfLongest.maxThreadMs,
        'ms',
        `trace: the longest task took ${cpuOfLongest.wallMs.toFixed(0)} ms of wall time but ${cpuOfLongest.threadMs.toFixed(1)} ms on its thread` +
          (cpuOfLongest.threadMs < 0.5 * cpuOfLongest.wallMs ? ' (the rest is waiting for a CPU: machine load)' : ''),
      );
    }
    const lat = result.latencies;
    const p50 = percentile(lat, 50);
    const p95 = percentile(lat, 95);
    const max = lat.length ? Math.max(...lat) : null;
    ctx.report.check(
      'panel batch posted → newest row painted (max)',
      max,
      'ms',
      250,
      'max',
      `p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${lat.length} of ${result.postedBatches} batches${result.stillPending ? `, ${result.stillPending} never shown` : ''}`,
    );
    const fps = f.length > 1 ? ((f.length - 1) * 1000) / (f[f.length - 1]! - f[0]!) : 0;
    ctx.report.info('panel frame rate', fps, 'fps', `${f.length} frames; longest gap ${longestGap.toFixed(0)} ms`);
    ctx.report.info(
      'panel batches per second',
      batches / elapsed,
      '/s',
      `${formatNumber(RATE)} datagrams/s in ≤ ${FEED_DEFAULTS.maxRowsPerBatch}-row batches; ${result.domRows} row elements in the DOM; ${resyncs} resyncs`,
    );
    const logged = formatNumber(source.totals().logged);
    ctx.report.property('panel shows the exact total', shownText.replace(/[\s,]/g, '').includes(logged.replace(/\s/g, '')), `expects ${logged} on the page`);
    if (panelPage.problems.length) ctx.log(`page problems: ${panelPage.problems.join('; ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

/** From a Chromium trace: the renderer main thread's longest task, wall time vs time on its thread. */
function longTaskThreadTimes(traceFile: string): { wallMs: number; threadMs: number; maxThreadMs: number } | undefined {
  try {
    const trace = JSON.parse(fs.readFileSync(traceFile, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
    const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    let longest: TraceEvent | undefined;
    let maxThread = 0;
    for (const e of events) {
      if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !main.has(`${e.pid}:${e.tid}`)) continue;
      if (!longest || (e.dur ?? 0) > (longest.dur ?? 0)) longest = e;
      maxThread = Math.max(maxThread, e.tdur ?? 0);
    }
    if (!longest || longest.tdur === undefined) return undefined;
    return { wallMs: (longest.dur ?? 0) / 1000, threadMs: longest.tdur / 1000, maxThreadMs: maxThread / 1000 };
  } catch {
    return undefined;
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}
