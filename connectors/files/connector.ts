/**
 * Acme Files: a file store with a bearer token. Shows file bodies in every direction:
 * a multipart upload with a file part, a large upload streamed from an async generator (never
 * held in memory), a download as bytes and a `streams.download` producer that reads a file in
 * ranges so `weft exec streams.download --output=file` (or a recipe step) copies it chunk by
 * chunk.
 */
import { createHash } from 'node:crypto';
import { defineConnector } from '@weft/sdk';

const CHUNK = 64 * 1024;

/**
 * The body of `upload_large`: `size` bytes made from `seed`, generated chunk by chunk. It hashes
 * what it yields so the action can compare with the checksum the API computes.
 */
async function* generatedBody(
  size: number,
  seed: number,
  hash: ReturnType<typeof createHash>,
  progress: (bytes: number) => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for (let index = 0; sent < size; index++) {
    const length = Math.min(CHUNK, size - sent);
    // A fresh buffer per chunk: the HTTP client may still hold the previous one.
    const chunk = Buffer.alloc(length, `${seed}:${index}|`);
    hash.update(chunk);
    sent += length;
    yield chunk;
  }
  progress(sent);
}

function fileNameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

const fileFields = [
  { name: 'id' },
  { name: 'name' },
  { name: 'folder' },
  { name: 'size', type: 'integer' },
  { name: 'content_type' },
  { name: 'sha256', label: 'SHA-256' },
] as const;

export default defineConnector({
  title: 'Acme Files',
  description: 'Upload and download files in Acme Files.',

  connection: {
    fields: [
      { name: 'base_url', label: 'Base URL', controlType: 'url' },
      { name: 'access_token', label: 'Access token', controlType: 'password' },
    ],
    authorization: {
      type: 'api_key',
      apply: (ctx) => {
        ctx.headers({ Authorization: `Bearer ${ctx.connection.access_token}` });
      },
    },
    baseUri: (ctx) => ctx.connection.base_url,
  },

  test: (ctx) => ctx.get('account'),

  actions: {
    upload_file: {
      title: 'Upload file',
      inputFields: [
        { name: 'folder', hint: 'Folder path, e.g. /reports' },
        { name: 'description', optional: true },
        { name: 'file_name', default: 'report.csv', optional: true },
        { name: 'content_type', default: 'text/csv', optional: true },
        { name: 'content_base64', label: 'Content (Base64)', controlType: 'text-area' },
      ],
      execute: async (ctx) => {
        const { folder, description, file_name, content_type, content_base64 } = ctx.input;
        if (!/^[A-Za-z0-9+/=\s_-]*$/.test(content_base64)) ctx.error('content_base64 is not Base64');
        const bytes = new Uint8Array(Buffer.from(content_base64, 'base64'));
        const form: Record<string, unknown> = { folder };
        if (description) form.description = description;
        form.file = [bytes, content_type ?? 'text/csv', file_name ?? 'report.csv'];
        return ctx.post('files', form).requestFormatMultipart();
      },
      outputFields: fileFields,
    },

    upload_large: {
      title: 'Upload large generated file',
      description: 'Streams a generated body of the given size; nothing is held in memory.',
      inputFields: [
        { name: 'name', default: 'large.bin', optional: true },
        { name: 'size_bytes', type: 'integer', default: 20 * 1024 * 1024, optional: true },
        { name: 'seed', type: 'integer', default: 1, optional: true },
      ],
      execute: async (ctx) => {
        const size = ctx.input.size_bytes ?? 20 * 1024 * 1024;
        const hash = createHash('sha256');
        const body = generatedBody(size, ctx.input.seed ?? 1, hash, (bytes) =>
          ctx.checkpoint('upload_large: body generated', { bytes }),
        );
        const stored = await ctx
          .put<{ id: string; name: string; size: number; sha256: string }>('files/large')
          .params({ name: ctx.input.name ?? 'large.bin' })
          .headers({ 'Content-Type': 'application/octet-stream' })
          .requestBody(body)
          .timeout(120_000);
        const sha256 = hash.digest('hex');
        if (stored.size !== size || stored.sha256 !== sha256) {
          ctx.error(`Upload corrupted: sent ${size} bytes (${sha256}), Acme stored ${stored.size} (${stored.sha256})`);
        }
        return { ...stored, verified: true };
      },
      outputFields: [
        { name: 'id' },
        { name: 'name' },
        { name: 'size', type: 'integer' },
        { name: 'sha256' },
        { name: 'verified', type: 'boolean' },
      ],
    },

    download_file: {
      title: 'Download file',
      inputFields: [{ name: 'id', label: 'File ID' }],
      execute: async (ctx) => {
        const { body, headers } = await ctx
          .get(`files/${encodeURIComponent(ctx.input.id)}/content`)
          .responseFormatRaw({ as: 'bytes' })
          .afterResponse((_code, body: Uint8Array, headers) => ({ body, headers }));
        return {
          id: ctx.input.id,
          name: fileNameOf(headers['content-disposition']) ?? ctx.input.id,
          content_type: headers['content-type'],
          size: body.byteLength,
          content_base64: Buffer.from(body).toString('base64'),
        };
      },
      outputFields: [
        { name: 'id' },
        { name: 'name' },
        { name: 'content_type' },
        { name: 'size', type: 'integer' },
        { name: 'content_base64', label: 'Content (Base64)' },
      ],
    },
  },

  streams: {
    /** Reads `args.file_id` in ranges: bytes `from`..`to` (inclusive) per call. */
    download: async (ctx, from, to) => {
      const id = ctx.args.file_id;
      if (typeof id !== 'string' || !id) ctx.error('streams.download needs args.file_id (pass --args=args.json)');
      return ctx
        .get(`files/${encodeURIComponent(id as string)}/content`)
        .headers({ Range: `bytes=${from}-${to}` })
        .responseFormatRaw({ as: 'bytes' })
        .afterResponse((code, body: Uint8Array, headers) => {
          if (code === 200) {
            // The server ignored the range and sent the whole file.
            return { data: body.subarray(from, to + 1), eof: to + 1 >= body.byteLength };
          }
          const total = Number(/\/(\d+)\s*$/.exec(headers['content-range'] ?? '')?.[1]);
          return { data: body, eof: !Number.isFinite(total) || to + 1 >= total };
        })
        .afterErrorResponse(416, () => ({ data: new Uint8Array(0), eof: true }));
    },
  },
});
