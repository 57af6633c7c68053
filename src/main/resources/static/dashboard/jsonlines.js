// Where each value of a JSON text starts: maps a field path (as the server names it, e.g.
// "training.schedule.milestones[1]") to its 1-based line, so errors can be shown at the field.

/** Returns Map<path, line> for every key and array element of `text`; throws on malformed JSON. */
export function fieldLines(text) {
  const lines = new Map();
  let i = 0;
  let line = 1;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const string = () => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text[i + 1] === 'u' ? String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)) : text[i + 1];
        i += text[i + 1] === 'u' ? 6 : 2;
      } else {
        out += text[i++];
      }
    }
    i++; // closing quote
    return out;
  };
  const value = (path) => {
    skip();
    if (path) lines.set(path, line);
    if (text[i] === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        const keyLine = line;
        const key = string();
        const child = path ? `${path}.${key}` : key;
        skip();
        i++; // colon
        value(child);
        lines.set(child, keyLine);
        skip();
        if (text[i++] === '}') return;
      }
    } else if (text[i] === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        skip();
        if (text[i++] === ']') return;
      }
    } else if (text[i] === '"') {
      string();
    } else {
      while (i < text.length && /[^,\]}\s]/.test(text[i])) i++;
    }
  };
  JSON.parse(text); // malformed text is reported by the caller with the parser's message
  value('');
  return lines;
}

/** The line of `field`, or of its nearest ancestor present in the text, or 1. */
export function lineOf(lines, field) {
  let path = field;
  while (path) {
    if (lines.has(path)) return lines.get(path);
    path = path.replace(/(\[\d+\]|\.?[^.[]*)$/, '');
  }
  return 1;
}
