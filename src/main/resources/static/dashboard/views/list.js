// Experiments, newest first: status filter, cursor paging, live rows for active runs (SSE).
import { followEvents, getJson } from '../api.js';
import { ACTIVE, duration, el, percent, progressBar, statusBadge } from '../ui.js';

const STATUSES = ['', 'QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
// browsers allow about six connections per host over HTTP/1.1: keep some for the page's requests
const MAX_LIVE_ROWS = 4;

export async function renderList(main, { params, signal }) {
  const status = params.get('status') || '';
  const cursor = params.get('cursor');
  const previous = params.getAll('back');
  const query = new URLSearchParams({ limit: '20' });
  if (status) query.set('status', status);
  if (cursor) query.set('cursor', cursor);
  const page = await getJson(`/api/v1/experiments?${query}`);

  const filter = el('select', {
    id: 'status-filter',
    onchange: (e) => {
      location.hash = e.target.value ? `#/?status=${e.target.value}` : '#/';
    },
  }, STATUSES.map((s) => el('option', { value: s, selected: s === status }, s ? s.toLowerCase() : 'all')));

  const rows = page.items.map((item) => row(item));
  const table = el('table', { class: 'experiments' },
    el('caption', { class: 'visually-hidden' }, 'Experiments'),
    el('thead', {}, el('tr', {},
      ['Name', 'Status', 'Method', 'Data set', 'Phase', 'Progress', 'ETA', 'Last acc.', 'Avg. inc. acc.', 'Compare']
        .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((r) => r.tr)));

  // the cursors of the newer pages are carried in the URL ('' = the first page), so Back works and links share
  const pageHash = (pageCursor, back) => {
    const q = new URLSearchParams();
    if (status) q.set('status', status);
    if (pageCursor) q.set('cursor', pageCursor);
    back.forEach((c) => q.append('back', c));
    const text = q.toString();
    return text ? `#/?${text}` : '#/';
  };
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' },
    previous.length
      ? el('a', { class: 'button', rel: 'prev', href: pageHash(previous[previous.length - 1], previous.slice(0, -1)) }, '← Newer')
      : null,
    page.nextCursor
      ? el('a', { class: 'button', rel: 'next', href: pageHash(page.nextCursor, [...previous, cursor ?? '']) }, 'Older →')
      : null);

  const compare = el('button', {
    type: 'button',
    id: 'compare-selected',
    onclick: () => {
      const ids = [...table.querySelectorAll('input[name=compare]:checked')].map((c) => c.value);
      location.hash = `#/compare?ids=${ids.join(',')}`;
    },
  }, 'Compare selected');

  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Experiments'),
      el('a', { class: 'button primary', href: '#/submit' }, 'New experiment')),
    el('div', { class: 'toolbar' }, el('label', { for: 'status-filter' }, 'Status '), filter, compare),
    page.items.length ? el('div', { class: 'table-scroll' }, table) : el('p', {}, 'No experiments yet.'),
    pager);

  // live rows: one event stream per active run on this page, from the event the snapshot ends at
  rows.filter((r) => ACTIVE.has(r.item.status)).slice(0, MAX_LIVE_ROWS).forEach((r) => {
    followEvents(r.item.id, { lastEventId: r.item.lastEventId ?? 0, signal, onEvent: (event) => r.apply(event) })
      .then(async () => {
        if (!signal.aborted) r.refresh(await getJson(`/api/v1/experiments/${r.item.id}`));
      })
      .catch(() => {});
  });

  // the API has no stream of new experiments: the first page is read again when the tab comes back
  // into view (runs submitted elsewhere meanwhile appear then), never on a timer
  if (!cursor) {
    const shown = page.items.map((i) => i.id).join();
    const onVisible = async () => {
      if (document.visibilityState !== 'visible' || signal.aborted) return;
      const latest = await getJson(`/api/v1/experiments?${query}`).catch(() => null);
      if (latest && !signal.aborted && latest.items.map((i) => i.id).join() !== shown) {
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible), { once: true });
  }
}

function row(initial) {
  let item = initial;
  const cells = {
    status: el('td'), phase: el('td', { class: 'num' }), progress: el('td'), eta: el('td', { class: 'num' }),
    last: el('td', { class: 'num' }), average: el('td', { class: 'num' }),
  };
  const tr = el('tr', { dataset: { id: item.id } },
    el('td', {}, el('a', { href: `#/experiments/${item.id}` }, item.name || item.id.slice(0, 8))),
    cells.status, el('td', {}, item.method ?? '–'), el('td', {}, item.dataset ?? '–'),
    cells.phase, cells.progress, cells.eta, cells.last, cells.average,
    el('td', {}, el('input', { type: 'checkbox', name: 'compare', value: item.id, 'aria-label': `compare ${item.name}` })));
  const draw = () => {
    const fraction = item.status === 'SUCCEEDED' ? 1 : item.progress?.fraction ?? item.completedPhases / item.phaseCount;
    const phase = Math.min(item.phaseCount, item.completedPhases + (ACTIVE.has(item.status) && item.status !== 'QUEUED' ? 1 : 0));
    cells.status.replaceChildren(statusBadge(item.status),
      item.queuePosition == null ? ''
        : el('span', { class: 'queue-position', title: "place in its pool's queue" }, ` #${item.queuePosition}`));
    cells.phase.textContent = `${phase}/${item.phaseCount}`;
    cells.progress.replaceChildren(progressBar(fraction, `progress of ${item.name}`));
    cells.eta.textContent = ACTIVE.has(item.status) ? duration(item.progress?.etaSeconds) : '–';
    cells.last.textContent = percent(item.summary?.lastAccuracy);
    cells.average.textContent = percent(item.summary?.averageIncrementalAccuracy);
  };
  draw();
  return {
    item,
    tr,
    apply(event) {
      if (event.type === 'progress') {
        item = { ...item, status: item.status === 'QUEUED' ? 'RUNNING' : item.status, queuePosition: null, progress: event.data };
      } else if (event.type === 'phase-started') {
        item = { ...item, status: item.status === 'QUEUED' ? 'RUNNING' : item.status, queuePosition: null };
      } else if (event.type === 'phase-completed') {
        item = { ...item, completedPhases: Math.max(item.completedPhases, event.data.phase + 1), summary: event.data.summary };
      }
      draw();
    },
    refresh(latest) {
      item = { ...item, ...latest };
      draw();
    },
  };
}
