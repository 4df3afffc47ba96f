// The page's rules, from the server (`<script type="application/json" id="page-rules">`):
// option ranges and timings the page shows or checks. A missing key means no limit (or, for a
// timing, that the text about it leaves the number out); nothing here throws.

/** Reads the embedded rules; {} when the page has none or they do not parse. */
export function readRules(doc) {
  const node = doc && doc.getElementById('page-rules');
  if (!node) return {};
  try {
    const rules = JSON.parse(node.textContent);
    return rules && typeof rules === 'object' ? rules : {};
  } catch (e) {
    return {};
  }
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** {min, max} of a consumer option (each null when the rules do not say). */
export function optionRange(rules, name) {
  const o = (rules.options && rules.options[name]) || {};
  return { min: num(o.min), max: num(o.max) };
}

/** The background producer's ceiling in records/s, or null. */
export function maxProducerRate(rules) {
  return num(rules.max_producer_rate);
}

/**
 * Burrow's settings for the runs' groups (`burrow` in the rules: the commit window's length,
 * min-distance, allowed lag, minimum complete) and the broker's sample interval; each null when
 * the rules do not say.
 */
export function burrowRules(rules) {
  const b = rules.burrow && typeof rules.burrow === 'object' ? rules.burrow : {};
  return {
    intervals: num(b.intervals),
    minDistanceMs: num(b.min_distance_ms),
    allowedLag: num(b.allowed_lag),
    minimumComplete: num(b.minimum_complete),
    sampleIntervalMs: num(rules.sample_interval_ms),
  };
}
