// Submit: start from a preset or an earlier run's spec, edit the JSON, see the server's field errors
// at their lines, submit.
import { ApiError, getJson, sendJson } from '../api.js';
import { fieldLines, lineOf } from '../jsonlines.js';
import { el } from '../ui.js';

export async function renderSubmit(main, { params }) {
  const presets = await getJson('/api/v1/presets');
  let initial = { preset: 'split-mnist', name: 'my split-mnist run' };
  const from = params.get('from');
  const presetName = params.get('preset');
  if (from) {
    const experiment = await getJson(`/api/v1/experiments/${from}`);
    initial = { ...experiment.spec, name: `${experiment.name || 'run'} (copy)` };
  } else if (presetName && presets.some((p) => p.name === presetName)) {
    initial = { preset: presetName, name: `my ${presetName} run` };
  }

  const editor = el('textarea', {
    id: 'spec-editor', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'spec-errors',
    'aria-label': 'Experiment spec (JSON)', wrap: 'off',
  });
  editor.value = JSON.stringify(initial, null, 2);
  const gutter = el('div', { class: 'gutter', 'aria-hidden': 'true' });
  const errors = el('div', { id: 'spec-errors', role: 'alert' });
  const preset = el('select', { id: 'preset-picker' },
    el('option', { value: '' }, 'start from a preset…'),
    presets.map((p) => el('option', { value: p.name, title: p.description }, p.name)));
  preset.addEventListener('change', () => {
    if (!preset.value) return;
    editor.value = JSON.stringify({ preset: preset.value, name: `my ${preset.value} run` }, null, 2);
    showErrors([]);
  });
  const details = el('pre', { id: 'preset-spec', class: 'small' });
  preset.addEventListener('change', () => {
    details.textContent = JSON.stringify(presets.find((p) => p.name === preset.value)?.spec ?? {}, null, 2);
  });

  let marked = new Map();
  const drawGutter = () => {
    const count = editor.value.split('\n').length;
    gutter.replaceChildren(...Array.from({ length: count }, (_, k) => {
      const messages = marked.get(k + 1);
      return el('div', { class: messages ? 'line error-line' : 'line', title: messages?.join('\n') }, messages ? `⚠ ${k + 1}` : String(k + 1));
    }));
    gutter.scrollTop = editor.scrollTop;
  };
  editor.addEventListener('input', () => {
    marked = new Map();
    editor.removeAttribute('aria-invalid');
    drawGutter();
  });
  editor.addEventListener('scroll', () => {
    gutter.scrollTop = editor.scrollTop;
  });
  // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped)
  let escaped = false;
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') escaped = true;
    else if (e.key === 'Tab' && !e.shiftKey && !escaped) {
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
    } else escaped = false;
  });

  const goToLine = (line) => {
    const offset = editor.value.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(offset, offset + (editor.value.split('\n')[line - 1] ?? '').length);
  };

  function showErrors(list) {
    marked = new Map();
    let lines = new Map();
    try {
      lines = fieldLines(editor.value);
    } catch {
      // the server's message names the problem; lines stay unknown
    }
    const items = list.map(({ field, message }) => {
      const line = field ? lineOf(lines, field) : 1;
      marked.set(line, [...(marked.get(line) ?? []), `${field ?? 'spec'}: ${message}`]);
      return el('li', { class: 'field-error', dataset: { field: field ?? '', line: String(line) } },
        el('button', { type: 'button', class: 'link', onclick: () => goToLine(line) }, `line ${line}`), ' ',
        el('code', {}, field ?? 'spec'), `: ${message}`);
    });
    if (list.length) editor.setAttribute('aria-invalid', 'true');
    errors.replaceChildren(...(items.length ? [el('p', {}, 'The server refused the spec:'), el('ul', {}, items)] : []));
    drawGutter();
  }

  const submit = el('button', { type: 'submit', id: 'submit-spec', class: 'primary' }, 'Submit');
  const form = el('form', {
    class: 'submit-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        JSON.parse(editor.value);
      } catch (parse) {
        showErrors([{ field: null, message: `not valid JSON: ${parse.message}` }]);
        return;
      }
      submit.disabled = true;
      try {
        const created = await sendJson('POST', '/api/v1/experiments', editor.value);
        location.hash = `#/experiments/${created.id}`;
      } catch (failure) {
        if (failure instanceof ApiError && failure.problem?.errors?.length) showErrors(failure.problem.errors);
        else showErrors([{ field: null, message: failure.message }]);
      } finally {
        submit.disabled = false;
      }
    },
  },
  el('div', { class: 'toolbar' }, el('label', { for: 'preset-picker' }, 'Preset '), preset),
  el('div', { class: 'editor' }, gutter, editor),
  errors,
  el('div', { class: 'actions' }, submit),
  el('details', {}, el('summary', {}, 'The chosen preset’s fields'), details));

  main.append(el('div', { class: 'page-head' }, el('h1', {}, 'New experiment')),
    el('p', {}, 'Fields you write override the preset’s; ', el('a', { href: '/swagger-ui.html' }, 'the API reference'), ' lists every field.'),
    form);
  drawGutter();
}
