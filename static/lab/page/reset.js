// "Reset offsets to the beginning": the admin's `kafka-consumer-groups.sh --reset-offsets
// --to-earliest` on the run's group (POST /api/runs/{id}/offsets {"reset": "earliest"}). Kafka
// resets only an empty group, so the button waits until no consumer of the run is live; the
// server's refusal (409 `group_active`) is shown under it all the same. Burrow then sees the
// committed offsets go back: REWIND.

import { api, ApiError, errorText } from '../api.js';
import { setText } from '../dom.js';
import { t } from '../i18n.js';
import { liveCount } from '../model/run.js';

/** Whether the button can be pressed, and its title: {disabled, title}. Pure. */
export function resetState(m, { hasRun, ended, busy }) {
  if (!hasRun || ended) return { disabled: true, title: t('ui.lag.reset_no_run') };
  if (busy) return { disabled: true, title: t('ui.lag.reset_busy') };
  const live = liveCount(m);
  if (live > 0) return { disabled: true, title: t('ui.lag.reset_live', { live }) };
  return { disabled: false, title: t('ui.lag.reset_title') };
}

/** pane: the run's pane; wrap: the control's box (shown here); button; errorBox: under it. */
export function createResetControl(pane, wrap, button, errorBox) {
  if (!wrap || !button) return { draw() {} };
  wrap.hidden = false;
  let busy = false;
  const showError = (message) => {
    if (!errorBox) return;
    errorBox.hidden = !message;
    setText(errorBox, message || '');
  };
  button.addEventListener('click', async () => {
    if (button.disabled || !pane.run) return;
    busy = true;
    showError(null);
    pane.redraw('reset');
    try {
      await api('POST', `${pane.apiBase()}/offsets`, { reset: 'earliest' });
      pane.page.notify(t('ui.lag.reset_done'), 'info');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showError(errorText(e));
    } finally {
      busy = false;
      pane.redraw('reset');
    }
  });
  return {
    draw(m, ctx) {
      const s = resetState(m, { ...ctx, busy });
      if (button.disabled !== s.disabled) button.disabled = s.disabled;
      if (button.title !== s.title) button.title = s.title;
    },
  };
}
