// The page's buttons and forms: every `data-action` button (on the page, a card or a pane),
// the producer's rate box, the typed-record box, “New run” and the Copy buttons.

import { api, ApiError, enc, errorText } from '../api.js';
import { t } from '../i18n.js';
import { abAction } from './ab.js';
import { maxProducerRate } from './rules.js';
import { nextOrder, paymentValues } from '../model/sink.js';

export function bindControls(page) {
  page.app.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-action]');
    if (button && !button.disabled) act(page, button, button.dataset.action);
    const copyButton = e.target.closest('button[data-copy]');
    if (copyButton) copy(copyButton);
  });
  const strategy = document.getElementById('strategy');
  if (strategy) {
    strategy.addEventListener('change', () => page.notify(t('ui.notice.strategy', { strategy: strategy.value }), 'info'));
  }
  const rateForm = document.getElementById('rate-form');
  if (rateForm) {
    // Enter in the rate box clicks Start (the form's submit button), handled above.
    rateForm.addEventListener('submit', (e) => e.preventDefault());
    rateForm.addEventListener('input', () => showRateError(null));
    labelRateBox(maxProducerRate(page.rules));
  }
  const form = document.getElementById('produce-form');
  if (form) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      produceTyped(page);
    });
  }
  bindResize(page);
}

/** A read-only page: the Copy buttons and the redraw on resize, no control. */
export function bindView(page) {
  page.app.addEventListener('click', (e) => {
    const copyButton = e.target.closest('button[data-copy]');
    if (copyButton) copy(copyButton);
  });
  bindResize(page);
}

function bindResize(page) {
  const resize = () => {
    for (const pane of page.panes.values()) {
      pane.measure();
      pane.redraw('lanes', 'timeline', 'swim');
    }
  };
  window.addEventListener('resize', resize);
  document.addEventListener('labs:resize', resize);
}

/** The rate box's ceiling and its title, from the page rules (none: no ceiling said). */
function labelRateBox(max) {
  const input = document.getElementById('producer-rate');
  if (!input) return;
  if (max !== null) input.max = String(max);
  const label = input.closest('label');
  if (label) label.title = max !== null ? t('ui.rate.title_max', { max }) : t('ui.rate.title');
}

async function act(page, button, action) {
  const pane = page.paneOf(button);
  const card = button.closest('.consumer');
  const cid = card ? enc(card.dataset.consumer) : null;
  const ab = action.startsWith('ab-');
  if (!ab && action !== 'new-run' && (!pane || !pane.run)) return;
  const base = pane && pane.run ? pane.apiBase() : '';
  const controls = page.controls;
  const calls = {
    'produce-batch': () => pane.produce(controls.produce_batch || []),
    'produce-count': () => pane.produceCount(Number(button.dataset.count) || 0),
    'produce-payments': () => pane.produce(paymentValues(nextOrder(pane.m), Number(button.dataset.count) || 0)),
    start: () => api('POST', `${base}/consumers`, page.settings.overrides()),
    stop: () => api('POST', `${base}/consumers/${cid}/stop`),
    kill: () => api('POST', `${base}/consumers/${cid}/kill`),
    pause: () => api('POST', `${base}/consumers/${cid}/pause`),
    resume: () => api('POST', `${base}/consumers/${cid}/resume`),
    step: () => api('POST', `${base}/consumers/${cid}/step`, { records: 1 }),
    'step-batch': () => api('POST', `${base}/consumers/${cid}/step`, { batch: true }),
    'producer-start': () => setProducerRate(page, pane, null),
    'producer-stop': () => setProducerRate(page, pane, 0),
    'fault-commit': () => api('POST', `${base}/faults`, { commit_errors: 1 }),
    'fault-slow': () => api('POST', `${base}/faults`, { rtt_ms: 500 }),
    'fault-clear': () => api('POST', `${base}/faults`, { rtt_ms: 0 }),
    'fault-down': () => api('POST', `${base}/faults`, { broker: 'down' }),
    'fault-up': () => api('POST', `${base}/faults`, { broker: 'up' }),
    'new-run': () => newRun(page),
  };
  const call = ab ? () => abAction(action, [...page.panes.values()], controls.produce_count || 0, page.settings) : calls[action];
  if (!call) return;
  const starts = action === 'start' || action === 'ab-start' || action === 'ab-restart';
  button.dataset.busy = '1';
  button.disabled = true;
  let result = null;
  let error = null;
  try {
    result = await call();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e;
  } finally {
    delete button.dataset.busy;
    button.disabled = false;
    if (starts) page.settings.showError(error ? errorText(error) : null, error ? error.field : null);
    for (const p of page.panes.values()) p.redraw('consumers', 'producer');
    page.changed();
  }
  if (action === 'start' && result && result.body && result.body.id) pane.addConsumer(result.body.id);
  if (error && action !== 'start' && !action.startsWith('producer-')) {
    const what = button.querySelector('.what');
    const label = what ? what.textContent : button.textContent;
    page.notify(t('ui.notice.action_failed', { action: label.trim(), error: errorText(error) }), 'error');
  }
}

/** Starts, changes (rate null: the box's value) or stops (0) the background producer. */
async function setProducerRate(page, pane, rate) {
  const input = document.getElementById('producer-rate');
  let n = rate;
  if (n === null) {
    const raw = input ? input.value.trim() : '';
    n = Number(raw);
    if (raw === '' || !Number.isInteger(n) || n < 0) {
      const max = maxProducerRate(page.rules);
      showRateError(max !== null ? t('ui.rate.invalid_max', { max }) : t('ui.rate.invalid'));
      return null;
    }
  }
  try {
    const r = await api('POST', `${pane.apiBase()}/producer`, { rate_per_sec: n });
    showRateError(null);
    // The producer_rate event confirms it; drawn now so the buttons follow at once.
    pane.assumeProducerRate(n);
    return r;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    showRateError(errorText(e));
    return null;
  }
}

/** The server's answer to a rate it refused, under the rate box; null clears it. */
function showRateError(message) {
  const box = document.getElementById('rate-error');
  const input = document.getElementById('producer-rate');
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || '';
  if (input) {
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

async function produceTyped(page) {
  const pane = page.panes.get('main');
  const input = document.getElementById('produce-value');
  const value = input.value;
  if (!value || !pane || !pane.run) return;
  input.disabled = true;
  let error = null;
  try {
    await pane.produce([value]);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e;
  }
  input.disabled = false;
  input.focus();
  if (!error) input.value = '';
  else page.notify(t('ui.notice.produce_failed', { error: errorText(error) }), 'error');
}

async function newRun(page) {
  const strategy = document.getElementById('strategy');
  page.notify(page.ab ? t('ui.notice.stopping_both') : t('ui.notice.stopping'), 'info');
  await Promise.all([...page.panes.values()].map((pane) => {
    if (pane.es) pane.es.close();
    pane.es = null;
    if (!pane.run) return null;
    return api('DELETE', pane.apiBase()).catch((e) => {
      if (!(e instanceof ApiError)) throw e;
    });
  }));
  const q = strategy ? `?strategy=${enc(strategy.value)}` : '';
  location.assign(`/labs/${enc(page.labId)}${q}`);
}

function copy(button) {
  const code = document.getElementById(button.dataset.copy);
  const text = code ? code.textContent : '';
  // The button's own label (from the page) comes back after the feedback.
  if (button.dataset.label === undefined) button.dataset.label = button.textContent;
  const restore = () => { button.textContent = button.dataset.label; };
  const done = () => {
    button.textContent = t('ui.copy.done');
    setTimeout(restore, 1500);
  };
  const fallback = () => {
    const range = document.createRange();
    range.selectNodeContents(code);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    button.textContent = t('ui.copy.selected');
    setTimeout(restore, 2500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
}
