const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

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
    location.assign('/');
    return;
  }
  const body = await response.json().catch(() => ({}));
  error.textContent = body.error ? body.error.message : `Login failed (${response.status})`;
  error.hidden = false;
});
