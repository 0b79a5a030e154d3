/**
 * The server's end of a `stream` result from a host: an async iterable of the chunks the host
 * sends, asking for more (credit) as they are read, so a large download never sits whole in
 * memory on either side.
 */
import { STREAM_WINDOW } from './protocol.js';

export class StreamReader implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private done = false;
  private error?: Error;
  private wake?: () => void;
  private read = 0;

  constructor(private readonly pull: (chunks: number) => void) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.notify();
  }

  end(): void {
    this.done = true;
    this.notify();
  }

  fail(error: Error): void {
    this.error = error;
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        // A window's worth read: the host may send that many more.
        if (++this.read % STREAM_WINDOW === 0) this.pull(STREAM_WINDOW);
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
