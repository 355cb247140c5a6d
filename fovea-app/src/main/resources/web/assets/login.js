const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

/**
 * Where to go after the login: the page that sent here (?next=), but only a path on this server. Anything that
 * could leave it (//host, /\host, an absolute URL, javascript:) goes to the projects page instead.
 */
export function target(next) {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin || url.pathname.startsWith('/login')) return '/';
    return url.pathname + url.search + url.hash;
  } catch (e) {
    return '/';
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({
      user: document.getElementById('user').value.trim(),
      password: document.getElementById('password').value,
    }),
  });
  if (response.ok) {
    location.assign(target(new URLSearchParams(location.search).get('next')));
    return;
  }
  const body = await response.json().catch(() => ({}));
  error.textContent = body.error ? body.error.message : `Login failed (${response.status})`;
  error.hidden = false;
});
