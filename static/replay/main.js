// The replay page: open an exported run (open.js, file.js), then play it back (player.js,
// controls.js) through the lab page's drawings (stage.js → page/drawing.js) with the ledger
// recomputed from the events (cursor.js → model/ledger.js) beside the one in the file.

import { setText } from '../lab/dom.js';
import { localText, t } from '../lab/i18n.js';
import { notify } from '../lab/page/notices.js';
import { burrowRules, readRules } from '../lab/page/rules.js';
import { bindControls } from './controls.js';
import { ReplayCursor } from './cursor.js';
import { MAX_BYTES } from './file.js';
import { bindOpen } from './open.js';
import { Player } from './player.js';
import { createStage, labDef } from './stage.js';

function readIsland(id) {
  const node = document.getElementById(id);
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch (e) {
    return {};
  }
}

const replay = {
  app: null,
  labs: {},
  rules: {},
  player: null,
  stage: null,
  controls: null,
  drawnLedgerRev: -1,
  frameRequested: false,

  init() {
    this.app = document.getElementById('app');
    this.labs = readIsland('labs-def');
    this.rules = readRules(document);
    const maxBytes = Number(this.app.dataset.maxBytes) || MAX_BYTES;
    bindOpen({
      input: document.getElementById('replay-file'),
      zone: document.getElementById('drop-zone'),
      error: document.getElementById('replay-error'),
      maxBytes,
    }, (run, name) => this.open(run, name));
    window.addEventListener('resize', () => this.stage && this.stage.drawing && (this.stage.drawing.measure(), this.stage.drawing.redraw()));
  },

  /** A checked export: a fresh stage, cursor and player for it. */
  open(run) {
    if (this.player) this.player.pause();
    const def = labDef(this.labs, run);
    const controls = def.controls || {};
    const page = {
      def,
      controls,
      rules: this.rules,
      burrow: burrowRules(this.rules),
      lagLab: (def.checkpoints || []).some((c) => (c.after || []).some((a) => a === 'lag' || a.startsWith('lag_'))),
      readOnly: true,
      changed() {},
    };
    const host = document.getElementById('replay-stage');
    const template = document.getElementById('replay-stage-template');
    let player = null;
    const stage = createStage(page, host, template, run, () => (player ? player.now() : run.events[0].ts));
    const cursor = new ReplayCursor(run, stage);
    player = new Player(cursor, () => this.changed());
    this.stage = stage;
    this.player = player;
    this.drawnLedgerRev = -1;
    this.controls = bindControls(document, player);
    this.showRun(run, def);
    document.getElementById('replay-controls').hidden = false;
    if (!run.complete) notify(t('ui.replay.incomplete', { first: run.firstSeq }), 'info', true);
    this.changed();
  },

  showRun(run, def) {
    const title = def.unknown ? localText(run.lab.title) || run.lab.id : def.title;
    setText(document.getElementById('replay-title'), t('ui.replay.title', { lab: title }));
    setText(document.getElementById('replay-summary'), def.summary || '');
    document.getElementById('replay-meta').hidden = false;
    setText(document.getElementById('replay-run'), run.run.id);
    setText(document.getElementById('replay-topic'), run.run.topic);
    setText(document.getElementById('replay-group'), run.run.group);
    setText(document.getElementById('replay-exported'), run.exportedAt ? new Date(run.exportedAt).toLocaleString() : '–');
    if (def.unknown) notify(t('ui.replay.unknown_lab', { lab: run.lab.id }), 'info', true);
  },

  /** The position or the playing state moved: redraw on the next frame. */
  changed() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.draw());
  },

  draw() {
    this.frameRequested = false;
    const cursor = this.player.cursor;
    if (cursor.ledgerRev !== this.drawnLedgerRev) {
      this.drawnLedgerRev = cursor.ledgerRev;
      this.stage.showLedger(cursor.ledgerNow(), cursor.pos === cursor.length);
    } else if (cursor.pos === cursor.length) {
      this.stage.showLedger(cursor.ledgerNow(), true);
    }
    this.controls.draw();
    this.stage.drawing.redraw('timeline', 'swim', 'lag');
  },
};

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => replay.init());
} else {
  replay.init();
}
