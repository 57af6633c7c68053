// Several runs' accuracy curves on one chart; the selection is in the URL, so a comparison is a link.
import { getJson } from '../api.js';
import { PALETTE, phaseChart } from '../charts.js';
import { el, percent, statusBadge } from '../ui.js';

export async function renderCompare(main, { params }) {
  const ids = (params.get('ids') || '').split(',').filter((s) => /^[0-9a-f-]{36}$/.test(s));
  const [recent, runs] = await Promise.all([
    getJson('/api/v1/experiments?limit=50'),
    Promise.all(ids.map(async (id) => {
      const [experiment, phases] = await Promise.all([getJson(`/api/v1/experiments/${id}`), getJson(`/api/v1/experiments/${id}/phases`)]);
      return { experiment, phases };
    }))]);

  main.append(el('div', { class: 'page-head' }, el('h1', {}, 'Compare runs')));
  const chosen = new Set(ids);
  const toggle = (id, on) => {
    if (on) chosen.add(id);
    else chosen.delete(id);
    location.hash = `#/compare?ids=${[...chosen].join(',')}`;
  };
  const candidates = [...runs.map((r) => r.experiment), ...recent.items.filter((i) => !chosen.has(i.id))];
  main.append(el('details', { class: 'picker', open: ids.length < 2 },
    el('summary', {}, `Runs (${ids.length} chosen)`),
    el('ul', { class: 'plain' }, candidates.map((item) => el('li', {}, el('label', {},
      el('input', { type: 'checkbox', name: 'compare-run', value: item.id, checked: chosen.has(item.id), onchange: (e) => toggle(item.id, e.target.checked) }),
      ` ${item.name || item.id.slice(0, 8)} `, statusBadge(item.status), ` ${item.method ?? item.spec?.method?.name ?? ''} · ${item.dataset ?? item.spec?.dataset?.name ?? ''}`))))));

  if (!runs.length) {
    main.append(el('p', {}, 'Choose two or more runs to overlay their accuracy curves.'));
    return;
  }
  const label = (r) => `${r.experiment.name || r.experiment.id.slice(0, 8)} (${r.experiment.spec?.method?.name})`;
  const chart = el('div', { id: 'compare-chart' });
  main.append(chart);
  phaseChart(chart, {
    title: 'Accuracy on all seen classes after each phase (the method’s own classifier)',
    series: runs.map((r) => ({ label: label(r), values: r.phases.map((p) => p.accuracy?.reported ?? null) })),
    phases: Math.max(...runs.map((r) => r.experiment.phaseCount)),
  });
  const protocols = new Set(runs.map((r) => JSON.stringify([r.experiment.spec?.dataset?.name, r.experiment.plan?.phases?.map((p) => p.length)])));
  if (protocols.size > 1) {
    main.append(el('p', { class: 'warning', role: 'note' }, 'These runs do not share one protocol (data set or class split differ): their curves are not directly comparable.'));
  }
  main.append(el('div', { class: 'table-scroll' }, el('table', { id: 'compare-table' },
    el('thead', {}, el('tr', {}, ['', 'Run', 'Status', 'Method', 'Data set', 'Phases', 'Avg. inc. acc.', 'Last acc.', 'Forgetting']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, runs.map((r, i) => el('tr', {},
      el('td', {}, el('span', { class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}`, 'aria-hidden': 'true' })),
      el('td', {}, el('a', { href: `#/experiments/${r.experiment.id}` }, r.experiment.name || r.experiment.id)),
      el('td', {}, statusBadge(r.experiment.status)),
      el('td', {}, r.experiment.spec?.method?.name ?? '–'),
      el('td', {}, r.experiment.spec?.dataset?.name ?? '–'),
      el('td', { class: 'num' }, `${r.experiment.completedPhases}/${r.experiment.phaseCount}`),
      el('td', { class: 'num' }, percent(r.experiment.summary?.averageIncrementalAccuracy)),
      el('td', { class: 'num' }, percent(r.experiment.summary?.lastAccuracy)),
      el('td', { class: 'num' }, percent(r.experiment.summary?.forgetting))))))));
}
