// The replay's controls: play / pause, speed, the scrub slider over the events, and the
// current event's position and time.

import { setText } from '../lab/dom.js';
import { num } from '../lab/format.js';
import { t } from '../lab/i18n.js';

/** 14:03:07.250 (the local clock, 24 h) and +12.3 s since the first event. */
export function timeText(ts, start) {
  const d = new Date(ts);
  const two = (n) => String(n).padStart(2, '0');
  const clock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  const elapsed = ((ts - start) / 1000).toFixed(1);
  return t('ui.replay.time', { clock, elapsed });
}

/** Binds the controls in `doc` to `player`; returns draw() that shows where it stands. */
export function bindControls(doc, player) {
  const play = doc.getElementById('replay-play');
  const speed = doc.getElementById('replay-speed');
  const scrub = doc.getElementById('replay-scrub');
  const position = doc.getElementById('replay-position');
  const time = doc.getElementById('replay-time');
  const cursor = player.cursor;
  scrub.max = String(cursor.length);
  player.setSpeed(Number(speed.value));
  play.onclick = () => player.toggle();
  speed.onchange = () => player.setSpeed(Number(speed.value));
  // Dragging fires many inputs and going back rebuilds the view: seek at most every 50 ms, to
  // the latest value (a timer, not an animation frame: it also runs in a background tab).
  let wanted = 0;
  let timer = null;
  let last = 0;
  scrub.oninput = () => {
    wanted = Number(scrub.value);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      last = performance.now();
      player.seek(wanted);
    }, Math.max(0, last + 50 - performance.now()));
  };

  function draw() {
    play.dataset.playing = String(player.playing);
    setText(play, player.playing ? t('ui.replay.pause') : t('ui.replay.play'));
    if (doc.activeElement !== scrub || player.playing) scrub.value = String(cursor.pos);
    const ev = cursor.current();
    setText(position, t('ui.replay.position', { n: num(cursor.pos), total: num(cursor.length), seq: ev ? ev.seq : '–' }));
    position.dataset.pos = String(cursor.pos);
    setText(time, timeText(player.now(), cursor.start));
  }
  return { draw };
}
