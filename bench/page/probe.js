// Evaluated in the panel's test page in headless Chromium (after it loaded and said "ready"). It measures,
// while the bench feeds batches: every long task (PerformanceObserver 'longtask'), every frame
// (requestAnimationFrame), and for each batch the time from its posting to the first painted frame that shows
// its newest row. Posting goes through here so the time is taken right before VS Code-style delivery
// (a structured clone into the page's 'message' event).
/* global window, document, requestAnimationFrame */
'use strict';
(() => {
  const longTasks = [];
  const frames = [];
  /** Batches posted and not yet seen painted: { newestSeq, postedAt }. */
  let pending = [];
  const latencies = [];
  let measuring = false;
  let postedBatches = 0;

  new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask' });

  /** True when the row is in the DOM and inside the list's visible area. */
  function rowVisible(seq) {
    const row = document.getElementById(`dg-${seq}`);
    if (!row || !row.isConnected) return false;
    const list = document.getElementById('datagram-list');
    const r = row.getBoundingClientRect();
    const v = (list || document.documentElement).getBoundingClientRect();
    return r.height > 0 && r.bottom > v.top && r.top < v.bottom;
  }

  // A task queued from each animation frame runs after that frame is painted: what it finds in the DOM was in it.
  const afterPaint = new MessageChannel();
  afterPaint.port1.onmessage = () => {
    if (pending.length === 0) return;
    const now = performance.now();
    // The newest batch whose row is visible settles it and every older one still waiting.
    for (let i = pending.length - 1; i >= 0; i--) {
      if (rowVisible(pending[i].newestSeq)) {
        for (let j = 0; j <= i; j++) latencies.push(now - pending[j].postedAt);
        pending = pending.slice(i + 1);
        break;
      }
    }
  };
  const onFrame = (t) => {
    if (measuring) frames.push(t);
    afterPaint.port2.postMessage(0);
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);

  window.__udpLabBench = {
    post(message) {
      const rows = message.rows;
      if (measuring && message.type === 'batch' && rows && rows.count > 0) {
        postedBatches++;
        pending.push({ newestSeq: rows.seq[rows.count - 1], postedAt: performance.now() });
      }
      window.postMessage(message, '*');
    },
    start() {
      measuring = true;
    },
    stop() {
      measuring = false;
      const stillPending = pending.length;
      pending = [];
      return { longTasks, frames, latencies, stillPending, postedBatches, domRows: document.querySelectorAll('.dg-row').length };
    },
    text() {
      return document.body.innerText;
    },
  };
})();
