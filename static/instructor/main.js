// The instructor's page (/instructor). Not signed in: the token form (then a reload, with the
// instructor cookie). Signed in: the class table, live from /api/instructor/events — a
// `class` snapshot, `update`s as trainees start runs and reach checkpoints, and every second
// the live runs' ledger numbers (`runs`). Filter by lab, sort by name or progress, a projector
// mode, the demo run (mark / end) and stopping all runs of a trainee.

import { api, enc, errorText } from '../lab/api.js';
import { setText } from '../lab/dom.js';
import { localText, pageLang, t, tn } from '../lab/i18n.js';
import { applyClass, applyRuns, applyUpdate, createModel, demoOf, label, tableView } from './model.js';
import { drawHead, drawRows, drawSummary } from './table.js';

const $ = (id) => document.getElementById(id);
const PROJECTOR_KEY = 'labs.projector';

// ------------------------------------------------------------------ signing in

function initLogin() {
  const form = $('login-form');
  if (!form) return;
  const error = $('login-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    try {
      await api('POST', '/api/instructor/login', { token: $('token').value });
      location.reload();
    } catch (err) {
      error.hidden = false;
      setText(error, errorText(err));
      $('token').select();
    }
  });
}

// ------------------------------------------------------------------ the class table

const model = createModel();
const prefs = { filter: '', by: 'name', dir: 'asc' };
let collator = null;

function draw() {
  if (!collator) collator = new Intl.Collator(pageLang(), { numeric: true, sensitivity: 'base' });
  const view = tableView(model, { filter: prefs.filter, sort: prefs.by, dir: prefs.dir, collator });
  drawHead($('class-head'), view, model.labs, { by: prefs.by, dir: prefs.dir });
  drawRows($('class-rows'), view);
  drawSummary($('class-summary'), view);
  $('class-empty').hidden = view.rows.length > 0;
  const demo = demoOf(model);
  $('demo-now').hidden = !demo;
  if (demo) {
    const lab = model.labs.find((l) => l.id === demo.lab);
    const who = model.trainees.get(demo.trainee);
    setText($('demo-what'), t('ui.instructor.demo_what', { lab: lab ? localText(lab.title) : demo.lab, name: who ? label(who) : '' }));
    $('demo-watch').href = demo.watch || '#';
    $('demo-watch').hidden = !demo.watch;
  }
}

const CONN = { connecting: 'ui.instructor.conn.connecting', live: 'ui.instructor.conn.live', ended: 'ui.instructor.conn.ended' };

function setConn(state) {
  const c = $('class-conn');
  c.dataset.state = state;
  setText(c, t(CONN[state]));
}

function say(text, bad) {
  const note = $('class-note');
  note.hidden = !text;
  note.classList.toggle('bad', !!bad);
  setText(note, text || '');
}

function parse(msg) {
  try {
    return JSON.parse(msg.data);
  } catch (e) {
    return null;
  }
}

function connect() {
  setConn('connecting');
  const source = new EventSource('/api/instructor/events');
  source.addEventListener('class', (msg) => {
    const snapshot = parse(msg);
    if (snapshot && applyClass(model, snapshot)) draw();
    setConn('live');
  });
  source.addEventListener('update', (msg) => {
    if (applyUpdate(model, parse(msg))) draw();
  });
  source.addEventListener('runs', (msg) => {
    const runs = parse(msg);
    if (Array.isArray(runs) && applyRuns(model, runs)) draw();
  });
  source.addEventListener('end', () => {
    setConn('ended');
    source.close();
  });
  source.onerror = async () => {
    if (source.readyState !== EventSource.CLOSED) {
      setConn('connecting');
      return;
    }
    setConn('ended');
    // Refused: the instructor cookie ended with the last server. Sign in again.
    try {
      await api('GET', '/api/instructor/class');
      setTimeout(connect, 2000);
    } catch (e) {
      if (e.status === 401 || e.status === 403) location.reload();
      else setTimeout(connect, 2000);
    }
  };
  window.addEventListener('pagehide', () => source.close(), { once: true });
}

async function setDemo(run) {
  try {
    const { body } = await api('PUT', '/api/instructor/demo', { run });
    applyUpdate(model, { type: 'demo', run: body.demo ? body.demo.run : null });
    say('');
    draw();
  } catch (e) {
    say(errorText(e), true);
  }
}

async function stopAll(tag, name) {
  if (!window.confirm(t('ui.instructor.stop_confirm', { name }))) return;
  try {
    const { body } = await api('POST', `/api/instructor/trainees/${enc(tag)}/stop`);
    say(tn('ui.instructor.stopped', body.stopped, { name }));
  } catch (e) {
    say(errorText(e), true);
  }
}

function applyProjector(on) {
  $('instructor').classList.toggle('projector', on);
  $('projector').setAttribute('aria-pressed', on ? 'true' : 'false');
}

function initTable() {
  if (!$('class-table')) return;
  const filter = $('lab-filter');
  filter.addEventListener('change', () => {
    prefs.filter = filter.value;
    // A demo starts on a lab page: the filtered lab's, else the list of labs.
    $('demo-open').href = prefs.filter ? `/labs/${enc(prefs.filter)}` : '/';
    draw();
  });
  $('class-head').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-sort]');
    if (!button) return;
    const by = button.dataset.sort;
    if (prefs.by === by) prefs.dir = prefs.dir === 'asc' ? 'desc' : 'asc';
    else {
      prefs.by = by;
      prefs.dir = by === 'progress' ? 'desc' : 'asc';
    }
    draw();
  });
  $('class-rows').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (!button) return;
    const { action, run, trainee, name } = button.dataset;
    if (action === 'mark-demo') setDemo(run);
    else if (action === 'end-demo') setDemo(null);
    else if (action === 'stop') stopAll(trainee, name);
  });
  $('demo-end').addEventListener('click', () => setDemo(null));
  let projector = false;
  try {
    projector = localStorage.getItem(PROJECTOR_KEY) === '1';
  } catch (e) {
    /* no storage: off */
  }
  applyProjector(projector);
  $('projector').addEventListener('click', () => {
    const on = !$('instructor').classList.contains('projector');
    applyProjector(on);
    try {
      localStorage.setItem(PROJECTOR_KEY, on ? '1' : '0');
    } catch (e) {
      /* private mode: this page only */
    }
  });
  draw();
  connect();
}

initLogin();
initTable();
