/**
 * The part of an error body a person needs: a SOAP fault's `faultstring`, a JSON API's
 * `error`/`message`/`error_description`, rather than the first characters of an envelope. Works
 * on text already redacted; answers undefined when it finds nothing better than the whole body.
 */
import type { BodyKind } from './response.js';

const XML_SCAN_LIMIT = 64 * 1024;

export function meaningfulPart(text: string, kind: BodyKind): string | undefined {
  const trimmed = text.trimStart();
  if (kind === 'json' || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const found = fromJson(trimmed);
    if (found) return found;
  }
  // A fault is near the start of an envelope; scanning a bounded prefix keeps this linear.
  if (kind === 'xml' || trimmed.startsWith('<')) return fromXml(trimmed.slice(0, XML_SCAN_LIMIT));
  return undefined;
}

// -- JSON ---------------------------------------------------------------------------------------

function fromJson(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return describeJson(value, 0);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function withCode(code: unknown, message: string): string {
  // Numeric codes mostly repeat the HTTP status; string codes (INVALID_FIELD) say what failed.
  const c = str(code);
  return c && !message.includes(c) ? `${c}: ${message}` : message;
}

function describeJson(value: unknown, depth: number): string | undefined {
  if (depth > 3 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    // e.g. Salesforce REST: [{ "message": "...", "errorCode": "INVALID_FIELD" }]
    const parts = value
      .slice(0, 3)
      .map((item) => (typeof item === 'string' ? str(item) : describeJson(item, depth + 1)))
      .filter((p): p is string => p !== undefined);
    return parts.length ? parts.join('; ') : undefined;
  }
  const o = value as Record<string, unknown>;
  // OAuth 2.0 (RFC 6749 §5.2): { error, error_description }
  const description = str(o.error_description);
  if (description) return withCode(o.error, description);
  const code = o.errorCode ?? o.error_code ?? o.code;
  for (const key of ['message', 'error_message', 'errorMessage', 'detail', 'faultstring']) {
    const message = str(o[key]);
    if (message) return withCode(key === 'detail' ? (o.title ?? code) : code, message);
  }
  if (str(o.error)) return withCode(code, str(o.error)!);
  for (const key of ['error', 'errors', 'fault', 'Fault']) {
    if (o[key] && typeof o[key] === 'object') {
      const inner = describeJson(o[key], depth + 1);
      if (inner) return inner;
    }
  }
  return str(o.title);
}

// -- XML ----------------------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXmlText(raw: string): string {
  return raw
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of the first element with this local name (any namespace prefix). */
function element(xml: string, localName: string): string | undefined {
  const re = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}>`, 'i');
  const match = re.exec(xml);
  if (!match) return undefined;
  const text = decodeXmlText(match[1]);
  return text === '' ? undefined : text;
}

function fromXml(xml: string): string | undefined {
  // SOAP 1.1: <faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>…</faultstring>
  const faultstring = element(xml, 'faultstring');
  if (faultstring) {
    const code = element(xml, 'faultcode')?.replace(/^[\w.-]+:/, '');
    return code ? withCode(code, faultstring) : faultstring;
  }
  // SOAP 1.2: <Fault><Code><Value>…</Value></Code><Reason><Text>…</Text></Reason></Fault>
  const reason = element(xml, 'Reason');
  if (reason) return reason;
  // e.g. S3: <Error><Code>SignatureDoesNotMatch</Code><Message>…</Message></Error>
  const code = element(xml, 'Code') ?? element(xml, 'errorCode');
  for (const name of ['error_description', 'message', 'errorMessage', 'error']) {
    const text = element(xml, name);
    if (text) return code ? withCode(code, text) : text;
  }
  return undefined;
}
