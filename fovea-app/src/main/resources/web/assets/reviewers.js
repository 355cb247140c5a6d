import { api, failurePage, session } from './api.js';
import { drawMenu } from './nav.js';

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

const STATE_WORDS = {
  unreviewed: 'not reviewed', pending: 'waiting for another review', labelled: 'labelled',
  unsuitable: 'unsuitable', disagreement: 'disagreement', settled: 'settled by an admin',
};

function percent(share, agreed, compared) {
  if (share === null) return '–';
  return `${Math.round(100 * share)}% (${agreed} of ${compared})`;
}

function say(id, text, ok) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.className = ok ? 'message-ok' : 'error';
}

function reviewerControls(row, r) {
  const td = document.createElement('td');
  const rate = document.createElement('input');
  rate.type = 'number';
  rate.min = '0';
  rate.step = '0.01';
  rate.value = r.hourly_rate.toFixed(2);
  rate.className = 'rate';
  rate.setAttribute('aria-label', `new hourly rate for ${r.user}`);
  const change = document.createElement('button');
  change.type = 'button';
  change.className = 'change-rate';
  change.textContent = 'Change rate';
  change.addEventListener('click', async () => {
    try {
      await api('PUT', `${base}/reviewers/${encodeURIComponent(r.user)}`, { hourly_rate: Number(rate.value), currency: r.currency });
      await loadStats();
      say('stats-message', `Rate of '${r.user}' is now ${Number(rate.value).toFixed(2)} ${r.currency} an hour.`, true);
    } catch (err) {
      say('stats-message', `Rate of '${r.user}' not changed: ${err.message}`, false);
    }
  });
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove-reviewer';
  remove.textContent = 'Remove';
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Remove '${r.user}' from this project? They can no longer review; their decisions stay and still count, and their row and pay stay on this page and in the pay report.`)) return;
    try {
      await api('DELETE', `${base}/reviewers/${encodeURIComponent(r.user)}`);
      await loadStats();
      say('stats-message', `'${r.user}' is no longer a reviewer of ${project}.`, true);
    } catch (err) {
      say('stats-message', `'${r.user}' not removed: ${err.message}`, false);
    }
  });
  td.append(rate, change, remove);
  row.append(td);
}

const currentReviewers = new Set();

async function loadStats() {
  const stats = await api('GET', `${base}/review/stats`);
  currentReviewers.clear();
  stats.reviewers.forEach((r) => { if (!r.removed) currentReviewers.add(r.user); });
  const body = document.querySelector('#stats tbody');
  body.replaceChildren();
  const excluded = [];
  for (const r of stats.reviewers) {
    const row = document.createElement('tr');
    row.dataset.user = r.user;
    if (r.excluded) {
      row.className = 'excluded';
      excluded.push(r.user);
    }
    // A removed reviewer keeps their row: their past reviews are still paid.
    if (r.removed) row.classList.add('removed');
    cell(row, r.removed ? `${r.user} (removed)` : r.user);
    cell(row, String(r.reviews), 'reviews');
    cell(row, String(r.skips), 'skips');
    cell(row, String(r.undone), 'undone');
    cell(row, minutes(r.active_seconds), 'active').dataset.seconds = String(r.active_seconds);
    cell(row, String(r.images_per_hour), 'rate-per-hour');
    cell(row, `${r.hourly_rate.toFixed(2)} ${r.currency}`, 'hourly-rate');
    cell(row, `${r.pay.toFixed(2)} ${r.currency}`, 'pay');
    cell(row, r.gold_accuracy === null ? '–' : `${Math.round(100 * r.gold_accuracy)}%`, 'gold');
    cell(row, percent(r.label_agreement, r.agreed_with_label, r.compared_with_label), 'agreement');
    if (r.removed) {
      const td = document.createElement('td');
      td.dataset.key = 'excluded';
      td.textContent = 'removed from the project';
      row.append(td);
      body.append(row);
      continue;
    }
    const ex = document.createElement('input');
    ex.type = 'checkbox';
    ex.checked = r.excluded;
    ex.setAttribute('aria-label', `exclude ${r.user}`);
    ex.addEventListener('change', async () => {
      await api('POST', `${base}/reviewers/${encodeURIComponent(r.user)}/exclude`, { excluded: ex.checked });
      await loadStats();
      say('stats-message', ex.checked
        ? `'${r.user}' is excluded: their decisions are left out of the labels and the kappas.`
        : `'${r.user}' counts again in the labels and the kappas.`, true);
    });
    const td = document.createElement('td');
    td.dataset.key = 'excluded';
    const note = document.createElement('span');
    note.className = 'note';
    note.textContent = r.excluded ? ' left out of labels and kappas' : '';
    td.append(ex, note);
    row.append(td);
    reviewerControls(row, r);
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
  document.getElementById('kappa-excluded').textContent = excluded.length
    ? `Left out of the kappas and the labels (excluded): ${excluded.join(', ')}.` : '';
  const states = Object.entries(stats.images_by_state).filter(([, n]) => n > 0);
  const total = states.reduce((sum, [, n]) => sum + n, 0);
  const progress = document.getElementById('progress');
  progress.textContent = `${total} images: ` + (states.length
    ? states.map(([state, n]) => `${n} ${STATE_WORDS[state] || state}`).join(', ') : 'none yet');
  progress.dataset.states = JSON.stringify(stats.images_by_state);
  document.body.dataset.statsLoaded = String(Date.now());
}

function answerWord(decision, cls) {
  return decision === 'suitable' ? cls : 'unsuitable';
}

async function loadGold(classes) {
  const select = document.getElementById('gold-answer');
  if (!select.options.length) {
    for (const cls of [...classes, 'unsuitable']) {
      const o = document.createElement('option');
      o.value = cls;
      o.textContent = cls === 'unsuitable' ? 'not suitable' : cls;
      select.append(o);
    }
  }
  const { gold } = await api('GET', `${base}/review/gold`);
  const list = document.getElementById('gold');
  list.replaceChildren();
  for (const g of gold) {
    const li = document.createElement('li');
    li.className = 'card';
    li.dataset.image = g.id;
    const img = document.createElement('img');
    img.src = g.thumbnail_url;
    img.alt = 'gold image';
    const p = document.createElement('p');
    p.className = 'label';
    p.textContent = `Known answer: ${answerWord(g.decision, g.class)}`;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'unmark-gold';
    b.textContent = 'Not gold';
    b.addEventListener('click', async () => {
      try {
        await api('DELETE', `${base}/review/gold/${g.id}`);
        say('gold-message', `Image ${g.id.slice(0, 12)}… is an ordinary image again.`, true);
        await loadGold(classes);
      } catch (err) {
        say('gold-message', err.message, false);
      }
    });
    li.append(img, p, b);
    list.append(li);
  }
}

async function loadDisagreements(classes) {
  const { disagreements } = await api('GET', `${base}/review/disagreements`);
  const list = document.getElementById('disagreements');
  list.replaceChildren();
  for (const d of disagreements) {
    const li = document.createElement('li');
    li.className = 'card';
    li.dataset.image = d.id;
    const img = document.createElement('img');
    img.src = d.thumbnail_url;
    img.alt = 'disputed image';
    const imported = document.createElement('p');
    imported.className = 'label';
    imported.textContent = d.imported_label ? `Imported label: ${d.imported_label}` : 'No imported label';
    const p = document.createElement('p');
    p.textContent = d.answers.map((a) => `${a.user}: ${a.answer}`).join(' · ');
    li.append(img, p, imported); // the answers first, then the label the image came with
    for (const cls of [...classes, 'unsuitable']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = cls;
      b.addEventListener('click', async () => {
        try {
          await api('POST', `${base}/review/settle`, cls === 'unsuitable'
            ? { image: d.id, decision: 'unsuitable' } : { image: d.id, decision: 'suitable', class: cls });
          await loadDisagreements(classes);
          await loadStats();
          say('settle-message', `Image ${d.id.slice(0, 12)}… settled as ${cls === 'unsuitable' ? 'not suitable' : `'${cls}'`}.`, true);
        } catch (err) {
          say('settle-message', `Image ${d.id.slice(0, 12)}… not settled: ${err.message}`, false);
        }
      });
      li.append(b);
    }
    list.append(li);
  }
}

async function main() {
  const me = await session();
  drawMenu(me);
  document.getElementById('who').textContent = `${me.user} (${me.role})`;
  document.getElementById('title').textContent = `Review of ${project}`;
  document.getElementById('pay-csv').href = `${base}/review/pay.csv`;
  const { classes } = await api('GET', `${base}`);
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
      if (currentReviewers.has(name)) { // a reviewer already: this changes their rate, no new account
        const rate = Number(document.getElementById('reviewer-rate').value);
        const currency = document.getElementById('reviewer-currency').value;
        await api('PUT', `${base}/reviewers/${encodeURIComponent(name)}`, { hourly_rate: rate, currency });
        message.textContent = `'${name}' is already a reviewer; their rate is now ${rate.toFixed(2)} ${currency.toUpperCase()} an hour.`;
        await loadStats();
        return;
      }
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
  document.getElementById('gold-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const image = document.getElementById('gold-image').value.trim();
    const answer = document.getElementById('gold-answer').value;
    try {
      await api('POST', `${base}/review/gold`, answer === 'unsuitable'
        ? { image, decision: 'unsuitable' } : { image, decision: 'suitable', class: answer });
      await loadGold(classes);
      say('gold-message', `Image ${image.slice(0, 12)}… is gold with the answer ${answer === 'unsuitable' ? 'not suitable' : `'${answer}'`}.`, true);
    } catch (err) {
      say('gold-message', `Image '${image}' not marked gold: ${err.message}`, false);
    }
  });
  await loadSettings();
  await loadStats();
  await loadGold(classes);
  await loadDisagreements(classes);
  document.body.dataset.loaded = 'true';
}

main().catch(failurePage);
