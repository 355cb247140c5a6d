// One run: curves, test figures, misclassified images, notes, tags, artifacts, params and provenance. A run still
// training is polled every few seconds, so its curves grow without a reload.
import { api, failurePage } from './api.js';
import { header } from './nav.js';
import { lineChart } from './charts.js';

const id = decodeURIComponent(location.pathname.split('/')[2] || '');
const POLL_MS = 3000;
let run = null;
let metrics = {};

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined ? '' : String(value);
  if (className) el.className = className;
  return el;
}

function number(v, digits = 4) {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : '';
}

function keyValues(tableId, map) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren();
  for (const [k, v] of Object.entries(map || {})) {
    const tr = document.createElement('tr');
    tr.dataset.key = k;
    tr.append(text('th', k), text('td', v));
    body.append(tr);
  }
}

function drawFacts() {
  document.getElementById('title').textContent = `Run ${run.run}`;
  document.title = `Fovea · Run ${run.run}`;
  const parts = [run.status, run.project ? `project ${run.project}` : null,
    run.dataset ? `dataset version ${run.dataset.version}` : null, `source ${run.source}`,
    run.study ? `study ${run.study} trial ${run.trial}` : null, `created ${run.created_at}`,
    run.duration_seconds !== undefined ? `${Math.round(run.duration_seconds)} s` : null];
  const facts = document.getElementById('facts');
  facts.textContent = parts.filter((p) => p).join(' · ');
  facts.dataset.status = run.status;
  const error = document.getElementById('run-error');
  error.hidden = !run.error;
  error.textContent = run.error || '';
  document.getElementById('live').hidden = !['running', 'queued'].includes(run.status);
}

function points(key, along) {
  return (metrics[key] || []).map((p) => [along === 'step' ? p.step : p.epoch, p.value]);
}

function drawCurves() {
  const along = document.getElementById('x-axis').value;
  const keys = Object.keys(metrics);
  document.getElementById('no-curves').hidden = keys.length > 0;
  // Per-step train loss along epochs would stack many points on one x: along epochs, the epoch means are drawn.
  const loss = keys.filter((k) => /loss/.test(k) && !(along === 'epoch' && k === 'train_loss'));
  const accuracy = keys.filter((k) => /acc/.test(k));
  const lossBox = document.getElementById('loss-chart');
  const accBox = document.getElementById('accuracy-chart');
  if (loss.length) lineChart(lossBox, { xLabel: along, yLabel: 'loss', series: loss.map((k) => ({ label: k, points: points(k, along) })) });
  else lossBox.replaceChildren();
  if (accuracy.length) lineChart(accBox, { xLabel: along, yLabel: 'accuracy', series: accuracy.map((k) => ({ label: k, points: points(k, along) })) });
  else accBox.replaceChildren();
}

function heat(value, max) {
  const t = max > 0 ? value / max : 0;
  // White to Fovea blue; the text turns white on dark cells.
  const r = Math.round(255 - t * (255 - 42)), g = Math.round(255 - t * (255 - 98)), b = Math.round(255 - t * (255 - 212));
  return { background: `rgb(${r}, ${g}, ${b})`, color: t > 0.55 ? '#fff' : '#1d232b' };
}

async function drawTest() {
  let evaluation;
  try {
    evaluation = await api('GET', `/api/runs/${id}/evaluation`);
  } catch (err) {
    if (err.status !== 404) throw err;
    const none = document.getElementById('no-test');
    none.hidden = false;
    none.textContent = err.message;
    return false;
  }
  const test = evaluation.test;
  document.getElementById('test-accuracy').textContent =
    `Accuracy ${number(test.accuracy)} on ${test.images} test images · macro F1 ${number(test.macro_f1)}`;
  const body = document.querySelector('#per-class tbody');
  body.replaceChildren();
  for (const [name, c] of Object.entries(test.per_class)) {
    const tr = document.createElement('tr');
    tr.dataset.class = name;
    tr.append(text('th', name), text('td', number(c.precision, 3), 'num'), text('td', number(c.recall, 3), 'num'),
      text('td', number(c.f1, 3), 'num'), text('td', c.support, 'num'));
    body.append(tr);
  }
  const { classes, matrix } = test.confusion;
  const table = document.getElementById('confusion');
  table.replaceChildren();
  const head = document.createElement('tr');
  head.append(text('th', ''));
  for (const c of classes) head.append(text('th', c));
  table.append(head);
  const max = Math.max(1, ...matrix.flat());
  matrix.forEach((row, i) => {
    const tr = document.createElement('tr');
    tr.append(text('th', classes[i]));
    row.forEach((n, j) => {
      const td = text('td', n, i === j ? 'num diagonal' : 'num');
      const colour = heat(n, max);
      td.style.background = colour.background;
      td.style.color = colour.color;
      td.dataset.actual = classes[i];
      td.dataset.predicted = classes[j];
      td.title = `${n} ${classes[i]} images predicted as ${classes[j]}`;
      tr.append(td);
    });
    table.append(tr);
  });
  return true;
}

async function drawWrong() {
  const page = await api('GET', `/api/runs/${id}/predictions?wrong=true&limit=60`);
  document.getElementById('wrong-count').textContent = page.total > page.predictions.length
    ? `(${page.predictions.length} of ${page.total})` : `(${page.total})`;
  const list = document.getElementById('wrong');
  list.replaceChildren();
  for (const p of page.predictions) {
    const li = document.createElement('li');
    li.className = 'card';
    li.dataset.image = p.image;
    li.tabIndex = 0;
    if (p.thumbnail_url) {
      const img = document.createElement('img');
      img.src = p.thumbnail_url;
      img.alt = p.path;
      img.loading = 'lazy';
      li.append(img);
    }
    li.append(text('p', `${p.actual} → ${p.predicted}`, 'flag'));
    const open = () => showImage(p);
    li.addEventListener('click', open);
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
    list.append(li);
  }
}

function showImage(p) {
  const dialog = document.getElementById('image-dialog');
  const img = document.getElementById('dialog-image');
  img.src = p.image_url || '';
  img.alt = p.path;
  document.getElementById('dialog-classes').textContent = `${p.path}: true class ${p.actual}, predicted ${p.predicted}`;
  const top = document.getElementById('dialog-top');
  top.replaceChildren();
  for (const t of p.top) top.append(text('li', `${t.class}: ${(t.probability * 100).toFixed(1)} %`));
  dialog.showModal();
}

function drawArtifacts() {
  const list = document.getElementById('artifacts');
  list.replaceChildren();
  for (const a of run.artifacts || []) {
    const li = document.createElement('li');
    const link = document.createElement('a');
    link.href = `/api/runs/${run.run}/artifacts/${encodeURIComponent(a.name)}`;
    link.textContent = a.name;
    link.setAttribute('download', a.name);
    li.append(link, text('span', ` ${(a.bytes / 1024).toFixed(1)} KiB`, 'muted'));
    list.append(li);
  }
}

/**
 * Reads the run and its new metric points: after the first read, only the points after the lowest of the keys'
 * last steps (any point not seen yet comes after its own key's last step), merged in by (key, step).
 */
async function refresh() {
  const lasts = Object.values(metrics).map((points) => points[points.length - 1].step);
  const after = run && lasts.length ? `?after=${Math.min(...lasts)}` : '';
  const [r, m] = await Promise.all([api('GET', `/api/runs/${id}`), api('GET', `/api/runs/${id}/metrics${after}`)]);
  let grew = false;
  for (const [key, points] of Object.entries(m.metrics)) {
    const byStep = new Map((metrics[key] || []).map((p) => [p.step, p]));
    for (const p of points) {
      const had = byStep.get(p.step);
      if (!had || had.value !== p.value) grew = true;
      byStep.set(p.step, p);
    }
    metrics[key] = [...byStep.values()].sort((x, y) => x.step - y.step);
  }
  const ended = run && run.status !== r.status;
  run = r;
  drawFacts();
  if (grew) drawCurves();
  return ended;
}

function editing() {
  const message = document.getElementById('edit-message');
  document.getElementById('notes').value = run.notes || '';
  document.getElementById('tags').value = run.tags.join(', ');
  document.getElementById('save-notes').addEventListener('click', async () => {
    try {
      run = await api('PUT', `/api/runs/${id}/notes`, { notes: document.getElementById('notes').value });
      message.textContent = 'Notes saved.';
    } catch (err) {
      message.textContent = err.message;
    }
  });
  document.getElementById('save-tags').addEventListener('click', async () => {
    const tags = document.getElementById('tags').value.split(',').map((t) => t.trim()).filter((t) => t);
    try {
      run = await api('PUT', `/api/runs/${id}/tags`, { tags });
      message.textContent = `Tags saved: ${run.tags.join(', ') || 'none'}.`;
    } catch (err) {
      message.textContent = err.message;
    }
  });
  document.getElementById('register').addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = document.getElementById('register-message');
    const name = document.getElementById('model-name').value.trim();
    const alias = document.getElementById('model-alias').value.trim();
    try {
      const v = await api('POST', '/api/models', { run: run.run, name });
      if (alias) await api('PUT', `/api/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`, { version: v.version });
      out.textContent = `Registered as ${name} version ${v.version}${alias ? ` (${alias})` : ''}.`;
    } catch (err) {
      out.textContent = err.message;
    }
  });
}

async function main() {
  try {
    await header();
    if (!/^\d+$/.test(id)) throw Object.assign(new Error(`run id '${id}' is not a number`), { status: 404 });
    await refresh();
  } catch (err) {
    failurePage(err);
    return;
  }
  drawCurves();
  keyValues('params', run.params);
  keyValues('provenance', run.provenance);
  drawArtifacts();
  editing();
  document.getElementById('x-axis').addEventListener('change', drawCurves);
  window.addEventListener('resize', drawCurves);
  try {
    if (await drawTest()) await drawWrong();
  } catch (err) {
    document.getElementById('no-test').hidden = false;
    document.getElementById('no-test').textContent = err.message;
  }
  document.body.dataset.loaded = 'true';
  const poll = async () => {
    if (!['running', 'queued'].includes(run.status)) return;
    try {
      if (await refresh()) {
        drawArtifacts();
        if (await drawTest()) await drawWrong();
      }
    } catch (err) {
      // offline for a moment: the next poll tries again
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

main();
