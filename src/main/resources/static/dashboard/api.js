// The public API, with the API key the user typed (kept in sessionStorage: for this tab only).
const KEY = 'mnemos.apiKey';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let askForKey = async () => null;

/** Registers the function that asks the user for a key (a dialog); it resolves to the key or null. */
export function onKeyNeeded(ask) {
  askForKey = ask;
}

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
}

function headers(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, 'X-API-Key': key } : extra;
}

/** fetch with the key; a 401 asks for a key once and retries. */
export async function request(path, options = {}) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(path, { ...options, headers: headers(options.headers) });
    if (response.status === 401 && attempt === 0) {
      const key = await askForKey(apiKey() ? 'The key was not accepted.' : 'This server needs an API key.');
      if (key) {
        sessionStorage.setItem(KEY, key);
        continue;
      }
    }
    if (!response.ok && response.status !== 304) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // not a problem document
      }
      throw new ApiError(response.status, problem);
    }
    return response;
  }
}

export async function getJson(path) {
  return (await request(path, { headers: { Accept: 'application/json' } })).json();
}

export async function sendJson(method, path, body) {
  const response = await request(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return response.status === 204 ? null : response.json();
}

/** An object URL for a binary resource (images, downloads): img and a elements cannot send the key. */
export async function blobUrl(path) {
  const response = await request(path);
  return URL.createObjectURL(await response.blob());
}

/**
 * Follows an experiment's server-sent events with fetch (EventSource cannot send a key). Resumes
 * after `lastEventId`; reconnects with exponential backoff after a dropped connection, and stops
 * after a terminal event or when `signal` aborts. `onEvent({id, type, data})` for each event.
 */
export async function followEvents(experimentId, { lastEventId = 0, onEvent, signal }) {
  let last = lastEventId;
  let backoff = 500;
  const terminal = new Set(['experiment-succeeded', 'experiment-failed', 'experiment-cancelled']);
  while (!signal.aborted) {
    let ended = false;
    try {
      const response = await request(`/api/v1/experiments/${experimentId}/events`, {
        headers: { Accept: 'text/event-stream', 'Last-Event-ID': String(last) },
        signal,
      });
      backoff = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      let event = { id: null, type: 'message', data: [] };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline;
        while ((newline = buffer.search(/\r?\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
          if (line === '') {
            if (event.data.length) {
              if (event.id !== null) last = Number(event.id);
              onEvent({ id: last, type: event.type, data: JSON.parse(event.data.join('\n')) });
              if (terminal.has(event.type)) ended = true;
            }
            event = { id: null, type: 'message', data: [] };
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') event.id = value;
            else if (field === 'event') event.type = value;
            else if (field === 'data') event.data.push(value);
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) return;
    }
    if (ended || signal.aborted) return;
    // the stream closed without a terminal event (timeout, restart, network): resume after `last`
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, 10000);
  }
}
