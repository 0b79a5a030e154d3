/**
 * Messages to one IPC peer, sent in batches: everything queued during one turn of the event loop
 * goes as one message (one serialization, one write), which is most of the cost of a small
 * operation's round trip when many run at once.
 */
export interface Batch<M> {
  t: 'batch';
  messages: M[];
}

export class Outbox<M> {
  private queue: M[] = [];
  private scheduled = false;

  constructor(private readonly write: (message: M | Batch<M>) => void) {}

  push(message: M): void {
    this.queue.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    this.write(queue.length === 1 ? queue[0] : { t: 'batch', messages: queue });
  }
}

/** Calls `receive` for a message, or for each message of a batch. */
export function unbatch<M>(message: M | Batch<M>, receive: (message: M) => void): void {
  if ((message as Batch<M>).t === 'batch') for (const m of (message as Batch<M>).messages) receive(m);
  else receive(message as M);
}
