// “Settings” for the next consumer: the form (in plain words; only changed fields are sent),
// its presets and defaults, and the server's refusal shown next to the field it names.

import { el } from '../dom.js';
import { duration } from '../format.js';
import { t, tn } from '../i18n.js';
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
      { name: 'commit_mode', label: t('ui.set.commit_mode'), kind: 'select', options: [
        ['auto', t('ui.set.mode.auto')],
        ['auto-naive', t('ui.set.mode.auto_naive')],
        ['sync-batch', t('ui.set.mode.sync_batch')],
        ['sync-record', t('ui.set.mode.sync_record')],
        ['sync-record-poll', t('ui.set.mode.sync_record_poll')],
        ['async', t('ui.set.mode.async')],
        ['none', t('ui.set.mode.none')],
      ] },
      { name: 'auto_commit_interval_ms', label: t('ui.set.auto_commit_interval'), hint: 'auto.commit.interval.ms', kind: 'number', step: 100 },
      { name: 'commit_every_records', label: t('ui.set.commit_every'), hint: t('ui.set.commit_every_hint'), kind: 'number', placeholder: t('ui.set.commit_every_placeholder') },
      { name: 'pause_after_records', label: t('ui.set.pause_after'), kind: 'number', placeholder: t('ui.set.pause_after_placeholder') },
      { name: 'processing_delay_ms', label: t('ui.set.processing_delay'), hint: t('ui.set.processing_delay_hint'), kind: 'number' },
      { name: 'max_poll_records', label: t('ui.set.max_poll_records'), hint: 'max.poll.records', kind: 'number' },
      { name: 'session_timeout_ms', label: t('ui.set.session_timeout'), hint: 'session.timeout.ms', kind: 'number', step: 500,
        presets: [[2000, t('ui.set.preset_classroom', { time: duration(2000) })], [6000, duration(6000)]] },
    ];
    if (canRebalance()) f.push({ name: 'commit_on_revoke', label: t('ui.set.commit_on_revoke'), hint: t('ui.set.commit_on_revoke_hint'), kind: 'checkbox' });
    f.push({ name: 'commit_on_shutdown', label: t('ui.set.commit_on_shutdown'), hint: t('ui.set.commit_on_shutdown_hint'), kind: 'checkbox' });
    if (controls.faults || defaults.commit_mode === 'async') {
      f.push({ name: 'retry_failed_commits', label: t('ui.set.retry_failed_commits'), kind: 'checkbox' });
    }
    if (controls.threads) {
      f.push({ name: 'threads', label: `${t('ui.set.threads')}${rangeNote(optionRange(rules, 'threads'))}`, hint: t('ui.set.threads_hint'), kind: 'number' });
      f.push({ name: 'thread_groups', label: t('ui.set.thread_groups'), kind: 'select', options: [
        ['same', t('ui.set.thread_groups.same')],
        ['distinct', t('ui.set.thread_groups.distinct')],
      ] });
      f.push({ name: 'worker_pool', label: `${t('ui.set.worker_pool')}${rangeNote(optionRange(rules, 'worker_pool'))}`, hint: t('ui.set.worker_pool_hint'), kind: 'number' });
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
    const reset = el('button', { type: 'button', class: 'ghost' }, t('ui.set.reset'));
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
      el('div', { class: 'settings-foot' }, el('p', { class: 'hint' }, ab ? t('ui.set.used_by_ab') : t('ui.set.used_by_start')), reset));
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
        note.textContent = t('ui.set.worker_pool_note', { mode: t('ui.set.mode.auto_naive') });
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
    if (summary) summary.textContent = n ? tn('ui.set.summary_changed', n) : t('ui.set.summary');
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
