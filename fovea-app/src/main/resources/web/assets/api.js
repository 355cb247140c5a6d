// The one way the pages talk to the server: the same REST API scripts use. State-changing calls carry the
// session's CSRF token; a 401 sends the browser to the login page, which comes back here after the login.
let csrfToken = null;

/** The login page's address that returns to this page afterwards. */
export function loginUrl() {
  const here = location.pathname + location.search;
  return here === '/' || here.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

export async function session() {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new Error('not logged in');
  }
  const body = await response.json();
  csrfToken = body.csrf_token;
  return body;
}

/** An error from the server, with its HTTP status (0 when the server was not reached). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError('the server cannot be reached (offline?)', 0);
  }
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new ApiError('not logged in', 401);
  }
  if (response.status === 204) return null;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(json.error ? json.error.message : `${response.status} ${response.statusText}`, response.status);
  return json;
}
