// An exported run (GET /api/runs/{id}/export, format "kafka-consumer-labs/run" version 1),
// read and checked before anything is drawn. Pure: text in, {ok, run} or {ok: false, key,
// params} out, where key names the catalog text that says what is wrong.

export const FORMAT = 'kafka-consumer-labs/run';
export const VERSION = 1;
/** The largest file the page opens, unless the page says otherwise (data-max-bytes). */
export const MAX_BYTES = 50 * 1024 * 1024;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v) => Number.isInteger(v) && v >= 0;

function bad(what) {
  return { ok: false, key: 'ui.replay.err.shape', params: { what } };
}

/** Whether a file of `size` bytes may be opened; null when it may, else the refusal. */
export function checkSize(size, max = MAX_BYTES) {
  if (size > max) return { ok: false, key: 'ui.replay.err.too_big', params: { max: `${Math.round(max / 1024 / 1024)} MB` } };
  if (size === 0) return { ok: false, key: 'ui.replay.err.empty_file', params: {} };
  return null;
}

/** Reads an export's text: the parsed export, or why it cannot be replayed. */
export function parseExport(text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, key: 'ui.replay.err.not_json', params: {} };
  }
  if (!isObject(v) || v.format !== FORMAT) return { ok: false, key: 'ui.replay.err.not_export', params: {} };
  if (v.version !== VERSION) return { ok: false, key: 'ui.replay.err.version', params: { version: String(v.version), supported: VERSION } };
  if (!isObject(v.lab) || typeof v.lab.id !== 'string' || !v.lab.id) return bad('lab.id');
  if (!isObject(v.run) || typeof v.run.id !== 'string' || typeof v.run.group !== 'string') return bad('run');
  if (!Number.isInteger(v.run.partitions) || v.run.partitions < 1 || v.run.partitions > 64) return bad('run.partitions');
  if (!Array.isArray(v.events)) return bad('events');
  if (!isObject(v.ledger) || !isCount(v.ledger.duplicates) || !isCount(v.ledger.lost) || !Array.isArray(v.ledger.partitions)) return bad('ledger');
  let last = 0;
  for (let i = 0; i < v.events.length; i++) {
    const e = v.events[i];
    if (!isObject(e) || !Number.isInteger(e.seq) || e.seq <= last || typeof e.type !== 'string' || typeof e.ts !== 'number') {
      return bad(`events[${i}]`);
    }
    last = e.seq;
  }
  if (!v.events.length) return { ok: false, key: 'ui.replay.err.no_events', params: {} };
  const consumers = Array.isArray(v.consumers) ? v.consumers.filter((c) => isObject(c) && typeof c.id === 'string') : [];
  return {
    ok: true,
    run: {
      lab: { id: v.lab.id, title: isObject(v.lab.title) ? v.lab.title : {} },
      run: { id: v.run.id, topic: typeof v.run.topic === 'string' ? v.run.topic : '', group: v.run.group, partitions: v.run.partitions },
      options: isObject(v.options) ? v.options : {},
      consumers,
      exportedAt: typeof v.exported_at_ms === 'number' ? v.exported_at_ms : null,
      firstSeq: Number.isInteger(v.first_seq) ? v.first_seq : v.events[0].seq,
      complete: v.complete === true,
      events: v.events,
      ledger: v.ledger,
    },
  };
}
