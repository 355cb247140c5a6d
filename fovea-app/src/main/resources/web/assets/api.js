// The one way the pages talk to the server: the same REST API scripts use. State-changing calls carry the
// session's CSRF token; a 401 sends the browser to the login page.
let csrfToken = null;

export async function session() {
  const response = await fetch('/api/session', { credentials: 'same-origin' });
  if (response.status === 401) {
    location.assign('/login');
    throw new Error('not logged in');
  }
  const body = await response.json();
  csrfToken = body.csrf_token;
  return body;
}

export async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/login');
    throw new Error('not logged in');
  }
  if (response.status === 204) return null;
  const json = await response.json();
  if (!response.ok) throw new Error(json.error ? json.error.message : response.statusText);
  return json;
}
