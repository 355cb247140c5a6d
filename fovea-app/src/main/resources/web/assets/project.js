import { api, failurePage, session } from './api.js';

const project = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = `/api/projects/${encodeURIComponent(project)}`;
const FLAGS = ['blurry', 'dark', 'overexposed', 'low_information', 'odd_size', 'duplicate', 'near_duplicate'];
const PAGE = 60;
let state = 'pending';
let flag = '';
let offset = 0;

const grid = document.getElementById('grid');

function label(name) {
  return name.replace('_', ' ');
}

function renderSummary(body) {
  document.getElementById('title').textContent = project;
  document.getElementById('summary').textContent = body.checked_at
    ? `${body.total_images} images, checked ${new Date(body.checked_at).toLocaleString()}`
    : `${body.total_images} images, not checked yet`;
  document.getElementById('count-kept').textContent = body.curation.kept;
  document.getElementById('count-rejected').textContent = body.curation.rejected;
  const filters = document.getElementById('filters');
  filters.replaceChildren();
  const all = document.createElement('button');
  all.type = 'button';
  all.dataset.flag = '';
  all.textContent = 'All flags';
  filters.append(all);
  for (const name of FLAGS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.flag = name;
    const n = document.createElement('span');
    n.className = 'n';
    n.dataset.count = name;
    n.textContent = body.counts[name];
    b.append(document.createTextNode(`${label(name)} `), n);
    filters.append(b);
  }
  for (const b of filters.querySelectorAll('button')) {
    b.classList.toggle('active', b.dataset.flag === flag);
    b.addEventListener('click', () => { flag = b.dataset.flag; load(true); });
  }
}

function card(image) {
  const li = document.createElement('li');
  li.className = 'card';
  li.dataset.id = image.id;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.className = 'pick';
  box.setAttribute('aria-label', `select ${image.path}`);
  const img = document.createElement('img');
  img.src = image.thumbnail_url;
  img.alt = image.path;
  img.loading = 'lazy';
  const path = document.createElement('p');
  path.className = 'path';
  path.textContent = image.path;
  li.append(box, img, path);
  for (const f of image.flags) {
    const p = document.createElement('p');
    p.className = `flag flag-${f.name}`;
    p.textContent = `${label(f.name)}: ${f.explanation}`;
    li.append(p);
  }
  li.addEventListener('click', (e) => { if (e.target !== box) box.checked = !box.checked; });
  return li;
}

async function load(reset) {
  if (reset) { offset = 0; grid.replaceChildren(); document.getElementById('select-all').checked = false; }
  const params = new URLSearchParams({ state, offset, limit: PAGE });
  if (flag) params.set('flag', flag);
  const body = await api('GET', `${base}/flags?${params}`);
  renderSummary(body);
  for (const image of body.images) grid.append(card(image));
  offset += body.images.length;
  document.getElementById('none').hidden = grid.children.length > 0;
  document.getElementById('more').hidden = body.images.length < PAGE;
  document.getElementById('restore').hidden = state === 'pending';
  document.getElementById('reject').hidden = state === 'rejected';
  document.getElementById('keep').hidden = state === 'kept';
  document.body.dataset.loaded = `${state}:${flag}:${grid.children.length}`;
}

async function bulk(action) {
  const ids = [...grid.querySelectorAll('.card')].filter((c) => c.querySelector('.pick').checked).map((c) => c.dataset.id);
  const message = document.getElementById('message');
  if (ids.length === 0) { message.textContent = 'Select images first.'; return; }
  const result = await api('POST', `${base}/curation`, { images: ids, action });
  message.textContent = `${result.updated} image${result.updated === 1 ? '' : 's'} ${action === 'restore' ? 'restored' : action === 'keep' ? 'kept' : 'rejected'}.`;
  await load(true);
}

async function thresholds() {
  const t = await api('GET', `${base}/checks/thresholds`);
  const form = document.getElementById('thresholds');
  form.replaceChildren();
  for (const [name, value] of Object.entries(t.defaults)) {
    const l = document.createElement('label');
    l.textContent = label(name.replaceAll('_', ' '));
    const input = document.createElement('input');
    input.name = name;
    input.placeholder = value;
    input.value = t.overrides[name] ?? '';
    input.inputMode = 'decimal';
    l.append(input);
    form.append(l);
  }
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save and re-run checks';
  form.append(save);
  form.onsubmit = async (e) => {
    e.preventDefault();
    const values = {};
    for (const input of form.querySelectorAll('input')) if (input.value.trim()) values[input.name] = input.value.trim();
    try {
      await api('PUT', `${base}/checks/thresholds`, values);
      await api('POST', `${base}/checks`);
      document.getElementById('message').textContent = 'Thresholds saved; checks re-run.';
      await load(true);
    } catch (err) {
      document.getElementById('message').textContent = err.message;
    }
  };
}

async function main() {
  const me = await session();
  document.getElementById('who').textContent = `${me.user} (${me.role})`;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.assign('/login');
  });
  for (const b of document.querySelectorAll('.states button')) {
    b.addEventListener('click', () => {
      state = b.dataset.state;
      for (const o of document.querySelectorAll('.states button')) o.classList.toggle('active', o === b);
      load(true);
    });
  }
  for (const b of document.querySelectorAll('.bulk button')) b.addEventListener('click', () => bulk(b.dataset.action));
  document.getElementById('select-all').addEventListener('change', (e) => {
    for (const box of grid.querySelectorAll('.pick')) box.checked = e.target.checked;
  });
  document.getElementById('more').addEventListener('click', () => load(false));
  await load(true);
  await thresholds();
}

main().catch(failurePage);
