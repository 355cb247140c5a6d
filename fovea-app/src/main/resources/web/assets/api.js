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
    throw new ApiError('not logged in', 401);
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

export async function api(method, path, body, timeoutMs) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // With a timeout, a request that hangs (a connection left half-open by a network change) is given up and can
  // be tried again, instead of holding up what waits for it.
  const abort = timeoutMs ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeoutMs) : null;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort ? abort.signal : undefined,
    });
  } catch (err) {
    throw new ApiError(abort && abort.signal.aborted ? `no answer within ${timeoutMs / 1000} s`
      : 'the server cannot be reached (offline?)', 0);
  } finally {
    if (timer) clearTimeout(timer);
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

/**
 * A page that cannot be shown (a project that does not exist, a page the account may not open) says so in words
 * in place of its content, with a way back, instead of staying empty with an error in the console.
 */
export function failurePage(err) {
  if (err && err.status === 401) return; // already on the way to the login page
  const status = err && err.status ? err.status : 0;
  const box = document.createElement('div');
  box.className = 'failure';
  const title = document.createElement('h1');
  title.textContent = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'This page cannot be shown';
  const p = document.createElement('p');
  p.id = 'failure';
  const detail = err && err.message ? err.message : 'unknown error';
  p.textContent = status === 404 ? `There is nothing here: ${detail}.`
    : status === 403 ? `Your account may not open this page: ${detail}.` : `Something went wrong: ${detail}.`;
  const back = document.createElement('a');
  back.href = '/';
  back.id = 'back';
  back.textContent = 'Back to your projects';
  box.append(title, p, back);
  (document.querySelector('main') || document.body).replaceChildren(box);
  document.title = `Fovea · ${title.textContent}`;
  document.body.dataset.failure = String(status);
}
