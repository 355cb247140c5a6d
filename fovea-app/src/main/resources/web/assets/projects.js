import { api } from './api.js';
import { header } from './nav.js';

const list = document.getElementById('projects');

function card(project, thumbnails, admin) {
  const item = document.createElement('li');
  item.className = 'project';
  item.dataset.project = project.name;
  const title = document.createElement('h2');
  const link = document.createElement('a');
  link.href = `/projects/${encodeURIComponent(project.name)}`;
  link.textContent = project.name;
  title.append(link);
  const count = document.createElement('p');
  count.className = 'count';
  count.textContent = `${project.images} images · ${project.classes.length} ${project.classes.length === 1 ? "class" : "classes"}`;
  const classes = document.createElement('p');
  classes.className = 'classes';
  classes.textContent = project.classes.join(', ');
  const strip = document.createElement('div');
  strip.className = 'thumbs';
  for (const image of thumbnails) {
    const img = document.createElement('img');
    img.src = image.thumbnail_url;
    img.alt = image.label || 'unlabelled';
    img.loading = 'lazy';
    strip.append(img);
  }
  const links = document.createElement('p');
  links.className = 'links';
  // A reviewer sees only their projects and only the review page there (the server refuses the rest).
  const pages = admin ? [['Review', 'review'], ['Reviewers', 'reviewers'], ['Checks', '']] : [['Review', 'review']];
  for (const [text, path] of pages) {
    const a = document.createElement('a');
    a.href = `/projects/${encodeURIComponent(project.name)}${path ? '/' + path : ''}`;
    a.textContent = text;
    a.className = `link-${text.toLowerCase()}`;
    links.append(a);
  }
  if (admin) {
    const runs = document.createElement('a');
    runs.href = `/runs?project=${encodeURIComponent(project.name)}`;
    runs.textContent = 'Runs';
    runs.className = 'link-runs';
    links.append(runs);
  }
  item.append(title, count, classes, strip, links);
  return item;
}

async function main() {
  const me = await header();
  const form = document.getElementById('new-project');
  form.hidden = me.role !== 'admin';
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/projects', {
        name: document.getElementById('new-name').value.trim(),
        classes: document.getElementById('new-classes').value.split(',').map((c) => c.trim()).filter((c) => c),
      });
      location.reload();
    } catch (err) {
      document.getElementById('new-message').textContent = err.message;
    }
  });
  const { projects } = await api('GET', '/api/projects');
  document.getElementById('empty').hidden = projects.length > 0;
  const admin = me.role === 'admin';
  for (const project of projects) {
    const page = admin ? await api('GET', `/api/projects/${encodeURIComponent(project.name)}/images?limit=8`) : { images: [] };
    list.append(card(project, page.images, admin));
  }
  document.body.dataset.loaded = 'true';
}

main();
