// /models: the registered models; /models/NAME: its versions with their runs' test figures, its aliases (moved
// from here), and a test box that has every version classify a dropped image (through OIP v2, as clients do).
import { api, failurePage } from './api.js';
import { header } from './nav.js';

const name = decodeURIComponent(location.pathname.split('/')[2] || '');

function cell(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined ? '' : String(value);
  if (className) el.className = className;
  return el;
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

async function list() {
  document.getElementById('list').hidden = false;
  const { models } = await api('GET', '/api/models');
  document.getElementById('no-models').hidden = models.length > 0;
  const body = document.querySelector('#models tbody');
  for (const m of models) {
    const tr = document.createElement('tr');
    tr.dataset.model = m.name;
    const first = document.createElement('td');
    first.append(link(`/models/${encodeURIComponent(m.name)}`, m.name));
    const latest = m.versions.length ? m.versions[m.versions.length - 1] : null;
    tr.append(first, cell('td', m.versions.length, 'num'),
      cell('td', Object.entries(m.aliases).map(([a, v]) => `${a} → ${v}`).join(', ')),
      cell('td', latest ? `version ${latest.version}, ${latest.created_at.slice(0, 10)}` : ''));
    body.append(tr);
  }
}

let model = null;

async function drawModel() {
  model = await api('GET', `/api/models/${encodeURIComponent(name)}`);
  const runs = await Promise.all(model.versions.map((v) => (v.run ? api('GET', `/api/runs/${v.run}`).catch(() => null) : null)));
  const body = document.querySelector('#versions tbody');
  body.replaceChildren();
  model.versions.forEach((v, i) => {
    const tr = document.createElement('tr');
    tr.dataset.version = String(v.version);
    const run = document.createElement('td');
    if (v.run) run.append(link(`/runs/${v.run}`, `run ${v.run}`));
    const summary = runs[i] ? runs[i].summary : {};
    const fixed = (x) => (typeof x === 'number' ? x.toFixed(4) : '');
    tr.append(cell('td', v.version, 'num'), cell('td', v.aliases.join(', '), 'aliases'), run,
      cell('td', fixed(summary.test_accuracy), 'num'), cell('td', fixed(summary.test_macro_f1), 'num'),
      cell('td', v.format), cell('td', v.classes.join(', ')), cell('td', v.created_at.slice(0, 19).replace('T', ' ')),
      cell('td', v.description));
    body.append(tr);
  });
  const names = document.getElementById('alias-names');
  names.replaceChildren(...Object.keys(model.aliases).map((a) => { const o = document.createElement('option'); o.value = a; return o; }));
  const select = document.getElementById('alias-version');
  const chosen = select.value;
  select.replaceChildren(...model.versions.map((v) => cell('option', `version ${v.version}`)));
  model.versions.forEach((v, i) => { select.options[i].value = String(v.version); });
  if (chosen) select.value = chosen;
}

async function classify(file) {
  const results = document.getElementById('test-results');
  results.replaceChildren(cell('p', `Classifying ${file.name} ...`, 'muted'));
  const preview = document.getElementById('test-preview');
  preview.src = URL.createObjectURL(file);
  preview.alt = file.name;
  preview.hidden = false;
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const request = { inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], data: [btoa(binary)] }] };
  const answers = await Promise.all(model.versions.map((v) =>
    api('POST', `/v2/models/${encodeURIComponent(name)}/versions/${v.version}/infer`, request, 60000)
      .then((a) => ({ v, a }), (err) => ({ v, err }))));
  results.replaceChildren();
  for (const { v, a, err } of answers) {
    const box = document.createElement('div');
    box.className = 'result';
    box.dataset.version = String(v.version);
    box.append(cell('h3', `Version ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`));
    if (err) {
      box.append(cell('p', err.message, 'error'));
    } else {
      const probabilities = a.outputs.find((o) => o.name === 'probabilities').data;
      const top = probabilities.map((p, i) => [v.classes[i], p]).sort((x, y) => y[1] - x[1]).slice(0, 3);
      const ol = document.createElement('ol');
      for (const [c, p] of top) ol.append(cell('li', `${c}: ${(p * 100).toFixed(1)} %`));
      box.append(ol);
    }
    results.append(box);
  }
  document.body.dataset.tested = String(Date.now());
}

async function one() {
  document.getElementById('one').hidden = false;
  document.getElementById('title').textContent = `Model ${name}`;
  document.title = `Fovea · Model ${name}`;
  await drawModel();
  document.getElementById('alias-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const alias = document.getElementById('alias-name').value.trim();
    const version = Number(document.getElementById('alias-version').value);
    const message = document.getElementById('alias-message');
    try {
      await api('PUT', `/api/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`, { version });
      message.textContent = `${alias} now points at version ${version}.`;
      await drawModel();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  const input = document.getElementById('test-file');
  input.addEventListener('change', () => { if (input.files[0]) classify(input.files[0]); });
  const drop = document.getElementById('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) classify(e.dataTransfer.files[0]);
  });
}

async function main() {
  try {
    await header();
    if (name) await one(); else await list();
  } catch (err) {
    failurePage(err);
    return;
  }
  document.body.dataset.loaded = 'true';
}

main();
