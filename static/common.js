// Shared by every page: the large-type toggle (persisted) and small helpers for lab.js.
(function () {
  'use strict';

  const KEY = 'labs.largeType';

  function stored() {
    try {
      return localStorage.getItem(KEY) === '1';
    } catch (e) {
      return false;
    }
  }

  function store(on) {
    try {
      localStorage.setItem(KEY, on ? '1' : '0');
    } catch (e) {
      /* private mode: the toggle still works for this page */
    }
  }

  function applyLargeType(on) {
    document.documentElement.classList.toggle('large', on);
    const button = document.getElementById('large-type');
    if (button) {
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
      button.title = on ? 'Normal type' : 'Larger type for projectors';
    }
    document.dispatchEvent(new CustomEvent('labs:resize'));
  }

  function initLargeType() {
    applyLargeType(stored());
    const button = document.getElementById('large-type');
    if (!button) return;
    button.addEventListener('click', () => {
      const on = !document.documentElement.classList.contains('large');
      store(on);
      applyLargeType(on);
    });
  }

  /** Creates an element: el('div', {class: 'x', dataset: {a: 1}}, 'text', child). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /**
   * fetch() for the JSON API: resolves to {ok, status, body, date}; never throws on HTTP
   * errors (a network failure resolves with status 0).
   */
  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(path, init);
      const text = await response.text();
      let parsed = null;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          parsed = { error: text };
        }
      }
      return {
        ok: response.ok,
        status: response.status,
        body: parsed,
        date: response.headers.get('date'),
      };
    } catch (e) {
      return { ok: false, status: 0, body: { error: 'network error: ' + e.message }, date: null };
    }
  }

  window.Labs = { el, api, applyLargeType };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', initLargeType);
  } else {
    initLargeType();
  }
})();
