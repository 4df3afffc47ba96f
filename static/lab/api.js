// The JSON API: fetch() that resolves with the body on success and throws an ApiError otherwise.

import { hasText, t } from './i18n.js';

/**
 * A refused or failed request: the HTTP status (0 when the network failed), the server's
 * message and, from the JSON error body `{"error": "...", "code"?: "x", "params"?: {…},
 * "field"?: "y"}`, the error's code and parameters (for the page's own wording of it) and the
 * request field at fault.
 */
export class ApiError extends Error {
  constructor(status, message, field, code, params) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field || null;
    this.code = code || null;
    this.params = params || null;
  }

  /** From a response's status and its parsed body (which may be anything). */
  static from(status, body) {
    const message = body && typeof body.error === 'string' && body.error ? body.error : `HTTP ${status}`;
    const field = body && typeof body.field === 'string' ? body.field : null;
    const code = body && typeof body.code === 'string' && body.code ? body.code : null;
    const params = body && body.params && typeof body.params === 'object' && !Array.isArray(body.params) ? body.params : null;
    return new ApiError(status, message, field, code, params);
  }
}

/**
 * What the page shows for an error: the catalog's text for its code (`err.<code>` with its
 * params) when the catalog has one, else the server's message.
 */
export function errorText(e) {
  if (!e) return '';
  if (e.code && hasText(`err.${e.code}`)) return t(`err.${e.code}`, e.params || {});
  return e.message || String(e);
}

let readOnly = false;

/**
 * A read-only page (`?view=watch`): from now on only GET requests are sent; any other method
 * is refused here, before it leaves the page.
 */
export function setReadOnly(on) {
  readOnly = !!on;
}

/**
 * Calls the API; resolves to {body, date} (the response's Date header, for the clock skew).
 * Throws ApiError on an HTTP error or a network failure (status 0).
 */
export async function api(method, path, body) {
  if (readOnly && method !== 'GET') throw new ApiError(403, t('ui.watch_only.refused'), null, 'read_only');
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  let text;
  try {
    response = await fetch(path, init);
    text = await response.text();
  } catch (e) {
    throw new ApiError(0, t('ui.err.network', { detail: e.message }));
  }
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = { error: text };
    }
  }
  if (!response.ok) throw ApiError.from(response.status, parsed);
  return { body: parsed, date: response.headers.get('date') };
}

export const enc = encodeURIComponent;
