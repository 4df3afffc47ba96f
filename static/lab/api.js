// The JSON API: fetch() that resolves with the body on success and throws an ApiError otherwise.

/**
 * A refused or failed request: the HTTP status (0 when the network failed), the server's
 * message and, when a request field was bad, that field's name (from the JSON error body
 * `{"error": "...", "field": "x"}`).
 */
export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.field = field || null;
  }

  /** From a response's status and its parsed body (which may be anything). */
  static from(status, body) {
    const message = body && typeof body.error === 'string' && body.error ? body.error : `HTTP ${status}`;
    const field = body && typeof body.field === 'string' ? body.field : null;
    return new ApiError(status, message, field);
  }
}

/**
 * Calls the API; resolves to {body, date} (the response's Date header, for the clock skew).
 * Throws ApiError on an HTTP error or a network failure (status 0).
 */
export async function api(method, path, body) {
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
    throw new ApiError(0, `network error: ${e.message}`);
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
