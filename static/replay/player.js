// Playback: a clock that runs at `speed` times real time from the current event, moving the
// cursor to every event whose time has come, one animation frame at a time. Pausing stops the
// clock; seeking puts it at the event sought.

export const SPEEDS = [0.5, 1, 2, 5, 20, 100];

export class Player {
  /**
   * cursor: a ReplayCursor; changed(): called after the position (or the playing state) moved.
   * frames: {request(fn), now()} (requestAnimationFrame and performance.now in the page).
   */
  constructor(cursor, changed, frames) {
    this.cursor = cursor;
    this.changed = changed;
    this.frames = frames || {
      request: (fn) => requestAnimationFrame(fn),
      now: () => performance.now(),
    };
    this.playing = false;
    this.speed = 1;
    /** The replay's clock (ms since the epoch, in the run's time). */
    this.t = cursor.time();
    this.wall = 0;
    this.frameRequested = false;
  }

  /** The time the drawings show. */
  now() {
    return this.playing ? this.t : this.cursor.time();
  }

  play() {
    if (this.playing) return;
    if (this.cursor.pos >= this.cursor.length) this.cursor.seek(0);
    this.t = this.cursor.time();
    this.playing = true;
    this.wall = this.frames.now();
    this.request();
    this.changed();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.changed();
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(speed) {
    if (Number.isFinite(speed) && speed > 0) this.speed = speed;
  }

  /** Moves to position k (events 1 … k applied); playing goes on from there. */
  seek(k) {
    this.cursor.seek(k);
    this.t = this.cursor.time();
    this.wall = this.frames.now();
    this.changed();
  }

  request() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    this.frames.request(() => this.tick());
  }

  tick() {
    this.frameRequested = false;
    if (!this.playing) return;
    const wall = this.frames.now();
    this.t += (wall - this.wall) * this.speed;
    this.wall = wall;
    this.cursor.seek(this.cursor.indexAt(this.t));
    if (this.cursor.pos >= this.cursor.length) {
      this.playing = false;
      this.t = this.cursor.end;
    } else {
      this.request();
    }
    this.changed();
  }
}
