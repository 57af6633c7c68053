// One experiment: live progress, accuracy curves, accuracy matrix, phase timings, spec and plan,
// actions and downloads. Live through the run's event stream, resumed (Last-Event-ID) after the
// event the API's snapshot ends at, or after the last event this tab saw if that is later.
import { apiKey, blobUrl, followEvents, getJson, sendJson } from '../api.js';
import { accuracyMatrix, confusionHeatmap, phaseChart } from '../charts.js';
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
  const reference = el('section', { id: 'reference-card', 'aria-labelledby': 'reference-title', hidden: true });
  const confusionControls = el('div', { class: 'toolbar' });
  const confusion = el('div', { id: 'confusion-matrix', class: 'table-scroll' });
  // the phase and classifier the heat map shows; null: the latest completed phase, the method's own classifier
  const shown = { phase: null, classifier: null };
  const spec = el('pre', { id: 'resolved-spec' });
  const plan = el('pre', { id: 'plan' });

  main.append(
    el('div', { class: 'page-head' }, el('div', {}, title, status), actions),
    meta, error, live, reference,
    el('section', { 'aria-labelledby': 'curves-title' }, el('h2', { id: 'curves-title' }, 'Accuracy per phase'),
      el('div', { class: 'charts' }, curve, oldNew)),
    el('section', { 'aria-labelledby': 'matrix-title' }, el('h2', { id: 'matrix-title' }, 'Accuracy matrix and forgetting'), matrix),
    el('section', { 'aria-labelledby': 'confusion-title' }, el('h2', { id: 'confusion-title' }, 'Confusion matrix'),
      confusionControls, confusion),
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
      if (experiment.queuePosition != null) live.append(queuePosition(experiment));
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
    drawConfusion(done);
    drawReference(reference, experiment.reference);
    spec.textContent = JSON.stringify(experiment.spec, null, 2);
    plan.textContent = JSON.stringify(experiment.plan, null, 2);
  };

  const drawConfusion = (done) => {
    const evaluated = done.filter((p) => p.reports?.evaluation);
    if (!evaluated.length) {
      confusionControls.replaceChildren();
      confusion.textContent = 'No completed phase has a confusion matrix yet.';
      return;
    }
    const phase = evaluated.find((p) => p.index === shown.phase) ?? evaluated[evaluated.length - 1];
    const evaluation = phase.reports.evaluation;
    const classifiers = ['cnn', 'nme'].filter((c) => evaluation[c]);
    const classifier = classifiers.includes(shown.classifier) ? shown.classifier
      : (classifiers.includes(phase.accuracy?.classifier) ? phase.accuracy.classifier : classifiers[0]);
    const figures = evaluation[classifier];
    confusionControls.replaceChildren(
      el('label', {}, 'Phase ', el('select', {
        id: 'confusion-phase',
        onchange: (event) => { shown.phase = Number(event.target.value); drawConfusion(done); },
      }, evaluated.map((p) => el('option', { value: p.index, selected: p.index === phase.index }, p.index)))),
      el('label', {}, 'Classifier ', el('select', {
        id: 'confusion-classifier',
        onchange: (event) => { shown.classifier = event.target.value; drawConfusion(done); },
      }, classifiers.map((c) => el('option', { value: c, selected: c === classifier }, c.toUpperCase())))),
      el('span', { class: 'meta', id: 'confusion-figures' }, [
        `task-aware ${percent(figures.taskAwareAccuracy)}`,
        figures.top5Accuracy == null ? null : `top-5 ${percent(figures.top5Accuracy)}`,
        figures.oldPredictedAsNew == null ? null : `old predicted as new ${percent(figures.oldPredictedAsNew)}`,
      ].filter(Boolean).join(' · ')));
    confusionHeatmap(confusion, {
      classOrder: evaluation.classOrder,
      confusion: figures.confusion,
      caption: `Phase ${phase.index}, ${classifier.toUpperCase()}: test images per true class (rows) and predicted class (columns), coloured by their share of the row`,
    });
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
          experiment.queuePosition = null;
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

/** Where a waiting run stands: the phases a free worker of its pool takes before it, as of the last read. */
function queuePosition(experiment) {
  const queue = experiment.pool ? `pool ${experiment.pool}'s queue` : 'the queue of runs for any pool';
  const ahead = experiment.queuePosition - 1;
  return el('p', { id: 'queue-position' },
    `Number ${experiment.queuePosition} in ${queue}: `,
    ahead === 0 ? 'next to start.' : `${ahead} waiting phase${ahead === 1 ? '' : 's'} ahead.`);
}

/** The run's reference card: the published figure, how this run compares, and the spec fields that differ. */
function drawReference(section, reference) {
  section.hidden = !reference;
  if (!reference) return;
  const { card } = reference;
  const printed = `${card.percent}${card.plusMinus == null ? '' : ` ± ${card.plusMinus}`} %`;
  section.replaceChildren(
    el('h2', { id: 'reference-title' }, 'Reference'),
    el('p', {}, `${card.paper.title} (${card.paper.year}), ${card.table}: `, el('strong', {}, printed),
      ` ${card.metric === 'final' ? 'final' : 'average incremental'} accuracy, ${card.classifier.toUpperCase()}`),
    el('dl', { class: 'facts' },
      fact('status', reference.status),
      fact('this run', reference.runPercent == null ? '–' : `${reference.runPercent.toFixed(2)} %`),
      fact('delta', reference.referenceDelta == null ? '–'
        : `${reference.referenceDelta >= 0 ? '+' : '−'}${Math.abs(reference.referenceDelta).toFixed(2)} pp`)),
    el('p', { id: 'reference-explanation' }, reference.explanation ?? ''),
    reference.differences?.length
      ? el('div', { class: 'table-scroll' }, el('table', { id: 'reference-differences' },
        el('caption', {}, 'Spec fields in which this run differs from its preset'),
        el('thead', {}, el('tr', {}, ['Field', 'This run', 'Preset'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, reference.differences.map((d) => el('tr', { dataset: { field: d.field } },
          el('td', {}, el('code', {}, d.field)),
          el('td', {}, d.run === undefined ? '–' : JSON.stringify(d.run)),
          el('td', {}, d.preset === undefined ? '–' : JSON.stringify(d.preset)))))))
      : '');
  section.dataset.status = reference.status;
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
    el('thead', {}, el('tr', {}, ['Phase', 'Classes', 'Status', 'Accuracy', 'Task-aware', 'Duration', 'Images/s', 'Attempts', 'Exemplars', 'Memory', 'Model', 'Downloads']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, phases.map((p) => el('tr', {},
      el('td', { class: 'num' }, p.index),
      el('td', {}, p.classes.length > 6 ? `${p.classes.slice(0, 6).join(', ')}, … (${p.classes.length})` : p.classes.join(', ')),
      el('td', {}, p.status.toLowerCase()),
      el('td', { class: 'num' }, percent(p.accuracy?.reported)),
      el('td', { class: 'num' }, percent(p.reports?.evaluation?.[p.accuracy?.classifier]?.taskAwareAccuracy)),
      el('td', { class: 'num' }, p.durationMs == null ? '–' : duration(p.durationMs / 1000)),
      el('td', { class: 'num' }, p.imagesPerSecond == null ? '–' : Math.round(p.imagesPerSecond)),
      el('td', { class: 'num' }, p.attempts),
      el('td', { class: 'num' }, p.exemplarCount ?? '–'),
      el('td', { class: 'num' }, bytes(p.memoryBytes)),
      el('td', { class: 'num' }, bytes(p.reports?.footprint?.modelBytes)),
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
