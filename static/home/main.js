// The home page's script: the display name form (PUT /api/session; the name is shown after,
// with a way to change it) and the demo banner, kept current by asking GET /api/demo every few
// seconds while the page is visible and when it comes back into view. Everything else on the
// page is drawn by the server.

import { api, errorText } from '../lab/api.js';
import { setText } from '../lab/dom.js';
import { t } from '../lab/i18n.js';
import { demoBanner, typedName } from './model.js';

const DEMO_EVERY_MS = 5000;

const $ = (id) => document.getElementById(id);
const page = JSON.parse($('home-page').textContent);

function showName(name) {
  $('name-shown').hidden = !name;
  $('name-form').hidden = !!name;
  setText($('name-value'), name || '');
}

function nameError(text) {
  const box = $('name-error');
  box.hidden = !text;
  setText(box, text || '');
}

async function saveName(e) {
  e.preventDefault();
  const input = $('name-input');
  const typed = typedName(input.value, page.max_name);
  if (typed.error) {
    nameError(t('err.display_name', { max: page.max_name }));
    input.focus();
    return;
  }
  try {
    const { body } = await api('PUT', '/api/session', { name: typed.name });
    nameError('');
    input.value = body.name || '';
    showName(body.name);
  } catch (err) {
    nameError(errorText(err));
    input.focus();
  }
}

function changeName() {
  $('name-shown').hidden = true;
  $('name-form').hidden = false;
  $('name-input').focus();
  $('name-input').select();
}

let asking = false;

async function refreshDemo() {
  if (asking || document.visibilityState === 'hidden') return;
  asking = true;
  try {
    const { body } = await api('GET', '/api/demo');
    const banner = demoBanner(body, page.labs);
    $('demo-banner').hidden = !banner.shown;
    if (banner.shown) {
      $('demo-link').href = banner.href;
      setText($('demo-lab'), banner.lab);
    }
  } catch (e) {
    /* the server is away: the banner stays as it is and the next look tries again */
  } finally {
    asking = false;
  }
}

$('name-form').addEventListener('submit', saveName);
$('name-change').addEventListener('click', changeName);
setInterval(refreshDemo, DEMO_EVERY_MS);
document.addEventListener('visibilitychange', refreshDemo);
window.addEventListener('focus', refreshDemo);
