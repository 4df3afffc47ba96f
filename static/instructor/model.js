// The instructor's class table, as a model: the stream's events in (`class` snapshots,
// `update`s, the `runs` tick every second), the table's rows and columns out for a lab filter
// and a sort order. Pure: no DOM, no fetch.
//
// A trainee is known by their tag (their session id is their cookie and never leaves the
// server); their name, when they typed one, is what the table shows.

/** An empty table. */
export function createModel() {
  return {
    trainees: new Map(), // tag → {tag, name, labs: {lab: {checkpoints: [{id, run, reached_ms}], runs: [...]}}, live: [LiveRun]}
    labs: [], // [{id, title: {en, ko}, checkpoints: [{id, text: {en, ko}}]}]
    demoRun: null, // the demo run's id, or null
    atMs: 0,
  };
}

function trainee(m, tag) {
  let t = m.trainees.get(tag);
  if (!t) {
    t = { tag, name: null, labs: {}, live: [] };
    m.trainees.set(tag, t);
  }
  return t;
}

function labOf(t, lab) {
  if (!t.labs[lab]) t.labs[lab] = { checkpoints: [], runs: [] };
  return t.labs[lab];
}

/** The whole table, as `GET /api/instructor/class` (and the stream's `class` event) gives it. */
export function applyClass(m, snapshot) {
  m.trainees = new Map();
  for (const row of snapshot.trainees || []) {
    if (!row.trainee) continue;
    const t = trainee(m, row.trainee);
    t.name = row.name || null;
    t.labs = {};
    for (const [lab, done] of Object.entries(row.labs || {})) {
      t.labs[lab] = { checkpoints: [...(done.checkpoints || [])], runs: [...(done.runs || [])] };
    }
    t.live = [...(row.live_runs || [])];
  }
  m.labs = snapshot.labs || [];
  m.demoRun = snapshot.demo ? snapshot.demo.run : null;
  m.atMs = snapshot.at_ms || 0;
  return true;
}

/** One `update` event; whether the table changed. */
export function applyUpdate(m, u) {
  if (!u || typeof u.type !== 'string') return false;
  switch (u.type) {
    case 'run_started': {
      const t = trainee(m, u.trainee);
      if (t.live.some((r) => r.id === u.run)) return false;
      // Its numbers and links come with the next `runs` tick.
      t.live.push({ id: u.run, lab: u.lab, created_ms: u.ts, processed: 0, duplicates: 0, lost: 0, page: null, watch: null });
      return true;
    }
    case 'checkpoint': {
      const done = labOf(trainee(m, u.trainee), u.lab);
      if (done.checkpoints.some((c) => c.id === u.checkpoint)) return false;
      done.checkpoints.push({ id: u.checkpoint, run: u.run, reached_ms: u.ts });
      return true;
    }
    case 'run_ended': {
      const t = trainee(m, u.trainee);
      t.live = t.live.filter((r) => r.id !== u.run);
      const done = labOf(t, u.lab);
      const s = u.summary || {};
      const ended = {
        id: u.run, lab: u.lab, created_ms: null, ended_ms: u.ts, end_reason: u.reason,
        processed: s.processed || 0, duplicates: s.duplicates || 0, lost: s.lost || 0,
      };
      done.runs = [ended, ...done.runs.filter((r) => r.id !== u.run)];
      return true;
    }
    case 'name': {
      const t = trainee(m, u.trainee);
      const name = u.name || null;
      if (t.name === name) return false;
      t.name = name;
      return true;
    }
    case 'demo': {
      const run = u.run || null;
      if (m.demoRun === run) return false;
      m.demoRun = run;
      return true;
    }
    default:
      return false;
  }
}

/** The `runs` tick: every live run with its trainee's tag and its ledger numbers now. */
export function applyRuns(m, runs) {
  const byTag = new Map();
  for (const r of runs || []) {
    if (!r.trainee) continue; // not stored yet: its `run_started` is on its way
    if (!byTag.has(r.trainee)) byTag.set(r.trainee, []);
    byTag.get(r.trainee).push(r);
  }
  let changed = false;
  for (const tag of byTag.keys()) trainee(m, tag);
  for (const t of m.trainees.values()) {
    const live = byTag.get(t.tag) || [];
    const before = JSON.stringify(t.live);
    t.live = live.map(({ trainee: _, ...r }) => r);
    if (JSON.stringify(t.live) !== before) changed = true;
  }
  return changed;
}

/** The demo run as the table shows it ({run, lab, watch}), or null when it is not live. */
export function demoOf(m) {
  if (!m.demoRun) return null;
  for (const t of m.trainees.values()) {
    const r = t.live.find((x) => x.id === m.demoRun);
    if (r) return { run: r.id, lab: r.lab, watch: r.watch, trainee: t.tag };
  }
  return null;
}

/** The name the table shows: the typed name, else the tag. */
export function label(t) {
  return t.name || t.tag;
}

/** The newest live run of `lab` (null when none). */
function liveOf(t, lab) {
  let newest = null;
  for (const r of t.live) {
    if (r.lab === lab && (!newest || (r.created_ms || 0) >= (newest.created_ms || 0))) newest = r;
  }
  return newest;
}

function reachedIds(t, lab) {
  return new Set(((t.labs[lab] || {}).checkpoints || []).map((c) => c.id));
}

/**
 * The table for `filter` (a lab id, or '' for all labs) sorted by `sort` ('name' or
 * 'progress', `dir` 'asc' or 'desc'). Columns: with every lab, one per lab (cells: the
 * checkpoints reached of the lab's total, its live run); with one lab, one per checkpoint
 * (cells: reached or not) and one for its live run.
 */
export function tableView(m, { filter = '', sort = 'name', dir = 'asc', collator } = {}) {
  const one = filter ? m.labs.find((l) => l.id === filter) : null;
  const labs = one ? [one] : m.labs;
  const columns = one
    ? [...one.checkpoints.map((c) => ({ kind: 'checkpoint', id: c.id, text: c.text })), { kind: 'run', lab: one.id }]
    : labs.map((l) => ({ kind: 'lab', lab: l.id, title: l.title, total: l.checkpoints.length }));
  const total = labs.reduce((n, l) => n + l.checkpoints.length, 0);
  const demo = m.demoRun;
  const rows = [...m.trainees.values()].map((t) => {
    let progress = 0;
    const cells = [];
    for (const l of labs) {
      const ids = reachedIds(t, l.id);
      const reached = l.checkpoints.filter((c) => ids.has(c.id)).length;
      progress += reached;
      const live = liveOf(t, l.id);
      const run = live ? { ...live, demo: live.id === demo } : null;
      if (one) {
        for (const c of l.checkpoints) cells.push({ kind: 'checkpoint', id: c.id, reached: ids.has(c.id) });
        cells.push({ kind: 'run', lab: l.id, run });
      } else {
        cells.push({ kind: 'lab', lab: l.id, reached, total: l.checkpoints.length, run });
      }
    }
    return { tag: t.tag, label: label(t), named: !!t.name, progress, total, live: t.live.length, cells };
  });
  const compare = collator ? collator.compare : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const byName = (a, b) => compare(a.label, b.label) || compare(a.tag, b.tag);
  const sign = dir === 'desc' ? -1 : 1;
  // Equal progress: by name, A to Z, whichever way progress goes.
  rows.sort((a, b) => (sort === 'progress' ? sign * (a.progress - b.progress) || byName(a, b) : sign * byName(a, b)));
  return { columns, rows, total };
}

/** A row's key: the row is drawn again only when it changes. */
export function rowKey(row) {
  return JSON.stringify(row);
}
