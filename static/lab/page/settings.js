// “Settings” for the next consumer: the form (in plain words; only changed fields are sent),
// its presets and defaults, and the server's refusal shown next to the field it names.

import { el } from '../dom.js';
import { optionRange } from './rules.js';

/** " (1–8)", " (0–16)": an option's range for its label, when the rules give both ends. */
function rangeNote(range) {
  return range.min !== null && range.max !== null ? ` (${range.min}–${range.max})` : '';
}

/**
 * def: the lab (its consumer defaults, controls, checkpoints); rules: the page rules (option
 * ranges); ab: whether the settings start consumers in A and B.
 */
export function createSettings(def, rules, ab) {
  const controls = def.controls || {};
  const defaults = def.consumer || {};
  let inputs = {};

  /** Whether this lab's consumers are in a group that can rebalance. */
  function canRebalance() {
    const assigned = defaults.assign_partition !== null && defaults.assign_partition !== undefined;
    return !assigned && ((controls.max_consumers || 1) > 1 || !!controls.threads || !!controls.ab);
  }

  /** The fields, in plain words. Number fields take their min and max from the rules. */
  function fields() {
    const f = [
      { name: 'commit_mode', label: 'How offsets are committed', kind: 'select', options: [
        ['auto', 'automatically, on a timer'],
        ['auto-naive', 'automatically, counting what poll() returned as done'],
        ['sync-batch', 'commitSync() after each poll batch'],
        ['sync-record', 'commitSync() after each record'],
        ['sync-record-poll', 'commitSync() with no argument after each record (the course project: the whole poll at once)'],
        ['async', 'commitAsync() after each poll batch'],
        ['none', 'never'],
      ] },
      { name: 'auto_commit_interval_ms', label: 'Auto commit every … ms', hint: 'auto.commit.interval.ms', kind: 'number', step: 100 },
      { name: 'commit_every_records', label: 'Commit every N records', hint: 'instead of after each batch', kind: 'number', placeholder: 'each batch' },
      { name: 'pause_after_records', label: 'Pause after N records', kind: 'number', placeholder: 'never' },
      { name: 'processing_delay_ms', label: 'Work per record (ms)', hint: 'sleep before each record', kind: 'number' },
      { name: 'max_poll_records', label: 'At most N records per poll', hint: 'max.poll.records', kind: 'number' },
      { name: 'session_timeout_ms', label: 'Declared dead after … ms without a heartbeat', hint: 'session.timeout.ms', kind: 'number', step: 500,
        presets: [[2000, '2 s · classroom'], [6000, '6 s']] },
    ];
    if (canRebalance()) f.push({ name: 'commit_on_revoke', label: 'Commit when partitions are taken away', hint: 'in onPartitionsRevoked', kind: 'checkbox' });
    f.push({ name: 'commit_on_shutdown', label: 'Commit on Stop', hint: 'shutdown hook: commitSync() before close()', kind: 'checkbox' });
    if (controls.faults || defaults.commit_mode === 'async') {
      f.push({ name: 'retry_failed_commits', label: 'Retry failed commits (the naive way)', kind: 'checkbox' });
    }
    if (controls.threads) {
      f.push({ name: 'threads', label: `Consumer threads in the process${rangeNote(optionRange(rules, 'threads'))}`, hint: 'each thread is its own consumer', kind: 'number' });
      f.push({ name: 'thread_groups', label: 'Groups of the threads', kind: 'select', options: [
        ['same', 'one group: the threads split the partitions'],
        ['distinct', 'a group per thread: each reads everything'],
      ] });
      f.push({ name: 'worker_pool', label: `Worker-pool threads${rangeNote(optionRange(rules, 'worker_pool'))}`, hint: '0 = none; needs auto-naive commits', kind: 'number' });
    }
    return f;
  }

  function build() {
    const body = document.getElementById('settings-body');
    if (!body) return;
    inputs = {};
    const rows = fields().map((f) => {
      const id = `set-${f.name}`;
      const dv = defaults[f.name];
      let input;
      if (f.kind === 'select') {
        input = el('select', { id, name: f.name }, ...f.options.map(([v, text]) => el('option', { value: v, selected: v === dv }, text)));
      } else if (f.kind === 'checkbox') {
        input = el('input', { id, name: f.name, type: 'checkbox' });
        input.checked = !!dv;
      } else {
        const range = optionRange(rules, f.name);
        input = el('input', { id, name: f.name, type: 'number', inputmode: 'numeric', min: range.min, max: range.max, step: f.step || 1, placeholder: f.placeholder || '' });
        input.value = dv === null || dv === undefined ? '' : String(dv);
      }
      inputs[f.name] = { input, kind: f.kind, dv };
      const label = el('label', { for: id }, f.label, f.hint ? el('span', { class: 'field-hint' }, f.hint) : null);
      if (f.kind === 'checkbox') return el('div', { class: 'field f-checkbox', dataset: { field: f.name } }, input, label);
      const presets = f.presets ? el('span', { class: 'presets' }, ...f.presets.map(([v, text]) => el('button', {
        type: 'button', class: 'preset', dataset: { presetFor: f.name, value: v }, title: `${f.name} = ${v}`,
      }, text))) : null;
      return el('div', { class: `field f-${f.kind}`, dataset: { field: f.name } }, label, el('span', { class: 'field-input' }, input, presets));
    });
    const note = el('p', { class: 'settings-note', id: 'settings-note', hidden: true, role: 'status' });
    const reset = el('button', { type: 'button', class: 'ghost' }, 'Lab defaults');
    reset.addEventListener('click', () => {
      for (const { input, kind, dv } of Object.values(inputs)) {
        if (kind === 'checkbox') input.checked = !!dv;
        else input.value = dv === null || dv === undefined ? '' : String(dv);
      }
      changed(null);
    });
    body.addEventListener('click', (e) => {
      const preset = e.target.closest('button[data-preset-for]');
      if (!preset) return;
      const target = inputs[preset.dataset.presetFor];
      if (target) target.input.value = preset.dataset.value;
      changed(preset.dataset.presetFor);
    });
    body.append(el('div', { class: 'fields' }, ...rows), note,
      el('div', { class: 'settings-foot' }, el('p', { class: 'hint' }, ab ? 'Used by the next start, in A and B.' : 'Used by the next “Start consumer”.'), reset));
    body.addEventListener('input', (e) => changed(e.target.name));
    body.addEventListener('change', (e) => changed(e.target.name));
    updateSummary();
  }

  /** A field changed: dependent fields follow (worker pool → auto-naive), errors clear. */
  function changed(name) {
    const note = document.getElementById('settings-note');
    if (name === 'worker_pool' && inputs.worker_pool && inputs.commit_mode) {
      const pool = Number(inputs.worker_pool.input.value) || 0;
      if (pool > 0 && inputs.commit_mode.input.value !== 'auto-naive') {
        inputs.commit_mode.input.value = 'auto-naive';
        note.textContent = 'A worker pool needs commit mode “automatically, counting what poll() returned as done” (auto-naive): auto commit commits what poll() handed to the pool. Set it for you.';
        note.hidden = false;
      } else if (pool === 0) {
        note.hidden = true;
      }
    }
    for (const { input } of Object.values(inputs)) {
      if (input.name === name) {
        input.removeAttribute('aria-invalid');
        input.closest('.field').classList.remove('invalid');
      }
    }
    updateSummary();
  }

  /** The changed fields, as the request body of a start. */
  function overrides() {
    const out = {};
    for (const [name, { input, kind, dv }] of Object.entries(inputs)) {
      let v;
      if (kind === 'checkbox') v = input.checked;
      else if (kind === 'number') v = input.value === '' ? null : Number(input.value);
      else v = input.value;
      const same = v === dv || (v === null && (dv === null || dv === undefined));
      if (!same && v !== null) out[name] = v;
    }
    return out;
  }

  function updateSummary() {
    const n = Object.keys(overrides()).length;
    const summary = document.querySelector('#settings > summary');
    if (summary) summary.textContent = n ? `Settings (${n} changed)` : 'Settings';
  }

  /**
   * A refused start next to the form: `message`, and the field the server named (`field`)
   * marked invalid with the settings opened. No message clears it.
   */
  function showError(message, field) {
    const box = document.getElementById('start-error');
    for (const f of document.querySelectorAll('#settings-body .field.invalid')) {
      f.classList.remove('invalid');
      const input = f.querySelector('input, select');
      if (input) input.removeAttribute('aria-invalid');
    }
    if (!box) return;
    if (!message) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.textContent = message;
    box.hidden = false;
    const target = field ? inputs[field] : null;
    if (target) {
      target.input.setAttribute('aria-invalid', 'true');
      target.input.closest('.field').classList.add('invalid');
      const details = document.getElementById('settings');
      if (details) details.open = true;
    }
  }

  return { build, overrides, showError };
}
