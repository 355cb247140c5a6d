import { api, failurePage, session } from './api.js';
import { drawMenu } from './nav.js';
import * as outbox from './outbox.js';

// The reviewer's page. A decision is written to the outbox (IndexedDB) and the next image, already loaded, is
// shown at once; the outbox is sent in the background one decision at a time, in order, and a decision leaves it
// only when the server has acknowledged it (a repeated client id is a no-op there, so a resend is harmless).
const project = decodeURIComponent(location.pathname.split('/')[2] || '');
const base = `/api/projects/${encodeURIComponent(project)}`;
const img = document.getElementById('current');
const MAX_RETRY_MS = 5000;
let me = null;
let keys = {};
let queue = [];
let current = null;
let shownAt = 0;
let sent = 0;
let fetching = null;
let zoomed = false;
let gridMode = false;
let overview = null;
let writing = false; // a decision is being written to the outbox: keys wait for it
let serverEmpty = false; // the server's latest queue answer had no image at all
// Images decided on this page: the server may still hold them for this reviewer until their decision arrives.
const decided = new Set();
let pending = []; // the outbox's records of this user, oldest first (a copy kept in step with IndexedDB)
let pumping = null; // the send in progress, if any
let inFlight = null; // the sequence number being sent
let wakeAgain = false;
let retryTimer = null;
let retryMs = 250;
const SEND_TIMEOUT_MS = 8000; // a decision unanswered this long is sent again (the server ignores a repeat)
let unreachable = false;
const drainedWaiters = [];

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

function renderUnsent() {
  const n = pending.length;
  document.body.dataset.unsent = String(n);
  const count = document.getElementById('unsent');
  count.textContent = n === 0 ? 'All decisions saved' : `${n} unsent ${n === 1 ? 'decision' : 'decisions'}`;
  count.classList.toggle('warn', n > 0);
  const offline = !navigator.onLine || unreachable;
  const banner = document.getElementById('offline');
  banner.hidden = !offline;
  banner.textContent = `Offline: ${n} ${n === 1 ? 'decision is' : 'decisions are'} kept on this device and sent `
    + 'as soon as the connection is back. Keep this tab open or come back to this page later.';
  document.body.dataset.offline = String(offline);
}

function pendingIds() {
  return new Set(pending.filter((r) => r.project === project).map((r) => r.body.image));
}

// ---- the outbox pump -------------------------------------------------------------------------------------

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(pump, retryMs);
  retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
}

function pump() {
  if (pumping) { wakeAgain = true; return pumping; }
  clearTimeout(retryTimer);
  pumping = (async () => {
    for (;;) {
      const record = pending[0];
      if (!record) break;
      inFlight = record.seq;
      let answer;
      try {
        answer = await api('POST', `/api/projects/${encodeURIComponent(record.project)}/reviews`, record.body,
          SEND_TIMEOUT_MS);
      } catch (err) {
        inFlight = null;
        if (err.status === 403) {
          // A stale CSRF token or a lost project membership: kept and retried (with a fresh token), and said.
          showError(`Not sent yet: ${err.message}`);
          await session().catch(() => {});
        } else if (err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status)) {
          // The server read the decision and refused it: sending it again would be refused again.
          await dropRecord(record);
          showError(`Not saved: ${err.message}`);
          continue;
        }
        unreachable = err.status === 0 || err.status >= 500;
        renderUnsent();
        scheduleRetry();
        return;
      }
      inFlight = null;
      unreachable = false;
      retryMs = 250;
      await dropRecord(record);
      if (record.project === project && answer && !answer.repeated) sent += 1;
      try {
        showError('');
        renderProgress();
        refreshOverview();
      } catch (err) {
        console.warn('review page: could not show the progress', err); // never a reason to stop sending
      }
    }
  })().finally(() => {
    pumping = null;
    renderUnsent();
    if (pending.length === 0) {
      while (drainedWaiters.length) drainedWaiters.shift()();
    }
    if (!current && !gridMode && !advancing && document.body.dataset.ready === 'true') advance();
    if (wakeAgain) { wakeAgain = false; if (pending.length) pump(); }
  });
  return pumping;
}

async function dropRecord(record) {
  // The server's answer is what counts: the record leaves the count at once, and its removal from IndexedDB is not
  // waited for (a page being left may still hold the database; a record left behind is sent again, a no-op there).
  pending = pending.filter((r) => r.seq !== record.seq);
  renderUnsent();
  outbox.remove(record.seq).catch((err) => console.warn('outbox: could not remove a sent decision', err));
}

function drained() {
  return pending.length === 0 ? Promise.resolve() : new Promise((resolve) => drainedWaiters.push(resolve));
}

/** Writes decisions to the outbox (on disk before this resolves), then starts sending them. */
async function enqueue(bodies, urls) {
  for (let i = 0; i < bodies.length; i++) {
    const record = { user: me.user, project, body: bodies[i], original_url: urls[i] };
    record.seq = await outbox.add(record);
    pending.push(record);
    decided.add(bodies[i].image);
  }
  renderUnsent();
  pump();
}

// ---- the queue and the image on screen -------------------------------------------------------------------

async function refill() {
  if (queue.length >= 6 || fetching) return fetching;
  const held = pendingIds();
  // The server hands out the images this reviewer still holds first, those in the outbox among them: asking for
  // that many more keeps the answer from being all images already decided here.
  const count = Math.min(50, 12 + held.size + decided.size);
  fetching = api('GET', `${base}/review/queue?count=${count}`).then(({ images }) => {
    serverEmpty = images.length === 0;
    const known = new Set([current && current.id, ...queue.map((q) => q.id), ...decided, ...held, ...pendingIds()]);
    for (const image of images) {
      if (known.has(image.id)) continue;
      const preload = new Image();
      preload.src = image.original_url; // in the browser cache before it is needed
      queue.push({ ...image, preload });
    }
  }).catch((err) => {
    if (err.status !== 0) showError(`The next images could not be loaded: ${err.message}`);
  }).finally(() => { fetching = null; });
  return fetching;
}

function show(item) {
  current = item;
  if (zoomed) setZoom(false);
  const empty = document.getElementById('empty');
  empty.hidden = !!item || gridMode;
  if (!item) {
    empty.textContent = serverEmpty && pending.length === 0
      ? 'Nothing left to review. Thank you!'
      : 'Waiting for the server for more images: your decisions are kept and the next images come when it answers.';
    document.body.dataset.empty = serverEmpty && pending.length === 0 ? 'done' : 'waiting';
  } else {
    delete document.body.dataset.empty;
  }
  img.hidden = !item || gridMode;
  if (item) img.src = item.original_url;
  shownAt = performance.now();
  document.body.dataset.current = item ? item.id : '';
}

let advancing = false;
async function advance() {
  if (advancing) return;
  advancing = true;
  try {
    await advanceNow();
  } finally {
    advancing = false;
  }
}

async function advanceNow() {
  if (queue.length === 0) await refill();
  let next = queue.shift();
  if (!next && navigator.onLine && (pending.length > 0 || !serverEmpty)) {
    // Everything the server offered was decided here: still in the outbox, or acknowledged only after the server
    // answered (so its answer named them). Wait for the outbox to empty, then ask again with a fresh request.
    show(null);
    await drained();
    if (current || gridMode) return;
    if (fetching) await fetching;
    await refill();
    next = queue.shift();
  }
  if (gridMode) { if (next) queue.unshift(next); return; }
  show(next || null);
  refill();
}

let sentAtOverview = 0; // decisions acknowledged when the overview was read: later ones are added on top
let overviewTimer = null;
function renderProgress() {
  // What an earlier visit left is sent before the project's figures have loaded: nothing to show yet.
  if (!overview) return;
  document.getElementById('progress').textContent = `You: ${overview.reviewed_by_me + sent - sentAtOverview} reviewed`
    + ` · project: ${overview.labelled} of ${overview.images} labelled`;
  document.body.dataset.sent = String(sent);
  document.body.dataset.labelled = String(overview.labelled);
}

/** The project's figures change with every decision (and other reviewers'): read again, at most every 3 s. */
function refreshOverview() {
  if (overviewTimer) return;
  overviewTimer = setTimeout(async () => {
    const base0 = sent;
    try {
      const fresh = await api('GET', `${base}/review`);
      overviewTimer = null;
      // A decision acknowledged during the request may or may not be in its figures: ask again later.
      if (sent !== base0) { refreshOverview(); return; }
      overview = { ...overview, reviewed_by_me: fresh.reviewed_by_me, labelled: fresh.labelled, images: fresh.images };
      sentAtOverview = base0;
      renderProgress();
    } catch (err) {
      overviewTimer = null; // offline or refused: the figures stay until the next decision arrives
    }
  }, 3000);
}

async function decide(decision, cls) {
  if (!current || gridMode || writing) return;
  const item = current;
  const body = {
    client_id: uuid(), image: item.id, decision, class: cls || null,
    duration_ms: Math.round(performance.now() - shownAt),
  };
  writing = true;
  try {
    await enqueue([body], [item.original_url]);
  } catch (err) {
    showError(`Not saved: ${err.message}`);
    return;
  } finally {
    writing = false;
  }
  await advance();
}

let undoing = false;
async function undo() {
  if (undoing || writing) return;
  undoing = true;
  try {
    // The latest decision of this project: taken back from the outbox if it has not left yet, else on the server.
    for (;;) {
      const last = [...pending].reverse().find((r) => r.project === project);
      if (last && last.seq === inFlight && pumping) { await pumping.catch(() => {}); continue; }
      let item;
      if (last) {
        await outbox.remove(last.seq); // never sent: taking it back must be on disk before the page goes on
        await dropRecord(last);
        item = { id: last.body.image, original_url: last.original_url };
      } else {
        const r = await api('POST', `${base}/reviews/undo`);
        sent -= 1;
        refreshOverview();
        item = { id: r.image, original_url: r.original_url };
      }
      decided.delete(item.id);
      if (gridMode) leaveGrid();
      if (current) queue.unshift(current);
      queue = queue.filter((q) => q.id !== item.id);
      show(item);
      renderProgress();
      showError('');
      return;
    }
  } catch (err) {
    showError(err.status === 404 ? 'There is no decision of yours to undo.' : `Undo failed: ${err.message}`);
  } finally {
    undoing = false;
  }
}

const stage = document.getElementById('stage');

/** Crisp pixels when the fitted image is drawn larger than its own size (a 64x64 image in a 1000 px area). */
function fitScale() {
  if (!img.naturalWidth || !img.naturalHeight) return 1;
  return Math.min(stage.clientWidth / img.naturalWidth, stage.clientHeight / img.naturalHeight);
}

function markPixelated() {
  img.classList.toggle('pixelated', fitScale() > 1);
  img.dataset.scale = fitScale().toFixed(3);
}

function setZoom(on, event) {
  zoomed = on;
  img.classList.toggle('zoomed', on);
  stage.classList.toggle('zoomed', on);
  document.body.dataset.zoom = on ? '100' : 'fit';
  if (!on) return;
  // Keep the point that was clicked under the pointer (the centre for the key or the button).
  const fx = event && event.offsetX !== undefined ? event.offsetX / img.clientWidth : 0.5;
  const fy = event && event.offsetY !== undefined ? event.offsetY / img.clientHeight : 0.5;
  stage.scrollLeft = Math.max(0, fx * img.naturalWidth - stage.clientWidth / 2);
  stage.scrollTop = Math.max(0, fy * img.naturalHeight - stage.clientHeight / 2);
}

function toggleZoom(event) {
  if (!current || gridMode) return;
  setZoom(!zoomed, event);
}

function enablePan() {
  let drag = null;
  stage.addEventListener('pointerdown', (e) => {
    if (!zoomed) return;
    drag = { x: e.clientX, y: e.clientY, left: stage.scrollLeft, top: stage.scrollTop, moved: false };
    stage.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  stage.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    stage.scrollLeft = drag.left - dx;
    stage.scrollTop = drag.top - dy;
  });
  const end = () => { if (drag && drag.moved) stage.dataset.panned = 'true'; setTimeout(() => { drag = null; }, 0); };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointerleave', () => { drag = null; });
  // A click that ended a drag pans only; it does not zoom out.
  // A click zooms in (on the image) or out (anywhere on the zoomed stage); a click that ended a drag only pans.
  stage.addEventListener('click', (e) => {
    if (drag && drag.moved) { drag = null; return; }
    if (zoomed || e.target === img) toggleZoom(e.target === img ? e : undefined);
  });
}

// ---- the grid: a page of thumbnails decided at once ------------------------------------------------------

function leaveGrid() {
  gridMode = false;
  document.getElementById('grid').hidden = true;
  document.getElementById('grid-controls').hidden = true;
  document.body.dataset.mode = 'single';
}

async function toggleGrid() {
  if (writing) return;
  if (gridMode) {
    leaveGrid();
    await advance();
    return;
  }
  gridMode = true;
  document.body.dataset.mode = 'grid';
  document.getElementById('grid').hidden = false;
  document.getElementById('grid-controls').hidden = false;
  if (current) queue.unshift(current);
  show(null);
  document.getElementById('empty').hidden = true;
  await refill();
  if (!gridMode) return;
  const grid = document.getElementById('grid');
  grid.replaceChildren();
  for (const item of queue.slice(0, 12)) {
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.className = 'tile';
    tile.dataset.id = item.id;
    tile.dataset.original = item.original_url;
    const t = document.createElement('img');
    t.src = item.thumbnail_url;
    t.alt = 'image';
    tile.append(t);
    tile.addEventListener('click', () => tile.classList.toggle('rejected'));
    grid.append(tile);
  }
  const none = grid.children.length === 0;
  document.getElementById('grid-submit').disabled = none;
  if (none) {
    const p = document.createElement('p');
    p.textContent = serverEmpty && pending.length === 0 ? 'Nothing left to review. Thank you!' : 'Waiting for the server for more images.';
    grid.append(p);
  }
  document.body.dataset.gridReady = String(grid.querySelectorAll('.tile').length);
}

async function submitGrid() {
  if (!gridMode || writing) return;
  const cls = document.getElementById('grid-class').value;
  const tiles = [...document.querySelectorAll('#grid .tile')];
  if (tiles.length === 0) return;
  const bodies = tiles.map((tile) => {
    const rejected = tile.classList.contains('rejected');
    return { client_id: uuid(), image: tile.dataset.id, decision: rejected ? 'unsuitable' : 'suitable',
      class: rejected ? null : cls, duration_ms: 0 };
  });
  writing = true;
  try {
    await enqueue(bodies, tiles.map((t) => t.dataset.original));
  } catch (err) {
    showError(`Not saved: ${err.message}`);
    return;
  } finally {
    writing = false;
  }
  const done = new Set(bodies.map((b) => b.image));
  queue = queue.filter((q) => !done.has(q.id));
  document.getElementById('grid').replaceChildren();
  leaveGrid(); // back to one image at a time
  await advance();
}

async function main() {
  me = await session();
  drawMenu(me);
  document.getElementById('who').textContent = me.user;
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout');
    location.assign('/login');
  });
  window.addEventListener('online', () => { retryMs = 250; unreachable = false; renderUnsent(); pump(); });
  window.addEventListener('offline', renderUnsent);
  window.addEventListener('beforeunload', (e) => {
    if (pending.length === 0) return;
    e.preventDefault();
    e.returnValue = ''; // the browser shows its own "leave the page?" warning
  });
  try {
    pending = await outbox.all(me.user);
    // Left by an earlier visit: the server holds these images for this reviewer until their decisions arrive, and
    // an answer to a refill may still name them after they did.
    for (const r of pending) if (r.project === project) decided.add(r.body.image);
  } catch (err) {
    showError(err.message);
  }
  renderUnsent();
  pump(); // what an earlier visit left unsent goes first
  try {
    overview = await api('GET', `${base}/review`);
  } catch (err) {
    showFailure(err);
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
  enablePan();
  img.addEventListener('load', markPixelated);
  window.addEventListener('resize', markPixelated);
  // Small screens keep the criteria folded so that every decision button fits above the fold.
  document.getElementById('criteria-box').open = window.innerWidth > 800 && window.innerHeight > 700;
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
    else if (k === 'enter' && gridMode) submitGrid();
    else return;
    e.preventDefault();
  });
  renderProgress();
  await refill();
  await advance();
  document.body.dataset.ready = 'true';
}

/** A project that does not exist or that this reviewer may not open: a message in words and a way back. */
function showFailure(err) {
  failurePage(err.status === 404 ? Object.assign(new Error(`there is no project '${project}'`), { status: 404 })
    : err.status === 403 ? Object.assign(new Error(`you are not a reviewer of project '${project}'; ask its admin to add you`), { status: 403 })
      : err);
}

main().catch(showFailure);
