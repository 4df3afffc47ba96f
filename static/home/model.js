// The home page's small pure parts: the name as the server will keep it, and what the demo
// banner shows for a `GET /api/demo` answer. No DOM, no fetch.

/**
 * The display name typed in `raw`, as `PUT /api/session` keeps it: trimmed, `null` when empty
 * (the name is cleared). `error` is true when it is longer than `max` characters or holds
 * control characters (the server would answer 400 `display_name`).
 */
export function typedName(raw, max) {
  const name = String(raw || '').trim();
  if (!name) return { name: null, error: false };
  // eslint-disable-next-line no-control-regex
  const bad = [...name].length > max || /[\u0000-\u001f\u007f-\u009f]/.test(name);
  return { name, error: bad };
}

/**
 * The banner for a demo answer (`{demo: {run, lab, watch} | null}`): hidden, or the watch
 * address and the lab's title (from `titles`, by lab id).
 */
export function demoBanner(answer, titles) {
  const demo = answer && answer.demo;
  if (!demo || !demo.watch) return { shown: false, href: null, lab: '' };
  return { shown: true, href: demo.watch, lab: (titles && titles[demo.lab]) || demo.lab || '' };
}
