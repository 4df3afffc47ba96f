// The commit timeline (a canvas): a row per consumer with its polls, record ticks, commits
// (requested → completed), uncommitted windows and lifecycle marks, over the last 30 s.

import { COMMIT_COLOURS, ERROR_COLOUR, MARK_END, MARK_GREY, PALETTE } from '../colours.js';
import { agoTick, ms, statusText } from '../format.js';
import { t } from '../i18n.js';
import { LIVE, TIMELINE_WINDOW_MS as WINDOW_MS } from '../model/run.js';

const MAX_TIMELINE_ROWS = 8;
/** The model's mark colours, by name. */
const MARK_COLOURS = { grey: MARK_GREY, end: MARK_END, error: ERROR_COLOUR };

export function createTimelineView(canvas) {
  function draw(m, now) {
    if (!canvas) return;
    const from = now - WINDOW_MS;
    const rows = [...m.consumers.values()]
      .filter((c) => LIVE.has(c.status) || c.lastTs >= from)
      .slice(-MAX_TIMELINE_ROWS);
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const scale = rem / 16;
    const ROW = Math.round(58 * scale);
    const AXIS = Math.round(22 * scale);
    const LABEL = Math.round(76 * scale);
    const height = AXIS + Math.max(2, rows.length) * ROW;
    const width = canvas.clientWidth || 600;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const plotW = width - LABEL - 8;
    const x = (t) => LABEL + ((t - from) / WINDOW_MS) * plotW;
    const font = (px, weight) => `${weight || 400} ${Math.round(px * scale)}px system-ui, -apple-system, "Segoe UI", sans-serif`;
    drawAxis(ctx, { now, x, AXIS, height, width, font });
    if (!rows.length) {
      ctx.fillStyle = '#6b7280';
      ctx.font = font(13);
      ctx.fillText(plotW < 460 ? t('ui.timeline.empty_short') : t('ui.timeline.empty'), LABEL, AXIS + ROW * 0.6);
      return;
    }
    rows.forEach((c, i) => {
      drawRow(ctx, c, { y: AXIS + i * ROW, ROW, LABEL, width, x, from, now, font, scale });
    });
  }

  function drawAxis(ctx, g) {
    ctx.fillStyle = '#6b7280';
    ctx.strokeStyle = '#e5e7eb';
    ctx.font = g.font(11);
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 1;
    for (let s = 30; s >= 0; s -= 5) {
      const t = g.now - s * 1000;
      const px = Math.round(g.x(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, g.AXIS - 4);
      ctx.lineTo(px, g.height);
      ctx.stroke();
      const label = agoTick(s);
      const w = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(px - w / 2, g.width - w - 2), g.AXIS / 2);
    }
  }

  function drawRow(ctx, c, g) {
    const { y, ROW, LABEL, x, from, now, font, scale } = g;
    // Labels on one line never overlap: a label that would is left out (its bar stays).
    const lines = new Map();
    const label = (text, px, py, colour) => {
      const a = px;
      const b = px + ctx.measureText(text).width + 6;
      const taken = lines.get(py) || [];
      if (taken.some(([x0, x1]) => a < x1 && x0 < b)) return;
      taken.push([a, b]);
      lines.set(py, taken);
      ctx.fillStyle = colour;
      ctx.fillText(text, px, py);
    };
    const colour = PALETTE[c.k];
    const live = LIVE.has(c.status);
    ctx.globalAlpha = 1;
    ctx.fillStyle = '#f8fafc';
    ctx.fillRect(LABEL, y + 2, g.width - LABEL - 8, ROW - 4);
    // Label: colour chip, id, status.
    ctx.fillStyle = colour;
    ctx.fillRect(4, y + 8 * scale, 12 * scale, 12 * scale);
    ctx.fillStyle = '#111827';
    ctx.font = font(13, 700);
    ctx.textBaseline = 'middle';
    ctx.fillText(c.id, 20 * scale, y + 14 * scale);
    ctx.fillStyle = '#6b7280';
    ctx.font = font(11);
    ctx.fillText(statusText(c.paused && live ? 'paused' : c.status), 4, y + 32 * scale);
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL, y, g.width - LABEL - 8, ROW);
    ctx.clip();
    if (!live) ctx.globalAlpha = 0.55;
    // Uncommitted windows (processed, not yet committed).
    ctx.fillStyle = 'rgba(230, 159, 0, 0.20)';
    const windows = c.pendingSince !== null ? [...c.tl.windows, [c.pendingSince, now]] : c.tl.windows;
    for (const [a, b] of windows) {
      if (b < from) continue;
      ctx.fillRect(x(a), y + 2, Math.max(1, x(b) - x(a)), ROW - 4);
    }
    const pollY = y + 15 * scale;
    const pollH = 9 * scale;
    for (let i = c.tl.polls.length - 1; i >= 0; i--) {
      const p = c.tl.polls[i];
      if (p.t1 < from) break;
      const x0 = x(p.t0);
      const w = Math.max(1.5, x(p.t1) - x0 - 1);
      ctx.fillStyle = p.count > 0 ? colour : '#d1d5db';
      ctx.fillRect(x0, pollY, w, pollH);
      if (p.count > 0 && w > 18) {
        ctx.fillStyle = '#111827';
        ctx.font = font(10, 700);
        ctx.fillText(String(p.count), x0 + 3, pollY + pollH / 2);
      }
    }
    // Record ticks, one line per pixel column.
    const recY = y + 27 * scale;
    const recH = 11 * scale;
    ctx.fillStyle = '#1f2937';
    let lastPx = -1;
    for (let i = c.tl.recs.length - 1; i >= 0; i--) {
      const t = c.tl.recs[i];
      if (t < from) break;
      const px = Math.round(x(t));
      if (px === lastPx) continue;
      lastPx = px;
      ctx.fillRect(px, recY, 1.5, recH);
    }
    // Commits: requested → completed.
    const comY = y + 41 * scale;
    const comH = 11 * scale;
    for (const bar of c.tl.commits.values()) {
      const end = bar.t1 === null ? now : bar.t1;
      if (end < from) continue;
      const x0 = x(bar.t0);
      const w = Math.max(3, x(end) - x0);
      const fill = bar.error ? ERROR_COLOUR : COMMIT_COLOURS[bar.mode] || '#374151';
      if (bar.t1 === null) {
        ctx.strokeStyle = fill;
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(x0 + 0.5, comY + 0.5, w, comH - 1);
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = fill;
        ctx.fillRect(x0, comY, w, comH);
      }
      const text = bar.error ? t('ui.timeline.commit_failed', { mode: bar.mode }) : `${bar.mode}${bar.latency !== null && bar.latency !== undefined ? ` ${ms(bar.latency)}` : ''}`;
      ctx.font = font(10, 600);
      label(text, x0 + w + 3, comY + comH / 2, bar.error ? ERROR_COLOUR : '#374151');
    }
    // Lifecycle marks; SIGKILL / wakeup / close labels win over rebalance ones.
    ctx.font = font(10, 700);
    const marks = c.tl.marks.filter((mk) => mk.major).concat(c.tl.marks.filter((mk) => !mk.major));
    for (const mk of marks) {
      if (mk.t < from) continue;
      const px = Math.round(x(mk.t)) + 0.5;
      const markColour = MARK_COLOURS[mk.colour] || MARK_GREY;
      ctx.strokeStyle = markColour;
      ctx.lineWidth = mk.colour === 'error' ? 2 : 1;
      ctx.beginPath();
      ctx.moveTo(px, y + 2);
      ctx.lineTo(px, y + ROW - 2);
      ctx.stroke();
      label(mk.text, px + 3, y + 8 * scale, markColour);
    }
    ctx.restore();
    ctx.globalAlpha = 1;
  }

  return { draw };
}
