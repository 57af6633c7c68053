// The exemplar memory of one phase, per class, from the exemplar listing (JSON + one PNG per image).
import { blobUrl, getJson } from '../api.js';
import { bytes, el } from '../ui.js';

const FIRST_PER_CLASS = 40;

export async function renderGallery(main, { id, params, signal }) {
  const [experiment, phases] = await Promise.all([
    getJson(`/api/v1/experiments/${id}`), getJson(`/api/v1/experiments/${id}/phases`)]);
  const completed = phases.filter((p) => p.status === 'COMPLETED').map((p) => p.index);
  main.append(el('div', { class: 'page-head' },
    el('h1', {}, `Exemplars of ${experiment.name || id}`),
    el('a', { class: 'button', href: `#/experiments/${id}` }, '← Experiment')));
  if (!completed.length) {
    main.append(el('p', {}, 'No phase has completed yet, so there are no exemplars to show.'));
    return;
  }
  const phase = params.has('phase') && completed.includes(Number(params.get('phase'))) ? Number(params.get('phase')) : completed[completed.length - 1];
  const picker = el('select', {
    id: 'gallery-phase',
    onchange: (e) => {
      location.hash = `#/experiments/${id}/gallery?phase=${e.target.value}`;
    },
  }, completed.map((k) => el('option', { value: k, selected: k === phase }, `after phase ${k}`)));
  main.append(el('div', { class: 'toolbar' }, el('label', { for: 'gallery-phase' }, 'Memory '), picker));

  const listing = await getJson(`/api/v1/experiments/${id}/phases/${phase}/exemplars/images`);
  const kinds = [...new Set(listing.images.map((i) => i.kind))];
  main.append(el('p', { class: 'meta' },
    `${listing.exemplarCount} exemplars of ${listing.classes.length} classes, ${listing.width}×${listing.height}×${listing.channels}, `
    + `stored as ${listing.storage} (${bytes(listing.memoryBytes)}); kinds: ${kinds.join(', ')}`));

  const byClass = new Map();
  listing.images.forEach((image) => {
    if (!byClass.has(image.label)) byClass.set(image.label, []);
    byClass.get(image.label).push(image);
  });
  const thumbnail = (image) => {
    const img = el('img', {
      alt: `${image.className}, exemplar ${image.index}${image.sourceIndex >= 0 ? ` (training image ${image.sourceIndex})` : ''}, ${image.kind}`,
      width: String(Math.max(56, listing.width * 2)),
      height: String(Math.max(56, listing.height * 2)),
    });
    blobUrl(image.url).then((url) => {
      if (signal.aborted) {
        URL.revokeObjectURL(url);
        return;
      }
      img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      img.src = url;
    }).catch(() => {
      img.alt = `${img.alt} (could not be loaded)`;
    });
    return el('figure', { class: `exemplar kind-${image.kind}` }, img, el('figcaption', {}, image.kind));
  };
  const sections = [];
  for (const [label, images] of byClass) {
    const grid = el('div', { class: 'gallery' }, images.slice(0, FIRST_PER_CLASS).map(thumbnail));
    const more = images.length > FIRST_PER_CLASS
      ? el('button', {
        type: 'button',
        onclick: (e) => {
          grid.append(...images.slice(FIRST_PER_CLASS).map(thumbnail));
          e.target.remove();
        },
      }, `Show all ${images.length}`)
      : null;
    sections.push(el('section', { class: 'class-group', dataset: { label } },
      el('h2', {}, `${images[0].className} (label ${label}) · ${images.length}`), grid, more));
  }
  main.append(...sections);
}
