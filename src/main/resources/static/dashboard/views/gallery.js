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

  const classes = el('div', { id: 'gallery-classes' });
  // where the method produced them: the CAM heatmap and box of compressed exemplars, the training
  // image optimised exemplars were made from; each kind of view can be switched off
  const hasHeatmaps = listing.images.some((i) => i.heatmapUrl || i.box);
  const hasOriginals = listing.images.some((i) => i.originalUrl);
  const toggle = (inputId, label, hidingClass) => {
    const box = el('input', {
      type: 'checkbox',
      id: inputId,
      checked: true,
      onchange: (e) => classes.classList.toggle(hidingClass, !e.target.checked),
    });
    return el('label', { for: inputId, class: 'check' }, box, ` ${label}`);
  };
  if (hasHeatmaps || hasOriginals) {
    main.append(el('fieldset', { class: 'toolbar views' }, el('legend', {}, 'Show'),
      hasHeatmaps ? toggle('show-heatmaps', 'compression boxes and CAM heatmaps', 'hide-heatmaps') : null,
      hasOriginals ? toggle('show-originals', 'optimized exemplars before and after', 'hide-originals') : null));
  }

  const byClass = new Map();
  listing.images.forEach((image) => {
    if (!byClass.has(image.label)) byClass.set(image.label, []);
    byClass.get(image.label).push(image);
  });
  const width = Math.max(56, listing.width * 2);
  const height = Math.max(56, listing.height * 2);
  const load = (img, url) => {
    blobUrl(url).then((objectUrl) => {
      if (signal.aborted) {
        URL.revokeObjectURL(objectUrl);
        return;
      }
      img.addEventListener('load', () => URL.revokeObjectURL(objectUrl), { once: true });
      img.src = objectUrl;
    }).catch(() => {
      img.alt = `${img.alt} (could not be loaded)`;
    });
    return img;
  };
  const name = (image) => `${image.className}, exemplar ${image.index}${image.sourceIndex >= 0 ? ` (training image ${image.sourceIndex})` : ''}`;
  const frame = (className, ...children) => el('div', { class: `frame ${className}`, style: `width:${width}px;height:${height}px` }, ...children);
  const thumbnail = (image) => {
    const picture = load(el('img', { alt: `${name(image)}, ${image.kind}`, width: String(width), height: String(height) }), image.url);
    const layers = [picture];
    if (image.heatmapUrl) {
      layers.push(load(el('img', {
        class: 'heatmap', alt: `CAM heatmap of ${name(image)}`, width: String(width), height: String(height),
      }), image.heatmapUrl));
    }
    if (image.box) {
      // the part kept at full resolution (bottom and right exclusive); the rest is stored downsampled
      const { top, bottom, left, right } = image.box;
      const pct = (v, size) => `${(100 * v) / size}%`;
      layers.push(el('div', {
        class: 'box',
        role: 'img',
        'aria-label': `kept at full resolution: rows ${top}–${bottom - 1}, columns ${left}–${right - 1}`,
        style: `top:${pct(top, listing.height)};left:${pct(left, listing.width)};`
          + `height:${pct(bottom - top, listing.height)};width:${pct(right - left, listing.width)}`,
      }));
    }
    const frames = [frame('after', ...layers)];
    if (image.originalUrl) {
      frames.unshift(frame('original', load(el('img', {
        alt: `${name(image)}, the training image before optimization`, width: String(width), height: String(height),
      }), image.originalUrl)));
    }
    const caption = [image.kind];
    if (image.compressionRate != null) caption.push(`${Math.round(100 * image.compressionRate)}% stored`);
    return el('figure', {
      class: `exemplar kind-${image.kind}${image.originalUrl ? ' has-original' : ''}`,
      dataset: { index: image.index },
    }, el('div', { class: 'frames' }, frames),
    el('figcaption', {}, image.originalUrl ? el('span', { class: 'before-after' }, 'before · after ') : null, caption.join(' · ')));
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
  classes.append(...sections);
  main.append(classes);
}
