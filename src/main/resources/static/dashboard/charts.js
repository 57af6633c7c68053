// Charts: uPlot line charts with the Okabe–Ito palette (colour-blind safe) plus dash patterns, so
// series stay apart in grey scale too; the accuracy matrix as a table heat map with its values.
import uPlot from '/webjars/uplot/1.6.30/dist/uPlot.esm.js';

export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3], [1, 2], [10, 4]];

const percent = (v) => (v == null ? '–' : `${(100 * v).toFixed(1)}%`);

/**
 * A line chart of values per phase. `series`: [{label, values}], values[k] for phase k (null when
 * missing). Returns {update(series)}; the container's data-points attribute counts the points of
 * the longest series, for tests and screen readers alike.
 */
/** Size, scales and axes shared by the accuracy-per-phase charts: n phases on x, accuracy 0–1 on y. */
function accuracyFrame(width, n, xs) {
  return {
    width,
    height: Math.round(Math.min(320, Math.max(200, width * 0.45))),
    scales: { x: { time: false, range: [-0.2, Math.max(n - 1, 1) + 0.2] }, y: { range: [0, 1] } },
    axes: [
      { label: 'phase', splits: () => xs, values: (u, ticks) => ticks.map(String) },
      { label: 'accuracy', values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) },
    ],
  };
}

export function phaseChart(container, { title, series, phases }) {
  container.classList.add('chart');
  container.setAttribute('role', 'img');
  let plot = null;
  const build = (current) => {
    const n = Math.max(phases ?? 0, ...current.map((s) => s.values.length), 1);
    const xs = Array.from({ length: n }, (_, k) => k);
    const data = [xs, ...current.map((s) => xs.map((k) => s.values[k] ?? null))];
    const points = Math.max(0, ...current.map((s) => s.values.filter((v) => v != null).length));
    container.dataset.points = String(points);
    container.dataset.series = String(current.length);
    container.setAttribute('aria-label', `${title}: ${current.map((s) => `${s.label} ${s.values.map(percent).join(', ')}`).join('; ')}`);
    const width = Math.max(280, container.clientWidth || 600);
    const options = {
      title,
      ...accuracyFrame(width, n, xs),
      series: [
        { label: 'phase' },
        ...current.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          dash: DASHES[i % DASHES.length],
          width: s.width ?? 2,
          spanGaps: true,
          points: { show: true, size: 7, fill: PALETTE[i % PALETTE.length] },
          value: (u, v) => percent(v),
        })),
      ],
      legend: { live: true },
    };
    if (plot) plot.destroy();
    plot = new uPlot(options, data, container);
  };
  let latest = series;
  build(latest);
  const resize = new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - container.clientWidth) > 20) build(latest);
  });
  resize.observe(container);
  return {
    update(next) {
      latest = next;
      build(latest);
    },
  };
}

/** Sequential colour scale (viridis end points), readable for every common colour-vision deficiency. */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i].map((a, j) => Math.round(a + f * (VIRIDIS[i + 1][j] - a)));
  return { background: `rgb(${c.join(',')})`, color: t > 0.55 ? '#000' : '#fff' };
}

/**
 * The accuracy matrix: row k = after phase k, column j = the classes that phase j added; the last
 * row is forgetting per class group (best earlier accuracy minus the final one).
 */
export function accuracyMatrix(container, rows, groups) {
  container.replaceChildren();
  if (!rows.length) {
    container.textContent = 'No phase has completed yet.';
    return;
  }
  const table = document.createElement('table');
  table.className = 'heatmap';
  table.innerHTML = '<caption>Accuracy on each phase’s classes (columns) after each phase (rows)</caption>';
  const head = table.createTHead().insertRow();
  head.innerHTML = '<th scope="col">after ↓ / on →</th>';
  for (let j = 0; j < rows[rows.length - 1].length; j++) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = `phase ${j}`;
    th.title = groups?.[j] ? `classes ${groups[j].join(', ')}` : '';
    head.appendChild(th);
  }
  const body = table.createTBody();
  rows.forEach((row, k) => {
    const tr = body.insertRow();
    tr.innerHTML = `<th scope="row">phase ${k}</th>`;
    row.forEach((value) => {
      const td = tr.insertCell();
      td.textContent = percent(value);
      Object.assign(td.style, viridis(value));
    });
  });
  const last = rows[rows.length - 1];
  const forgetting = table.createTFoot().insertRow();
  forgetting.innerHTML = '<th scope="row">forgetting</th>';
  last.forEach((final, j) => {
    const td = forgetting.insertCell();
    const earlier = rows.slice(j, rows.length - 1).map((r) => r[j]).filter((v) => v != null);
    td.textContent = j === last.length - 1 || !earlier.length ? '–' : percent(Math.max(...earlier) - final);
  });
  container.appendChild(table);
}

/**
 * A confusion matrix as a heat map: a row per true class, a column per predicted class (both the
 * seen classes' labels in class order), each cell the test images counted there, coloured by its
 * share of the row. Beyond 20 classes the counts move into each cell's title.
 */
export function confusionHeatmap(container, { classOrder, confusion, caption }) {
  const table = document.createElement('table');
  table.className = confusion.length > 20 ? 'heatmap confusion compact' : 'heatmap confusion';
  table.dataset.classes = String(confusion.length);
  const title = table.createCaption();
  title.textContent = caption;
  const head = table.createTHead().insertRow();
  head.innerHTML = '<th scope="col">true ↓ / predicted →</th>';
  classOrder.forEach((label) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.appendChild(th);
  });
  const body = table.createTBody();
  confusion.forEach((row, i) => {
    const tr = body.insertRow();
    tr.innerHTML = `<th scope="row">${classOrder[i]}</th>`;
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const td = tr.insertCell();
      td.dataset.count = String(count);
      td.title = `true ${classOrder[i]}, predicted ${classOrder[j]}: ${count} of ${total}`;
      if (confusion.length <= 20) td.textContent = count;
      Object.assign(td.style, viridis(total ? count / total : 0));
    });
  });
  container.replaceChildren(table);
}

/** A palette colour with an alpha, for the filled bands. */
function translucent(hex, alpha) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/**
 * Mean curves with ± one standard deviation bands, one per arm of a group. `arms`: [{label, mean,
 * std}], mean[k] and std[k] for phase k (null when missing; a null std draws no band there). The
 * container's data-series and data-bands attributes count the curves and the bands drawn.
 */
export function bandChart(container, { title, arms, phases }) {
  container.classList.add('chart');
  container.setAttribute('role', 'img');
  const n = Math.max(phases ?? 0, ...arms.map((a) => a.mean.length), 1);
  const xs = Array.from({ length: n }, (_, k) => k);
  const data = [xs];
  const series = [{ label: 'phase' }];
  const bands = [];
  arms.forEach((arm, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const at = (k, sign) => (arm.mean[k] == null || arm.std[k] == null ? null : arm.mean[k] + sign * arm.std[k]);
    data.push(xs.map((k) => arm.mean[k] ?? null), xs.map((k) => at(k, 1)), xs.map((k) => at(k, -1)));
    const mean = series.length;
    series.push(
      { label: arm.label, stroke: colour, dash: DASHES[i % DASHES.length], width: 2, spanGaps: true,
        points: { show: true, size: 7, fill: colour }, value: (u, v) => percent(v) },
      { label: `${arm.label} + std`, stroke: translucent(colour, 0.35), width: 1, points: { show: false }, value: (u, v) => percent(v) },
      { label: `${arm.label} − std`, stroke: translucent(colour, 0.35), width: 1, points: { show: false }, value: (u, v) => percent(v) });
    if (arm.std.some((s) => s != null)) bands.push({ series: [mean + 1, mean + 2], fill: translucent(colour, 0.18) });
  });
  container.dataset.series = String(arms.length);
  container.dataset.bands = String(bands.length);
  container.dataset.points = String(Math.max(0, ...arms.map((a) => a.mean.filter((v) => v != null).length)));
  container.setAttribute('aria-label', `${title}: ${arms.map((a) => `${a.label} ${a.mean.map((m, k) => `${percent(m)} ± ${percent(a.std[k])}`).join(', ')}`).join('; ')}`);
  const width = Math.max(280, container.clientWidth || 600);
  return new uPlot({
    title,
    ...accuracyFrame(width, n, xs),
    series,
    bands,
    legend: { live: true },
  }, data, container);
}
