// The Java panel: the lab's consumer as Java (java/source.js), with the line the followed
// consumer is on highlighted from its events (java/trace.js). Redrawn from the pane's frame loop
// (once per animation frame at most) and only when the trace, the followed consumer or its
// settings changed. Scrolls inside its own box only, never the page.
//
// The root (data-el="java") says what it shows, for tests and tools: data-consumer, data-current
// (the anchor of the highlighted line), data-trail (the anchors passed, oldest first),
// data-died (the anchor of the line the consumer died on), data-seq (the event that moved it).

import { el, setText } from '../dom.js';
import { t } from '../i18n.js';
import { anchorIndex, javaSource } from '../java/source.js';
import { createTrace, leadThread, resolve, traceEvent } from '../java/trace.js';
import { LIVE } from '../model/run.js';

const COURSE_REPO = 'AndersonChoi/tacademy-kafka';
const KEYWORDS = new Set(('abstract boolean break case catch class else extends false final finally for if implements import int long new '
  + 'null private public return static this throw throws true try void volatile while').split(' '));
const TOKEN = /(\/\/.*$)|("(?:[^"\\]|\\.)*")|(@\w+)|\b(\d+)\b|\b([A-Za-z_]\w*)\b/g;

/** One line of Java as spans: keywords, types, strings, numbers, comments. */
export function highlight(text) {
  const out = [];
  let last = 0;
  text.replace(TOKEN, (m, comment, str, annotation, num, word, at) => {
    if (at > last) out.push(text.slice(last, at));
    let cls = null;
    if (comment) cls = 'j-com';
    else if (str) cls = 'j-str';
    else if (annotation) cls = 'j-ann';
    else if (num) cls = 'j-num';
    else if (KEYWORDS.has(word)) cls = 'j-kw';
    else if (/^[A-Z][a-z]/.test(word)) cls = 'j-type';
    else if (/^[A-Z][A-Z_]+$/.test(word)) cls = 'j-const';
    out.push(cls ? el('span', { class: cls }, m) : m);
    last = at + m.length;
    return m;
  });
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The settings the followed consumer runs with (its config once the run view has it). */
export function settingsOf(def, c) {
  const defaults = (def && def.consumer) || {};
  if (c && c.config) return c.config;
  if (c && c.commitMode) return { ...defaults, commit_mode: c.commitMode };
  return defaults;
}

/** The consumer whose code is shown: the one picked, else the newest live one, else the newest. */
export function followed(m, picked) {
  if (picked && m.consumers.has(picked)) return m.consumers.get(picked);
  let newest = null;
  let newestLive = null;
  for (const c of m.consumers.values()) {
    if (!newest || c.k >= newest.k) newest = c;
    if (LIVE.has(c.status) && (!newestLive || c.k >= newestLive.k)) newestLive = c;
  }
  return newestLive || newest;
}

/** pane: the Pane (page/pane.js) whose run, model and elements the panel uses. */
export function createJavaView(pane) {
  const root = pane.el('java');
  const classEl = pane.el('java-class');
  const pointEl = pane.el('course-point');
  const def = pane.page.def || {};
  const trace = createTrace();
  let picked = null;
  let drawnKey = null;
  let sourceKey = null;
  let index = new Map();
  let shownFile = 0;
  let leadFile = null;
  let leadLine = null;
  let leadState = null;
  let marked = [];
  const dom = { bar: null, tabs: null, follow: null, scroll: null, lists: [] };

  // The course's point under the code: from the lab (def.point) unless the page wrote it already.
  if (pointEl) {
    if (def.point) setText(pointEl, def.point);
    pointEl.hidden = !pointEl.textContent.trim();
  }
  if (root) build();
  bindCards();

  function build() {
    dom.tabs = el('div', { class: 'java-tabs', role: 'tablist', 'aria-label': t('java.files') });
    dom.follow = el('p', { class: 'java-follow', title: t('java.follow_hint') });
    dom.bar = el('div', { class: 'java-bar' }, dom.tabs, dom.follow);
    dom.scroll = el('div', { class: 'java-scroll', tabindex: '0', role: 'region' });
    const credit = el('p', { class: 'java-credit' }, `${t('java.credit')} `,
      el('a', { href: `https://github.com/${COURSE_REPO}`, rel: 'noopener noreferrer' }, COURSE_REPO));
    root.replaceChildren(dom.bar, dom.scroll, credit);
    // Lines rewrap when the box changes width: keep the running line in view.
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (leadLine && !leadLine.closest('ol').hidden) reveal(leadLine);
      }).observe(dom.scroll);
    }
  }

  /** Clicking a consumer card (or Enter / Space on it) makes the panel follow that consumer. */
  function bindCards() {
    const box = pane.el('consumers');
    if (!box || !root) return;
    const pick = (card) => {
      picked = card.dataset.consumer;
      drawnKey = null;
      pane.schedule();
    };
    box.addEventListener('click', (e) => {
      const card = e.target.closest('.consumer[data-consumer]');
      if (card && !e.target.closest('button, a, input, select, summary')) pick(card);
    });
    box.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('.consumer[data-consumer]')) {
        e.preventDefault();
        pick(e.target);
      }
    });
  }

  /** One stamped event (each seq once). */
  function event(ev) {
    traceEvent(trace, ev);
  }

  function draw(m) {
    if (!root) return;
    const c = followed(m, picked);
    const run = pane.run;
    const settings = settingsOf(def, c);
    const key = `${trace.rev}|${c ? `${c.id}:${c.config ? 1 : 0}:${c.commitMode}:${c.status}` : '-'}|${run ? run.id : ''}|${m.rev.consumers}`;
    if (key === drawnKey) return;
    drawnKey = key;
    const app = document.getElementById('app');
    const extra = {
      topic: run ? run.topic : undefined,
      group: run ? run.group : undefined,
      bootstrap: (run && run.bootstrap_servers) || (app && app.dataset.bootstrap) || undefined,
      showStrategy: !!(def.controls && def.controls.strategy),
    };
    const skey = JSON.stringify([def.java_class, settings, extra]);
    if (skey !== sourceKey) {
      sourceKey = skey;
      setSource(javaSource(def.java_class, settings, extra));
    }
    markCards(m, c);
    mark(c ? trace.consumers.get(c.id) : null, c);
  }

  function setSource(src) {
    index = anchorIndex(src);
    setText(classEl, src.className);
    dom.scroll.setAttribute('aria-label', t('java.code_label', { name: src.className }));
    marked = [];
    dom.lists = src.files.map((f, fi) => {
      const ol = el('ol', { class: 'java-lines', id: `java-${pane.key}-${fi}`, 'aria-label': t('java.code_label', { name: f.name }), dataset: { file: f.name } });
      f.lines.forEach((line, li) => {
        // The indentation is drawn as padding, so that a wrapped line hangs under its start.
        const indent = /^ */.exec(line.text)[0].length;
        const text = el('code', {}, ...highlight(line.text.slice(indent) || ' '));
        if (indent) text.style.setProperty('--ind', String(indent));
        const item = el('li', { dataset: { line: String(li + 1) } }, el('span', { class: 'j-mark', 'aria-hidden': 'true' }), text);
        if (line.anchor) item.dataset.anchor = line.anchor;
        ol.append(item);
      });
      ol.hidden = fi !== shownFile;
      return ol;
    });
    if (shownFile >= dom.lists.length) shownFile = 0;
    dom.lists.forEach((ol, fi) => { ol.hidden = fi !== shownFile; });
    dom.scroll.replaceChildren(...dom.lists);
    dom.tabs.replaceChildren(...src.files.map((f, fi) => el('button', {
      type: 'button', role: 'tab', class: 'java-tab', 'aria-selected': fi === shownFile ? 'true' : 'false', 'aria-controls': `java-${pane.key}-${fi}`,
      onclick: () => showFile(fi),
    }, f.name)));
    dom.tabs.hidden = src.files.length < 2;
    leadLine = null;
    leadFile = null;
  }

  function showFile(fi) {
    if (fi === shownFile || !dom.lists[fi]) return;
    shownFile = fi;
    dom.lists.forEach((ol, i) => { ol.hidden = i !== fi; });
    [...dom.tabs.children].forEach((b, i) => b.setAttribute('aria-selected', i === fi ? 'true' : 'false'));
  }

  function lineOf(anchor) {
    const at = anchor ? index.get(anchor) : null;
    return at ? { file: at.file, li: dom.lists[at.file].children[at.line] } : null;
  }

  function clearMarks() {
    for (const li of marked) {
      li.classList.remove('j-current', 'j-here', 'j-trail', 'j-died', 'j-paused');
      li.removeAttribute('aria-current');
      li.style.removeProperty('--age');
      li.firstChild.textContent = '';
      li.firstChild.removeAttribute('title');
      const died = li.querySelector('.j-died-text');
      if (died) died.remove();
    }
    marked = [];
  }

  function touch(li) {
    if (!marked.includes(li)) marked.push(li);
    return li;
  }

  /** Marks the followed consumer's lines: each thread's current line, the trail, the died-on line. */
  function mark(tc, c) {
    clearMarks();
    const data = root.dataset;
    data.consumer = c ? c.id : '';
    setText(dom.follow, c ? t('java.following', { id: c.id }) : t('java.no_consumer'));
    const lead = leadThread(tc);
    const threads = tc ? [...tc.threads.values()].filter((th) => th.at) : [];
    const named = threads.length > 1 || (lead && lead.name);
    data.current = '';
    data.died = '';
    data.trail = '';
    data.seq = lead ? String(lead.seq) : '';
    if (!lead) {
      leadLine = null;
      return;
    }
    // The trail of the thread that moved last, fading with age.
    const trail = lead.trail.map((step) => resolve(step, index));
    data.trail = lead.trail.map((s) => s.anchor).join(' ');
    trail.forEach((anchor, i) => {
      const line = lineOf(anchor);
      if (!line) return;
      touch(line.li).classList.add('j-trail');
      line.li.style.setProperty('--age', String((trail.length - i) / (trail.length + 1)));
    });
    let primary = null;
    const labels = new Map(); // li → the marks of the threads on it
    for (const th of threads) {
      const step = th.died || th.at;
      const line = lineOf(resolve(step, index));
      if (!line) continue;
      const li = touch(line.li);
      li.classList.remove('j-trail');
      const sign = th.died ? '✕' : th.paused ? '❚❚' : '▶';
      const marks = labels.get(li) || [];
      marks.push(named ? `${th.name || 'main'}${sign}` : sign);
      labels.set(li, marks);
      if (th.died) {
        li.classList.add('j-died');
        if (!li.querySelector('.j-died-text')) li.append(el('span', { class: 'j-died-text' }, t('java.died_here')));
        if (th === lead) data.died = step.anchor;
      } else {
        li.classList.add(th === lead ? 'j-current' : 'j-here');
        if (th.paused) {
          li.classList.add('j-paused');
          li.firstChild.title = t('java.paused');
        }
        if (th === lead) {
          li.setAttribute('aria-current', 'true');
          data.current = step.anchor;
        }
      }
      if (th === lead) primary = line;
    }
    for (const [li, marks] of labels) {
      li.firstChild.textContent = marks.join(' ');
      if (li.classList.contains('j-current')) li.classList.remove('j-here');
    }
    root.classList.toggle('java-threads', !!named);
    if (!primary) return;
    // Follow the line into its file (once per move) and into view inside the box.
    if (leadFile !== primary.file) {
      leadFile = primary.file;
      showFile(primary.file);
    }
    const leadKey = `${lead.name}|${lead.died ? 'died' : ''}`;
    if (leadLine !== primary.li || leadState !== leadKey) {
      leadLine = primary.li;
      leadState = leadKey;
      if (primary.file === shownFile) reveal(primary.li);
    }
  }

  /** Scrolls the code box (never the page) so that `li` is in view. */
  function reveal(li) {
    const box = dom.scroll;
    const top = li.offsetTop;
    const bottom = top + li.offsetHeight;
    if (top >= box.scrollTop && bottom <= box.scrollTop + box.clientHeight) return;
    box.scrollTop = Math.max(0, top - box.clientHeight / 3);
  }

  /** The followed consumer's card says so; every card can be picked with the keyboard. */
  function markCards(m, c) {
    const box = pane.el('consumers');
    if (!box) return;
    for (const card of box.querySelectorAll('.consumer[data-consumer]')) {
      if (!card.hasAttribute('tabindex')) {
        card.tabIndex = 0;
        card.title = t('java.follow_hint');
      }
      const on = !!c && card.dataset.consumer === c.id;
      card.classList.toggle('java-followed', on);
      if (on) card.setAttribute('aria-current', 'true');
      else card.removeAttribute('aria-current');
    }
  }

  return { event, draw, trace, picked: () => picked };
}
