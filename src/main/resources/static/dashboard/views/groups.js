// Seed groups: the list, and a group's page with per-arm mean curves (± std bands), the arms'
// statistics, the paired differences with their 95 % intervals and links to every member.
import { getJson, sendJson } from '../api.js';
import { bandChart } from '../charts.js';
import { ACTIVE, confirmAction, el, percent, statusBadge } from '../ui.js';

const METRICS = [
  ['finalAccuracy', 'Final acc.'],
  ['averageIncrementalAccuracy', 'Avg. inc. acc.'],
  ['forgetting', 'Forgetting'],
  ['backwardTransfer', 'BWT'],
];
const POLL_MS = 3000;

const signed = (v) => (v == null ? '–' : `${v >= 0 ? '+' : '−'}${(100 * Math.abs(v)).toFixed(2)} pp`);
const meanStd = (s) => (s?.mean == null ? '–' : s.std == null ? percent(s.mean) : `${percent(s.mean)} ± ${(100 * s.std).toFixed(1)}`);

export async function renderGroups(main) {
  const page = await getJson('/api/v1/groups?limit=100');
  main.append(el('div', { class: 'page-head' }, el('h1', {}, 'Groups')));
  if (!page.items.length) {
    main.append(el('p', {}, 'No groups yet. Create one with POST /api/v1/groups (arms × seeds).'));
    return;
  }
  main.append(el('div', { class: 'table-scroll' }, el('table', { id: 'groups-table' },
    el('thead', {}, el('tr', {}, ['Name', 'Arms', 'Seeds', 'Members', 'Created'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, page.items.map((g) => el('tr', {},
      el('td', {}, el('a', { href: `#/groups/${g.id}` }, g.name)),
      el('td', {}, g.arms.join(', ')),
      el('td', { class: 'num' }, String(g.seeds.length)),
      el('td', {}, Object.entries(g.statuses).map(([status, count]) => el('span', {}, statusBadge(status), ` ${count} `))),
      el('td', {}, new Date(g.createdAt).toLocaleString())))))));
}

export async function renderGroup(main, { id, signal }) {
  let group = await getJson(`/api/v1/groups/${id}`);
  const body = el('div', { id: 'group' });
  main.append(body);
  draw(body, group, id);
  // while members run, refresh when a member's status changes; the page is complete without waiting for it
  const statuses = (g) => g.arms.flatMap((a) => a.members.map((m) => m.status)).join();
  const poll = async () => {
    while (!signal.aborted && group.arms.some((a) => a.members.some((m) => ACTIVE.has(m.status)))) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (signal.aborted) return;
      const next = await getJson(`/api/v1/groups/${id}`);
      if (!signal.aborted && statuses(next) !== statuses(group)) {
        group = next;
        draw(body, group, id);
      }
    }
  };
  poll().catch((error) => {
    if (!signal.aborted) body.prepend(el('p', { class: 'error', role: 'alert' }, `Stopped refreshing: ${error.message}`));
  });
}

function draw(body, group, id) {
  body.replaceChildren();
  const members = group.arms.flatMap((a) => a.members);
  const active = members.some((m) => ACTIVE.has(m.status));
  const cancel = el('button', {
    type: 'button', id: 'cancel-group', disabled: !active,
    onclick: async () => {
      if (await confirmAction('Cancel the group?', `Every queued or running member of ${group.name} stops.`, 'Cancel members')) {
        await sendJson('POST', `/api/v1/groups/${id}/cancel`);
        location.reload();
      }
    },
  }, 'Cancel group');
  body.append(el('div', { class: 'page-head' }, el('h1', {}, group.name), cancel),
    el('p', {}, `${group.arms.length} arms × ${group.seeds.length} seeds (${group.seeds.join(', ')}); `
      + `${group.arms.reduce((n, a) => n + a.finished, 0)} of ${members.length} members finished. `
      + 'Statistics are over the SUCCEEDED members.'));

  const chart = el('div', { id: 'group-curve' });
  body.append(chart);
  bandChart(chart, {
    title: 'Mean accuracy after each phase, ± one standard deviation over seeds',
    arms: group.arms.map((a) => ({ label: a.label, mean: a.phaseAccuracy.map((s) => s.mean), std: a.phaseAccuracy.map((s) => s.std) })),
  });

  body.append(el('h2', {}, 'Arms'), el('div', { class: 'table-scroll' }, el('table', { id: 'arms-table' },
    el('caption', { class: 'visually-hidden' }, 'Mean ± sample standard deviation per arm'),
    el('thead', {}, el('tr', {}, ['Arm', 'n', ...METRICS.map(([, h]) => h)].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, group.arms.map((a) => el('tr', {},
      el('th', { scope: 'row' }, a.label),
      el('td', { class: 'num' }, `${a.finished}/${a.members.length}`),
      METRICS.map(([key]) => el('td', { class: 'num', dataset: { metric: key, mean: a.metrics[key].mean ?? '' } },
        key === 'backwardTransfer' ? signed(a.metrics[key].mean) : meanStd(a.metrics[key])))))))));

  body.append(el('h2', {}, 'Paired differences'),
    el('p', {}, 'Arm minus baseline over the seeds both finished: mean and 95 % Student-t interval (t with n − 1 degrees of freedom).'),
    el('div', { class: 'table-scroll' }, el('table', { id: 'differences-table' },
      el('thead', {}, el('tr', {}, ['Arm − baseline', 'Metric', 'n', 'Mean', '95 % interval'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, group.comparisons.flatMap((c) => METRICS.map(([key, name]) => {
        const d = c.metrics[key];
        const excludesZero = d.low != null && (d.low > 0 || d.high < 0);
        return el('tr', { class: excludesZero ? 'significant' : null, dataset: { arm: c.arm, baseline: c.baseline, metric: key } },
          el('th', { scope: 'row' }, `${c.arm} − ${c.baseline}`),
          el('td', {}, name),
          el('td', { class: 'num' }, String(d.n)),
          el('td', { class: 'num', dataset: { value: d.mean ?? '' } }, signed(d.mean)),
          el('td', { class: 'num' }, d.low == null ? '–' : `[${signed(d.low)}, ${signed(d.high)}]`));
      }))))));

  body.append(el('h2', {}, 'Members'), el('div', { class: 'table-scroll' }, el('table', { id: 'members-table' },
    el('thead', {}, el('tr', {}, ['Arm', 'Seed', 'Status', 'Run'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, group.arms.flatMap((a) => a.members.map((m) => el('tr', {},
      el('td', {}, a.label),
      el('td', { class: 'num' }, String(m.seed)),
      el('td', {}, statusBadge(m.status)),
      el('td', {}, el('a', { href: `#/experiments/${m.experiment}`, class: 'member-link' }, m.experiment.slice(0, 8))))))))));
}
