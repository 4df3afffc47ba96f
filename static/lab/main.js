// The lab page: one run of one lab (or, for A/B labs, two runs side by side), drawn live from
// each run's event stream. The page owns what runs share: the settings form, notices, the A/B
// guided steps; each run is a Pane (page/pane.js) with its model (model/run.js) and views.
// With `?view=watch` the page is read-only: the same drawings, no control bound or sent.

import { setReadOnly } from './api.js';
import { SIDES, buildPaneDom, renderStrip } from './page/ab.js';
import { bindControls, bindView } from './page/controls.js';
import { notify } from './page/notices.js';
import { Pane } from './page/pane.js';
import { burrowRules, readRules } from './page/rules.js';
import { createSettings } from './page/settings.js';

const page = {
  app: null,
  def: null,
  controls: {},
  rules: {},
  burrow: burrowRules({}),
  /** A lab about lag (its checkpoints wait for Burrow's statuses): the lag chapter's panels. */
  lagLab: false,
  labId: '',
  ab: false,
  /** A read-only view (`?view=watch`): drawn live, no control shown or request sent. */
  readOnly: false,
  panes: new Map(),
  settings: null,
  stripRequested: false,

  async init() {
    this.app = document.getElementById('app');
    this.labId = this.app.dataset.lab;
    this.readOnly = this.app.dataset.readOnly === 'true';
    setReadOnly(this.readOnly);
    try {
      this.def = JSON.parse(document.getElementById('lab-def').textContent);
    } catch (e) {
      this.def = { topic: { partitions: Number(this.app.dataset.partitions) || 1 }, controls: {}, consumer: {} };
    }
    this.controls = this.def.controls || {};
    this.rules = readRules(document);
    this.burrow = burrowRules(this.rules);
    this.lagLab = (this.def.checkpoints || []).some((c) => (c.after || []).some((a) => a === 'lag' || a.startsWith('lag_')));
    this.ab = !!this.controls.ab && !!document.getElementById('ab-grid');
    const n = (this.def.topic && this.def.topic.partitions) || 1;
    const intervals = this.burrow.intervals;
    if (this.ab) {
      const grid = document.getElementById('ab-grid');
      for (const side of SIDES) {
        const root = buildPaneDom(side, intervals);
        grid.append(root);
        this.panes.set(side.key, new Pane(this, root, { ...side, hideIdle: true }));
      }
    } else {
      this.panes.set('main', new Pane(this, this.app, { key: 'main', param: 'run' }));
    }
    this.placeLagPanel();
    for (const pane of this.panes.values()) pane.setup(n);
    this.settings = createSettings(this.def, this.rules, this.ab);
    this.settings.build();
    if (this.readOnly) bindView(this);
    else bindControls(this);
    this.renderStrip();
    await Promise.all([...this.panes.values()].map((p) => p.start()));
    this.changed();
  },

  /** A lab about lag shows the lag panel first. */
  placeLagPanel() {
    const lagPanel = document.getElementById('lag-panel');
    const lanesPanel = document.querySelector('.lanes-panel');
    if (lagPanel && this.lagLab && lanesPanel) {
      lanesPanel.before(lagPanel);
      lagPanel.classList.add('lag-hero');
    }
  },

  /** Sets one URL parameter (a run id), keeping the others. */
  setParam(key, value) {
    const params = new URLSearchParams(location.search);
    params.set(key, value);
    params.delete('strategy');
    history.replaceState(null, '', `${location.pathname}?${params}`);
  },

  /** Something a page-level view depends on changed: redraw it on the next frame. */
  changed() {
    if (!this.ab || this.stripRequested) return;
    this.stripRequested = true;
    requestAnimationFrame(() => {
      this.stripRequested = false;
      this.renderStrip();
    });
  },

  renderStrip() {
    if (this.ab) renderStrip([...this.panes.values()], this.controls.produce_count || 0);
  },

  paneOf(node) {
    const root = node.closest('[data-pane]');
    return root ? this.panes.get(root.dataset.pane) : this.panes.get('main') || null;
  },

  notify(text, kind, sticky) {
    notify(text, kind, sticky);
  },
};

window.Lab = page; // for debugging in the console: Lab.panes
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => page.init());
} else {
  page.init();
}
