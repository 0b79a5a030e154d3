/**
 * How `weft exec` prints results: indented JSON, with bytes (a downloaded file, a Buffer) shown
 * as `{"$base64": "..."}` instead of JSON.stringify's `{"0":37,...}` or `{"type":"Buffer",...}`.
 */

/** Bytes in any of the forms a connector may return them. */
export function asBytes(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return undefined;
}

export function toJsonText(value: unknown): string {
  // `this[key]` is the value before its toJSON ran (Buffer.toJSON would hide the bytes).
  const text = JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, current: unknown) {
      const bytes = asBytes(this[key]);
      return bytes ? { $base64: bytes.toString('base64') } : current;
    },
    2,
  );
  return `${text ?? 'null'}\n`;
}
