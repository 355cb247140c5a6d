// The runs table: every filter, the sort and the page live in the address (so a link or a reload shows the same
// rows), and the database does the filtering, sorting and paging (GET /api/runs), so 10,000 runs load as 10 do.
import { api, failurePage } from './api.js';
import { header } from './nav.js';

const COLUMNS_KEY = 'fovea.runs.columns';
const BASE = [
  { key: 'id', label: 'Run', sort: 'id' },
  { key: 'project', label: 'Project' },
  { key: 'status', label: 'Status', sort: 'status' },
  { key: 'dataset', label: 'Dataset', sort: 'dataset' },
  { key: 'source', label: 'Source' },
  { key: 'study', label: 'Study' },
  { key: 'created', label: 'Created', sort: 'created' },
  { key: 'tags', label: 'Tags' },
];
const FILTERS = ['project', 'status', 'source', 'dataset', 'study', 'tag', 'filter'];

let keys = { params: [], metrics: [], summary: [] };
let shown = [];        // the runs on this page, as /api/runs gave them
const picked = new Set();

function params() {
  return new URLSearchParams(location.search);
}

/** A metric's best is its minimum for losses and errors, else its maximum (as the server reads it). */
function best(metric) {
  return /loss|error/i.test(metric) ? 'min' : 'max';
}

function allColumns() {
  return [
    ...BASE,
    ...keys.metrics.map((m) => ({ key: `metrics.${m}`, label: m, sort: `metrics.${m}`, metric: m })),
    ...keys.summary.map((s) => ({ key: `summary.${s}`, label: s, sort: `summary.${s}` })),
    ...keys.params.map((p) => ({ key: `params.${p}`, label: p, sort: `params.${p}` })),
  ];
}

function chosenKeys() {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY) || 'null');
    if (Array.isArray(saved)) return saved;
  } catch (e) { /* a broken saved choice falls back to the default */ }
  const defaults = ['id', 'project', 'status', 'dataset', 'created', 'tags'];
  for (const m of ['val_accuracy', 'val_loss']) if (keys.metrics.includes(m)) defaults.push(`metrics.${m}`);
  if (keys.summary.includes('test_accuracy')) defaults.push('summary.test_accuracy');
  for (const p of ['model', 'lr', 'epochs', 'batch_size']) if (keys.params.includes(p)) defaults.push(`params.${p}`);
  return defaults;
}

function columns() {
  const chosen = new Set(chosenKeys());
  return allColumns().filter((c) => chosen.has(c.key));
}

/** Which value of a metric a column shows: the address's aggregate when it sorts by it, else the best. */
function aggregateOf(column) {
  const p = params();
  if (p.get('sort') === column.key && p.get('aggregate')) return p.get('aggregate');
  return best(column.metric);
}

function format(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  return String(value);
}

function cellValue(run, column) {
  switch (column.key) {
    case 'id': return run.run;
    case 'project': return run.project;
    case 'status': return run.status;
    case 'dataset': return run.dataset ? run.dataset.version : null;
    case 'source': return run.source;
    case 'study': return run.study ? `${run.study} #${run.trial}` : null;
    case 'created': return run.created_at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
    case 'tags': return run.tags.join(', ');
    default: break;
  }
  if (column.metric) {
    const m = run.metrics[column.metric];
    return m ? m[aggregateOf(column)] : null;
  }
  const [kind, ...rest] = column.key.split('.');
  const name = rest.join('.');
  const value = kind === 'summary' ? run.summary[name] : run.params[name];
  return value === undefined ? null : value;
}

function go(changes) {
  const p = params();
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, v);
  }
  history.pushState(null, '', `${location.pathname}${p.toString() ? '?' + p : ''}`);
  load();
}

function drawHead() {
  const head = document.getElementById('head');
  head.replaceChildren();
  const pickAll = document.createElement('th');
  pickAll.className = 'pick';
  const all = document.createElement('input');
  all.type = 'checkbox';
  all.id = 'pick-all';
  all.setAttribute('aria-label', 'select every run on this page');
  all.addEventListener('change', () => {
    for (const r of shown) if (all.checked) picked.add(r.run); else picked.delete(r.run);
    drawRows();
  });
  pickAll.append(all);
  head.append(pickAll);
  const p = params();
  const sort = p.get('sort') || 'id';
  const descending = p.get('order') !== 'asc';
  for (const c of columns()) {
    const th = document.createElement('th');
    th.dataset.column = c.key;
    if (c.sort) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.textContent = c.label;
      if (sort === c.sort) {
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        b.textContent += descending ? ' ▼' : ' ▲';
      }
      // A first click sorts a metric by its best first; a second turns it round.
      b.addEventListener('click', () => {
        const firstDescending = c.metric ? best(c.metric) === 'max' : c.key.startsWith('summary.') || c.key === 'id' || c.key === 'created';
        const order = sort === c.sort ? (descending ? 'asc' : 'desc') : (firstDescending ? 'desc' : 'asc');
        go({ sort: c.sort === 'id' ? null : c.sort, order, offset: null,
          aggregate: c.metric ? aggregateOf(c) : null });
      });
      th.append(b);
    } else {
      th.textContent = c.label;
    }
    if (c.metric) {
      const agg = document.createElement('select');
      agg.className = 'aggregate';
      agg.setAttribute('aria-label', `which value of ${c.label}`);
      for (const [value, text] of [['max', 'max'], ['min', 'min'], ['last', 'last']]) {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = value === best(c.metric) ? `${text} (best)` : text;
        agg.append(o);
      }
      agg.value = aggregateOf(c);
      agg.addEventListener('change', () => go({ sort: c.sort, aggregate: agg.value, offset: null,
        order: p.get('sort') === c.sort ? p.get('order') : (agg.value === 'min' ? 'asc' : 'desc') }));
      th.append(agg);
    }
    head.append(th);
  }
}

function drawRows() {
  const body = document.getElementById('rows');
  body.replaceChildren();
  const cols = columns();
  for (const run of shown) {
    const tr = document.createElement('tr');
    tr.dataset.run = String(run.run);
    const pick = document.createElement('td');
    pick.className = 'pick';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = picked.has(run.run);
    box.setAttribute('aria-label', `select run ${run.run}`);
    box.addEventListener('change', () => {
      if (box.checked) picked.add(run.run); else picked.delete(run.run);
      drawSelection();
    });
    pick.append(box);
    tr.append(pick);
    for (const c of cols) {
      const td = document.createElement('td');
      td.dataset.column = c.key;
      const value = cellValue(run, c);
      if (c.key === 'id') {
        const a = document.createElement('a');
        a.href = `/runs/${run.run}`;
        a.textContent = String(run.run);
        td.append(a);
      } else {
        td.textContent = format(value); // text, never HTML: params and tags come from users and scripts
        if (typeof value === 'number') td.className = 'num';
      }
      if (c.key === 'status') td.classList.add(`status-${run.status}`);
      tr.append(td);
    }
    body.append(tr);
  }
  drawSelection();
}

function drawSelection() {
  document.getElementById('selected').textContent = picked.size ? `${picked.size} selected` : '';
  document.getElementById('compare').disabled = picked.size < 2;
  const all = document.getElementById('pick-all');
  if (all) all.checked = shown.length > 0 && shown.every((r) => picked.has(r.run));
}

function drawColumnPicker() {
  const list = document.getElementById('column-list');
  list.replaceChildren();
  const chosen = new Set(chosenKeys());
  const groups = [['Run', BASE], ['Metrics (best value)', allColumns().filter((c) => c.metric)],
    ['Results', allColumns().filter((c) => c.key.startsWith('summary.'))],
    ['Params', allColumns().filter((c) => c.key.startsWith('params.'))]];
  for (const [title, cols] of groups) {
    if (!cols.length) continue;
    const fieldset = document.createElement('fieldset');
    const legend = document.createElement('legend');
    legend.textContent = title;
    fieldset.append(legend);
    for (const c of cols) {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = c.key;
      box.checked = chosen.has(c.key);
      box.addEventListener('change', () => {
        const now = new Set(chosenKeys());
        if (box.checked) now.add(c.key); else now.delete(c.key);
        // Kept in the order of the picker, so the table's order does not depend on the order of the clicks.
        localStorage.setItem(COLUMNS_KEY, JSON.stringify(allColumns().map((x) => x.key).filter((k) => now.has(k))));
        drawHead();
        drawRows();
      });
      label.append(box, ` ${c.label}`);
      fieldset.append(label);
    }
    list.append(fieldset);
  }
}

function csvField(value) {
  const text = format(value);
  return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as it is shown (its columns, this page's rows) as a CSV file. */
function exportCsv() {
  const cols = columns();
  const lines = [cols.map((c) => csvField(c.key)).join(',')];
  for (const run of shown) lines.push(cols.map((c) => csvField(cellValue(run, c))).join(','));
  const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'runs.csv';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function fillForm() {
  const p = params();
  for (const f of FILTERS) document.getElementById(`f-${f}`).value = p.get(f) || '';
  document.getElementById('page-size').value = p.get('limit') || '50';
  const project = p.get('project');
  document.getElementById('title').textContent = project ? `Runs of ${project}` : 'Runs';
  document.title = `Fovea · ${project ? `Runs of ${project}` : 'Runs'}`;
}

let loading = 0;

async function load() {
  const mine = ++loading;
  document.body.dataset.loaded = 'false';
  fillForm();
  const p = params();
  const message = document.getElementById('message');
  message.textContent = '';
  const query = new URLSearchParams();
  for (const k of [...FILTERS, 'sort', 'aggregate', 'order', 'offset']) if (p.get(k)) query.set(k, p.get(k));
  query.set('limit', p.get('limit') || '50');
  try {
    const project = p.get('project');
    const [page, names] = await Promise.all([
      api('GET', `/api/runs?${query}`),
      api('GET', `/api/runs/keys${project ? `?project=${encodeURIComponent(project)}` : ''}`),
    ]);
    if (mine !== loading) return; // a newer load is on its way
    keys = names;
    shown = page.runs;
    const first = page.total === 0 ? 0 : page.offset + 1;
    const last = page.offset + page.runs.length;
    document.getElementById('page-info').textContent =
      `${first.toLocaleString('en')}–${last.toLocaleString('en')} of ${page.total.toLocaleString('en')}`;
    document.getElementById('prev').disabled = page.offset === 0;
    document.getElementById('next').disabled = last >= page.total;
    document.getElementById('empty').hidden = page.total > 0;
    document.getElementById('rows').dataset.offset = String(page.offset);
    drawColumnPicker();
    drawHead();
    drawRows();
    // When the rows were on screen, for bench/runs-page.sh (milliseconds since the page's navigation began).
    document.body.dataset.loadedMs = performance.now().toFixed(1);
  } catch (err) {
    if (mine !== loading) return;
    if (err.status === 403 || err.status === 401) { failurePage(err); return; }
    if (err.status === 0) {
      // Offline or the server gone: the rows loaded last stay on screen, and a reload fetches the address's page.
      message.textContent = `${err.message}: these are the rows loaded last; reload once the server is back`;
    } else {
      // A bad filter or a project that does not exist: say so and keep the form, so it can be corrected.
      message.textContent = err.message;
      shown = [];
      drawRows();
    }
  }
  document.body.dataset.loaded = 'true';
}

async function main() {
  try {
    await header();
  } catch (err) {
    failurePage(err);
    return;
  }
  try {
    const { projects } = await api('GET', '/api/projects');
    const select = document.getElementById('f-project');
    for (const pr of projects) {
      const o = document.createElement('option');
      o.value = pr.name;
      o.textContent = pr.name;
      select.append(o);
    }
  } catch (err) {
    failurePage(err);
    return;
  }
  document.getElementById('run-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const changes = { offset: null };
    for (const f of FILTERS) changes[f] = document.getElementById(`f-${f}`).value.trim();
    go(changes);
  });
  document.getElementById('clear').addEventListener('click', () => {
    const changes = { offset: null };
    for (const f of FILTERS) changes[f] = null;
    go(changes);
  });
  const step = () => Number(params().get('limit') || 50);
  document.getElementById('prev').addEventListener('click', () =>
    go({ offset: Math.max(0, Number(params().get('offset') || 0) - step()) || null }));
  document.getElementById('next').addEventListener('click', () =>
    go({ offset: Number(params().get('offset') || 0) + step() }));
  document.getElementById('page-size').addEventListener('change', (e) => go({ limit: e.target.value === '50' ? null : e.target.value, offset: null }));
  document.getElementById('compare').addEventListener('click', () => {
    location.assign(`/runs/compare?ids=${[...picked].sort((a, b) => a - b).join(',')}`);
  });
  document.getElementById('export').addEventListener('click', exportCsv);
  window.addEventListener('popstate', load);
  await load();
}

main();
