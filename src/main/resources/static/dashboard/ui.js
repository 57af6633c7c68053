// Small DOM helpers and formatters shared by the views.

/** el('a', {href: '#/'}, 'text', child...): attributes starting with "on" become listeners. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const percent = (v) => (v == null ? '–' : `${(100 * v).toFixed(1)}%`);

export function duration(seconds) {
  if (seconds == null) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function bytes(n) {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export const ACTIVE = new Set(['QUEUED', 'RUNNING', 'CANCELLING']);

export function statusBadge(status) {
  return el('span', { class: `status status-${status.toLowerCase()}`, dataset: { status } }, status.toLowerCase());
}

/** A progress bar with its text, for a run's overall fraction. */
export function progressBar(fraction, label) {
  return el('progress', { max: '1', value: String(fraction ?? 0), 'aria-label': label }, percent(fraction));
}

/** A confirmation dialog; resolves to true when confirmed. */
export function confirmAction(title, text, action) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-ok').textContent = action;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

/** The method and data set of a resolved spec, e.g. "icarl · mnist". */
export function describe(spec) {
  if (!spec) return '';
  return [spec.method?.name, spec.dataset?.name].filter(Boolean).join(' · ');
}
