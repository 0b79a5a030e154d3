import { defineConnector } from '@weft/sdk';

/**
 * An S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...). Every request is signed with
 * AWS Signature Version 4 by the `aws_auth` authorization: Weft signs the final request —
 * method, path, query, headers and the SHA-256 of the body — right before it is sent.
 */
export default defineConnector({
  title: 'S3-like storage',
  connection: {
    fields: [
      { name: 'endpoint', controlType: 'url', hint: 'e.g. https://s3.eu-central-1.amazonaws.com' },
      { name: 'region', hint: 'e.g. eu-central-1' },
      { name: 'access_key_id', label: 'Access key ID' },
      { name: 'secret_access_key', label: 'Secret access key', controlType: 'password' },
      {
        name: 'session_token',
        label: 'Session token',
        controlType: 'password',
        optional: true,
        hint: 'only for temporary credentials',
      },
    ],
    // Keys come from the connection fields above (these names are what aws_auth reads);
    // the region from the `region` field; the service is fixed.
    authorization: { type: 'aws_auth', service: 's3' },
    baseUri: (ctx) => ctx.connection.endpoint,
  },
  test: (ctx) => ctx.get('/').responseFormatXml({ stripNamespaces: true }),
  actions: {
    list_objects: {
      title: 'List objects',
      inputFields: [{ name: 'bucket' }, { name: 'prefix', optional: true }],
      execute: async (ctx) => {
        const xml = await ctx
          .get(`/${ctx.input.bucket}`, { 'list-type': 2, prefix: ctx.input.prefix ?? '' })
          .responseFormatXml({ stripNamespaces: true });
        const contents = xml.ListBucketResult?.[0]?.Contents ?? [];
        return {
          objects: contents.map((c: any) => ({ key: c.Key[0]['#text'], size: Number(c.Size[0]['#text']) })),
        };
      },
      outputFields: [
        { name: 'objects', type: 'array', properties: [{ name: 'key' }, { name: 'size', type: 'integer' }] },
      ],
    },
    put_object: {
      title: 'Upload an object',
      inputFields: [
        { name: 'bucket' },
        { name: 'key' },
        { name: 'content', controlType: 'text-area' },
        { name: 'content_type', optional: true },
      ],
      execute: async (ctx) => {
        await ctx
          .put(`/${ctx.input.bucket}/${encodeURIComponent(ctx.input.key).replace(/%2F/g, '/')}`)
          .headers({ 'Content-Type': ctx.input.content_type ?? 'text/plain; charset=utf-8' })
          .requestBody(ctx.input.content)
          .responseFormatRaw();
        return { bucket: ctx.input.bucket, key: ctx.input.key };
      },
    },
    get_object: {
      title: 'Download an object (text)',
      inputFields: [{ name: 'bucket' }, { name: 'key' }],
      execute: async (ctx) => ({
        content: await ctx
          .get(`/${ctx.input.bucket}/${encodeURIComponent(ctx.input.key).replace(/%2F/g, '/')}`)
          .responseFormatRaw(),
      }),
    },
    presign_download: {
      title: 'Create a download link',
      inputFields: [{ name: 'bucket' }, { name: 'key' }, { name: 'expires_in', type: 'integer', default: 900 }],
      // A presigned URL is a credential: Weft redacts its signature in logs and output, so this
      // action is meant for passing the link on inside a recipe, not for showing it.
      execute: async (ctx) =>
        ctx.awsSignature({
          url: `${ctx.connection.endpoint}/${ctx.input.bucket}/${encodeURIComponent(ctx.input.key).replace(/%2F/g, '/')}`,
          presign: ctx.input.expires_in,
        }),
    },
  },
});
