/**
 * XML both ways, by one convention (SPEC §3) so a parsed response can be edited and sent back:
 *
 * - an element is an object; each child element name maps to an ARRAY of such objects, even when
 *   the child occurs once;
 * - attributes are keys `"@name"`, text content is `"#text"`, always a string (`01234` stays
 *   `"01234"`); whitespace-only text between child elements is dropped, other text is kept as is
 *   (text around child elements is concatenated: mixed content loses its interleaving);
 * - namespace prefixes stay in names (`"soap:Envelope"`, `"@xmlns:soap"`) unless
 *   `stripNamespaces`, which drops prefixes and `xmlns` attributes;
 * - a document parses to an object whose single key is the root element's name, mapping to an
 *   array with that one element: `<a x="1"><b>t</b></a>` → `{ a: [{ "@x": "1", b: [{ "#text": "t" }] }] }`.
 *
 * Building accepts the same shapes plus conveniences: a plain value is a text element, an array
 * repeats the element, null is an empty element, undefined is skipped.
 * `buildXml('a', parseXml(text).a[0])` gives XML equivalent to `text`.
 *
 * Parsing uses fast-xml-parser (this module is imported lazily, only when XML is used); entities
 * are decoded here in one pass, so `&amp;lt;` correctly becomes `&lt;` and DOCTYPE entities are
 * never expanded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WeftError } from '../../errors.js';
import { isPlainObject } from '../../schema/values.js';

export interface XmlElement {
  [key: string]: XmlElement[] | string;
}
export type XmlDocument = Record<string, [XmlElement]>;

export interface ParseXmlOptions {
  stripNamespaces?: boolean;
}

let parser: XMLParser | undefined;

function getParser(): XMLParser {
  parser ??= new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: false,
    htmlEntities: false,
    cdataPropName: '#cdata',
    allowBooleanAttributes: true,
  });
  return parser;
}

const ENTITY = /&(?:#(\d+)|#x([\da-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, dec: string, hex: string, name: string) => {
    if (name) return NAMED[name];
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function localName(name: string, strip: boolean): string {
  if (!strip) return name;
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

// Assigns without ever touching Object.prototype (an element named `__proto__`).
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

type Node = Record<string, unknown>;

function tagOf(node: Node): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@' && key !== '#text' && key !== '#cdata') return key;
  return undefined;
}

function toElement(children: Node[], attrs: Record<string, string> | undefined, strip: boolean): XmlElement {
  const el: Record<string, unknown> = {};
  if (attrs) {
    for (const name of Object.keys(attrs)) {
      if (strip && (name === 'xmlns' || name.startsWith('xmlns:'))) continue;
      put(el, `@${localName(name, strip)}`, decode(String(attrs[name])));
    }
  }
  const texts: { text: string; cdata: boolean }[] = [];
  let hasChildElements = false;
  for (const child of children) {
    if ('#text' in child) {
      texts.push({ text: decode(String(child['#text'])), cdata: false });
    } else if ('#cdata' in child) {
      const inner = child['#cdata'] as Node[];
      texts.push({ text: inner.map((n) => String(n['#text'] ?? '')).join(''), cdata: true });
    } else {
      const tag = tagOf(child);
      if (tag === undefined) continue; // a comment or processing instruction
      hasChildElements = true;
      const name = localName(tag, strip);
      const element = toElement(child[tag] as Node[], child[':@'] as Record<string, string> | undefined, strip);
      const list = el[name] as XmlElement[] | undefined;
      if (list) list.push(element);
      else put(el, name, [element]);
    }
  }
  if (texts.length > 0) {
    const kept = hasChildElements ? texts.filter((t) => t.cdata || t.text.trim() !== '') : texts;
    if (kept.length > 0) el['#text'] = kept.map((t) => t.text).join('');
  }
  return el as XmlElement;
}

/** Parses XML by the convention above; malformed XML throws `RESPONSE_PARSE_ERROR`. */
export function parseXml(text: string, options: ParseXmlOptions = {}): XmlDocument {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    const where = line ? ` (line ${line}${col ? `, column ${col}` : ''})` : '';
    throw new WeftError('RESPONSE_PARSE_ERROR', `${msg}${where}`);
  }
  const nodes = getParser().parse(text) as Node[];
  const roots = nodes.filter((n) => tagOf(n) !== undefined);
  if (roots.length !== 1) {
    throw new WeftError('RESPONSE_PARSE_ERROR', `expected one root element, found ${roots.length}`);
  }
  const root = roots[0];
  const tag = tagOf(root)!;
  const strip = options.stripNamespaces === true;
  const doc: Record<string, unknown> = {};
  put(doc, localName(tag, strip), [toElement(root[tag] as Node[], root[':@'] as Record<string, string>, strip)]);
  return doc as XmlDocument;
}

// ---------------------------------------------------------------------------------------------
// Building

const NAME = /^[\p{L}_:][\p{L}\p{N}_.:-]*$/u;

function checkName(name: string, what: string): void {
  if (!NAME.test(name))
    throw new WeftError('REQUEST_INVALID', `requestFormatXml: "${name}" is not a valid XML ${what} name`);
}

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => ATTR_ESCAPES[c]);
}

function scalar(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function writeElement(out: string[], name: string, value: unknown, rootAttrs: string): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) writeElement(out, name, item, rootAttrs);
    return;
  }
  checkName(name, 'element');
  if (value === null) {
    out.push(`<${name}${rootAttrs}/>`);
    return;
  }
  if (!isPlainObject(value)) {
    out.push(`<${name}${rootAttrs}>${escapeText(scalar(value))}</${name}>`);
    return;
  }
  let attrs = rootAttrs;
  let text = '';
  const children: string[] = [];
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (key.startsWith('@')) {
      if (v === undefined || v === null) continue;
      checkName(key.slice(1), 'attribute');
      attrs += ` ${key.slice(1)}="${escapeAttr(scalar(v))}"`;
    } else if (key === '#text') {
      if (v !== undefined && v !== null) text += escapeText(scalar(v));
    } else {
      writeElement(children, key, v, '');
    }
  }
  if (text === '' && children.length === 0) out.push(`<${name}${attrs}/>`);
  else out.push(`<${name}${attrs}>${text}${children.join('')}</${name}>`);
}

/**
 * Builds an XML document (with an XML declaration) whose root element is `root`.
 * `namespaces` (`{ prefix: uri }`, `''` for the default namespace) become `xmlns` attributes of the root.
 */
export function buildXml(root: string, value: unknown, namespaces?: Record<string, string>): string {
  if (Array.isArray(value)) {
    throw new WeftError('REQUEST_INVALID', 'requestFormatXml: the payload is the root element and cannot be an array');
  }
  let nsAttrs = '';
  if (namespaces) {
    for (const prefix of Object.keys(namespaces)) {
      if (prefix) checkName(prefix, 'namespace prefix');
      nsAttrs += ` ${prefix ? `xmlns:${prefix}` : 'xmlns'}="${escapeAttr(namespaces[prefix])}"`;
    }
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeElement(out, root, value === undefined ? null : value, nsAttrs);
  return out.join('');
}
