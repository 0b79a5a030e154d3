/**
 * Prints plain values as TypeScript source the way a person (and Biome) would write them: single
 * quotes, trailing commas, one line when it fits in the width, else one entry per line. `Code`
 * values are printed as they are (a lambda, an `await`, an identifier).
 */

export class Code {
  constructor(readonly text: string) {}
}

export const code = (text: string): Code => new Code(text);

/** A value the printer understands. Undefined object entries are left out. */
export type Printable = string | number | boolean | null | undefined | Code | readonly Printable[] | PrintableObject;
export interface PrintableObject {
  readonly [key: string]: Printable;
}

export const WIDTH = 120;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A string literal: single quotes, double quotes when that saves escaping (as Biome does). */
export function quote(text: string): string {
  const json = JSON.stringify(text);
  if (text.includes("'") && !text.includes('"')) return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

export function propertyKey(key: string): string {
  return IDENTIFIER.test(key) ? key : quote(key);
}

function entries(value: PrintableObject): [string, Printable][] {
  return Object.entries(value).filter(([, v]) => v !== undefined);
}

/**
 * One-line form, or undefined when the value cannot be written on one line or would be longer
 * than `budget` (which stops the walk early: printing stays linear in the size of the value).
 */
function flat(value: Printable, budget: number): string | undefined {
  if (budget < 0) return undefined;
  if (value instanceof Code) return value.text.includes('\n') ? undefined : value.text;
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > budget ? undefined : quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  const parts: string[] = [];
  let used = 4;
  const add = (part: string | undefined) => {
    if (part === undefined) return false;
    parts.push(part);
    used += part.length + 2;
    return used <= budget;
  };
  if (Array.isArray(value)) {
    for (const item of value) if (!add(flat(item, budget - used))) return undefined;
    return `[${parts.join(', ')}]`;
  }
  for (const [k, v] of entries(value as PrintableObject)) {
    const key = propertyKey(k);
    const item = flat(v, budget - used - key.length - 2);
    if (!add(item === undefined ? undefined : `${key}: ${item}`)) return undefined;
  }
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

/**
 * Prints `value` for a position at `indent` spaces where `used` characters of the line are
 * already taken (by `key: ` and the like).
 */
export function print(value: Printable, indent = 0, used = indent): string {
  // Like Biome: a list of several lists (pick-list pairs) gets one line per entry.
  const matrix = Array.isArray(value) && value.length > 1 && value.every((v) => Array.isArray(v) && v.length > 1);
  const one = matrix ? undefined : flat(value, WIDTH - used - 1);
  if (one !== undefined && used + one.length + 1 <= WIDTH) return one;
  const pad = ' '.repeat(indent + 2);
  if (value instanceof Code) return value.text.split('\n').join(`\n${' '.repeat(indent)}`);
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    const lines = value.map((v) => `${pad}${print(v, indent + 2)},`);
    return `[\n${lines.join('\n')}\n${' '.repeat(indent)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const lines = entries(value as PrintableObject).map(([k, v]) => {
      const key = `${propertyKey(k)}: `;
      const text = print(v, indent + 2, indent + 2 + key.length);
      // A string too long for the line goes on the next one, as Biome writes it (not after a
      // key shorter than five characters: that would gain too little).
      if (typeof v === 'string' && key.length - 2 >= 5 && indent + 2 + key.length + text.length + 1 > WIDTH) {
        return `${pad}${key.trimEnd()}\n${pad}  ${text},`;
      }
      return `${pad}${key}${text},`;
    });
    return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
  }
  return flat(value, Number.POSITIVE_INFINITY) ?? 'undefined';
}

/** A `/** ... *\/` comment wrapped at the width, or nothing for an empty text. */
export function docComment(text: string | undefined, indent = 0): string {
  const clean = (text ?? '').replace(/\*\//g, '* /').trim();
  if (!clean) return '';
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const paragraph of clean.split(/\n\s*\n/).slice(0, 3)) {
    if (lines.length) lines.push('');
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line && pad.length + 3 + line.length + word.length + 1 > WIDTH) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  const body = lines;
  if (body.length === 1 && pad.length + body[0].length + 7 <= WIDTH) return `${pad}/** ${body[0]} */\n`;
  return `${pad}/**\n${body.map((l) => (l ? `${pad} * ${l}` : `${pad} *`)).join('\n')}\n${pad} */\n`;
}
