/**
 * The API's one body parser: `application/json`, UTF-8, uncompressed, at most MAX_NESTING deep.
 * Everything else is refused with the reason, never decoded into something else: bytes that are
 * not UTF-8 would become U+FFFD in a stored value, a declared Latin-1 body would be read as
 * UTF-8, a gzip body would be called "not valid JSON". Webhooks read their bodies themselves
 * (webhooks.ts), with the same rules for encodings.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { nestsDeeperThan, tooDeep } from './nesting.js';

type Done = (error: Error | null, body?: unknown) => void;

/** 415 for a body Weft would have to guess how to decode; undefined when it is UTF-8 text. */
function undecodable(request: FastifyRequest, body: Buffer): ApiError | undefined {
  const encoding = String(request.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding && encoding !== 'identity') {
    return new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${encoding.slice(0, 50)}" is not supported: send the request body uncompressed`,
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(String(request.headers['content-type'] ?? ''))?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The request body is declared charset=${charset.slice(0, 50)}: send JSON as UTF-8 (charset=utf-8, or no charset)`,
    );
  }
  if (!isUtf8(body)) {
    return new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'The request body is not UTF-8: send JSON encoded as UTF-8 (its strings may hold any character)',
    );
  }
  return undefined;
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
    const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const refused = undecodable(request, body);
    if (refused) return done(refused, undefined);
    const text = body.toString('utf8');
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
