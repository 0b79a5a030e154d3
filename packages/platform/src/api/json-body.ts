/**
 * The API's one body parser: `application/json`, UTF-8, uncompressed, at most MAX_NESTING deep.
 * Everything else is refused with the reason, never decoded into something else: bytes that are
 * not UTF-8 would become U+FFFD in a stored value, a declared Latin-1 body would be read as
 * UTF-8, a gzip body would be called "not valid JSON". Webhooks read their bodies themselves
 * (webhooks.ts, resume.ts), with the same rules for encodings (text-body.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { nestsDeeperThan, tooDeep } from './nesting.js';
import { utf8Text } from './text-body.js';

type Done = (error: Error | null, body?: unknown) => void;

/** 415 for a JSON body declaring a charset other than UTF-8 (JSON is UTF-8: RFC 8259). */
function otherCharset(request: FastifyRequest): ApiError | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(String(request.headers['content-type'] ?? ''))?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return undefined;
  return new ApiError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `The request body is declared charset=${charset.slice(0, 50)}: send JSON as UTF-8 (charset=utf-8, or no charset)`,
  );
}

/** Parses text JSON.parse accepts; true when it does (to tell a refused key from bad JSON). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const POISON = new ApiError(
  400,
  'INVALID_REQUEST',
  'The request body has a "__proto__" key, or a "constructor" key holding a "prototype" key, which Weft refuses ' +
    '(they could change how every object behaves): rename the key',
);

/** Makes `application/json` the only body type of `app` (its other types answer 415). */
export function parseJsonBodies(app: FastifyInstance): void {
  // Fastify's parser refuses `__proto__` and `constructor.prototype` (prototype poisoning).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done: Done) => {
    const charset = otherCharset(request);
    if (charset) return done(charset, undefined);
    let text: string;
    try {
      text = utf8Text(request.headers, Buffer.isBuffer(raw) ? raw : Buffer.from(raw), {
        requests: 'API requests',
        body: 'The request body',
        hint: 'send JSON encoded as UTF-8 (its strings may hold any character)',
      });
    } catch (error) {
      return done(error as Error, undefined);
    }
    // An empty body sent as JSON is no body: clients that always send the content type (and
    // POST routes that take nothing, like start, stop and rerun) must not get a 400 for it.
    if (text.trim() === '') return done(null, undefined);
    if (nestsDeeperThan(text)) return done(tooDeep('The request body'), undefined);
    parseJson(request, text, (error, value) => {
      if (error && isJson(text)) done(POISON, undefined);
      else done(error, value);
    });
  });
}
