// Which line of the Java code each consumer (and each of its threads) is on, from its events.
// Pure: events in, state out. The anchors are the names source.js gives lines; a step names
// its anchor and the anchors to fall back to when the code has no such line (a consumer without
// a rebalance listener runs its callbacks inside poll(), or inside close() when it stops).
//
// state = createTrace(); traceEvent(state, ev) → whether anything changed.
// state.consumers: Map id → {id, order, threads: Map name ('' = the main thread) → thread, moved}
// thread: {name, at: {anchor, alt, seq}, trail: [{anchor, alt, seq}] (oldest first),
//          phase: 'starting' | 'running' | 'stopping' | 'closed' | 'dead',
//          died: {anchor, alt, seq} | null, paused, finallySeen, seq}

export const TRAIL_MAX = 8;

const POOL = /^pool-/;

export function createTrace() {
  return { consumers: new Map(), count: 0, rev: 0 };
}

function consumerOf(state, id) {
  let c = state.consumers.get(id);
  if (!c) {
    c = { id, order: ++state.count, threads: new Map(), moved: null };
    state.consumers.set(id, c);
  }
  return c;
}

function threadOf(c, name) {
  let th = c.threads.get(name);
  if (!th) {
    th = { name, at: null, trail: [], phase: 'starting', died: null, paused: false, finallySeen: false, seq: 0, spawnOnly: false };
    c.threads.set(name, th);
  }
  return th;
}

/** Moves the thread to `anchor` (alt: the fallbacks); the line it leaves joins the trail. */
function go(th, anchor, alt, seq) {
  if (th.at && th.at.anchor !== anchor) {
    th.trail.push(th.at);
    if (th.trail.length > TRAIL_MAX) th.trail.splice(0, th.trail.length - TRAIL_MAX);
  }
  th.at = { anchor, alt: alt || [], seq };
  th.seq = seq;
}

/** Leaving the try block after wakeup(): the finally block runs first. */
function throughFinally(th, seq) {
  if (th.finallySeen) return;
  th.finallySeen = true;
  go(th, 'finally', [], seq);
}

const STOPPED = new Set(['closed', 'dead']);

/** The anchor of a commit event, by the reason the worker gives (the line that asked for it). */
function commitStep(ev, th) {
  switch (ev.reason) {
    case 'revoke':
      return ['revokeCommit', ['revoked', th.phase === 'stopping' ? 'close' : 'poll']];
    case 'shutdown':
    case 'close':
      return ['finalCommit', ['finally']];
    case 'retry':
      return ['retry', ['callback', 'commit']];
    default:
      if (ev.type === 'commit_completed' && ev.mode === 'async') return ['callback', ['commit']];
      return ['commit', []];
  }
}

/** Applies one stamped event; returns true when a consumer's lines moved. */
export function traceEvent(state, ev) {
  if (!ev || !ev.consumer) return false;
  const seq = typeof ev.seq === 'number' ? ev.seq : 0;
  const c = consumerOf(state, ev.consumer);
  const name = ev.thread || '';
  if (ev.type === 'killed') {
    let changed = false;
    for (const th of c.threads.values()) changed = die(th, seq) || changed;
    return touched(state, c, name, changed);
  }
  if (ev.type === 'exited') {
    let changed = false;
    // Ended by a signal (or an error) without close(): each thread died where it was.
    if (ev.signal || (ev.code !== 0 && ev.code !== null && ev.code !== undefined)) {
      for (const th of c.threads.values()) changed = die(th, seq) || changed;
    }
    return touched(state, c, name, changed);
  }
  const th = threadOf(c, name);
  if (STOPPED.has(th.phase)) return false;
  // With consumer threads, the process's main thread only starts them.
  if (name && c.threads.has('') && c.threads.get('').spawnOnly) c.threads.delete('');
  const stopping = th.phase === 'stopping';
  switch (ev.type) {
    case 'spawned':
      go(th, 'start', ['create'], seq);
      th.spawnOnly = true;
      break;
    case 'subscribed':
      if (!th.at) go(th, 'create', [], seq);
      go(th, 'subscribe', [], seq);
      th.phase = 'running';
      th.spawnOnly = false;
      break;
    case 'poll':
      go(th, 'poll', [], seq);
      break;
    case 'record':
    case 'record_range':
      if (POOL.test(name)) go(th, 'work', ['loop'], seq);
      else go(th, 'loop', [], seq);
      break;
    case 'commit_requested':
    case 'commit_completed': {
      const [anchor, alt] = commitStep(ev, th);
      if (anchor === 'finalCommit') throughFinally(th, seq);
      go(th, anchor, alt, seq);
      break;
    }
    case 'partitions_revoked':
      if (stopping) {
        // close() runs onPartitionsRevoked when the member leaves.
        throughFinally(th, seq);
        go(th, 'close', [], seq);
        go(th, 'revoked', ['close'], seq);
      } else {
        go(th, 'revoked', ['poll'], seq);
      }
      break;
    case 'partitions_assigned':
      go(th, 'assigned', ['poll'], seq);
      break;
    case 'rebalance_done':
      // The callback returned: back inside poll() (or close()).
      if (stopping) go(th, 'close', [], seq);
      else go(th, 'poll', [], seq);
      break;
    case 'paused':
      // The consumer waits where it is (the step controls hold the next record back).
      th.paused = true;
      th.seq = seq;
      break;
    case 'resumed':
      th.paused = false;
      th.seq = seq;
      break;
    case 'wakeup':
      // SIGTERM → the shutdown hook's wakeup() → poll() throws WakeupException → catch.
      th.phase = 'stopping';
      th.paused = false;
      go(th, 'hook', [], seq);
      go(th, 'wakeup', [], seq);
      break;
    case 'closed':
      throughFinally(th, seq);
      go(th, 'close', [], seq);
      th.phase = 'closed';
      break;
    default:
      return false;
  }
  return touched(state, c, name, true);
}

function die(th, seq) {
  if (STOPPED.has(th.phase) || !th.at) return false;
  th.phase = 'dead';
  th.died = { ...th.at, seq };
  th.paused = false;
  th.seq = seq;
  return true;
}

function touched(state, c, name, changed) {
  if (!changed) return false;
  c.moved = name;
  state.rev += 1;
  return true;
}

/** The thread whose line moved last (the one the page highlights first). */
export function leadThread(c) {
  if (!c) return null;
  let best = null;
  for (const th of c.threads.values()) if (!best || th.seq > best.seq) best = th;
  return best;
}

/** The first of `step.anchor`, then `step.alt`, that `has` (a Set or Map of anchors) holds. */
export function resolve(step, has) {
  if (!step) return null;
  for (const a of [step.anchor, ...(step.alt || [])]) if (has.has(a)) return a;
  return null;
}
