// The replay's drawings: the lab page's RunDrawing (page/drawing.js) on a fresh copy of the
// run's panels, read-only, on the replay's clock. Rebuilt from the template whenever the
// replay goes back (the reducer is pure: the model is remade from the first event).

import { setText } from '../lab/dom.js';
import { localText, pageLang, t } from '../lab/i18n.js';
import * as model from '../lab/model/run.js';
import { RunDrawing } from '../lab/page/drawing.js';

/** A RunDrawing with no event source: its clock is the replay's and its controls are off. */
export class ReplayDrawing extends RunDrawing {
  constructor(page, root, run, clock) {
    super(page, root, { key: 'main' });
    this.replayed = run;
    this.clock = clock;
    this.ended = true;
  }

  now() {
    return this.clock();
  }

  sourceClosed() {
    return true;
  }

  /** Consumers that appeared: their settings come from the export. */
  afterApply() {
    if (model.takeJoined(this.m).length) model.setConfigs(this.m, { consumers: this.replayed.consumers });
  }
}

/** The lab's definition from the page's island, or a stand-in for a lab this server lacks. */
export function labDef(labs, run) {
  const def = labs && labs[run.lab.id];
  if (def) return def;
  return {
    id: run.lab.id,
    title: localText(run.lab.title) || run.lab.id,
    controls: {},
    consumer: run.options,
    checkpoints: [],
    topic: { partitions: run.run.partitions },
    unknown: true,
  };
}

/**
 * The stage: `host` holds the drawings, cloned from `template`. page: {def, controls, burrow,
 * lagLab, readOnly, changed()}; clock(): the replay's time.
 */
export function createStage(page, host, template, run, clock) {
  const stage = {
    drawing: null,
    rebuild() {
      host.replaceChildren(template.content.cloneNode(true));
      shapeFor(host, page.def);
      const d = new ReplayDrawing(page, host, run, clock);
      d.run = { id: run.run.id, topic: run.run.topic, group: run.run.group, consumers: run.consumers };
      d.setup(run.run.partitions, run.run.group);
      for (const cp of page.def.checkpoints || []) {
        d.m.checkpoints.set(cp.id, { id: cp.id, text: localText(cp.text), reached: false });
      }
      d.m.rev.checkpoints++;
      stage.drawing = d;
    },
    apply(events) {
      stage.drawing.applyNow(events);
    },
    /** The ledger recomputed so far, against the one in the file. */
    showLedger(recomputed, atEnd) {
      const d = stage.drawing;
      model.applyLedger(d.m, recomputed);
      const box = d.el('ledger-compare');
      if (!box) return;
      const exported = run.ledger;
      setText(box, t('ui.replay.ledger_compare', {
        dup: recomputed.duplicates, lost: recomputed.lost, dup_export: exported.duplicates, lost_export: exported.lost,
      }));
      box.dataset.duplicates = String(recomputed.duplicates);
      box.dataset.lost = String(recomputed.lost);
      const differs = atEnd && run.complete && (recomputed.duplicates !== exported.duplicates || recomputed.lost !== exported.lost);
      box.classList.toggle('differs', differs);
      if (differs) box.title = t('ui.replay.ledger_differs');
      else box.removeAttribute('title');
    },
  };
  return stage;
}

/** Panels the lab has no use for are hidden (as the lab page does not render them). */
function shapeFor(host, def) {
  const controls = def.controls || {};
  const many = (controls.max_consumers || 1) > 1 || !!controls.threads;
  for (const sel of ['.swim-panel', '.callbacks-panel']) {
    const node = host.querySelector(sel);
    if (node) node.hidden = !many;
  }
  // A lab this server does not know: no Java code to show.
  if (def.unknown) host.querySelector('.java-panel')?.remove();
  const link = host.querySelector('[data-el="lab-link"]');
  if (link) {
    if (def.unknown) link.remove();
    else link.href = `/labs/${encodeURIComponent(def.id)}?lang=${pageLang()}`;
  }
}
