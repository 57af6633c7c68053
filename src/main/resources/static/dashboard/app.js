// The dashboard shell: hash routes, the key and confirmation dialogs, and render timing.
import { onKeyNeeded } from './api.js';
import { renderList } from './views/list.js';
import { renderExperiment } from './views/experiment.js';
import { renderGallery } from './views/gallery.js';
import { renderCompare } from './views/compare.js';
import { renderSubmit } from './views/submit.js';
import { renderGroup, renderGroups } from './views/groups.js';

const ROUTES = [
  { pattern: /^\/$/, view: 'list', render: renderList },
  { pattern: /^\/experiments\/([0-9a-f-]{36})$/, view: 'experiment', render: renderExperiment },
  { pattern: /^\/experiments\/([0-9a-f-]{36})\/gallery$/, view: 'gallery', render: renderGallery },
  { pattern: /^\/compare$/, view: 'compare', render: renderCompare },
  { pattern: /^\/submit$/, view: 'submit', render: renderSubmit },
  { pattern: /^\/groups$/, view: 'groups', render: renderGroups },
  { pattern: /^\/groups\/([0-9a-f-]{36})$/, view: 'group', render: renderGroup },
];

const main = document.getElementById('view');
let current = null;
// how long each page took from the navigation to its first complete render (ms), newest last
window.mnemosRenders = [];

/** Asks for an API key in a modal dialog; resolves to the key or null. Concurrent 401s share one question. */
let pendingKey = null;
onKeyNeeded((reason) => {
  if (pendingKey) return pendingKey;
  const dialog = document.getElementById('key-dialog');
  document.getElementById('key-reason').textContent = reason;
  const input = document.getElementById('key-input');
  input.value = '';
  pendingKey = new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      pendingKey = null;
      resolve(dialog.returnValue === 'ok' && input.value ? input.value : null);
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
  return pendingKey;
});
// Enter in the key field submits with the form's first button: make Cancel a plain button
document.querySelectorAll('dialog button[value=cancel]').forEach((button) => {
  button.type = 'button';
  button.addEventListener('click', () => button.closest('dialog').close('cancel'));
});

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

async function route() {
  const started = performance.now();
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { path, params } = parseHash();
  const match = ROUTES.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === match?.r.view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  main.replaceChildren();
  main.dataset.view = match ? match.r.view : 'missing';
  main.dataset.ready = 'false';
  if (!match) {
    main.innerHTML = '<h1>Not found</h1><p><a href="#/">Back to the experiments</a></p>';
    return;
  }
  try {
    await match.r.render(main, { id: match.m[1], params, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) return;
    const box = document.createElement('p');
    box.className = 'error';
    box.setAttribute('role', 'alert');
    box.textContent = `Could not load this page: ${error.message}`;
    main.appendChild(box);
  }
  if (controller.signal.aborted) return;
  main.dataset.ready = 'true';
  // the first page's time counts from the navigation itself (page load), later ones from the hash change
  const elapsed = window.mnemosRenders.length ? performance.now() - started : performance.now();
  window.mnemosRenders.push({ view: match.r.view, ms: Math.round(elapsed) });
}

window.addEventListener('hashchange', route);
route();
