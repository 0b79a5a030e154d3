/**
 * The API reports the first problem as `error.path` and lists the others in the message
 * (recipes: `\nN more problems:\n  - path: message`; connections: `(and N more: path: message; ...)`).
 * The console shows each one at its field, so they are parsed back into a list.
 */

export interface Problem {
  /** Path of the bad value from the request body's root (`steps[1].input.email`); '' for the whole body. */
  path: string;
  message: string;
}

const MORE_LIST = /\n\d+ more problems?:\n/;
const MORE_INLINE = / \(and \d+ more: (.*)\)$/s;

function splitPathMessage(line: string): Problem {
  const at = line.indexOf(': ');
  if (at < 0) return { path: '', message: line };
  const path = line.slice(0, at);
  // A path has no spaces (`steps[0].input.email`, `values.port`); anything else is prose.
  if (/\s/.test(path) || path === '(recipe)') return { path: '', message: at < 0 ? line : line.slice(at + 2) };
  return { path, message: line.slice(at + 2) };
}

/** Every problem of an API error: `{ path, message }` with the path prefix taken off the message. */
export function problemsOf(message: string, path?: string): Problem[] {
  let head = message;
  const rest: Problem[] = [];
  const list = MORE_LIST.exec(message);
  if (list) {
    head = message.slice(0, list.index);
    for (const line of message.slice(list.index + list[0].length).split('\n')) {
      const item = line.replace(/^\s*-\s*/, '');
      if (item) rest.push(splitPathMessage(item));
    }
  } else {
    const inline = MORE_INLINE.exec(message);
    if (inline) {
      head = message.slice(0, inline.index);
      for (const item of inline[1].split('; ')) rest.push(splitPathMessage(item));
    }
  }
  let first: Problem;
  if (path && head.startsWith(`${path}: `)) first = { path, message: head.slice(path.length + 2) };
  else first = { path: path ?? '', message: head };
  return [first, ...rest];
}
