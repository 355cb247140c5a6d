import { api, failurePage, session } from './api.js';

const project = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = `/api/projects/${encodeURIComponent(project)}`;

function minutes(seconds) {
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

function cell(row, text, key) {
  const td = document.createElement('td');
  td.textContent = text;
  if (key) td.dataset.key = key;
  row.append(td);
  return td;
}

async function loadSettings() {
  const s = await api('GET', `${base}/review/settings`);
  document.getElementById('criteria').value = s.criteria;
  document.getElementById('reviews-per-image').value = String(s.reviews_per_image);
  document.getElementById('double-fraction').value = s.double_review_fraction;
  document.getElementById('queue-order').value = s.queue_order;
  document.getElementById('idle-seconds').value = s.idle_seconds;
  document.getElementById('agreement').value = String(s.agreement_needed);
  const keys = document.getElementById('keys');
  keys.replaceChildren();
  for (const [cls, key] of Object.entries(s.class_keys)) {
    const l = document.createElement('label');
    l.textContent = `Key for ${cls} `;
    const input = document.createElement('input');
    input.maxLength = 1;
    input.size = 2;
    input.value = key;
    input.dataset.class = cls;
    l.append(input);
    keys.append(l);
  }
}

async function loadStats() {
  const stats = await api('GET', `${base}/review/stats`);
  const body = document.querySelector('#stats tbody');
  body.replaceChildren();
  for (const r of stats.reviewers) {
    const row = document.createElement('tr');
    row.dataset.user = r.user;
    cell(row, r.user);
    cell(row, String(r.reviews), 'reviews');
    cell(row, minutes(r.active_seconds), 'active').dataset.seconds = String(r.active_seconds);
    cell(row, String(r.images_per_hour), 'rate-per-hour');
    cell(row, `${r.hourly_rate.toFixed(2)} ${r.currency}`, 'hourly-rate');
    cell(row, `${r.pay.toFixed(2)} ${r.currency}`, 'pay');
    cell(row, r.gold_accuracy === null ? '–' : `${Math.round(100 * r.gold_accuracy)}%`, 'gold');
    cell(row, r.label_agreement === null ? '–' : `${Math.round(100 * r.label_agreement)}%`, 'agreement');
    const ex = document.createElement('input');
    ex.type = 'checkbox';
    ex.checked = r.excluded;
    ex.addEventListener('change', async () => {
      await api('POST', `${base}/reviewers/${encodeURIComponent(r.user)}/exclude`, { excluded: ex.checked });
      await loadStats();
    });
    const td = document.createElement('td');
    td.append(ex);
    row.append(td);
    body.append(row);
  }
  const kappas = document.querySelector('#kappas tbody');
  kappas.replaceChildren();
  for (const k of stats.cohen_kappa) {
    const row = document.createElement('tr');
    row.dataset.pair = `${k.a}|${k.b}`;
    cell(row, `${k.a} and ${k.b}`);
    cell(row, String(k.shared_images), 'shared');
    cell(row, k.kappa === null ? '–' : k.kappa.toFixed(4), 'kappa');
    kappas.append(row);
  }
  document.getElementById('fleiss').textContent = stats.fleiss_kappa === null ? '–' : stats.fleiss_kappa.toFixed(4);
  document.body.dataset.statsLoaded = String(Date.now());
}

async function loadDisagreements() {
  const { disagreements } = await api('GET', `${base}/review/disagreements`);
  const list = document.getElementById('disagreements');
  list.replaceChildren();
  const classes = (await api('GET', `${base}`)).classes;
  for (const d of disagreements) {
    const li = document.createElement('li');
    li.className = 'card';
    const img = document.createElement('img');
    img.src = d.thumbnail_url;
    img.alt = 'disputed image';
    const p = document.createElement('p');
    p.textContent = d.answers.map((a) => `${a.user}: ${a.answer}`).join(' · ');
    li.append(img, p);
    for (const cls of [...classes, 'unsuitable']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = cls;
      b.addEventListener('click', async () => {
        await api('POST', `${base}/review/settle`, cls === 'unsuitable'
          ? { image: d.id, decision: 'unsuitable' } : { image: d.id, decision: 'suitable', class: cls });
        await loadDisagreements();
      });
      li.append(b);
    }
    list.append(li);
  }
}

async function main() {
  const me = await session();
  document.getElementById('who').textContent = `${me.user} (${me.role})`;
  document.getElementById('title').textContent = `Review of ${project}`;
  document.getElementById('pay-csv').href = `${base}/review/pay.csv`;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.assign('/login');
  });
  document.getElementById('settings').addEventListener('submit', async (e) => {
    e.preventDefault();
    const keys = {};
    for (const input of document.querySelectorAll('#keys input')) keys[input.dataset.class] = input.value.trim();
    const message = document.getElementById('settings-message');
    try {
      await api('PUT', `${base}/review/settings`, {
        criteria: document.getElementById('criteria').value,
        class_keys: keys,
        reviews_per_image: Number(document.getElementById('reviews-per-image').value),
        double_review_fraction: Number(document.getElementById('double-fraction').value),
        queue_order: document.getElementById('queue-order').value,
        idle_seconds: Number(document.getElementById('idle-seconds').value),
        agreement_needed: Number(document.getElementById('agreement').value),
      });
      message.textContent = 'Saved.';
    } catch (err) {
      message.textContent = err.message;
    }
  });
  document.getElementById('add-reviewer').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = document.getElementById('reviewer-name').value.trim();
    const message = document.getElementById('reviewer-message');
    try {
      let text = '';
      if (document.getElementById('reviewer-new').checked) {
        const created = await api('POST', '/api/users', { name, role: 'reviewer' });
        text = `Account '${name}' created; one-time password: `;
        message.dataset.password = created.password;
        message.textContent = text + created.password;
      }
      await api('POST', `${base}/reviewers`, {
        user: name,
        hourly_rate: Number(document.getElementById('reviewer-rate').value),
        currency: document.getElementById('reviewer-currency').value,
      });
      if (!text) message.textContent = `'${name}' added.`;
      await loadStats();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  await loadSettings();
  await loadStats();
  await loadDisagreements();
  document.body.dataset.loaded = 'true';
}

main().catch(failurePage);
