/**
 * The request body of one attempt: the call's payload (merged with what `apply` added) in the
 * chosen format, or the raw body as it is.
 */
import { WeftError } from '../../errors.js';
import { isPlainObject } from '../../schema/values.js';
import { mergePayload, requestFormatOf } from '../apply-merge.js';
import { encodeForm, FORM_CONTENT_TYPE } from '../formats/form.js';
import { isStreamLike, multipartBody } from '../formats/multipart.js';
import { assertNoPromise } from '../formats/pending.js';
import { describeBytes, describeText, truncate } from '../log.js';
import { loadXml } from '../response.js';
import type { AppliedAuth } from '../types.js';
import { type HttpCall, NO_BODY, type PreparedBody, type RawBody } from './types.js';

type Redact = (text: string) => string;

export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/** Whether the call can have a body at all (GET without payload cannot). */
export function hasBody(call: HttpCall): boolean {
  return call.rawBody !== undefined || call.hasPayload || BODY_METHODS.has(call.method);
}

function contentTypeHeader(call: HttpCall): string | undefined {
  return call.headers?.get('content-type')?.[1];
}

export async function prepareBody(
  call: HttpCall,
  auth: AppliedAuth | undefined,
  redact: Redact,
): Promise<PreparedBody> {
  if (call.rawBody !== undefined) return rawBody(call.rawBody, contentTypeHeader(call), redact);
  if (!call.hasPayload && !BODY_METHODS.has(call.method)) return NO_BODY;
  let payload = call.payload;
  const authPayload = auth?.payload;
  if (authPayload && Object.keys(authPayload).length > 0) payload = mergePayload(authPayload, payload);
  if (payload === undefined) return NO_BODY;
  assertNoPromise(payload);
  const own = { format: call.requestFormat, root: call.xmlRoot, namespaces: call.xmlNamespaces };
  const { format, root, namespaces } = requestFormatOf(own, auth);

  switch (format) {
    case 'xml': {
      const { buildXml } = await loadXml();
      const text = buildXml(root, payload, namespaces);
      return { body: text, contentType: 'application/xml', replayable: true, describe: () => truncate(redact(text)) };
    }
    case 'multipart': {
      if (!isPlainObject(payload))
        throw new WeftError('REQUEST_INVALID', 'requestFormatMultipart: the payload must be an object of fields');
      const mp = multipartBody(payload);
      return {
        body: mp.body,
        contentType: mp.contentType,
        replayable: mp.replayable,
        describe: () => mp.description,
      };
    }
    case 'form': {
      const text = isPlainObject(payload) ? encodeForm(payload) : String(payload);
      return {
        body: text,
        contentType: FORM_CONTENT_TYPE,
        replayable: true,
        describe: () => describeText(text, FORM_CONTENT_TYPE, redact),
      };
    }
    case 'json':
      return jsonBody(payload, redact);
    default:
      // No format chosen: strings, bytes and streams go as they are, everything else as JSON.
      if (typeof payload === 'string' || payload instanceof Uint8Array || isStreamLike(payload)) {
        return rawBody(payload as RawBody, contentTypeHeader(call), redact);
      }
      return jsonBody(payload, redact);
  }
}

function jsonBody(payload: unknown, redact: Redact): PreparedBody {
  let text: string;
  try {
    text = JSON.stringify(payload);
  } catch (error) {
    throw new WeftError('REQUEST_INVALID', `The request payload cannot be sent as JSON: ${(error as Error).message}`);
  }
  return {
    body: text,
    contentType: 'application/json',
    replayable: true,
    describe: () => describeText(text, 'application/json', redact),
  };
}

function rawBody(body: RawBody, contentType: string | undefined, redact: Redact): PreparedBody {
  if (typeof body === 'string') {
    const type = contentType ?? 'text/plain; charset=utf-8';
    return {
      body,
      contentType: 'text/plain; charset=utf-8',
      replayable: true,
      describe: () => describeText(body, type, redact),
    };
  }
  if (body instanceof Uint8Array) {
    const type = contentType ?? 'application/octet-stream';
    return {
      body,
      contentType: 'application/octet-stream',
      replayable: true,
      describe: () => describeBytes(body, type, redact),
    };
  }
  return { body, contentType: 'application/octet-stream', replayable: false, describe: () => '<stream>' };
}
