// One experiment: live progress, accuracy curves, accuracy matrix, phase timings, spec and plan,
// actions and downloads. Live through the run's event stream, resumed (Last-Event-ID) after the
// event the API's snapshot ends at, or after the last event this tab saw if that is later.
import { apiKey, blobUrl, followEvents, getJson, sendJson } from '../api.js';
import { accuracyMatrix, phaseChart } from '../charts.js';
import { ACTIVE, bytes, confirmAction, describe, duration, el, percent, progressBar, statusBadge } from '../ui.js';

export async function renderExperiment(main, { id, signal }) {
  const lastEventKey = `mnemos.lastEvent.${id}`;
  let [experiment, phases] = await Promise.all([
    getJson(`/api/v1/experiments/${id}`), getJson(`/api/v1/experiments/${id}/phases`)]);

  const title = el('h1');
  const status = el('span');
  const meta = el('p', { class: 'meta' });
  const actions = el('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  const live = el('section', { id: 'live', 'aria-labelledby': 'live-title' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const curve = el('div', { id: 'accuracy-curve' });
  const oldNew = el('div', { id: 'old-new-curve' });
  const matrix = el('div', { id: 'accuracy-matrix', class: 'table-scroll' });
  const timings = el('div', { id: 'phase-timings', class: 'table-scroll' });
  const spec = el('pre', { id: 'resolved-spec' });
  const plan = el('pre', { id: 'plan' });

  main.append(
    el('div', { class: 'page-head' }, el('div', {}, title, status), actions),
    meta, error, live,
    el('section', { 'aria-labelledby': 'curves-title' }, el('h2', { id: 'curves-title' }, 'Accuracy per phase'),
      el('div', { class: 'charts' }, curve, oldNew)),
    el('section', { 'aria-labelledby': 'matrix-title' }, el('h2', { id: 'matrix-title' }, 'Accuracy matrix and forgetting'), matrix),
    el('section', { 'aria-labelledby': 'timings-title' }, el('h2', { id: 'timings-title' }, 'Phases'), timings),
    el('section', {}, el('details', {}, el('summary', {}, 'Resolved spec'), spec), el('details', {}, el('summary', {}, 'Plan'), plan)));

  const curveChart = phaseChart(curve, { title: 'Accuracy (all seen classes)', series: curveSeries(phases), phases: experiment.phaseCount });
  const oldNewChart = phaseChart(oldNew, { title: 'Old against new classes', series: oldNewSeries(phases), phases: experiment.phaseCount });

  const drawHead = () => {
    title.textContent = experiment.name || experiment.id;
    status.replaceChildren(statusBadge(experiment.status));
    meta.textContent = `${describe(experiment.spec)} · ${experiment.completedPhases}/${experiment.phaseCount} phases · seed ${experiment.seed} · ${experiment.id}`;
    error.hidden = !experiment.error;
    error.textContent = experiment.error ?? '';
    actions.replaceChildren(
      el('a', { class: 'button', href: `#/experiments/${id}/gallery`, id: 'open-gallery' }, 'Exemplars'),
      el('a', { class: 'button', href: `#/compare?ids=${id}` }, 'Compare…'),
      el('a', { class: 'button', href: `#/submit?from=${id}` }, 'Use as template'),
      ['QUEUED', 'RUNNING'].includes(experiment.status)
        ? el('button', { type: 'button', id: 'cancel', class: 'danger', onclick: () => act('cancel') }, 'Cancel') : '',
      ['FAILED', 'CANCELLED'].includes(experiment.status)
        ? el('button', { type: 'button', id: 'resume', onclick: () => act('resume') }, 'Resume') : '',
      !ACTIVE.has(experiment.status)
        ? el('button', { type: 'button', id: 'delete', class: 'danger', onclick: () => act('delete') }, 'Delete') : '');
  };

  const drawLive = (progress) => {
    live.replaceChildren(el('h2', { id: 'live-title' }, 'Progress'));
    if (!progress || !ACTIVE.has(experiment.status)) {
      live.append(el('p', {}, experiment.status === 'QUEUED' ? 'Waiting for a worker.' : `Not running (${experiment.status.toLowerCase()}).`));
      return;
    }
    live.append(
      progressBar(progress.fraction, 'progress of the whole run'),
      el('dl', { class: 'facts' },
        fact('phase', `${progress.phase + 1} of ${progress.phases}`),
        fact('stage', progress.stage),
        fact('epoch', `${progress.epoch + 1} of ${progress.epochs}`),
        fact('step', `${progress.step} of ${progress.steps}`),
        fact('loss', progress.loss == null ? '–' : progress.loss.toFixed(4)),
        fact('images/s', Math.round(progress.imagesPerSecond)),
        fact('ETA', duration(progress.etaSeconds))));
  };

  const drawPhases = () => {
    curveChart.update(curveSeries(phases));
    oldNewChart.update(oldNewSeries(phases));
    const done = phases.filter((p) => p.status === 'COMPLETED');
    accuracyMatrix(matrix, done.map((p) => p.accuracyRow), experiment.plan?.phases);
    timings.replaceChildren(phaseTable(id, phases));
    spec.textContent = JSON.stringify(experiment.spec, null, 2);
    plan.textContent = JSON.stringify(experiment.plan, null, 2);
  };

  const draw = () => {
    drawHead();
    drawLive(experiment.progress);
    drawPhases();
  };

  // one snapshot request at a time; events that arrive meanwhile ask for one more afterwards
  let refreshing = null;
  let again = false;
  const refresh = async () => {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        [experiment, phases] = await Promise.all([
          getJson(`/api/v1/experiments/${id}`), getJson(`/api/v1/experiments/${id}/phases`)]);
        if (!signal.aborted) draw();
      } while (again && !signal.aborted);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  async function act(action) {
    const texts = {
      cancel: ['Cancel this run?', 'A running phase stops between two batches; completed phases are kept and it can be resumed.', 'Cancel run'],
      resume: ['Resume this run?', 'It continues from its first phase that did not complete.', 'Resume'],
      delete: ['Delete this experiment?', 'Its phases, events, exemplars and checkpoints are deleted for good.', 'Delete'],
    };
    if (!(await confirmAction(...texts[action]))) return;
    try {
      if (action === 'delete') {
        await sendJson('DELETE', `/api/v1/experiments/${id}`);
        sessionStorage.removeItem(lastEventKey);
        location.hash = '#/';
        return;
      }
      experiment = await sendJson('POST', `/api/v1/experiments/${id}/${action}`);
      draw();
      if (action === 'resume') follow();
    } catch (failure) {
      error.hidden = false;
      error.textContent = failure.message;
    }
  }

  const follow = () => {
    followEvents(id, {
      // the snapshot already shows every event up to its lastEventId; a reload's stored id may be later
      lastEventId: Math.max(experiment.lastEventId ?? 0, Number(sessionStorage.getItem(lastEventKey) ?? 0)),
      signal,
      onEvent: (event) => {
        sessionStorage.setItem(lastEventKey, String(event.id));
        if (event.type === 'progress') {
          if (experiment.status === 'QUEUED') experiment.status = 'RUNNING';
          experiment.progress = event.data;
          drawLive(event.data);
        } else if (event.type !== 'phase-started' || experiment.status === 'QUEUED') {
          refresh().catch(() => {});
        }
      },
    }).catch(() => {});
  };

  draw();
  // a finished run's snapshot is final (a stream resumed after its last event would stay open idle)
  if (ACTIVE.has(experiment.status)) follow();
}

function fact(name, value) {
  return [el('dt', {}, name), el('dd', {}, String(value))];
}

function curveSeries(phases) {
  const of = (pick) => phases.map((p) => (p.accuracy ? pick(p.accuracy) : null));
  const classifier = phases.find((p) => p.accuracy)?.accuracy.classifier;
  return [
    // drawn wide: it coincides with CNN or NME, which are drawn over it
    { label: `reported${classifier ? ` (${classifier})` : ''}`, values: of((a) => a.reported), width: 5 },
    { label: 'CNN', values: of((a) => a.cnn) },
    { label: 'NME', values: of((a) => a.nme) },
  ];
}

function oldNewSeries(phases) {
  const of = (pick) => phases.map((p) => (p.accuracy ? pick(p.accuracy) : null));
  return [{ label: 'old classes', values: of((a) => a.old) }, { label: 'new classes', values: of((a) => a.new) }];
}

function phaseTable(id, phases) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ['Phase', 'Classes', 'Status', 'Accuracy', 'Duration', 'Images/s', 'Attempts', 'Exemplars', 'Memory', 'Downloads']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, phases.map((p) => el('tr', {},
      el('td', { class: 'num' }, p.index),
      el('td', {}, p.classes.length > 6 ? `${p.classes.slice(0, 6).join(', ')}, … (${p.classes.length})` : p.classes.join(', ')),
      el('td', {}, p.status.toLowerCase()),
      el('td', { class: 'num' }, percent(p.accuracy?.reported)),
      el('td', { class: 'num' }, p.durationMs == null ? '–' : duration(p.durationMs / 1000)),
      el('td', { class: 'num' }, p.imagesPerSecond == null ? '–' : Math.round(p.imagesPerSecond)),
      el('td', { class: 'num' }, p.attempts),
      el('td', { class: 'num' }, p.exemplarCount ?? '–'),
      el('td', { class: 'num' }, bytes(p.memoryBytes)),
      el('td', {}, p.status === 'COMPLETED'
        ? [download(id, p.index, 'exemplars'), ' ', download(id, p.index, 'checkpoint'), ' ',
          download(id, p.index, 'checkpoint', 'pytorch')] : '–')))));
}

/**
 * A download link; with an API key the file is fetched with the key and saved from memory.
 * A `format` (the checkpoint's `pytorch`) is the link's text and part of the file name.
 */
function download(id, phase, kind, format) {
  const path = `/api/v1/experiments/${id}/phases/${phase}/${kind}` + (format ? `?format=${format}` : '');
  const name = `${id}-phase${phase}-${kind}${format ? '-' + format : ''}.zip`;
  return el('a', {
    href: path,
    download: name,
    onclick: async (event) => {
      if (!apiKey()) return;
      event.preventDefault();
      const url = await blobUrl(path);
      const link = el('a', { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
  }, format ?? kind);
}
