// Runs side by side (/runs/compare?ids=1,2,3): params with the differing ones marked and a switch to show only
// those, results, one metric's curves overlaid, and every metric at one epoch.
import { api, failurePage } from './api.js';
import { header } from './nav.js';
import { lineChart } from './charts.js';

const ids = (new URLSearchParams(location.search).get('ids') || '').split(',').map((s) => s.trim()).filter((s) => s);
let metrics = {}; // run id -> key -> points

function cell(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined ? '' : String(value);
  if (className) el.className = className;
  return el;
}

function headRow(table, runs) {
  const tr = document.createElement('tr');
  tr.append(cell('th', ''));
  for (const r of runs) {
    const th = document.createElement('th');
    const a = document.createElement('a');
    a.href = `/runs/${r}`;
    a.textContent = `Run ${r}`;
    th.append(a);
    tr.append(th);
  }
  table.append(tr);
}

function drawParams(compare) {
  const table = document.getElementById('params');
  table.replaceChildren();
  headRow(table, compare.runs);
  const differ = new Set(compare.differing_params);
  for (const [name, values] of Object.entries(compare.params)) {
    if (values.every((v) => v === null)) continue; // a setting none of these runs has
    const tr = document.createElement('tr');
    tr.dataset.param = name;
    if (differ.has(name)) tr.classList.add('differs');
    tr.append(cell('th', name));
    for (const v of values) tr.append(cell('td', v === null ? '–' : v));
    table.append(tr);
  }
  document.getElementById('differ-count').textContent = `${differ.size} of ${table.querySelectorAll('tr[data-param]').length} differ`;
  applyDifferencesOnly();
}

function applyDifferencesOnly() {
  const only = document.getElementById('differences-only').checked;
  for (const tr of document.querySelectorAll('#params tr[data-param]')) tr.hidden = only && !tr.classList.contains('differs');
}

function drawResults(compare) {
  const table = document.getElementById('results');
  table.replaceChildren();
  headRow(table, compare.runs);
  const status = document.createElement('tr');
  status.append(cell('th', 'status'), ...compare.status.map((s) => cell('td', s)));
  table.append(status);
  for (const [name, values] of Object.entries(compare.summary)) {
    const tr = document.createElement('tr');
    tr.dataset.result = name;
    tr.append(cell('th', name));
    const numbers = values.filter((v) => typeof v === 'number');
    const top = /loss|error/.test(name) ? Math.min(...numbers) : Math.max(...numbers);
    for (const v of values) {
      const td = cell('td', typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : '–', 'num');
      if (numbers.length > 1 && v === top) td.classList.add('best');
      tr.append(td);
    }
    table.append(tr);
  }
}

function drawChart() {
  const key = document.getElementById('metric').value;
  const along = document.getElementById('x-axis').value;
  const box = document.getElementById('chart');
  if (!key) { box.replaceChildren(); return; }
  lineChart(box, {
    xLabel: along, yLabel: key,
    series: ids.map((r) => ({ label: `run ${r}`, points: (metrics[r][key] || []).map((p) => [along === 'step' ? p.step : p.epoch, p.value]) })),
  });
}

/** Each key's value at an epoch: the point of that epoch with the highest step (the epoch's end). */
function atEpoch(points, epoch) {
  let found = null;
  for (const p of points || []) if (p.epoch === epoch && (!found || p.step > found.step)) found = p;
  return found ? found.value : null;
}

function drawAtEpoch() {
  const epoch = Number(document.getElementById('epoch').value);
  const table = document.getElementById('at-epoch');
  table.replaceChildren();
  headRow(table, ids);
  const keys = [...new Set(ids.flatMap((r) => Object.keys(metrics[r])))].sort();
  for (const key of keys) {
    const tr = document.createElement('tr');
    tr.dataset.metric = key;
    tr.append(cell('th', key));
    for (const r of ids) {
      const v = atEpoch(metrics[r][key], epoch);
      tr.append(cell('td', v === null ? '–' : v.toFixed(4), 'num'));
    }
    table.append(tr);
  }
}

async function main() {
  let compare;
  try {
    await header();
    compare = await api('GET', `/api/runs/compare?ids=${encodeURIComponent(ids.join(','))}`);
    const all = await Promise.all(ids.map((r) => api('GET', `/api/runs/${encodeURIComponent(r)}/metrics`)));
    ids.forEach((r, i) => { metrics[r] = all[i].metrics; });
  } catch (err) {
    if (err.status === 400) err.status = 404;
    failurePage(err);
    return;
  }
  document.getElementById('title').textContent = `Compare runs ${ids.join(', ')}`;
  drawParams(compare);
  drawResults(compare);
  const keys = [...new Set(ids.flatMap((r) => Object.keys(metrics[r])))].sort();
  const select = document.getElementById('metric');
  for (const k of keys) select.append(cell('option', k));
  if (keys.includes('val_accuracy')) select.value = 'val_accuracy';
  const epochs = ids.flatMap((r) => Object.values(metrics[r]).flat().map((p) => p.epoch));
  const epochInput = document.getElementById('epoch');
  epochInput.value = epochs.length ? String(Math.max(...epochs)) : '0';
  drawChart();
  drawAtEpoch();
  document.getElementById('differences-only').addEventListener('change', applyDifferencesOnly);
  select.addEventListener('change', drawChart);
  document.getElementById('x-axis').addEventListener('change', drawChart);
  epochInput.addEventListener('input', drawAtEpoch);
  document.body.dataset.loaded = 'true';
}

main();
