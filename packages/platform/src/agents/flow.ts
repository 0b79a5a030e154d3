/**
 * Credit-based flow control of one stream's body, the same at both ends of the tunnel
 * (protocol.ts): `CreditSender` sends a body no faster than the receiver grants; `CreditReceiver`
 * is the body as a Readable, granting credit back as its reader takes bytes. What either side
 * holds of a body is at most the window plus the Readable's buffer.
 */
import { Readable } from 'node:stream';
import { INITIAL_WINDOW, MAX_CHUNK } from './protocol.js';

/**
 * Sends a body's bytes on a stream; the caller sends its `end`. Pull a body with `send`, or push
 * it with `write` (false: stop until `onDrain`'s callback runs).
 */
export class CreditSender {
  private credit = INITIAL_WINDOW;
  private wake: (() => void) | undefined;
  private failed: Error | undefined;
  private readonly queue: Buffer[] = [];
  private drained: (() => void) | undefined;

  constructor(private readonly sendData: (chunk: Buffer) => void) {}

  grant(bytes: number): void {
    this.credit += bytes;
    this.wake?.();
    if (this.queue.length) this.pump();
  }

  /** Sends what credit allows now and keeps the rest; true when nothing is kept. */
  write(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.pump();
    return this.queue.length === 0;
  }

  /** Calls `callback` once every written byte is sent (now, if none is kept). */
  onDrain(callback: () => void): void {
    if (this.queue.length === 0) callback();
    else this.drained = callback;
  }

  private pump(): void {
    while (this.queue.length && this.credit > 0 && !this.failed) {
      const chunk = this.queue[0];
      const n = Math.min(chunk.length, this.credit, MAX_CHUNK);
      this.sendData(chunk.subarray(0, n));
      this.credit -= n;
      if (n === chunk.length) this.queue.shift();
      else this.queue[0] = chunk.subarray(n);
    }
    if (this.queue.length === 0 && this.drained) {
      const callback = this.drained;
      this.drained = undefined;
      callback();
    }
  }

  /** Stops a send under way (the stream failed or was cancelled). */
  fail(error: Error): void {
    this.failed ??= error;
    this.wake?.();
  }

  async send(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<void> {
    for await (const piece of body) {
      let chunk =
        typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      while (chunk.length > 0) {
        if (this.failed) throw this.failed;
        if (this.credit <= 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          this.wake = undefined;
          continue;
        }
        const n = Math.min(chunk.length, this.credit, MAX_CHUNK);
        this.sendData(chunk.subarray(0, n));
        this.credit -= n;
        chunk = chunk.subarray(n);
      }
      if (this.failed) throw this.failed;
    }
  }
}

/** One stream's incoming body. */
export class CreditReceiver extends Readable {
  /** Bytes received and not granted back yet. */
  private owed = 0;
  private done = false;

  constructor(
    private readonly grant: (bytes: number) => void,
    /** Called when the reader gives up before the body's end (the stream is to be cancelled). */
    private readonly onAbandon: (error: Error | null) => void,
  ) {
    super({ highWaterMark: MAX_CHUNK });
  }

  override _read(): void {
    // Credit goes back in batches of half a window: the sender still holds at least the other
    // half, so it never stalls, and a small body costs no credit frame at all.
    if (this.owed >= INITIAL_WINDOW / 2) {
      const bytes = this.owed;
      this.owed = 0;
      this.grant(bytes);
    }
  }

  /** Bytes arrived; false when the sender went beyond its credit (a protocol error). */
  deliver(chunk: Buffer): boolean {
    this.owed += chunk.length;
    if (this.owed > INITIAL_WINDOW) return false;
    this.push(chunk);
    return true;
  }

  finish(): void {
    this.done = true;
    this.push(null);
  }

  fail(error: Error): void {
    this.done = true;
    this.destroy(error);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.done) {
      this.done = true;
      this.onAbandon(error);
    }
    callback(error);
  }
}
