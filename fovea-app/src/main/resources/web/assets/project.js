import { api, failurePage, session } from './api.js';
import { drawMenu } from './nav.js';

const project = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = `/api/projects/${encodeURIComponent(project)}`;
const FLAGS = ['blurry', 'dark', 'overexposed', 'low_information', 'odd_size', 'duplicate', 'near_duplicate',
  'likely_mislabelled', 'outlier'];
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

function openViewer(image) {
  const viewer = document.getElementById('viewer');
  document.getElementById('viewer-image').src = image.original_url;
  document.getElementById('viewer-image').alt = image.path;
  document.getElementById('viewer-path').textContent = image.path;
  document.getElementById('viewer-label').textContent = image.label ? `Label: ${image.label}` : 'No label';
  const flags = document.getElementById('viewer-flags');
  flags.replaceChildren();
  for (const f of image.flags) {
    const li = document.createElement('li');
    li.textContent = `${label(f.name)}: ${f.explanation}`;
    flags.append(li);
  }
  viewer.dataset.image = image.id;
  viewer.showModal();
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
  const near = image.flags.find((f) => f.name === 'near_duplicate' && f.of);
  let picture = img;
  if (near) { // the image beside the one it nearly duplicates, so a person can judge
    picture = document.createElement('div');
    picture.className = 'pair';
    const partner = document.createElement('img');
    partner.src = near.of.thumbnail_url;
    partner.alt = `near duplicate: ${near.of.path}`;
    partner.className = 'partner';
    partner.dataset.partner = near.of.id;
    partner.loading = 'lazy';
    picture.append(img, partner);
  }
  const path = document.createElement('p');
  path.className = 'path';
  path.textContent = image.path;
  const tag = document.createElement('p');
  tag.className = 'label';
  tag.textContent = image.label ? `Label: ${image.label}` : 'No label';
  li.append(box, picture, path, tag);
  for (const f of image.flags) {
    const p = document.createElement('p');
    p.className = `flag flag-${f.name}`;
    p.textContent = `${label(f.name)}: ${f.explanation}`;
    li.append(p);
  }
  const wrong = image.flags.find((f) => f.name === 'likely_mislabelled' && f.suggested);
  if (wrong) { // one click settles the label the model suggests, or rejects the picture
    const fix = document.createElement('div');
    fix.className = 'fix';
    const relabel = document.createElement('button');
    relabel.type = 'button';
    relabel.className = 'relabel';
    relabel.dataset.class = wrong.suggested;
    relabel.textContent = `Relabel as ${wrong.suggested}`;
    relabel.addEventListener('click', (e) => { e.stopPropagation(); relabelOne(image, wrong.suggested); });
    const reject = document.createElement('button');
    reject.type = 'button';
    reject.className = 'reject-one';
    reject.textContent = 'Reject';
    reject.addEventListener('click', (e) => { e.stopPropagation(); rejectOne(image); });
    fix.append(relabel, reject);
    li.append(fix);
  }
  const view = document.createElement('button');
  view.type = 'button';
  view.className = 'view';
  view.textContent = 'View large';
  view.addEventListener('click', (e) => { e.stopPropagation(); openViewer(image); });
  li.append(view);
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

async function relabelOne(image, className) {
  const message = document.getElementById('message');
  try {
    await api('POST', `${base}/relabel`, { image: image.id, class: className });
    message.textContent = `${image.path} relabelled as ${className}.`;
    await load(true);
  } catch (err) {
    message.textContent = `${image.path} not relabelled: ${err.message}`;
  }
}

async function rejectOne(image) {
  const message = document.getElementById('message');
  try {
    await api('POST', `${base}/curation`, { images: [image.id], action: 'reject' });
    message.textContent = `${image.path} rejected.`;
    await load(true);
  } catch (err) {
    message.textContent = `${image.path} not rejected: ${err.message}`;
  }
}

// ---- likely label errors: started here, trained in the background; the page polls until it is done
let mislabelledTimer = null;

function showMislabelled(s) {
  const el = document.getElementById('mislabelled-status');
  const button = document.getElementById('find-mislabelled');
  el.dataset.state = s.state;
  button.disabled = s.state === 'queued' || s.state === 'running';
  if (s.state === 'idle') el.textContent = '';
  else if (s.state === 'queued') el.textContent = 'Waiting to start…';
  else if (s.state === 'running') el.textContent = `Training fold ${s.fold} of ${s.folds}, epoch ${s.epoch} of ${s.epochs}…`;
  else if (s.state === 'done') {
    el.textContent = `${s.found} likely mislabelled of ${s.images} labelled images`
      + ` (out-of-sample accuracy ${(100 * s.out_of_sample_accuracy).toFixed(1)}%).`;
  } else el.textContent = `The check failed: ${s.error}`;
}

async function pollMislabelled() {
  clearTimeout(mislabelledTimer);
  let s;
  try {
    s = await api('GET', `${base}/checks/mislabelled`);
  } catch (err) {
    document.getElementById('mislabelled-status').textContent = `Cannot reach the server: ${err.message}; trying again.`;
    mislabelledTimer = setTimeout(pollMislabelled, 5000);
    return;
  }
  const was = document.getElementById('mislabelled-status').dataset.state;
  const choice = document.getElementById('mislabelled-choice');
  choice.hidden = !s.embedding_network;
  if (s.embedding_network) document.getElementById('mislabelled-network').textContent = s.embedding_network;
  showMislabelled(s);
  if (s.state === 'queued' || s.state === 'running') mislabelledTimer = setTimeout(pollMislabelled, 2000);
  else if (s.state === 'done' && (was === 'queued' || was === 'running')) await load(true);
}

async function findMislabelled() {
  try {
    const onEmbeddings = document.getElementById('mislabelled-embeddings').checked
      && !document.getElementById('mislabelled-choice').hidden;
    showMislabelled(await api('POST', `${base}/checks/mislabelled`, { embeddings: onEmbeddings }));
  } catch (err) {
    document.getElementById('mislabelled-status').textContent = `Not started: ${err.message}`;
    return;
  }
  mislabelledTimer = setTimeout(pollMislabelled, 1000);
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
    const message = document.getElementById('thresholds-message'); // next to the form, not at the top
    try {
      await api('PUT', `${base}/checks/thresholds`, values);
      message.textContent = 'Thresholds saved; running the checks…';
      await api('POST', `${base}/checks`);
      message.textContent = 'Thresholds saved; checks re-run.';
      message.className = 'message-ok';
      await load(true);
    } catch (err) {
      message.textContent = `Thresholds not saved: ${err.message}`;
      message.className = 'error';
    }
  };
}

const STATE_WORDS = {
  unreviewed: 'not reviewed', pending: 'waiting for another review', labelled: 'labelled',
  unsuitable: 'unsuitable', disagreement: 'disagreement', settled: 'settled by an admin',
};

async function progress() {
  const el = document.getElementById('progress');
  try {
    const { images_by_state: states } = await api('GET', `${base}/review/stats`);
    const shown = Object.entries(states).filter(([, n]) => n > 0);
    const total = shown.reduce((sum, [, n]) => sum + n, 0);
    el.textContent = `Review progress: ${total} images: ` + shown.map(([s, n]) => `${n} ${STATE_WORDS[s] || s}`).join(', ');
    el.dataset.states = JSON.stringify(states);
    el.hidden = false;
  } catch (err) {
    el.hidden = true; // the figures are for admins
  }
}

// ---- upload: loose files one request each (so the bar moves per file), a zip through the import route
let classes = [];

function folderLabel(relativePath) {
  const parts = relativePath.split('/');
  const folder = parts.length > 1 ? parts[parts.length - 2] : '';
  return classes.includes(folder) ? folder : '';
}

function result(text, rejected) {
  const li = document.createElement('li');
  li.textContent = text;
  if (rejected) li.className = 'rejected';
  document.getElementById('upload-results').append(li);
}

async function send(url, file, name) {
  const headers = { 'X-Filename': name, 'Content-Type': 'application/octet-stream' };
  const token = await csrf();
  if (token) headers['X-CSRF-Token'] = token;
  const response = await fetch(url, { method: 'POST', headers, body: file, credentials: 'same-origin' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ? body.error.message : `${response.status} ${response.statusText}`);
  return body;
}

let csrfToken = null;
async function csrf() {
  if (csrfToken === null) csrfToken = (await session()).csrf_token || '';
  return csrfToken;
}

async function upload(entries) { // entries: [{ file, path }]
  if (!entries.length) return;
  const bar = document.getElementById('upload-progress');
  const message = document.getElementById('upload-message');
  document.getElementById('upload-results').replaceChildren();
  bar.hidden = false;
  bar.max = entries.length;
  bar.value = 0;
  const loose = document.getElementById('upload-label').value;
  let created = 0, duplicates = 0, rejected = 0;
  for (const { file, path } of entries) {
    message.textContent = `Uploading ${path} (${bar.value + 1} of ${entries.length})…`;
    try {
      if (file.name.toLowerCase().endsWith('.zip')) {
        const r = await send(`${base}/imports`, file, file.name);
        for (const f of r.results) {
          const bad = f.status === 'rejected';
          result(`${file.name}: ${f.file}: ${bad ? `rejected (${f.reason}): ${f.message}` : f.status}`, bad);
        }
        created += r.imported;
        duplicates += r.duplicates + r.unchanged;
        rejected += r.rejected;
      } else {
        const labelled = folderLabel(path) || loose;
        const url = `${base}/images${labelled ? `?label=${encodeURIComponent(labelled)}` : ''}`;
        const r = await send(url, file, file.name);
        result(`${path}: ${r.status}`, false);
        if (r.status === 'created') created++; else duplicates++;
      }
    } catch (err) {
      result(`${path}: rejected: ${err.message}`, true);
      rejected++;
    }
    bar.value += 1;
  }
  message.textContent = `Done: ${created} new, ${duplicates} already here, ${rejected} rejected.`;
  document.body.dataset.uploaded = String(bar.value);
  await load(true);
  await progress();
}

async function walk(entry, out) { // a dropped folder, read through the file system entry API
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\//, '') });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const e of batch) await walk(e, out);
    }
  }
}

function setUpUpload() {
  const select = document.getElementById('upload-label');
  for (const cls of classes) {
    const o = document.createElement('option');
    o.value = cls;
    o.textContent = cls;
    select.append(o);
  }
  const files = document.getElementById('upload-files');
  files.addEventListener('change', () => upload([...files.files].map((file) => ({ file, path: file.name }))));
  const folder = document.getElementById('upload-folder');
  folder.addEventListener('change', () => upload([...folder.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }))));
  const drop = document.getElementById('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const entries = [];
    const items = [...e.dataTransfer.items].map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    if (items.every((i) => i)) {
      for (const item of items) await walk(item, entries);
    } else {
      for (const file of e.dataTransfer.files) entries.push({ file, path: file.name });
    }
    await upload(entries);
  });
}

async function main() {
  const me = await session();
  drawMenu(me);
  csrfToken = me.csrf_token || '';
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
  document.getElementById('find-mislabelled').addEventListener('click', findMislabelled);
  document.getElementById('viewer-close').addEventListener('click', () => document.getElementById('viewer').close());
  classes = (await api('GET', base)).classes;
  if (me.role === 'admin') setUpUpload(); else document.getElementById('upload').hidden = true; // uploads are admin routes
  await load(true);
  await thresholds();
  await progress();
  if (me.role === 'admin') await pollMislabelled(); else document.querySelector('.mislabelled').hidden = true;
}

main().catch(failurePage);
