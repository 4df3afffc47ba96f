// Opening an exported file: the file input and drag-and-drop onto the page. The file is read
// here (it never goes to the server), checked (file.js) and handed to `opened(run)`; a file
// that cannot be replayed shows why, in the page's language.

import { t } from '../lab/i18n.js';
import { checkSize, parseExport } from './file.js';

/** input: the file input; zone: where a file may be dropped; error: the message line. */
export function bindOpen({ input, zone, error, maxBytes }, opened) {
  function fail(key, params) {
    error.hidden = false;
    error.textContent = t(key, params);
  }

  async function open(file) {
    if (!file) return;
    error.hidden = true;
    const refused = checkSize(file.size, maxBytes);
    if (refused) {
      fail(refused.key, refused.params);
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (e) {
      fail('ui.replay.err.unreadable', { detail: e.message });
      return;
    }
    const read = parseExport(text);
    if (!read.ok) {
      fail(read.key, read.params);
      return;
    }
    opened(read.run, file.name);
  }

  input.addEventListener('change', () => {
    open(input.files && input.files[0]);
    input.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add('dragging');
    });
  }
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  // A file dropped anywhere on the page is opened (and the browser does not navigate to it).
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    open(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]);
  });
}
