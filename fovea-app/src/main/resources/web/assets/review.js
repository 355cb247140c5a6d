import { api, session } from './api.js';

// The reviewer's page. A decision shows the next image at once (the next ones are already loaded) and is sent
// in the background; sends and undos go through one chain so they reach the server in the order they were made.
const project = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = `/api/projects/${encodeURIComponent(project)}`;
const img = document.getElementById('current');
let keys = {};
let queue = [];
let current = null;
let shownAt = 0;
let chain = Promise.resolve();
let sent = 0;
let fetching = null;
let zoomed = false;
let gridMode = false;
let overview = null;
// Images decided on this page whose decision may not have reached the server yet: the server still counts them
// as held by this reviewer and may hand them out again in a queue refill.
const decided = new Set();

function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16)); // works without a secure context, unlike randomUUID
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function showError(message) {
  const e = document.getElementById('error');
  e.textContent = message;
  e.hidden = !message;
}

async function refill() {
  if (queue.length >= 6 || fetching) return fetching;
  fetching = api('GET', `${base}/review/queue?count=12`).then(({ images }) => {
    const known = new Set([current && current.id, ...queue.map((q) => q.id), ...decided]);
    for (const image of images) {
      if (known.has(image.id)) continue;
      const preload = new Image();
      preload.src = image.original_url; // in the browser cache before it is needed
      queue.push({ ...image, preload });
    }
  }).finally(() => { fetching = null; });
  return fetching;
}

function show(item) {
  current = item;
  zoomed = false;
  img.classList.remove('zoomed');
  document.getElementById('empty').hidden = !!item;
  img.hidden = !item;
  if (item) img.src = item.original_url;
  shownAt = performance.now();
  document.body.dataset.current = item ? item.id : '';
}

async function advance() {
  if (queue.length === 0) await refill();
  show(queue.shift() || null);
  refill();
}

function renderProgress() {
  document.getElementById('progress').textContent =
    `You: ${overview.reviewed_by_me + sent} reviewed · project: ${overview.labelled} of ${overview.images} labelled`;
  document.body.dataset.sent = String(sent);
}

function send(body) {
  chain = chain.then(() => api('POST', `${base}/reviews`, body)).then((r) => {
    if (r && !r.repeated) sent += 1;
    showError('');
    renderProgress();
  }).catch((err) => showError(`Not saved: ${err.message}`));
}

function decide(decision, cls) {
  if (!current || gridMode) return;
  const body = {
    client_id: uuid(), image: current.id, decision, class: cls || null,
    duration_ms: Math.round(performance.now() - shownAt),
  };
  decided.add(current.id);
  send(body);
  advance();
}

function undo() {
  chain = chain.then(() => api('POST', `${base}/reviews/undo`)).then((r) => {
    sent -= 1;
    decided.delete(r.image);
    if (current) queue.unshift(current);
    show({ id: r.image, original_url: r.original_url });
    renderProgress();
    showError('');
  }).catch((err) => showError(err.message));
}

function toggleZoom(event) {
  zoomed = !zoomed;
  img.classList.toggle('zoomed', zoomed);
  if (zoomed && event && event.offsetX !== undefined) {
    img.style.transformOrigin = `${(100 * event.offsetX) / img.clientWidth}% ${(100 * event.offsetY) / img.clientHeight}%`;
  }
}

async function toggleGrid() {
  gridMode = !gridMode;
  document.getElementById('grid').hidden = !gridMode;
  document.getElementById('grid-controls').hidden = !gridMode;
  img.hidden = gridMode || !current;
  if (!gridMode) return;
  if (current) { queue.unshift(current); current = null; }
  await refill();
  const grid = document.getElementById('grid');
  grid.replaceChildren();
  for (const item of queue.slice(0, 12)) {
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.dataset.id = item.id;
    const t = document.createElement('img');
    t.src = item.thumbnail_url;
    t.alt = 'image';
    tile.append(t);
    tile.addEventListener('click', () => tile.classList.toggle('rejected'));
    grid.append(tile);
  }
}

function submitGrid() {
  const cls = document.getElementById('grid-class').value;
  const tiles = [...document.querySelectorAll('#grid .tile')];
  for (const tile of tiles) {
    const rejected = tile.classList.contains('rejected');
    decided.add(tile.dataset.id);
    send({ client_id: uuid(), image: tile.dataset.id, decision: rejected ? 'unsuitable' : 'suitable',
      class: rejected ? null : cls, duration_ms: 0 });
  }
  const done = new Set(tiles.map((t) => t.dataset.id));
  queue = queue.filter((q) => !done.has(q.id));
  gridMode = false; // back to one image at a time
  document.getElementById('grid').hidden = true;
  document.getElementById('grid-controls').hidden = true;
  advance();
}

async function main() {
  const me = await session();
  document.getElementById('who').textContent = me.user;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.assign('/login');
  });
  try {
    overview = await api('GET', `${base}/review`);
  } catch (err) {
    showError(err.message);
    return;
  }
  // The one place a page inserts HTML: the server renders the criteria from Markdown with raw HTML escaped and
  // URLs sanitised, and the Content-Security-Policy stops any script in it.
  document.getElementById('criteria').innerHTML = overview.criteria_html;
  keys = overview.keys;
  const decisions = document.getElementById('decisions');
  const gridClass = document.getElementById('grid-class');
  for (const cls of overview.classes) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'yes';
    b.dataset.class = cls;
    // Class names come from users and folder names: text nodes only, never markup.
    const kbd = document.createElement('kbd');
    kbd.textContent = keys[cls] || '';
    b.append(document.createTextNode(`${cls} `), kbd);
    b.addEventListener('click', () => decide('suitable', cls));
    decisions.append(b);
    const o = document.createElement('option');
    o.value = cls;
    o.textContent = cls;
    gridClass.append(o);
  }
  document.getElementById('unsuitable').addEventListener('click', () => decide('unsuitable'));
  document.getElementById('skip').addEventListener('click', () => decide('skip'));
  document.getElementById('undo').addEventListener('click', undo);
  document.getElementById('zoom').addEventListener('click', () => toggleZoom());
  document.getElementById('grid-toggle').addEventListener('click', toggleGrid);
  document.getElementById('grid-submit').addEventListener('click', submitGrid);
  img.addEventListener('click', toggleZoom);
  const byKey = Object.fromEntries(Object.entries(keys).map(([cls, k]) => [k.toLowerCase(), cls]));
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.tagName === 'SELECT') return;
    const k = e.key.toLowerCase();
    if (byKey[k]) decide('suitable', byKey[k]);
    else if (k === 'x') decide('unsuitable');
    else if (k === 's') decide('skip');
    else if (k === 'u' || k === 'backspace') undo();
    else if (k === 'z') toggleZoom();
    else if (k === 'g') toggleGrid();
    else return;
    e.preventDefault();
  });
  renderProgress();
  await refill();
  await advance();
  document.body.dataset.ready = 'true';
}

main();
