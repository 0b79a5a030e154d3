/**
 * Bodies Weft reads as text (webhooks, resume calls, the API's JSON) must be UTF-8 and sent
 * uncompressed. Anything else is a 415 saying so, never decoded into something else: bytes that
 * are not UTF-8 would become U+FFFD in what a connector or an action receives, and a gzip body
 * would be read as garbage.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors.js';

export interface TextBodyWords {
  /** What the requests are, for the encoding refusal: "webhooks", "resume calls". */
  requests: string;
  /** What the body is, for the UTF-8 refusal: "The webhook body". */
  body: string;
  /** What to send instead: "Weft receives text bodies (JSON, forms, XML, plain text)". */
  hint: string;
}

/** The body as text; 415 `UNSUPPORTED_MEDIA_TYPE` when it is compressed or not UTF-8. */
export function utf8Text(headers: IncomingHttpHeaders, body: Buffer | undefined, words: TextBodyWords): string {
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${encoding.slice(0, 50)}" is not supported for ${words.requests}: send the body uncompressed`,
    );
  }
  if (!body || body.length === 0) return '';
  if (!isUtf8(body)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `${words.body} is not UTF-8 text: ${words.hint}`);
  }
  return body.toString('utf8');
}
