// The watch page's model: the watch's events (`offsets`, `lag`, `error`) in, what the page
// draws out — per partition the outside view and a lag history, and Burrow's last report.
// Pure: no DOM, no fetch.

/** How much lag history the graphs keep and show. */
export const HISTORY_MS = 120_000;

export function createModel() {
  return {
    partitions: [], // [{partition, log_end, committed, lag}]
    hist: new Map(), // partition → [{t, lag}], oldest first
    report: null, // Burrow's report: {status, complete, totallag, partitions: [...]}, null before a commit
    error: null, // the last sampling error, cleared by the next sample
    sampledAt: null,
    lastSeq: 0,
  };
}

function pushHist(m, partitions, ts) {
  for (const p of partitions) {
    let h = m.hist.get(p.partition);
    if (!h) {
      h = [];
      m.hist.set(p.partition, h);
    }
    const last = h[h.length - 1];
    if (last && last.t >= ts) continue;
    h.push({ t: ts, lag: p.lag });
    while (h.length > 2 && h[1].t < ts - HISTORY_MS) h.shift();
  }
}

/** Applies one event of the watch's stream; returns whether anything changed. */
export function applyEvent(m, ev) {
  if (!ev || typeof ev.seq !== 'number' || ev.seq <= m.lastSeq) return false;
  m.lastSeq = ev.seq;
  switch (ev.type) {
    case 'offsets':
      m.partitions = ev.partitions || [];
      m.error = null;
      m.sampledAt = ev.ts;
      pushHist(m, m.partitions, ev.ts);
      return true;
    case 'lag':
      m.report = { status: ev.status, complete: ev.complete, totallag: ev.totallag, partitions: ev.partitions || [] };
      return true;
    case 'error':
      m.error = ev.message || '';
      return true;
    default:
      return false;
  }
}

/** The state from `GET /api/watch/{id}`: Burrow's report evaluated now (its clock-read numbers fresh). */
export function applyView(m, view) {
  if (!view) return;
  m.report = view.lag || null;
  if (!m.partitions.length && view.partitions) {
    m.partitions = view.partitions;
    if (view.sampled_at) pushHist(m, m.partitions, view.sampled_at);
  }
  if (view.error !== undefined) m.error = view.error;
}

/** Burrow's evaluation of a partition in the report, if it has one. */
export function partitionReport(m, partition) {
  return m.report ? m.report.partitions.find((p) => p.partition === partition) || null : null;
}

/** The Java lines to paste into the consumer's configuration. */
export function javaLines(bootstrap, group) {
  return {
    bootstrap: `props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "${bootstrap}");`,
    group: `props.put(ConsumerConfig.GROUP_ID_CONFIG, "${group || 'my-group'}");`,
  };
}

/** The addresses of Burrow's API for the group (`my-group` until one is typed), and the metrics. */
export function burrowLinks(cluster, group) {
  const g = encodeURIComponent(group || 'my-group');
  const base = `/v3/kafka/${encodeURIComponent(cluster)}/consumer/${g}`;
  return { status: `${base}/status`, lag: `${base}/lag`, detail: base, metrics: '/metrics' };
}

/** The largest lag in the histories over the shown span (at least the newest of each). */
export function maxLag(m, now) {
  let top = 0;
  for (const h of m.hist.values()) {
    for (const pt of h) if (pt.t >= now - HISTORY_MS || pt === h[h.length - 1]) top = Math.max(top, pt.lag);
  }
  return top;
}

/**
 * A step line of lag over time: each sample holds until the next, the last until `now`, in a
 * box of `w` × `h` user units showing `spanMs` up to `now` and 0…`max` lag. '' when empty.
 */
export function sparkPath(hist, now, spanMs, w, h, max) {
  if (!hist || !hist.length) return '';
  const from = now - spanMs;
  const X = (t) => Math.max(0, Math.min(w, ((t - from) / spanMs) * w)).toFixed(1);
  const Y = (v) => (h - 1 - (Math.min(v, max) / (max || 1)) * (h - 3)).toFixed(1);
  let i = hist.length - 1;
  while (i >= 0 && hist[i].t > from) i--;
  let path = i >= 0 ? `M0 ${Y(hist[i].lag)}` : '';
  for (let j = i + 1; j < hist.length; j++) {
    path += path ? `H${X(hist[j].t)}V${Y(hist[j].lag)}` : `M${X(hist[j].t)} ${Y(hist[j].lag)}`;
  }
  return `${path}H${w}`;
}

/** The CSS state of a status: ok, warn, bad (ERR, STOP, STALL, REWIND) or pending. */
export function statusClass(status) {
  if (status === 'OK') return 'ok';
  if (status === 'WARN') return 'warn';
  if (['ERR', 'STOP', 'STALL', 'REWIND'].includes(status)) return 'bad';
  return 'pending';
}
